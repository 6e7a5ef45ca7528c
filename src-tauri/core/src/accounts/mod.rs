//! Connected accounts: connect, refresh, health check and disconnect, as product.md describes them.
//!
//! [`Accounts`] owns the SQLite store, the keychain and the HTTP client, and keeps one live session per
//! account in memory. The window's commands and the CLI are thin adapters over its methods.

mod connect;
mod errors;
mod health;
mod pds;
mod session;
mod verdict;

use crate::account::Account;
use crate::error::{Error, Result};
use crate::keychain::{OsKeychain, TokenStore};
use crate::store::{ProfileFields, Store};
use crate::xrpc::XrpcClient;
use serde::Serialize;
use session::LiveSession;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use url::Url;

pub use connect::{ConnectRequest, Connected};
pub(crate) use errors::describe as describe_xrpc_error;

/// Where the store and the tokens live.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub keychain_service: String,
}

/// The answer to a disconnect (CLI contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub did: String,
    pub connected: bool,
    /// False when the server could not be reached, so the session may still be valid there.
    pub server_session_revoked: bool,
}

#[derive(Debug)]
pub struct Accounts {
    store: Store,
    keychain: Arc<dyn TokenStore>,
    pub(crate) xrpc: XrpcClient,
    sessions: Mutex<HashMap<String, Arc<LiveSession>>>,
}

impl Accounts {
    /// Opens the store in `config.data_dir` and uses the OS keychain under `config.keychain_service`.
    pub fn open(config: &Config) -> Result<Self> {
        let store = Store::open_in(&config.data_dir)?;
        let xrpc = XrpcClient::new().map_err(|err| errors::describe(&err))?;
        Ok(Self {
            store,
            keychain: Arc::new(OsKeychain::new(config.keychain_service.clone())),
            xrpc,
            sessions: Mutex::new(HashMap::new()),
        })
    }

    /// The database, for the composer's draft and the settings.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn list(&self) -> Result<Vec<Account>> {
        self.store.list_accounts()
    }

    /// The account with this DID or handle.
    pub fn find(&self, did_or_handle: &str) -> Result<Account> {
        self.store
            .find_account(did_or_handle)?
            .ok_or_else(|| Error::not_found(did_or_handle))
    }

    /// The live session of a stored account, loading its tokens from the keychain the first time.
    fn session(&self, did: &str) -> Result<Arc<LiveSession>> {
        if let Some(session) = self.sessions_map().get(did) {
            return Ok(session.clone());
        }
        let account = self.find(did)?;
        let tokens = self
            .keychain
            .load(did)?
            .ok_or_else(|| errors::needs_reconnection(&account.handle))?;
        let session = Arc::new(LiveSession::new(
            account.did.clone(),
            parse_stored_url(&account.service)?,
            parse_stored_url(&account.pds)?,
            tokens,
        ));
        // Two callers may load at once; keep whichever got in first so they share one gate.
        Ok(self
            .sessions_map()
            .entry(account.did)
            .or_insert(session)
            .clone())
    }

    fn sessions_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<LiveSession>>> {
        self.sessions
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Display name, bio and avatar: from the app view (`getProfile`, through the authenticated
    /// path), or from the account's own profile record when no app view answers. `None` when neither
    /// source answered (offline, server trouble): the stored profile is then kept as it is.
    async fn fetch_profile(&self, session: &LiveSession) -> Option<ProfileFields> {
        let did = session.did.clone();
        let xrpc = self.xrpc.clone();
        let from_app_view = self
            .authed(&did, |pds, access| {
                let xrpc = xrpc.clone();
                let did = did.clone();
                async move { xrpc.get_profile(&pds, &access, &did).await }
            })
            .await;
        let profile = match from_app_view {
            Ok(profile) => profile,
            Err(err) => {
                tracing::info!(did = %session.did, code = err.code.as_str(), "getProfile failed; reading the profile record");
                let pds = session.pds();
                match self.xrpc.get_profile_record(&pds, &session.did).await {
                    // No record is an answer too: the account has no profile.
                    Ok(record) => record
                        .map(|record| record.into_profile(&pds, &session.did))
                        .unwrap_or_default(),
                    Err(err) => {
                        tracing::warn!(did = %session.did, error = %err, "profile record unavailable; keeping the stored profile");
                        return None;
                    }
                }
            }
        };
        Some(ProfileFields {
            display_name: profile.display_name.filter(|name| !name.trim().is_empty()),
            description: profile.description.filter(|text| !text.trim().is_empty()),
            avatar: profile.avatar,
        })
    }
}

/// A server address read back from the store.
pub(crate) fn parse_stored_url(text: &str) -> Result<Url> {
    Url::parse(text).map_err(|err| Error::storage(format!("stored server address {text}: {err}")))
}

pub(crate) use crate::store::now_rfc3339;
