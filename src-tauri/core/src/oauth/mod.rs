//! Sign in with Bluesky: ATProto OAuth for a native public client, beside app passwords.
//!
//! The person approves Hayon on their own server's page, in their browser; Hayon never sees a
//! password, gets only the rights it asks for ([`client::SCOPE`]) and can revoke them all at
//! disconnect. The steps, as the reference server checks them (protocol.md › OAuth):
//! 1. The account's PDS names its authorization server, whose metadata names the endpoints
//!    (`metadata.rs`; the issuer must be the server the PDS named).
//! 2. A DPoP key is made for the account (`crate::dpop`), a listener opens on 127.0.0.1
//!    (`callback.rs`), and the request is pushed (PAR) with PKCE S256 and an unguessable `state`;
//!    the browser opens at the authorization page with the `request_uri` it gave.
//! 3. The browser comes back to the listener with `state`, `iss` (RFC 9207) and a code; both are
//!    checked before the code is redeemed at the token endpoint (with the PKCE verifier and a DPoP
//!    proof). The tokens' `sub` must be the account that was asked for (`accounts/sign_in.rs`).
//!
//! Why a module of Hayon's own and not a crate (compared in 2026-12): `atrium-oauth` 0.2 (MIT)
//! panics on some refused exchanges, keeps the steps Hayon needs to check (`sub`, the issuer)
//! private, and brings its own session store where Hayon's keys belong in the OS keychain;
//! `jacquard-oauth` 0.12 (MPL-2.0) is thorough but brings a second HTTP stack (reqwest 0.12) and
//! about a hundred crates. Neither checks `sub` against the DID asked for or revokes at sign-out.
//! What is left to write is small — three form POSTs, two metadata documents and one listener —
//! and the cryptography is ring's.

mod callback;
mod client;
mod endpoints;
mod metadata;

pub use callback::{Callback, CallbackListener};
pub use client::{parse_hosted, Client, SCOPE};
pub use endpoints::{refresh, revoke, Refused, TokenAnswer};
pub use metadata::ServerMetadata;

use crate::dpop::{random_token, DpopKey};
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::xrpc::XrpcClient;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How long the person has to approve Hayon in the browser, unless `HAYON_SIGN_IN_TIMEOUT_SECS`
/// says otherwise ([`crate::Config::sign_in_timeout`]).
pub const APPROVAL_TIMEOUT: Duration = Duration::from_secs(300);

/// A sign-in failure: nothing was stored.
pub(crate) fn failed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::SignInFailed, message)
}

/// The person stopped waiting for the browser.
pub fn cancelled() -> Error {
    failed("Signing in was cancelled. Nothing was stored.")
}

/// A sign-in under way: the page to open in the browser, and what finishing it needs.
pub struct PendingSignIn {
    /// The server's authorization page for this sign-in.
    pub authorize_url: Url,
    pub server: ServerMetadata,
    pub client: Client,
    state: String,
    verifier: Secret,
    pub key: Arc<DpopKey>,
    listener: CallbackListener,
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("authorize_url", &self.authorize_url.as_str())
            .finish_non_exhaustive()
    }
}

/// Starts signing in to the account on `pds` (`login_hint`: its handle or DID, when known).
pub async fn begin(
    xrpc: &XrpcClient,
    pds: &Url,
    hosted_client: Option<&Url>,
    login_hint: Option<&str>,
) -> Result<PendingSignIn> {
    let server = ServerMetadata::of_pds(xrpc, pds).await?;
    let listener = CallbackListener::bind().await?;
    let client = Client::new(hosted_client, listener.address()?);
    let key = Arc::new(DpopKey::generate());
    let verifier = Secret::new(random_token(32));
    let challenge = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.expose().as_bytes(),
    ));
    let state = random_token(16);
    let authorize_url =
        endpoints::push_authorization(xrpc, &server, &client, &key, &challenge, &state, login_hint)
            .await?;
    Ok(PendingSignIn {
        authorize_url,
        server,
        client,
        state,
        verifier,
        key,
        listener,
    })
}

