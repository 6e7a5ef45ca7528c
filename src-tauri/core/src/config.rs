//! Where the core keeps its data and what it may reach, read in one place for the window and the CLI,
//! so the two cannot drift: both call [`Config::from_env`]; the CLI then applies its flags on top.
//!
//! Precedence, for each setting: a CLI flag (`--data-dir`, `--keychain-service`), then the environment
//! (`HAYON_DATA_DIR`, `HAYON_KEYCHAIN_SERVICE`, `HAYON_LINK_CARDS_ALLOW_PRIVATE=1`,
//! `HAYON_HTTP_TIMEOUT_SECS`), then the default (the app's data folder, the app identifier as keychain
//! service, public link-card addresses only, a 30 s request timeout).

use crate::error::Result;
use crate::link_card::CardPolicy;
use crate::paths;
use std::path::PathBuf;
use std::time::Duration;

/// Overrides the data folder (tests, a second profile).
pub const DATA_DIR_ENV: &str = "HAYON_DATA_DIR";
/// Overrides the keychain service name the tokens are stored under (tests).
pub const KEYCHAIN_SERVICE_ENV: &str = "HAYON_KEYCHAIN_SERVICE";

/// Everything [`crate::Core`] is opened with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database, the log and the staged images.
    pub data_dir: PathBuf,
    /// The OS keychain service the tokens are stored under.
    pub keychain_service: String,
    /// Where link cards may be fetched from.
    pub card_policy: CardPolicy,
    /// How long one XRPC request may take (uploads get more for their size).
    pub http_timeout: Duration,
}

impl Config {
    /// The defaults with the environment's overrides applied.
    pub fn from_env() -> Result<Self> {
        let data_dir = match std::env::var_os(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
            Some(dir) => dir.into(),
            None => paths::default_data_dir()?,
        };
        Ok(Self::in_dir(data_dir))
    }

    /// `data_dir` with the environment's other overrides (or the defaults).
    pub fn in_dir(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            keychain_service: std::env::var(KEYCHAIN_SERVICE_ENV)
                .ok()
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| paths::APP_IDENTIFIER.to_owned()),
            card_policy: CardPolicy::from_env(),
            http_timeout: crate::xrpc::base_timeout(),
        }
    }
}
