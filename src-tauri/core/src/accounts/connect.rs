//! Connecting an account with an app password, and disconnecting it.

use super::session::LiveSession;
use super::{errors, now_rfc3339, Accounts, Disconnected};
use crate::account::{Account, Health, SignIn, SignInKind};
use crate::error::{Error, ErrorField, Result};
use crate::identity::{looks_like_app_password, normalize_identifier, parse_service_url};
use crate::jwt;
use crate::keychain::Tokens;
use crate::secret::Secret;
use serde::Serialize;
use std::sync::Arc;
use url::Url;

/// Who a new session is for and where its calls go.
pub(super) struct NewSession {
    pub did: String,
    pub handle: String,
    /// Where session calls go (the login host; for Sign in with Bluesky, the PDS).
    pub service: Url,
    pub pds: Url,
    pub sign_in: SignIn,
}

/// What the connect form sends.
#[derive(Debug)]
pub struct ConnectRequest {
    /// Handle (with or without `@`), email or DID.
    pub identifier: String,
    /// The app password; wiped from memory when this request is dropped.
    pub password: Secret,
    /// The hosting provider, e.g. `https://bsky.social`.
    pub service: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Connected {
    pub account: Account,
    /// Things the user should know that did not stop the connection.
    pub warnings: Vec<String>,
}

impl Accounts<'_> {
    /// Logs in with an app password, refuses main passwords, stores the tokens in the keychain and the
    /// account record in SQLite. The password is used for this one request and then dropped.
    pub async fn connect(&self, request: ConnectRequest) -> Result<Connected> {
        let ConnectRequest {
            identifier,
            password,
            service,
        } = request;
        let identifier = normalize_identifier(&identifier);
        if identifier.is_empty() {
            return Err(Error::validation(
                "Enter your handle (like name.bsky.social) or your account's email address.",
            )
            .with_field(ErrorField::Identifier));
        }
        if password.expose().is_empty() {
            return Err(
                Error::validation("Enter an app password.").with_field(ErrorField::Password)
            );
        }
        let service = parse_service_url(&service).ok_or_else(|| {
            Error::validation(
                "The hosting provider must be a web address like https://bsky.social.",
            )
            .with_field(ErrorField::Service)
        })?;
        let mut warnings = Vec::new();
        if !looks_like_app_password(password.expose()) {
            warnings.push(
                "That password doesn't look like an app password (xxxx-xxxx-xxxx-xxxx). If it is \
                 your main password it will be refused."
                    .to_owned(),
            );
        }

        let login = self
            .core
            .xrpc
            .create_session(&service, &identifier, &password)
            .await;
        drop(password);
        let output = login.map_err(|err| errors::connect_error(&err))?;
        let tokens = Tokens {
            access: output.access_jwt,
            refresh: output.refresh_jwt,
            dpop: None,
        };

        let scope = jwt::claims(tokens.access.expose()).and_then(|claims| claims.scope);
        if scope.as_deref() == Some(jwt::MAIN_PASSWORD_SCOPE) {
            self.end_server_session(&service, &tokens.refresh).await;
            tracing::warn!(did = %output.did, "main password refused; session ended");
            return Err(errors::main_password_refused().with_field(ErrorField::Password));
        }
        if output.active == Some(false) {
            self.end_server_session(&service, &tokens.refresh).await;
            return Err(errors::deactivated(
                output.status.as_deref().unwrap_or("inactive"),
            ));
        }

        let pds = self
            .pds_of(&output.did, output.did_doc.as_ref())
            .await
            .unwrap_or_else(|| service.clone());
        // The sign-in goes to the PDS with every call: plain http only to this computer.
        if let Err(err) = crate::xrpc::check_transport(&pds) {
            self.end_server_session(&service, &tokens.refresh).await;
            return Err(errors::describe(&err));
        }
        let refresh = tokens.refresh.clone();
        let kept = self
            .keep_session(
                NewSession {
                    did: output.did,
                    handle: output.handle,
                    service: service.clone(),
                    pds,
                    sign_in: SignIn::app_password(),
                },
                tokens,
            )
            .await;
        match kept {
            Ok(account) => Ok(Connected { account, warnings }),
            Err(err) => {
                self.end_server_session(&service, &refresh).await;
                Err(err)
            }
        }
    }

