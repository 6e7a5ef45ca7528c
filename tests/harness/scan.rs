//! Scans every file the app wrote (database, `-wal`, `-shm`, logs) for secrets, and a log for
//! anything private (link paths and query strings, local file paths).

use std::path::{Path, PathBuf};

/// Every folder and file under `dir` (not `dir` itself).
pub fn paths_under(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path.clone());
            }
            paths.push(path);
        }
    }
    paths
}

/// Every file under `dir`.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    paths_under(dir)
        .into_iter()
        .filter(|path| !path.is_dir())
        .collect()
}

/// Panics if any file under `dir` contains one of `secrets`, or anything shaped like a JWT.
pub fn assert_no_secrets(dir: &Path, secrets: &[&str]) {
    let files = files_under(dir);
    assert!(
        !files.is_empty(),
        "nothing was written under {}",
        dir.display()
    );
    for file in files {
        let bytes = std::fs::read(&file).expect("readable file");
        for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{} contains a secret",
                file.display()
            );
        }
        // A JWT header always starts with base64url('{"') = "eyJ".
        assert!(
            !contains(&bytes, b"eyJ0eXAi") && !contains(&bytes, b"eyJhbGci"),
            "{} contains something shaped like a JWT",
            file.display()
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Panics if the file at `path` contains any of `private` (each named in the panic by its index,
/// not its value, so the failure output repeats nothing private either).
pub fn assert_not_in_file(path: &Path, private: &[&str]) {
    let bytes = std::fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    for (index, needle) in private.iter().enumerate() {
        assert!(!needle.is_empty(), "empty needle #{index}");
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{} contains private text #{index} ({} bytes long)",
            path.display(),
            needle.len()
        );
    }
}
