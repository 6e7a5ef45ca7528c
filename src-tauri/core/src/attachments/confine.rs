//! The only way a path from the web view reaches the disk. The web view is untrusted (a compromised
//! page could name any file), so a path is accepted only when it names a regular file directly inside
//! the attachments folder: no `..`, no symlink, no FIFO or device (which could block a read forever).
//! Everything else gets one and the same message, so a page cannot learn whether some file elsewhere
//! exists.

use crate::error::Error;
use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The one answer to any path that is not a usable staged copy.
pub const UNAVAILABLE: &str =
    "This image is not available any more. Remove it and attach it again.";

pub fn unavailable() -> Error {
    Error::validation(UNAVAILABLE)
}

/// The file name that `path` gives a staged copy, judged from the text alone: `path` must be
/// `<folder>/<name>` for one of `folders` (the attachments folder as configured and canonical), with
/// no `.` or `..` anywhere. The file itself may be missing.
pub fn staged_name(folders: &[&Path], path: &str) -> Result<OsString, Error> {
    let path = Path::new(path);
    let plain = path.components().all(|part| {
        matches!(
            part,
            Component::RootDir | Component::Prefix(_) | Component::Normal(_)
        )
    });
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(unavailable());
    };
    if !plain || !path.is_absolute() || !folders.contains(&parent) {
        return Err(unavailable());
    }
    Ok(name.to_owned())
}

/// `folder/name`, if it is a regular file (checked without following a symlink).
pub fn regular_file(folder: &Path, name: &OsString) -> Result<PathBuf, Error> {
    let path = folder.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(metadata) if metadata.file_type().is_file() => Ok(path),
        _ => Err(unavailable()),
    }
}

/// The regular file at `path`, opened without following a symlink and without blocking (a symlink
/// or FIFO swapped in after the check is refused, not followed or waited on), and checked again on
/// the open file: what is read from it is the file that was checked.
pub fn open_regular(path: &Path) -> Result<File, Error> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = options.open(path).map_err(|_| unavailable())?;
    match file.metadata() {
        Ok(metadata) if metadata.is_file() => Ok(file),
        _ => Err(unavailable()),
    }
}

/// The bytes of the regular file at `path` ([`open_regular`]), at most `limit` of them (more is an
/// error).
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
    let file = open_regular(path)?;
    let metadata = file.metadata().map_err(|_| unavailable())?;
    if metadata.len() > limit {
        return Err(unavailable());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or_default());
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|_| unavailable())?;
    if bytes.len() as u64 > limit {
        return Err(unavailable());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Setup {
        _root: tempfile::TempDir,
        folder: PathBuf,
        outside: PathBuf,
    }

    fn setup() -> Setup {
        let root = tempfile::tempdir().expect("tempdir");
        let folder = root.path().join("attachments");
        std::fs::create_dir(&folder).expect("folder");
        std::fs::write(folder.join("inside.jpg"), b"staged").expect("inside");
        let outside = root.path().join("secret.jpg");
        std::fs::write(&outside, b"elsewhere").expect("outside");
        Setup {
            _root: root,
            folder,
            outside,
        }
    }

    /// The whole check a command makes: the name, then the file.
    fn check(setup: &Setup, path: &Path) -> Result<PathBuf, Error> {
        let name = staged_name(&[&setup.folder], path.to_str().expect("utf-8"))?;
        regular_file(&setup.folder, &name)
    }

    #[test]
    fn a_file_inside_the_folder_is_accepted() {
        let setup = setup();
        let path = check(&setup, &setup.folder.join("inside.jpg")).expect("accepted");
        assert_eq!(read_regular(&path, 100).expect("read"), b"staged");
    }

    #[test]
    fn outside_existing_and_outside_missing_get_the_same_answer() {
        let setup = setup();
        let existing = check(&setup, &setup.outside).expect_err("outside");
        let missing =
            check(&setup, &setup.outside.with_file_name("nothing.jpg")).expect_err("missing");
        assert_eq!(existing, missing);
        assert_eq!(existing.message, UNAVAILABLE);
        let etc = check(&setup, Path::new("/etc/hostname")).expect_err("system file");
        assert_eq!(etc, existing);
    }

    #[test]
    fn dot_dot_relative_and_nested_paths_are_refused() {
        let setup = setup();
        let sneaky = setup.folder.join("..").join("secret.jpg");
        assert_eq!(check(&setup, &sneaky).expect_err("..").message, UNAVAILABLE);
        let back_in = setup
            .folder
            .join("..")
            .join("attachments")
            .join("inside.jpg");
        assert_eq!(
            check(&setup, &back_in).expect_err("..").message,
            UNAVAILABLE
        );
        for text in ["inside.jpg", "attachments/inside.jpg", ""] {
            assert_eq!(
                staged_name(&[&setup.folder], text).expect_err(text).message,
                UNAVAILABLE
            );
        }
        std::fs::create_dir(setup.folder.join("sub")).expect("subfolder");
        std::fs::write(setup.folder.join("sub").join("deep.jpg"), b"x").expect("deep");
        let deep = setup.folder.join("sub").join("deep.jpg");
        assert_eq!(
            check(&setup, &deep).expect_err("nested").message,
            UNAVAILABLE
        );
        let folder_itself = setup.folder.join("sub");
        assert_eq!(
            check(&setup, &folder_itself).expect_err("a folder").message,
            UNAVAILABLE
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_pointing_out_is_refused_and_never_followed() {
        let setup = setup();
        let link = setup.folder.join("link.jpg");
        std::os::unix::fs::symlink(&setup.outside, &link).expect("symlink");
        assert_eq!(
            check(&setup, &link).expect_err("symlink").message,
            UNAVAILABLE
        );
        assert_eq!(
            read_regular(&link, 100).expect_err("no follow").message,
            UNAVAILABLE
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let setup = setup();
        let fifo = setup.folder.join("pipe.jpg");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // A blocking open of a FIFO with no writer would hang this test; both checks return.
        assert_eq!(check(&setup, &fifo).expect_err("fifo").message, UNAVAILABLE);
        assert_eq!(
            read_regular(&fifo, 100).expect_err("fifo").message,
            UNAVAILABLE
        );
    }

    #[test]
    fn a_missing_file_inside_is_refused_with_the_same_message() {
        let setup = setup();
        let gone = check(&setup, &setup.folder.join("gone.jpg")).expect_err("missing");
        assert_eq!(gone.message, UNAVAILABLE);
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let setup = setup();
        let path = setup.folder.join("inside.jpg");
        assert_eq!(
            read_regular(&path, 3).expect_err("too big").message,
            UNAVAILABLE
        );
        assert_eq!(
            read_regular(&path, 6).expect("exactly the limit"),
            b"staged"
        );
    }
}
