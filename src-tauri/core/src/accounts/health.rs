//! Refresh and health: what happened to a session is recorded on the account, so the window can show
//! "needs reconnection" after the fact and the user knows why. Only the session endpoints' verdicts
//! (`verdict.rs`) mark an account as needing reconnection.

use super::verdict::{self, Endpoint};
use super::{errors, now_rfc3339, Accounts};
use crate::account::{Account, Health, HealthStatus};
use crate::error::{Error, Result};
use crate::store::ProfileFields;
use crate::xrpc::XrpcError;

impl Accounts<'_> {
    /// Renews the session (rotating the refresh token) and the profile.
    pub async fn refresh(&self, did_or_handle: &str) -> Result<Account> {
        let did = self.find(did_or_handle)?.did;
        let session = self.session(&did)?;
        self.refresh_now(&session).await?;
        self.update_profile(&session).await?;
        self.find(&did)
    }

    /// Checks that the session still works (`getSession`, refreshing if the access token expired) and
    /// records the result. The window runs this for every account when it starts. An account whose
    /// last refresh failed on the way (offline, or its answer lost) is refreshed first: the server may
    /// have rotated the token, and the old one only works for a grace period.
    pub async fn check(&self, did_or_handle: &str) -> Result<Account> {
        let account = self.find(did_or_handle)?;
        if account.health.status == HealthStatus::Error {
            tracing::info!(did = %account.did, "the last refresh did not finish; refreshing again");
            let session = self.session(&account.did)?;
            self.refresh_now(&session).await?;
        }
        let xrpc = self.core.xrpc.clone();
        let info = self
            .authed_at(&account.did, Endpoint::Session, |pds, access| {
                let xrpc = xrpc.clone();
                async move { xrpc.get_session(&pds, &access).await }
            })
            .await?;
        let account = self.find(&account.did)?;
        let timestamp = now_rfc3339();
        let health = Health {
            last_successful_refresh: account.health.last_successful_refresh.clone(),
            ..Health::active(&timestamp)
        };
        self.core
            .store
            .update_health(&account.did, &health, &timestamp)?;
        if info.handle != account.handle {
            self.core
                .store
                .update_handle(&account.did, &info.handle, &timestamp)?;
            let session = self.session(&account.did)?;
            self.update_profile(&session).await?;
        }
        self.find(&account.did)
    }

    /// Reads the profile again; when no source answers, the stored one stays.
    async fn update_profile(&self, session: &super::session::LiveSession) -> Result<()> {
        let handle = self.find(&session.did)?.handle;
        match self.fetch_profile(session).await {
            Some(profile) => {
                self.core
                    .store
                    .update_identity(&session.did, &handle, &profile, &now_rfc3339())
            }
            None => Ok(()),
        }
    }

    /// The profile stored for `did` (empty for an account not stored yet).
    pub(super) fn stored_profile(&self, did: &str) -> Result<ProfileFields> {
        Ok(self
            .core
            .store
            .find_account(did)?
            .map(|account| ProfileFields {
                display_name: account.display_name,
                description: account.description,
                avatar: account.avatar,
            })
            .unwrap_or_default())
    }

    pub(super) fn record_refresh_success(&self, did: &str, handle: &str) -> Result<()> {
        let timestamp = now_rfc3339();
        self.core
            .store
            .update_health(did, &Health::active(&timestamp), &timestamp)?;
        self.core.store.update_handle(did, handle, &timestamp)
    }

    /// Records a failed `refreshSession` and says what it means: the session's end when the server
    /// rejected the tokens, otherwise (offline, server trouble) an error that keeps the session and
    /// makes the next start refresh again.
    pub(super) fn refresh_failed(&self, did: &str, err: &XrpcError) -> Error {
        tracing::warn!(did, error = %err, "refresh failed");
        if verdict::session_end(Endpoint::Session, err).is_some() {
            return self.session_call_failed(did, Endpoint::Session, err);
        }
        let error = errors::describe(err);
        self.record_failure(did, HealthStatus::Error, false, &error);
        error
    }

    /// A call that failed after the refresh: the end of the session only when `endpoint` is a session
    /// endpoint that rejected the tokens; otherwise that call's own error, and the health is untouched.
    pub(super) fn session_call_failed(
        &self,
        did: &str,
        endpoint: Endpoint,
        err: &XrpcError,
    ) -> Error {
        let Some(status) = verdict::session_end(endpoint, err) else {
            return errors::describe(err);
        };
        let error = match (err.name(), self.core.store.find_account(did)) {
            (Some("AccountTakedown"), _) => errors::describe(err),
            (_, Ok(Some(account))) => errors::needs_reconnection(&account.handle),
            _ => errors::describe(err),
        };
        tracing::warn!(did, error = %err, "the server ended the session");
        self.record_failure(did, status, true, &error);
        error
    }

    pub(super) fn record_failure(
        &self,
        did: &str,
        status: HealthStatus,
        ended: bool,
        error: &Error,
    ) {
        let Ok(Some(account)) = self.core.store.find_account(did) else {
            return;
        };
        let health = Health {
            status,
            needs_reconnection: ended,
            last_successful_refresh: account.health.last_successful_refresh,
            last_error: Some(error.message.clone()),
            consecutive_failures: account.health.consecutive_failures.saturating_add(1),
        };
        if let Err(store_err) = self.core.store.update_health(did, &health, &now_rfc3339()) {
            tracing::warn!(did, error = %store_err, "could not record the account's health");
        }
    }
}
