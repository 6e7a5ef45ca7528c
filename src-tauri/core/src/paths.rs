//! Where Hayon keeps its files, and creating them private to the user (0700 folders, 0600 files) before
//! anything is written into them. New files Hayon writes whole (staged images) are created exclusively:
//! never over an existing file, never through a symlink someone planted.

use crate::error::{Result, StorageError};
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
        .ok_or_else(|| StorageError::NoHomeFolder.into())
}

/// Creates `dir` (and its missing parents) with mode 0700 if it is missing. An existing folder keeps
/// its mode: it may be one the person named (`--data-dir .`), whose permissions are theirs to set.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|err| StorageError::file(dir, err).into())
}

/// Creates Hayon's own default data folder 0700, or tightens it to 0700 if it exists: Tauri makes it
/// for the web view's cache and storage before Hayon's setup runs, with default permissions (0755
/// under a usual umask). Only for [`default_data_dir`], never a folder the person named.
pub fn make_default_data_dir_private(dir: &Path) -> Result<()> {
    create_private_dir(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let describe = |err| StorageError::file(dir, err);
        let mode = fs::metadata(dir).map_err(describe)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(describe)?;
        }
    }
    Ok(())
}

/// Creates `path` with mode 0600 if it is missing, and tightens it to 0600 if it exists.
pub fn create_private_file(path: &Path) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .map_err(|err| StorageError::file(path, err))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|err| StorageError::file(path, err))?;
    }
    drop(file);
    Ok(())
}

/// Writes `bytes` to a new file at `path`, created with mode 0600 and exclusively (it fails if
/// anything, even a dangling symlink, is already there). A partly written file is removed.
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    fill_new_private_file(path, |file| {
        file.write_all(bytes)
            .map_err(|err| StorageError::file(path, err).into())
    })
}

/// A new file at `path`, created as [`write_new_private_file`] creates it, filled by `fill` and
/// synced; removed again when either fails.
pub fn fill_new_private_file(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> Result<()>,
) -> Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|err| StorageError::file(path, err))?;
    let filled = fill(&mut file).and_then(|()| {
        file.sync_all()
            .map_err(|err| StorageError::file(path, err).into())
    });
    if filled.is_err() {
        drop(file);
        let _ = fs::remove_file(path);
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_private_dir_is_0700_and_only_the_default_data_dir_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("tempdir");
        let mode = |dir: &Path| fs::metadata(dir).expect("metadata").permissions().mode() & 0o777;
        let new = root.path().join("new").join("nested");
        create_private_dir(&new).expect("created");
        assert_eq!(mode(&new), 0o700);
        let existing = root.path().join("made-by-someone-else");
        fs::create_dir(&existing).expect("existing");
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o755)).expect("0755");
        create_private_dir(&existing).expect("kept");
        assert_eq!(
            mode(&existing),
            0o755,
            "a folder the person named keeps its mode"
        );
        make_default_data_dir_private(&existing).expect("tightened");
        assert_eq!(mode(&existing), 0o700);
    }

    #[test]
    fn a_new_private_file_is_0600_and_never_replaces_anything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new.jpg");
        write_new_private_file(&path, b"one").expect("written");
        assert_eq!(fs::read(&path).expect("read"), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_new_private_file(&path, b"two").is_err());
        assert_eq!(fs::read(&path).expect("read"), b"one", "not overwritten");
        #[cfg(unix)]
        {
            let target = dir.path().join("target");
            let link = dir.path().join("link.jpg");
            std::os::unix::fs::symlink(&target, &link).expect("symlink");
            assert!(write_new_private_file(&link, b"x").is_err());
            assert!(!target.exists(), "written through a planted symlink");
        }
    }
}
