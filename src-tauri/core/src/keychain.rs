//! Where tokens live: the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) and nowhere else on disk. One entry per account, under the app's service name and keyed by
//! DID, holding both tokens, so a rotation is written in one step.
//!
//! [`TokenStore`] is injected into the core context (`Core::with_token_store`): the app, the CLI and
//! the integration suite use [`OsKeychain`] against the real platform keychain (`Core::open`); only the
//! core's unit tests put an in-memory fake in its place.

use crate::error::{Error, ErrorCode, Result, StorageError};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The token pair of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Secret,
}

pub trait TokenStore: Send + Sync + std::fmt::Debug {
    fn load(&self, did: &str) -> Result<Option<Tokens>>;
    fn save(&self, did: &str, tokens: &Tokens) -> Result<()>;
    /// Removes the entry; removing a missing entry is not an error.
    fn delete(&self, did: &str) -> Result<()>;
}

/// The platform keychain via the `keyring` crate.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredTokens<'a> {
    access_jwt: &'a str,
    refresh_jwt: &'a str,
}

impl OsKeychain {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, did: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, did).map_err(unavailable)
    }
}

impl TokenStore for OsKeychain {
    fn load(&self, did: &str) -> Result<Option<Tokens>> {
        let stored = match self.entry(did)?.get_password() {
            Ok(text) => Zeroizing::new(text),
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(err) => return Err(unavailable(err)),
        };
        let parsed: StoredTokens<'_> = serde_json::from_str(&stored).map_err(|_| {
            Error::new(
                ErrorCode::NeedsReconnection,
                "The saved sign-in for this account is unreadable. Reconnect the account.",
            )
        })?;
        Ok(Some(Tokens {
            access: Secret::new(parsed.access_jwt.to_owned()),
            refresh: Secret::new(parsed.refresh_jwt.to_owned()),
        }))
    }

    fn save(&self, did: &str, tokens: &Tokens) -> Result<()> {
        let stored = StoredTokens {
            access_jwt: tokens.access.expose(),
            refresh_jwt: tokens.refresh.expose(),
        };
        let json = Zeroizing::new(
            serde_json::to_string(&stored).map_err(StorageError::encoding("session"))?,
        );
        self.entry(did)?.set_password(&json).map_err(unavailable)
    }

    fn delete(&self, did: &str) -> Result<()> {
        match self.entry(did)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(unavailable(err)),
        }
    }
}

fn unavailable(err: keyring::Error) -> Error {
    let hint = if cfg!(target_os = "linux") {
        "Make sure a Secret Service provider (GNOME Keyring or KWallet) is running and unlocked, then try again."
    } else {
        "Unlock your keychain and try again."
    };
    Error::new(
        ErrorCode::KeychainUnavailable,
        format!(
            "Hayon could not use the system keychain to keep your sign-in safe ({err}). {hint}"
        ),
    )
}
