//! A live session in memory, and the one authenticated-request path every call goes through.
//!
//! When the access token is refused, the path refreshes once and retries once; what ends a session is
//! decided in `verdict.rs` (only the session endpoints can). Concurrent callers share one refresh: the
//! first takes the per-account gate and rotates; the others wait on the gate, see that the access token
//! they used is no longer current, and retry with the new one. The window and the CLI share the
//! keychain, so before rotating, the tokens stored there win over the ones in memory. A network failure
//! while refreshing leaves the tokens as they were, so being offline never logs anyone out.

use super::verdict::{self, Endpoint};
use super::Accounts;
use crate::error::Result;
use crate::keychain::Tokens;
use crate::secret::Secret;
use crate::xrpc::{Credential, XrpcError};
use std::future::Future;
use std::sync::RwLock;
use url::Url;

#[derive(Debug)]
pub(crate) struct LiveSession {
    pub did: String,
    hosts: RwLock<Hosts>,
    tokens: RwLock<Tokens>,
    /// Held while a refresh is under way, so there is only ever one.
    refresh_gate: tokio::sync::Mutex<()>,
}

/// Where the session's calls go.
#[derive(Debug, Clone)]
struct Hosts {
    /// The login host: session calls (refresh, delete) go here, as the official client does.
    service: Url,
    /// The account's PDS, as its DID document names it: every other call goes here.
    pds: Url,
}

impl LiveSession {
    pub fn new(did: String, service: Url, pds: Url, tokens: Tokens) -> Self {
        Self {
            did,
            hosts: RwLock::new(Hosts { service, pds }),
            tokens: RwLock::new(tokens),
            refresh_gate: tokio::sync::Mutex::new(()),
        }
    }

    pub fn service(&self) -> Url {
        read(&self.hosts).service.clone()
    }

    pub fn pds(&self) -> Url {
        read(&self.hosts).pds.clone()
    }

    pub fn set_hosts(&self, service: Url, pds: Url) {
        *write(&self.hosts) = Hosts { service, pds };
    }

    /// How the next request shows the session's access token.
    pub fn credential(&self) -> Credential {
        read(&self.tokens).credential()
    }

    pub fn access(&self) -> Secret {
        read(&self.tokens).access.clone()
    }

    pub fn refresh_token(&self) -> Secret {
        read(&self.tokens).refresh.clone()
    }

    pub fn replace(&self, tokens: Tokens) {
        *write(&self.tokens) = tokens;
    }

    pub(super) fn tokens(&self) -> Tokens {
        read(&self.tokens).clone()
    }
}

// A panic while holding one of these locks cannot leave a half-written value (each write is one
// assignment), so a poisoned lock is still safe to use.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poison| poison.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|poison| poison.into_inner())
}

