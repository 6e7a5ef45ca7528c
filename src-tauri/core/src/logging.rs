//! Logs go to `hayon.log` in the data folder (0600), so a user can attach it to a bug report. Nothing
//! secret is ever logged: tokens and passwords are [`crate::secret::Secret`], whose `Debug` is
//! `<redacted>`, and log lines carry DIDs and error names only.

use crate::error::Result;
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
        .map_err(crate::error::Error::storage)?;
    let filter = EnvFilter::try_from_env("HAYON_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second init in the same process (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    Ok(())
}
