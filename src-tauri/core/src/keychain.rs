//! Where tokens live: the OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) and nowhere else on disk. One entry per account, under the app's service name and keyed by
//! DID, holding both tokens (and, for Sign in with Bluesky, the DPoP key they are bound to), so a
//! rotation is written in one step.
//!
//! [`TokenStore`] is injected into the core context (`Core::with_token_store`): the app, the CLI and
//! the integration suite use [`OsKeychain`] against the real platform keychain (`Core::open`); only the
//! core's unit tests put an in-memory fake in its place.

use crate::dpop::DpopKey;
use crate::error::{Error, ErrorCode, Result, StorageError};
use crate::secret::Secret;
use crate::xrpc::Credential;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The token pair of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access: Secret,
    pub refresh: Secret,
    /// The key a Sign in with Bluesky session's tokens are bound to (DPoP); `None` for an
    /// app-password session.
    pub dpop: Option<Arc<DpopKey>>,
}

impl Tokens {
    /// How requests show these tokens.
    pub fn credential(&self) -> Credential {
        match &self.dpop {
            None => Credential::Bearer(self.access.clone()),
            Some(key) => Credential::Dpop {
                token: self.access.clone(),
                key: key.clone(),
            },
        }
    }
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
    /// PKCS#8, base64 ([`DpopKey::to_stored`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dpop_key: Option<&'a str>,
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
        let unreadable = || {
            Error::new(
                ErrorCode::NeedsReconnection,
                "The saved sign-in for this account is unreadable. Reconnect the account.",
            )
        };
        let parsed: StoredTokens<'_> = serde_json::from_str(&stored).map_err(|_| unreadable())?;
        let dpop = match parsed.dpop_key {
            Some(key) => Some(Arc::new(
                DpopKey::from_stored(&Secret::new(key.to_owned())).map_err(|_| unreadable())?,
            )),
            None => None,
        };
        Ok(Some(Tokens {
            access: Secret::new(parsed.access_jwt.to_owned()),
            refresh: Secret::new(parsed.refresh_jwt.to_owned()),
            dpop,
        }))
    }

    fn save(&self, did: &str, tokens: &Tokens) -> Result<()> {
        let key = tokens.dpop.as_ref().map(|key| key.to_stored());
        let stored = StoredTokens {
            access_jwt: tokens.access.expose(),
            refresh_jwt: tokens.refresh.expose(),
            dpop_key: key.as_ref().map(Secret::expose),
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