impl Accounts<'_> {
    /// Runs `call` with the account's PDS and access token; when the token is refused, refreshes once
    /// and retries once. A refusal of the retry is that call's error: it never ends the session.
    /// Every authenticated call (profile, posting, …) goes through here.
    pub async fn authed<T, F, Fut>(&self, did: &str, call: F) -> Result<T>
    where
        F: Fn(Url, Credential) -> Fut,
        Fut: Future<Output = Result<T, XrpcError>>,
    {
        self.authed_at(did, Endpoint::Other, call).await
    }

    /// [`Accounts::authed`] for a call to `endpoint`: a session endpoint's refusal after the refresh
    /// does end the session.
    pub(super) async fn authed_at<T, F, Fut>(
        &self,
        did: &str,
        endpoint: Endpoint,
        call: F,
    ) -> Result<T>
    where
        F: Fn(Url, Credential) -> Fut,
        Fut: Future<Output = Result<T, XrpcError>>,
    {
        let session = self.session(did)?;
        // The token sent is the one a refusal is about: one read, so a rotation in between
        // cannot make the retry skip the refresh it needs.
        let credential = session.credential();
        let used = credential.token().clone();
        match call(session.pds(), credential).await {
            Err(err) if verdict::wants_refresh(&err) => {
                tracing::info!(did, error = %err, "access token refused; refreshing and retrying once");
                self.refresh_after_refusal(&session, &used).await?;
                call(session.pds(), session.credential())
                    .await
                    .map_err(|err| self.session_call_failed(&session.did, endpoint, &err))
            }
            other => other.map_err(|err| self.session_call_failed(&session.did, endpoint, &err)),
        }
    }

    /// Refreshes unless someone else already did since `used` was handed out.
    async fn refresh_after_refusal(&self, session: &LiveSession, used: &Secret) -> Result<()> {
        let _gate = session.refresh_gate.lock().await;
        if session.access() != *used {
            return Ok(());
        }
        // The window and the CLI share the keychain: the other one may have rotated already.
        if let Some(stored) = self.core.tokens.load(&session.did)? {
            if stored.access != *used {
                session.replace(stored);
                return Ok(());
            }
        }
        self.rotate(session).await
    }

    /// An explicit refresh: always rotates (waiting for one under way to finish first), starting from
    /// what the keychain and the database hold now, since another process (the CLI, or the window)
    /// may have reconnected or rotated the account meanwhile.
    pub(super) async fn refresh_now(&self, session: &LiveSession) -> Result<()> {
        let _gate = session.refresh_gate.lock().await;
        self.adopt_stored(session)?;
        self.rotate(session).await
    }

    /// Makes the in-memory session match the stored one: tokens from the keychain, servers from the
    /// database. A keychain without the entry is no reason to drop working tokens: the rotation
    /// writes them back.
    fn adopt_stored(&self, session: &LiveSession) -> Result<()> {
        let account = self.find(&session.did)?;
        match self.core.tokens.load(&session.did)? {
            Some(stored) if stored != session.tokens() => {
                tracing::info!(did = %session.did, "another process changed the session; using its tokens");
                session.replace(stored);
            }
            Some(_) => {}
            None => {
                tracing::warn!(did = %session.did, "the keychain has no entry for a connected account; using the session in memory");
            }
        }
        session.set_hosts(
            super::parse_stored_url(&account.service)?,
            super::parse_stored_url(&account.pds)?,
        );
        Ok(())
    }

    /// A new token pair, written to the keychain before anything else happens: by the token
    /// endpoint for a Sign in with Bluesky session (`sign_in.rs`), otherwise by `refreshSession`.
    async fn rotate(&self, session: &LiveSession) -> Result<()> {
        let account = self.find(&session.did)?;
        if account.sign_in.kind == crate::account::SignInKind::Oauth {
            return self.rotate_oauth(session, &account).await;
        }
        self.rotate_app_password(session).await
    }

    /// `refreshSession`. An answer that may have been lost is asked for once more at once, with the
    /// same refresh token.
    async fn rotate_app_password(&self, session: &LiveSession) -> Result<()> {
        let refresh = session.refresh_token();
        let service = session.service();
        let mut answer = self.core.xrpc.refresh_session(&service, &refresh).await;
        if let Err(err) = &answer {
            // The server may have rotated the token although no answer came back. Asking again with
            // the same refresh token is safe: in its grace period it returns the same successor.
            if err.outcome_unknown() {
                tracing::warn!(did = %session.did, error = %err, "refresh answer lost; asking again with the same token");
                answer = self.core.xrpc.refresh_session(&service, &refresh).await;
            }
        }
        let output = answer.map_err(|err| self.refresh_failed(&session.did, &err))?;
        let tokens = Tokens {
            access: output.access_jwt,
            refresh: output.refresh_jwt,
            dpop: None,
        };
        self.core.tokens.save(&session.did, &tokens)?;
        session.replace(tokens);
        tracing::info!(did = %session.did, "session refreshed");
        self.record_refresh_success(&session.did, &output.handle)?;
        self.follow_did_document(session, output.did_doc.as_ref())
            .await
    }
}