    /// Keeps a session a server just gave: its tokens in the keychain, the live session, the
    /// profile and the account record. On failure nothing is left half-stored here; the caller
    /// ends the session on the server.
    /// Connecting an account again ends the session it replaces at its server once the new one is
    /// kept (whichever way either signed in), so no session of Hayon's is left that nothing here
    /// could end.
    pub(super) async fn keep_session(&self, new: NewSession, tokens: Tokens) -> Result<Account> {
        let replaced = self
            .find(&new.did)
            .ok()
            .zip(self.core.tokens.load(&new.did).ok().flatten());
        self.core.tokens.save(&new.did, &tokens)?;
        let session = Arc::new(LiveSession::new(
            new.did.clone(),
            new.service.clone(),
            new.pds.clone(),
            tokens,
        ));
        self.sessions_map().insert(new.did.clone(), session.clone());

        // No answer about the profile: keep what a reconnected account already shows.
        let profile = match self.fetch_profile(&session).await {
            Some(profile) => profile,
            None => match self.stored_profile(&new.did) {
                Ok(profile) => profile,
                Err(err) => {
                    self.forget_locally(&new.did)?;
                    return Err(err);
                }
            },
        };
        let timestamp = now_rfc3339();
        let account = Account {
            did: new.did,
            handle: new.handle,
            service: new.service.into(),
            pds: new.pds.into(),
            display_name: profile.display_name,
            description: profile.description,
            avatar: profile.avatar,
            connected: true,
            health: Health::active(&timestamp),
            sign_in: new.sign_in,
        };
        if let Err(err) = self.core.store.upsert_account(&account, &timestamp) {
            self.forget_locally(&account.did)?;
            return Err(err);
        }
        tracing::info!(did = %account.did, kind = account.sign_in.kind.as_str(), "account connected");
        if let Some((old, old_tokens)) = replaced {
            if !self.end_at_server(&old, &old_tokens).await {
                tracing::warn!(did = %old.did, "the replaced session could not be ended at its server");
            }
        }
        Ok(account)
    }

    /// Ends the session on the server (deleteSession), removes the keychain entry and the record.
    /// When the server cannot be reached the local copy is still removed, and the answer says so.
    pub async fn disconnect(&self, did_or_handle: &str) -> Result<Disconnected> {
        let account = self.find(did_or_handle)?;
        let revoked = match self.core.tokens.load(&account.did)? {
            Some(tokens) => self.end_at_server(&account, &tokens).await,
            None => false,
        };
        self.forget_locally(&account.did)?;
        tracing::info!(did = %account.did, revoked, "account disconnected");
        Ok(Disconnected {
            did: account.did,
            connected: false,
            server_session_revoked: revoked,
        })
    }

    fn forget_locally(&self, did: &str) -> Result<()> {
        self.sessions_map().remove(did);
        self.core.tokens.delete(did)?;
        self.core.store.delete_account(did)?;
        Ok(())
    }

    /// Ends `account`'s session (`tokens`) at its server: a Sign in with Bluesky is revoked, an
    /// app-password session deleted. Whether none is left there.
    async fn end_at_server(&self, account: &Account, tokens: &Tokens) -> bool {
        if account.sign_in.kind == SignInKind::Oauth {
            return self.revoke_sign_in(account, tokens).await;
        }
        let Ok(service) = super::parse_stored_url(&account.service) else {
            return false;
        };
        match self
            .core
            .xrpc
            .delete_session(&service, &tokens.refresh)
            .await
        {
            Ok(()) => true,
            // Already expired or revoked: there is no session left to end.
            Err(err) if matches!(err.name(), Some("ExpiredToken" | "InvalidToken")) => true,
            Err(err) => {
                tracing::warn!(did = %account.did, error = %err, "could not end the server session");
                false
            }
        }
    }

    /// Best-effort deleteSession for a session Hayon will not keep.
    pub(super) async fn end_server_session(&self, service: &Url, refresh: &Secret) {
        if let Err(err) = self.core.xrpc.delete_session(service, refresh).await {
            tracing::warn!(error = %err, "could not end a session that is not being kept");
        }
    }
}
