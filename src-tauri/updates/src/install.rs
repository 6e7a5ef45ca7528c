//! Installing a verified package as root without a file the user can change in between. The
//! plugin's `Update::install` writes the package to a temporary folder of the user's
//! (`$TMPDIR`, then the cache folder) and runs `pkexec dpkg -i <that file>`: any other process of the
//! user can replace the file after it was verified and before dpkg reads it as root, and the plugin
//! offers no way to choose the folder, pass a descriptor or re-verify as root.
//!
//! Here the verified bytes never touch a file of the user's: they go through a pipe to a shell that
//! pkexec runs as root, which writes them into a folder root makes for them (`mktemp -d`: 0700,
//! root's, in the sticky /tmp, so the user can neither write nor rename it) and installs from
//! there. What remains: a process that can already control Hayon itself (same user, ptrace) could
//! change the bytes before they are piped; only a root-owned helper that verifies the signature
//! itself, with its own copy of the key, would close that too.

use std::io::Write;
use std::process::{Command, Stdio};

/// A Linux package the system's package tool installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Deb,
    Rpm,
}

impl Package {
    /// The package for how this copy of Hayon was installed, if it was from a package.
    pub fn of_this_app() -> Option<Self> {
        use tauri::utils::config::BundleType;
        match tauri::utils::platform::bundle_type()? {
            BundleType::Deb => Some(Self::Deb),
            BundleType::Rpm => Some(Self::Rpm),
            _ => None,
        }
    }

    /// The tool and its install option; the shell below adds the file.
    fn tool(self) -> [&'static str; 2] {
        match self {
            Self::Deb => ["dpkg", "-i"],
            Self::Rpm => ["rpm", "-U"],
        }
    }

    /// Whether `bytes` start as such a package does (an ar archive with `debian-binary` first; the
    /// RPM lead), so another kind of file never reaches the tool.
    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Self::Deb => bytes.starts_with(b"!<arch>\ndebian-binary"),
            Self::Rpm => bytes.starts_with(&[0xed, 0xab, 0xee, 0xdb]),
        }
    }
}

/// Run as root by pkexec (which clears the environment: root's PATH and /tmp): the package from
/// standard input into a new root-owned folder, then `$0 $1` (the tool and its option) on it.
const AS_ROOT: &str = r#"set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/package"
"$0" "$1" "$dir/package""#;

/// Why installing failed.
#[derive(Debug)]
pub enum InstallError {
    /// The bytes are not a package of that kind.
    NotAPackage(Package),
    /// pkexec could not be started or fed (not installed?).
    Pkexec(std::io::Error),
    /// The administrator's consent was not given, or the tool failed (its exit status).
    Failed(Option<i32>),
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAPackage(package) => write!(f, "the update is not a {package:?} package"),
            Self::Pkexec(error) => write!(
                f,
                "pkexec could not be run ({error}); install the package from the project's page"
            ),
            Self::Failed(status) => write!(
                f,
                "the administrator's consent was not given or the package tool failed (exit status {})",
                status.map_or_else(|| "none".to_owned(), |code| code.to_string())
            ),
        }
    }
}

impl std::error::Error for InstallError {}

/// Installs `bytes` (already verified) as `package` with pkexec, through a pipe.
pub(crate) fn install(package: Package, bytes: &[u8]) -> Result<(), InstallError> {
    if !package.matches(bytes) {
        return Err(InstallError::NotAPackage(package));
    }
    let [tool, option] = package.tool();
    let mut child = Command::new("pkexec")
        .args(["/bin/sh", "-c", AS_ROOT, tool, option])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(InstallError::Pkexec)?;
    let fed = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(bytes),
        None => Ok(()),
    };
    let status = child.wait().map_err(InstallError::Pkexec)?;
    // A refused consent closes the pipe early: the status says why, not the broken pipe.
    if !status.success() {
        return Err(InstallError::Failed(status.code()));
    }
    fed.map_err(InstallError::Pkexec)
}

#[cfg(test)]
mod tests {
    use super::{install, InstallError, Package};
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn script(path: &Path, text: &str) {
        std::fs::write(path, text).expect("write script");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    /// pkexec stands in for the race: before running the command it overwrites every temporary
    /// file named on its command line, as another process of the user could between the check and dpkg
    /// reading the file as root. dpkg records what it was given. (The only test that changes PATH
    /// in this binary; the other tests start no program.)
    #[test]
    fn the_package_tool_gets_the_verified_bytes_whatever_the_user_rewrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let installed = dir.path().join("installed");
        // Only files in the temporary folder, where the user's copy would be: never /bin/sh.
        let temp = std::env::temp_dir();
        script(
            &dir.path().join("pkexec"),
            &format!(
                "#!/bin/sh\nfor arg in \"$@\"; do case \"$arg\" in '{}'/*) \
                 [ -f \"$arg\" ] && printf swapped > \"$arg\";; esac; done\nexec \"$@\"\n",
                temp.display()
            ),
        );
        script(
            &dir.path().join("dpkg"),
            &format!(
                "#!/bin/sh\n[ \"$1\" = -i ] && cp \"$2\" '{}'\n",
                installed.display()
            ),
        );
        let path = std::env::var("PATH").unwrap_or_default();
        std::env::set_var("PATH", format!("{}:{path}", dir.path().display()));

        let mut package = b"!<arch>\ndebian-binary   ".to_vec();
        package.extend((0..100_000u32).map(|i| (i % 251) as u8));
        install(Package::Deb, &package).expect("installed");
        let given = std::fs::read(&installed).expect("dpkg ran");
        assert!(
            given == package,
            "dpkg got {} bytes, starting {:?}",
            given.len(),
            String::from_utf8_lossy(&given[..given.len().min(16)])
        );

        assert!(matches!(
            install(Package::Deb, b"#!/bin/sh\n"),
            Err(InstallError::NotAPackage(Package::Deb))
        ));
    }
}
