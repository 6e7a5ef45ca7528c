//! Where Hayon keeps its files, and creating them private to the user (0700 folders, 0600 files) before
//! anything is written into them.

use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The app identifier: the keychain service name and the name of the data folder, shared by the
/// window and the CLI.
pub const APP_IDENTIFIER: &str = "social.hayon.desktop";

/// The data folder the window uses (`$XDG_DATA_HOME/social.hayon.desktop` on Linux), and the CLI's
/// default.
pub fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or_else(|| Error::storage("no home folder could be found for Hayon's data"))
}

pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|err| Error::storage(format!("{}: {err}", dir.display())))
}

/// Creates `path` with mode 0600 if it is missing, and tightens it to 0600 if it exists.
pub fn create_private_file(path: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .map_err(|err| Error::storage(format!("{}: {err}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|err| Error::storage(format!("{}: {err}", path.display())))?;
    }
    drop(file);
    Ok(())
}