impl PendingSignIn {
    /// Waits up to `timeout` for the browser to come back (or until `stop` ends: [`cancelled`]),
    /// then checks what it brought and redeems the code, which is no longer stopped: a code
    /// redeemed is either kept or revoked. The callback is returned either way, for the caller to
    /// tell the browser the end.
    pub async fn finish(
        self,
        xrpc: &XrpcClient,
        timeout: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<(Callback, Result<Grant>)> {
        let Self {
            server,
            client,
            state,
            verifier,
            key,
            listener,
            ..
        } = self;
        let waited = tokio::select! {
            waited = tokio::time::timeout(timeout, listener.next_callback()) => waited,
            () = stop => return Err(cancelled()),
        };
        let callback = waited.map_err(|_| {
            failed(format!(
                "No answer came from the browser within {} minutes, so Hayon stopped waiting. \
                 Nothing was stored; try again.",
                timeout.as_secs().div_ceil(60)
            ))
        })??;
        let grant = async {
            let code = checked_code(&callback, &state, &server.issuer)?;
            let tokens = endpoints::redeem_code(xrpc, &server, &client, &key, code, &verifier)
                .await
                .map_err(|refused| {
                    failed(format!(
                        "The sign-in server did not give Hayon access ({}). Nothing was stored; \
                         try again.",
                        refused.describe()
                    ))
                })?;
            let grant = Grant {
                tokens,
                key: key.clone(),
                server: server.clone(),
                client_id: client.client_id.clone(),
            };
            if !grant.tokens.token_type.eq_ignore_ascii_case("DPoP")
                || !grant
                    .tokens
                    .scope
                    .split(' ')
                    .any(|scope| scope == "atproto")
            {
                grant.revoke(xrpc).await;
                return Err(failed(
                    "The sign-in server gave access Hayon cannot use (not bound to Hayon's key, or \
                     without the atproto scope). Nothing was stored.",
                ));
            }
            Ok(grant)
        }
        .await;
        Ok((callback, grant))
    }
}

/// The code in the browser's callback, once `state` and `iss` check out.
fn checked_code<'c>(callback: &'c Callback, state: &str, issuer: &str) -> Result<&'c str> {
    let param = |name: &str| callback.params.get(name).map(String::as_str);
    if param("state") != Some(state) {
        return Err(failed(
            "The browser came back from a sign-in Hayon did not start (its state did not match), \
             so Hayon ignored it. Nothing was stored; try again.",
        ));
    }
    if param("iss") != Some(issuer) {
        return Err(failed(format!(
            "The answer in the browser did not come from {issuer}, the server Hayon asked, so \
             Hayon ignored it. Nothing was stored."
        )));
    }
    match (param("error"), param("code")) {
        (Some("access_denied"), _) => Err(failed(
            "Hayon was not given access: the sign-in was cancelled or refused in the browser. \
             Nothing was stored.",
        )),
        (Some(error), _) => Err(failed(format!(
            "The sign-in server stopped the sign-in ({error}: {}). Nothing was stored.",
            param("error_description").unwrap_or("no reason given")
        ))),
        (None, Some(code)) if !code.is_empty() => Ok(code),
        (None, _) => Err(failed(
            "The browser came back without an answer from the sign-in server. Nothing was stored.",
        )),
    }
}

/// What a finished sign-in gives: tokens bound to `key`, from `server`, for the account `sub`.
#[derive(Debug)]
pub struct Grant {
    pub tokens: TokenAnswer,
    pub key: Arc<DpopKey>,
    pub server: ServerMetadata,
    pub client_id: String,
}

impl Grant {
    /// Gives the access back, for a sign-in that will not be kept (best effort).
    pub async fn revoke(&self, xrpc: &XrpcClient) {
        if let Err(refused) = endpoints::revoke(
            xrpc,
            &self.server,
            &self.client_id,
            &self.key,
            &self.tokens.refresh_token,
        )
        .await
        {
            tracing::warn!(reason = %refused.describe(), "could not revoke a sign-in that is not kept");
        }
    }
}

/// Opens `url` in the browser: `command` (`HAYON_BROWSER`) given the address as its one argument,
/// or the system's default browser. The browser runs on its own; Hayon does not wait for it.
pub fn open_in_browser(command: Option<&str>, url: &str) -> Result<()> {
    let (program, args): (&str, &[&str]) = match command {
        Some(command) => (command, &[]),
        None if cfg!(target_os = "macos") => ("open", &[]),
        None if cfg!(target_os = "windows") => ("explorer", &[]),
        None => ("xdg-open", &[]),
    };
    std::process::Command::new(program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|mut browser| {
            // Reaped when it ends (at once for xdg-open), so no finished process lingers.
            std::thread::spawn(move || browser.wait());
        })
        .map_err(|err| {
            failed(format!(
                "Hayon couldn't open your browser ({program}: {err}). Open this address in it \
                 yourself: {url}"
            ))
        })
}
