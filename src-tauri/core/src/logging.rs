//! Logs go to `hayon.log` in the data folder (0600), so a user can attach it to a bug report. Nothing
//! secret or private is ever logged: tokens and passwords are [`crate::secret::Secret`], whose `Debug`
//! is `<redacted>`; log lines carry DIDs, error codes and names; a link is logged as its
//! [`link_origin`] only (paths and query strings can hold tokens or private pages), and a local file
//! by its name at most, never its path.

use crate::error::{Result, StorageError};
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

pub const LOG_FILE: &str = "hayon.log";

/// Installs the global subscriber (once per process). `HAYON_LOG` sets the filter (default `info`).
pub fn init(data_dir: &Path) -> Result<()> {
    crate::paths::create_private_dir(data_dir)?;
    let path = data_dir.join(LOG_FILE);
    crate::paths::create_private_file(&path)?;
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|err| StorageError::file(&path, err))?;
    let filter = EnvFilter::try_from_env("HAYON_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init in the same process (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}

/// A link as it may appear in the log: `scheme://host[:port]`, nothing of its user, path, query or
/// fragment.
pub fn link_origin(link: &str) -> String {
    match url::Url::parse(link) {
        Ok(url) => match url.host_str() {
            Some(host) => match url.port() {
                Some(port) => format!("{}://{host}:{port}", url.scheme()),
                None => format!("{}://{host}", url.scheme()),
            },
            None => format!("{}:", url.scheme()),
        },
        Err(_) => "(not a link)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::link_origin;

    #[test]
    fn a_link_is_reduced_to_its_scheme_and_host() {
        assert_eq!(
            link_origin("https://user:pw@example.com/reset?token=abc#frag"),
            "https://example.com"
        );
        assert_eq!(
            link_origin("http://127.0.0.1:8080/admin/page?q=1"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(link_origin("mailto:someone@example.com"), "mailto:");
        assert_eq!(link_origin("not a link /home/me/file"), "(not a link)");
    }
}
