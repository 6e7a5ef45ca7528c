//! The session logic under plain `cargo test`: a [`Core`] with a [`FakeTokenStore`] and a stored
//! account whose server is a [`FakeServer`] with scripted answers. What is checked here is the order
//! and the tokens of the requests, what the token store holds afterwards and what the account's health
//! says. The same behaviours against the reference PDS and the real keychain are in `tests/sessions.rs`
//! and `tests/accounts_cli.rs`.

use crate::account::{Health, HealthStatus};
use crate::context::Core;
use crate::error::{ErrorCode, Result};
use crate::fakes::{
    core_with_account, json_ok, lost, status, xrpc_error, Answer, FakeServer, FakeTokenStore,
};
use crate::keychain::{TokenStore, Tokens};
use crate::secret::Secret;
use crate::xrpc::types::SessionInfo;
use std::sync::Arc;
use url::Url;

const DID: &str = "did:plc:abcdefghijklmnopqrstuvwx";
const HANDLE: &str = "alice.test";

struct Setup {
    core: Core,
    tokens: Arc<FakeTokenStore>,
    server: FakeServer,
    _dir: tempfile::TempDir,
}

/// A core with one connected account (tokens `access-1` / `refresh-1`) on a fake server giving
/// `answers` in order.
async fn setup(answers: impl FnOnce(&Url) -> Vec<Answer>) -> Setup {
    let server = FakeServer::start_with(answers).await;
    let tokens = Arc::new(FakeTokenStore::default());
    let (core, dir) = core_with_account(&server, tokens.clone(), DID, HANDLE);
    tokens
        .save(DID, &tokens_of("access-1", "refresh-1"))
        .expect("tokens");
    Setup {
        core,
        tokens,
        server,
        _dir: dir,
    }
}

fn tokens_of(access: &str, refresh: &str) -> Tokens {
    Tokens {
        access: Secret::new(access.to_owned()),
        refresh: Secret::new(refresh.to_owned()),
        dpop: None,
    }
}

/// refreshSession's answer: new tokens, and a DID document naming this same server as the PDS.
fn refreshed(server: &Url, access: &str, refresh: &str) -> Answer {
    json_ok(
        &serde_json::json!({
            "accessJwt": access,
            "refreshJwt": refresh,
            "did": DID,
            "handle": HANDLE,
            "didDoc": {
                "id": DID,
                "service": [{
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": server.as_str().trim_end_matches('/'),
                }],
            },
        })
        .to_string(),
    )
}

fn session_info() -> Answer {
    json_ok(&serde_json::json!({ "did": DID, "handle": HANDLE }).to_string())
}

fn expired() -> Answer {
    xrpc_error(400, "ExpiredToken", "Token has expired")
}

/// An authenticated call that is not a session endpoint (`getSession` through `authed`).
async fn other_call(setup: &Setup) -> Result<SessionInfo> {
    let xrpc = setup.core.xrpc.clone();
    setup
        .core
        .accounts()
        .authed(DID, |pds, access| {
            let xrpc = xrpc.clone();
            async move { xrpc.get_session(&pds, &access).await }
        })
        .await
}

/// `(method and endpoint, Authorization)` of each request the server received.
fn calls(setup: &Setup) -> Vec<(String, String)> {
    setup
        .server
        .received()
        .into_iter()
        .map(|request| {
            let endpoint = request
                .line
                .split(' ')
                .nth(1)
                .and_then(|path| path.strip_prefix("/xrpc/com.atproto.server."))
                .map(|name| name.split('?').next().unwrap_or_default().to_owned())
                .unwrap_or(request.line);
            (endpoint, request.authorization.unwrap_or_default())
        })
        .collect()
}

fn call(endpoint: &str, token: &str) -> (String, String) {
    (endpoint.to_owned(), format!("Bearer {token}"))
}

fn health(setup: &Setup) -> Health {
    setup.core.accounts().find(DID).expect("account").health
}

#[tokio::test]
async fn a_refused_access_token_is_refreshed_once_and_the_call_retried_with_the_new_one() {
    let setup = setup(|url| {
        vec![
            expired(),
            refreshed(url, "access-2", "refresh-2"),
            session_info(),
        ]
    })
    .await;
    let info = other_call(&setup).await.expect("the retry succeeds");
    assert_eq!(info.handle, HANDLE);
    assert_eq!(
        calls(&setup),
        [
            call("getSession", "access-1"),
            call("refreshSession", "refresh-1"),
            call("getSession", "access-2"),
        ]
    );
    assert_eq!(
        setup.tokens.get(DID),
        Some(tokens_of("access-2", "refresh-2"))
    );
    let health = health(&setup);
    assert_eq!(health.status, HealthStatus::Active);
    assert!(!health.needs_reconnection);
}

#[tokio::test]
async fn a_refusal_after_the_refresh_is_that_calls_error_and_not_the_sessions_end() {
    let refused = || xrpc_error(401, "AuthenticationRequired", "Authentication Required");
    let setup = setup(|url| {
        vec![
            refused(),
            refreshed(url, "access-2", "refresh-2"),
            refused(),
        ]
    })
    .await;
    let err = other_call(&setup).await.expect_err("refused twice");
    assert_ne!(err.code, ErrorCode::NeedsReconnection);
    assert_eq!(calls(&setup).len(), 3, "one refresh, one retry, no more");
    let health = health(&setup);
    assert!(!health.needs_reconnection);
    assert_eq!(health.status, HealthStatus::Active);
}

