//! Sign in with Bluesky for an account: who is signing in, the browser round trip ([`crate::oauth`]),
//! the checks on what comes back, and the session's life after (refresh, revocation).
//!
//! Before the browser opens, the account is resolved (handle → DID → DID document → PDS) and its
//! PDS names the authorization server. After, the tokens' `sub` must be the DID that was asked
//! for; when only a server was given, the DID's own PDS must name the very server that issued
//! them, or any server could claim any account. A sign-in that does not check out is revoked at
//! the server and nothing is stored.
//!
//! Refresh tokens are single-use: a new pair is written to the keychain the moment it arrives. A
//! refresh whose answer was lost cannot be asked again (the server would see a replay), so the
//! account needs signing in again, with that reason; an offline refresh changes nothing.

use super::connect::NewSession;
use super::session::LiveSession;
use super::{errors, Accounts, Connected};
use crate::account::{Account, HealthStatus, SignIn, SignInKind};
use crate::error::{Error, ErrorCode, ErrorField, Result};
use crate::identity::{self, normalize_identifier, parse_service_url};
use crate::keychain::Tokens;
use crate::oauth::{self, Grant, PendingSignIn, Refused};
use std::time::Duration;
use url::Url;

/// How long a public client's session lasts on the reference server, however much it is used
/// (`SESSION_LIFETIME` in @atproto/oauth-provider; protocol.md › OAuth).
const SESSION_LIFETIME: Duration = Duration::from_secs(14 * 24 * 3600);

/// A sign-in waiting for the person in the browser.
#[derive(Debug)]
pub struct SignInStarted {
    expected_did: Option<String>,
    pending: PendingSignIn,
}

impl SignInStarted {
    /// The page to open: the account's server's sign-in and consent.
    pub fn authorize_url(&self) -> &str {
        self.pending.authorize_url.as_str()
    }
}

