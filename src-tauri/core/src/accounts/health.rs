//! Refresh and health: what happened to a session is recorded on the account, so the window can show
//! "needs reconnection" after the fact and the user knows why.

use super::{errors, now_rfc3339, Accounts};
use crate::account::{Account, Health, HealthStatus};
use crate::error::{Error, Result};
use crate::xrpc::XrpcError;

impl Accounts {
    /// Renews the session (rotating the refresh token) and the profile.
    pub async fn refresh(&self, did_or_handle: &str) -> Result<Account> {
        let did = self.find(did_or_handle)?.did;
        let session = self.session(&did)?;
        self.refresh_now(&session).await?;
        self.update_profile(&session).await?;
        self.find(&did)
    }

    /// Checks that the session still works (`getSession`, refreshing if the access token expired) and
    /// records the result. The window runs this for every account when it starts.
    pub async fn check(&self, did_or_handle: &str) -> Result<Account> {
        let account = self.find(did_or_handle)?;
        let xrpc = self.xrpc.clone();
        let info = self
            .authed(&account.did, |pds, access| {
                let xrpc = xrpc.clone();
                async move { xrpc.get_session(&pds, &access).await }
            })
            .await?;
        let timestamp = now_rfc3339();
        let health = Health {
            last_successful_refresh: account.health.last_successful_refresh.clone(),
            ..Health::active(&timestamp)
        };
        self.store
            .update_health(&account.did, &health, &timestamp)?;
        if info.handle != account.handle {
            let session = self.session(&account.did)?;
            self.update_profile(&session).await?;
        }
        self.find(&account.did)
    }

    async fn update_profile(&self, session: &super::session::LiveSession) -> Result<()> {
        let handle = self.find(&session.did)?.handle;
        let profile = self.fetch_profile(session).await;
        self.store
            .update_identity(&session.did, &handle, &profile, &now_rfc3339())
    }

    pub(super) fn record_refresh_success(&self, did: &str, handle: &str) -> Result<()> {
        let timestamp = now_rfc3339();
        self.store
            .update_health(did, &Health::active(&timestamp), &timestamp)?;
        self.store.update_handle(did, handle, &timestamp)
    }

    /// Records a failed refresh and says what it means. Auth failures end the session ("needs
    /// reconnection"); anything else (offline, server trouble) keeps it for the next try.
    pub(super) fn refresh_failed(&self, did: &str, err: &XrpcError) -> Error {
        let Ok(Some(account)) = self.store.find_account(did) else {
            return errors::describe(err);
        };
        let session_ended = matches!(err.name(), Some("ExpiredToken" | "InvalidToken"))
            || err.status() == Some(401);
        let (status, error) = if session_ended {
            let revoked = err.name() == Some("InvalidToken")
                || err.status() == Some(401)
                || matches!(err, XrpcError::Api { message: Some(text), .. } if text.contains("revoked"));
            let status = if revoked {
                HealthStatus::Revoked
            } else {
                HealthStatus::Expired
            };
            (status, errors::needs_reconnection(&account.handle))
        } else {
            (HealthStatus::Error, errors::describe(err))
        };
        tracing::warn!(did, error = %err, "refresh failed");
        let health = Health {
            status,
            needs_reconnection: session_ended,
            last_successful_refresh: account.health.last_successful_refresh,
            last_error: Some(error.message.clone()),
            consecutive_failures: account.health.consecutive_failures.saturating_add(1),
        };
        if let Err(store_err) = self.store.update_health(did, &health, &now_rfc3339()) {
            tracing::warn!(did, error = %store_err, "could not record the account's health");
        }
        error
    }
}
