//! Connected accounts: connect, refresh, health check and disconnect, as product.md describes them.
//!
//! [`Accounts`] is the accounts service of the core context ([`crate::Core::accounts`]): it uses the
//! context's store, token store and XRPC client, and its one live session per account ([`Sessions`]).
//! The window's commands and the CLI are thin adapters over its methods.

mod avatar;
mod connect;
pub(crate) mod errors;
mod health;
mod pds;
mod reminders;
mod session;
mod sign_in;
#[cfg(test)]
mod tests;
mod verdict;

use crate::account::Account;
use crate::context::Core;
use crate::error::{Error, Result, StorageError};
use crate::store::ProfileFields;
use serde::Serialize;
use session::LiveSession;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use url::Url;

pub use connect::{ConnectRequest, Connected};
pub(crate) use errors::describe as describe_xrpc_error;
pub use reminders::{EndingSignIn, REMIND_BEFORE};
pub use sign_in::SignInStarted;

/// The answer to a disconnect (CLI contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub did: String,
    pub connected: bool,
    /// False when the server could not be reached, so the session may still be valid there.
    pub server_session_revoked: bool,
}

/// The live sessions, one per account, loaded from the token store on first use. Held by the
/// context, so every service shares them (one refresh at a time per account).
#[derive(Debug, Default)]
pub(crate) struct Sessions(Mutex<HashMap<String, Arc<LiveSession>>>);

/// The accounts service ([`Core::accounts`]).
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) core: &'a Core,
}

impl Accounts<'_> {
    pub fn list(&self) -> Result<Vec<Account>> {
        self.core.store.list_accounts()
    }

    /// The account with this DID or handle.
    pub fn find(&self, did_or_handle: &str) -> Result<Account> {
        self.core
            .store
            .find_account(did_or_handle)?
            .ok_or_else(|| Error::no_account(did_or_handle))
    }

    /// The live session of a stored account, loading its tokens from the keychain the first time.
    fn session(&self, did: &str) -> Result<Arc<LiveSession>> {
        if let Some(session) = self.sessions_map().get(did) {
            return Ok(session.clone());
        }
        let account = self.find(did)?;
        let tokens = self
            .core
            .tokens
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
        self.core
            .sessions
            .0
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Display name, bio and avatar: from the app view (`getProfile`, through the authenticated
    /// path), or from the account's own profile record when no app view answers. `None` when neither
    /// source answered (offline, server trouble): the stored profile is then kept as it is.
    async fn fetch_profile(&self, session: &LiveSession) -> Option<ProfileFields> {
        let did = session.did.clone();
        let xrpc = self.core.xrpc.clone();
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
                match self.core.xrpc.get_profile_record(&pds, &session.did).await {
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
    Url::parse(text).map_err(|err| StorageError::ServerAddress(err).into())
}

pub(crate) use crate::store::now_rfc3339;
