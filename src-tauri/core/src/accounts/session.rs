//! A live session in memory, and the one authenticated-request path every call goes through.
//!
//! On `ExpiredToken` (400) or a 401, the path refreshes once and retries once. Concurrent callers share
//! one refresh: the first takes the per-account gate and rotates; the others wait on the gate, see that
//! the access token they used is no longer current, and retry with the new one. A network failure while
//! refreshing leaves the tokens as they were, so being offline never logs anyone out.

use super::Accounts;
use crate::error::Result;
use crate::keychain::Tokens;
use crate::secret::Secret;
use crate::xrpc::XrpcError;
use std::future::Future;
use std::sync::RwLock;
use url::Url;

#[derive(Debug)]
pub(crate) struct LiveSession {
    pub did: String,
    /// The login host: session calls (refresh, delete) go here, as the official client does.
    pub service: Url,
    /// The account's PDS: every other call goes here.
    pub pds: Url,
    tokens: RwLock<Tokens>,
    /// Held while a refresh is under way, so there is only ever one.
    refresh_gate: tokio::sync::Mutex<()>,
}

impl LiveSession {
    pub fn new(did: String, service: Url, pds: Url, tokens: Tokens) -> Self {
        Self {
            did,
            service,
            pds,
            tokens: RwLock::new(tokens),
            refresh_gate: tokio::sync::Mutex::new(()),
        }
    }

    pub fn access(&self) -> Secret {
        self.read().access.clone()
    }

    pub fn refresh_token(&self) -> Secret {
        self.read().refresh.clone()
    }

    pub fn replace(&self, tokens: Tokens) {
        *self
            .tokens
            .write()
            .unwrap_or_else(|poison| poison.into_inner()) = tokens;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Tokens> {
        self.tokens
            .read()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Accounts {
    /// Runs `call` with the account's PDS and access token; refreshes once and retries once when the
    /// token has expired. Every authenticated call (profile, posting, …) goes through here.
    pub async fn authed<T, F, Fut>(&self, did: &str, call: F) -> Result<T>
    where
        F: Fn(Url, Secret) -> Fut,
        Fut: Future<Output = Result<T, XrpcError>>,
    {
        let session = self.session(did)?;
        let used = session.access();
        let first = call(session.pds.clone(), used.clone()).await;
        match first {
            Err(err) if err.wants_refresh() => {
                self.refresh_after_expiry(&session, &used).await?;
                call(session.pds.clone(), session.access())
                    .await
                    .map_err(|err| self.call_failed(&session, &err))
            }
            other => other.map_err(|err| self.call_failed(&session, &err)),
        }
    }

    /// Refreshes unless someone else already did since `used` was handed out.
    async fn refresh_after_expiry(&self, session: &LiveSession, used: &Secret) -> Result<()> {
        let _gate = session.refresh_gate.lock().await;
        if session.access() != *used {
            return Ok(());
        }
        // The window and the CLI share the keychain: the other one may have rotated already.
        if let Some(stored) = self.keychain.load(&session.did)? {
            if stored.access != *used {
                session.replace(stored);
                return Ok(());
            }
        }
        self.rotate(session).await
    }

    /// An explicit refresh: always rotates (waiting for one under way to finish first).
    pub(super) async fn refresh_now(&self, session: &LiveSession) -> Result<()> {
        let _gate = session.refresh_gate.lock().await;
        self.rotate(session).await
    }

    /// `refreshSession`, then the rotated tokens go to the keychain before anything else happens.
    async fn rotate(&self, session: &LiveSession) -> Result<()> {
        let refresh = session.refresh_token();
        match self.xrpc.refresh_session(&session.service, &refresh).await {
            Ok(output) => {
                let tokens = Tokens {
                    access: output.access_jwt,
                    refresh: output.refresh_jwt,
                };
                self.keychain.save(&session.did, &tokens)?;
                session.replace(tokens);
                tracing::info!(did = %session.did, "session refreshed");
                self.record_refresh_success(&session.did, &output.handle)
            }
            Err(err) => Err(self.refresh_failed(&session.did, &err)),
        }
    }

    /// A call that failed after any refresh: auth failures mean the session is gone.
    fn call_failed(&self, session: &LiveSession, err: &XrpcError) -> crate::error::Error {
        if err.wants_refresh() {
            return self.refresh_failed(&session.did, err);
        }
        super::errors::describe(err)
    }
}