#[tokio::test]
async fn get_session_refused_right_after_a_refresh_needs_reconnection() {
    let setup = setup(|url| {
        vec![
            expired(),
            refreshed(url, "access-2", "refresh-2"),
            xrpc_error(401, "InvalidToken", "Token could not be verified"),
        ]
    })
    .await;
    let err = setup.core.accounts().check(DID).await.expect_err("ended");
    assert_eq!(err.code, ErrorCode::NeedsReconnection);
    let health = health(&setup);
    assert!(health.needs_reconnection);
    assert_eq!(health.status, HealthStatus::Revoked);
}

#[tokio::test]
async fn a_rejected_refresh_token_needs_reconnection() {
    let setup = setup(|_| {
        vec![
            expired(),
            xrpc_error(400, "ExpiredToken", "Token has been revoked"),
        ]
    })
    .await;
    let err = other_call(&setup).await.expect_err("ended");
    assert_eq!(err.code, ErrorCode::NeedsReconnection);
    let health = health(&setup);
    assert!(health.needs_reconnection);
    assert_eq!(health.status, HealthStatus::Revoked);
}

#[tokio::test]
async fn a_lost_refresh_answer_is_asked_again_with_the_same_token() {
    let setup = setup(|url| {
        vec![
            expired(),
            lost(),
            refreshed(url, "access-2", "refresh-2"),
            session_info(),
        ]
    })
    .await;
    other_call(&setup).await.expect("the retry succeeds");
    assert_eq!(
        calls(&setup),
        [
            call("getSession", "access-1"),
            call("refreshSession", "refresh-1"),
            call("refreshSession", "refresh-1"),
            call("getSession", "access-2"),
        ]
    );
    assert_eq!(
        setup.tokens.get(DID),
        Some(tokens_of("access-2", "refresh-2"))
    );
}

#[tokio::test]
async fn a_refresh_that_gets_no_answer_keeps_the_session() {
    let setup = setup(|_| vec![expired(), lost(), lost()]).await;
    let err = other_call(&setup).await.expect_err("offline");
    assert_eq!(err.code, ErrorCode::Network);
    assert_eq!(
        setup.tokens.get(DID),
        Some(tokens_of("access-1", "refresh-1"))
    );
    let health = health(&setup);
    assert!(!health.needs_reconnection);
    assert_eq!(
        health.status,
        HealthStatus::Error,
        "the next start refreshes again"
    );
}

#[tokio::test]
async fn tokens_another_process_rotated_are_used_without_refreshing_again() {
    let setup = setup(|_| vec![session_info(), expired(), session_info()]).await;
    other_call(&setup).await.expect("first call");
    // The CLI (another process) refreshed meanwhile and saved its tokens.
    setup
        .tokens
        .save(DID, &tokens_of("access-9", "refresh-9"))
        .expect("save");
    other_call(&setup)
        .await
        .expect("retried with the stored tokens");
    assert_eq!(
        calls(&setup),
        [
            call("getSession", "access-1"),
            call("getSession", "access-1"),
            call("getSession", "access-9"),
        ]
    );
}

#[tokio::test]
async fn disconnect_ends_the_server_session_and_forgets_the_account() {
    let setup = setup(|_| vec![status(200, "", "")]).await;
    let disconnected = setup
        .core
        .accounts()
        .disconnect(HANDLE)
        .await
        .expect("disconnect");
    assert!(disconnected.server_session_revoked);
    assert!(!disconnected.connected);
    assert_eq!(calls(&setup), [call("deleteSession", "refresh-1")]);
    assert_eq!(setup.tokens.get(DID), None);
    let err = setup.core.accounts().find(DID).expect_err("forgotten");
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn disconnect_without_an_answer_still_forgets_the_account_and_says_so() {
    let setup = setup(|_| vec![lost()]).await;
    let disconnected = setup
        .core
        .accounts()
        .disconnect(DID)
        .await
        .expect("disconnect");
    assert!(!disconnected.server_session_revoked);
    assert_eq!(setup.tokens.get(DID), None);
    assert!(setup.core.accounts().list().expect("list").is_empty());
}

/// The stored account, now signed in with Bluesky until `ends_in` from now.
fn signed_in_with_bluesky(core: &Core, ends_in: jiff::SignedDuration) {
    let mut account = core.accounts().find(DID).expect("account");
    account.sign_in = crate::account::SignIn {
        kind: crate::account::SignInKind::Oauth,
        scope: Some("atproto transition:generic".into()),
        expires_at: Some(
            jiff::Timestamp::now()
                .checked_add(ends_in)
                .expect("in range")
                .to_string(),
        ),
        issuer: Some("http://localhost:1".into()),
        client_id: Some("http://localhost".into()),
        reminded: false,
    };
    core.store
        .upsert_account(&account, &super::now_rfc3339())
        .expect("stored");
}

#[tokio::test]
async fn a_sign_in_ending_within_two_days_is_reminded_of_once() {
    let setup = setup(|_| Vec::new()).await;
    let to_remind = || setup.core.accounts().sign_ins_to_remind().expect("read");
    assert!(to_remind().is_empty());
    signed_in_with_bluesky(&setup.core, jiff::SignedDuration::from_hours(72));
    assert!(to_remind().is_empty(), "three days before is not yet");
    signed_in_with_bluesky(&setup.core, jiff::SignedDuration::from_hours(47));
    let reminders = to_remind();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].handle, HANDLE);
    assert_eq!(reminders[0].scheduled_after, 0);
    assert!(!reminders[0].ends_locally().is_empty());
    assert!(to_remind().is_empty(), "told once");
    // Signing in again starts a new two weeks, and a new reminder.
    signed_in_with_bluesky(&setup.core, jiff::SignedDuration::from_hours(1));
    assert_eq!(to_remind().len(), 1);
}