impl Accounts<'_> {
    /// Starts Sign in with Bluesky for `identifier` (a handle or DID, resolved through `service`),
    /// or, with no identifier, for whoever signs in at the server `service`.
    pub async fn begin_sign_in(&self, identifier: &str, service: &str) -> Result<SignInStarted> {
        let identifier = normalize_identifier(identifier);
        let service = parse_service_url(service).ok_or_else(|| {
            Error::validation(
                "The hosting provider must be a web address like https://bsky.social.",
            )
            .with_field(ErrorField::Service)
        })?;
        let (expected_did, pds) = if identifier.is_empty() {
            (None, service.clone())
        } else {
            let did = self.did_of(&identifier, &service).await?;
            let pds = self.pds_of(&did, None).await.ok_or_else(|| {
                oauth::failed(format!(
                    "Hayon couldn't find the server of {identifier}. Check the handle and your \
                     connection, then try again."
                ))
            })?;
            (Some(did), pds)
        };
        let hint = (!identifier.is_empty()).then_some(identifier.as_str());
        let pending = oauth::begin(
            &self.core.xrpc,
            &pds,
            self.core.sign_in.hosted_client.as_ref(),
            hint,
        )
        .await?;
        Ok(SignInStarted {
            expected_did,
            pending,
        })
    }

    /// Opens the sign-in page in the person's browser (`HAYON_BROWSER`, or the system's).
    pub fn open_sign_in_page(&self, started: &SignInStarted) -> Result<()> {
        self.open_url_in_browser(started.authorize_url())
    }

    /// Opens a sign-in page (one [`Accounts::begin_sign_in`] gave) in the person's browser again.
    pub fn open_url_in_browser(&self, url: &str) -> Result<()> {
        oauth::open_in_browser(self.core.sign_in.browser.as_deref(), url)
    }

    /// Waits for the browser to come back (or for `stop` to end the wait), checks what it brought,
    /// and keeps the account; the browser's tab is told how it ended.
    pub async fn finish_sign_in(
        &self,
        started: SignInStarted,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<Connected> {
        let SignInStarted {
            expected_did,
            pending,
            ..
        } = started;
        let (callback, grant) = pending
            .finish(&self.core.xrpc, self.core.sign_in.timeout, stop)
            .await?;
        let outcome = match grant {
            Ok(grant) => self.keep_grant(grant, expected_did.as_deref()).await,
            Err(err) => Err(err),
        };
        callback
            .answer(
                &outcome
                    .as_ref()
                    .map(|account| account.handle.clone())
                    .map_err(Clone::clone),
            )
            .await;
        outcome.map(|account| Connected {
            account,
            warnings: Vec::new(),
        })
    }

    async fn did_of(&self, identifier: &str, service: &Url) -> Result<String> {
        if identifier.starts_with("did:") {
            return Ok(identifier.to_owned());
        }
        match self.core.xrpc.resolve_handle(service, identifier).await {
            Ok(Some(did)) => Ok(did),
            Ok(None) => Err(oauth::failed(format!(
                "No Bluesky account is called {identifier}. Check the handle."
            ))
            .with_field(ErrorField::Identifier)),
            Err(err) => Err(errors::describe(&err)),
        }
    }

    /// Checks whose the tokens are and stores the account; revokes them when they are not kept.
    async fn keep_grant(&self, grant: Grant, expected_did: Option<&str>) -> Result<Account> {
        let kept = async {
            let did = grant.tokens.sub.clone();
            let doc = self.checked_subject(&grant, expected_did).await?;
            let pds = identity::pds_from_did_doc(&doc)
                .ok_or_else(|| oauth::failed("The account's DID document names no server."))?;
            crate::xrpc::check_transport(&pds).map_err(|err| errors::describe(&err))?;
            let handle = identity::handle_from_did_doc(&doc).unwrap_or_else(|| did.clone());
            let expires = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::try_from(SESSION_LIFETIME).unwrap_or_default())
                .unwrap_or(jiff::Timestamp::MAX);
            let new = NewSession {
                did,
                handle,
                service: pds.clone(),
                pds,
                sign_in: SignIn {
                    kind: SignInKind::Oauth,
                    scope: Some(grant.tokens.scope.clone()),
                    expires_at: Some(expires.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
                    issuer: Some(grant.server.issuer.clone()),
                    client_id: Some(grant.client_id.clone()),
                    reminded: false,
                },
            };
            let tokens = Tokens {
                access: grant.tokens.access_token.clone(),
                refresh: grant.tokens.refresh_token.clone(),
                dpop: Some(grant.key.clone()),
            };
            self.keep_session(new, tokens).await
        }
        .await;
        if kept.is_err() {
            grant.revoke(&self.core.xrpc).await;
        }
        kept
    }

    /// The DID document of the account the tokens are for, once it is the one asked for (or, with
    /// none asked for, one whose PDS trusts the server that issued them).
    async fn checked_subject(
        &self,
        grant: &Grant,
        expected_did: Option<&str>,
    ) -> Result<serde_json::Value> {
        let sub = grant.tokens.sub.as_str();
        if let Some(expected) = expected_did {
            if sub != expected {
                return Err(oauth::failed(format!(
                    "The browser approved a different account ({sub}) than the one Hayon was \
                     asked to connect ({expected}). Nothing was stored; sign in again with the \
                     right account."
                )));
            }
        }
        let doc = self.did_document(sub).await.ok_or_else(|| {
            oauth::failed(format!(
                "Hayon couldn't read the account's DID document ({sub})."
            ))
        })?;
        if expected_did.is_none() {
            let pds = identity::pds_from_did_doc(&doc)
                .ok_or_else(|| oauth::failed("The account's DID document names no server."))?;
            let server = oauth::ServerMetadata::of_pds(&self.core.xrpc, &pds).await?;
            if server.issuer != grant.server.issuer {
                return Err(oauth::failed(format!(
                    "{} signed in an account it does not host ({sub}). Nothing was stored.",
                    grant.server.issuer
                )));
            }
        }
        Ok(doc)
    }

    /// The token endpoint's refresh for a Sign in with Bluesky session.
    pub(super) async fn rotate_oauth(
        &self,
        session: &LiveSession,
        account: &Account,
    ) -> Result<()> {
        let tokens = session.tokens();
        let (Some(key), Some(issuer), Some(client_id)) = (
            tokens.dpop.clone(),
            account.sign_in.issuer.as_deref(),
            account.sign_in.client_id.as_deref(),
        ) else {
            return Err(self.sign_in_ended(account, "its saved sign-in is incomplete"));
        };
        let server = match oauth::ServerMetadata::of_issuer(&self.core.xrpc, issuer).await {
            Ok(server) => server,
            Err(err) => {
                // Offline or server trouble: the session is kept, as for app passwords.
                self.record_failure(&account.did, HealthStatus::Error, false, &err);
                return Err(err);
            }
        };
        match oauth::refresh(&self.core.xrpc, &server, client_id, &key, &tokens.refresh).await {
            Ok(answer)
                if answer.sub == account.did && answer.token_type.eq_ignore_ascii_case("DPoP") =>
            {
                let tokens = Tokens {
                    access: answer.access_token,
                    refresh: answer.refresh_token,
                    dpop: Some(key),
                };
                // The old refresh token is spent: the new pair is used from now on even if the
                // keychain refuses it (then only this process has it, and the account says so).
                session.replace(tokens.clone());
                if let Err(err) = self.core.tokens.save(&account.did, &tokens) {
                    tracing::warn!(did = %account.did, code = err.code.as_str(), "the renewed sign-in could not be saved");
                    self.record_failure(&account.did, HealthStatus::Error, false, &err);
                    return Err(err);
                }
                tracing::info!(did = %account.did, "sign-in renewed");
                self.record_refresh_success(&account.did, &account.handle)
            }
            Ok(answer) => {
                let unusable = Grant {
                    tokens: answer,
                    key,
                    server,
                    client_id: client_id.to_owned(),
                };
                unusable.revoke(&self.core.xrpc).await;
                Err(self.sign_in_ended(
                    account,
                    "the server renewed it for another account, or unbound from Hayon's key",
                ))
            }
            // Sent, and no answer came back: the server may have used the single-use token.
            Err(Refused::Unknown(err)) if err.is_network() && err.outcome_unknown() => Err(self
                .sign_in_ended(
                    account,
                    "the server's answer to renewing it was lost, and a sign-in can be renewed \
                     only once",
                )),
            Err(Refused::Unknown(err)) => Err(self.refresh_failed(&account.did, &err)),
            Err(Refused::Said(error, _)) => {
                // The window and the CLI share the keychain: the other may have renewed it just now
                // with this very token. Its new pair is then the sign-in, not an ended one.
                match self.core.tokens.load(&account.did) {
                    Ok(Some(stored)) if stored.refresh != tokens.refresh => {
                        tracing::info!(did = %account.did, "another process renewed the sign-in; using its tokens");
                        session.replace(stored);
                        Ok(())
                    }
                    _ => Err(self.sign_in_ended(
                        account,
                        &format!(
                            "the server no longer accepts it ({error}): it expired or was revoked"
                        ),
                    )),
                }
            }
        }
    }

    /// Records that a Sign in with Bluesky session is over and says why.
    fn sign_in_ended(&self, account: &Account, reason: &str) -> Error {
        let error = Error::new(
            ErrorCode::NeedsReconnection,
            format!(
                "The sign-in for @{} has ended: {reason}. Choose “Sign in again” to keep posting; \
                 its drafts and queue are kept.",
                account.handle
            ),
        );
        tracing::warn!(did = %account.did, reason, "the sign-in ended");
        self.record_failure(&account.did, HealthStatus::Expired, true, &error);
        error
    }

    /// Revokes a Sign in with Bluesky session at its server: true when the server confirmed it
    /// (or the session was already over there).
    pub(super) async fn revoke_sign_in(&self, account: &Account, tokens: &Tokens) -> bool {
        let (Some(key), Some(issuer), Some(client_id)) = (
            tokens.dpop.as_ref(),
            account.sign_in.issuer.as_deref(),
            account.sign_in.client_id.as_deref(),
        ) else {
            return false;
        };
        let server = match oauth::ServerMetadata::of_issuer(&self.core.xrpc, issuer).await {
            Ok(server) => server,
            Err(err) => {
                tracing::warn!(did = %account.did, error = %err.message, "could not reach the sign-in server to revoke");
                return false;
            }
        };
        match oauth::revoke(&self.core.xrpc, &server, client_id, key, &tokens.refresh).await {
            Ok(()) => true,
            Err(refused) => {
                tracing::warn!(did = %account.did, reason = %refused.describe(), "could not revoke the sign-in");
                false
            }
        }
    }
}

/// When the session ends however much it is used, from the stored timestamp.
pub(super) fn expires_at(sign_in: &SignIn) -> Option<jiff::Timestamp> {
    sign_in.expires_at.as_deref()?.parse().ok()
}
