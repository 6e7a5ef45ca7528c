//! Mention suggestions and checks under plain `cargo test`, against a [`FakeServer`] standing in for
//! the account's PDS (and the app view it relays to). The same paths against the reference PDS and a
//! stand-in app view are in `tests/window_compose_aids.rs`.

use super::*;
use crate::fakes::{core_with_account, json_ok, xrpc_error, Answer, FakeServer, FakeTokenStore};
use crate::keychain::{TokenStore, Tokens};
use crate::secret::Secret;
use std::sync::Arc;

const DID: &str = "did:plc:abcdefghijklmnopqrstuvwx";

async fn setup(answers: Vec<Answer>) -> (Core, FakeServer, tempfile::TempDir) {
    let server = FakeServer::start(answers).await;
    let tokens = Arc::new(FakeTokenStore::default());
    tokens
        .save(
            DID,
            &Tokens {
                access: Secret::new("access-1".to_owned()),
                refresh: Secret::new("refresh-1".to_owned()),
                dpop: None,
            },
        )
        .expect("tokens");
    let (core, dir) = core_with_account(&server, tokens, DID, "hana.test");
    (core, server, dir)
}

#[tokio::test]
async fn suggestions_come_from_the_app_view_when_it_answers() {
    let (core, server, _dir) = setup(vec![json_ok(
        r#"{"actors":[{"did":"did:plc:h1","handle":"hannah.test","displayName":"Hannah","avatar":"https://x/a.jpg"},
                      {"did":"did:plc:h2","handle":"hans.test","displayName":" "}]}"#,
    )])
    .await;
    let found = core.mentions().suggest(DID, "@HAN").await.expect("suggest");
    assert_eq!(found.source, SuggestionSource::AppView);
    assert_eq!(
        found.actors,
        [
            Suggestion {
                handle: "hannah.test".into(),
                did: "did:plc:h1".into(),
                display_name: Some("Hannah".into()),
                avatar: Some("https://x/a.jpg".into()),
            },
            Suggestion {
                handle: "hans.test".into(),
                did: "did:plc:h2".into(),
                display_name: None,
                avatar: None,
            },
        ]
    );
    let request = &server.received()[0];
    assert!(
        request
            .line
            .starts_with("GET /xrpc/app.bsky.actor.searchActorsTypeahead?q=han&limit=8 "),
        "{}",
        request.line
    );
    assert_eq!(request.authorization.as_deref(), Some("Bearer access-1"));
}

#[tokio::test]
async fn without_an_app_view_connected_accounts_and_earlier_mentions_are_suggested() {
    let (core, _server, _dir) = setup(vec![xrpc_error(
        502,
        "UpstreamFailure",
        "pipethrough network error",
    )])
    .await;
    core.store
        .remember_mentions(
            &[
                ("hanne.test".to_owned(), "did:plc:h3".to_owned()),
                ("hana.test".to_owned(), DID.to_owned()), // the connected account: listed once
                ("otto.test".to_owned(), "did:plc:o".to_owned()),
            ],
            "2026-12-01T00:00:00Z",
        )
        .expect("remember");
    let found = core.mentions().suggest(DID, "han").await.expect("suggest");
    assert_eq!(found.source, SuggestionSource::Known);
    let handles: Vec<&str> = found.actors.iter().map(|s| s.handle.as_str()).collect();
    assert_eq!(handles, ["hana.test", "hanne.test"]);
}

#[tokio::test]
async fn a_check_says_which_handles_resolve_and_asks_each_once() {
    let (core, server, _dir) = setup(vec![
        // Asked in sorted order: alice.test, nobody.test; the repeat of nobody is not asked.
        json_ok(r#"{"did":"did:plc:alice"}"#),
        xrpc_error(400, "InvalidRequest", "Unable to resolve handle"),
    ])
    .await;
    let handles = ["nobody.test", "alice.test", "Nobody.test"].map(String::from);
    let checked = core.mentions().check(DID, &handles).await.expect("check");
    let statuses: Vec<(&str, HandleStatus)> = checked
        .iter()
        .map(|c| (c.handle.as_str(), c.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("nobody.test", HandleStatus::Unresolved),
            ("alice.test", HandleStatus::Resolves),
            ("nobody.test", HandleStatus::Unresolved),
        ]
    );
    assert_eq!(server.requests().len(), 2, "{:?}", server.requests());
}

#[tokio::test]
async fn a_handle_that_could_not_be_asked_about_is_unknown_not_unresolved() {
    // The fake server answers nothing (connection refused after it is gone).
    let (core, server, _dir) = setup(Vec::new()).await;
    drop(server);
    let checked = core
        .mentions()
        .check(DID, &["alice.test".to_owned()])
        .await
        .expect("check");
    assert_eq!(checked[0].status, HandleStatus::Unknown);
}

#[tokio::test]
async fn input_from_the_web_view_is_checked_before_anything_is_asked() {
    let (core, server, _dir) = setup(Vec::new()).await;
    for bad in ["", "@", "han<script>", "a b", &"a".repeat(254), "hänna"] {
        let err = core.mentions().suggest(DID, bad).await.expect_err(bad);
        assert_eq!(err.code, crate::ErrorCode::Validation, "{bad}");
    }
    let many: Vec<String> = (0..=MAX_CHECKED).map(|i| format!("a{i}.test")).collect();
    let err = core
        .mentions()
        .check(DID, &many)
        .await
        .expect_err("too many");
    assert_eq!(err.code, crate::ErrorCode::Validation);
    let err = core
        .mentions()
        .suggest("did:plc:nobodyconnectedthis", "han")
        .await
        .expect_err("unknown account");
    assert_eq!(err.code, crate::ErrorCode::NotFound);
    assert!(server.requests().is_empty());
}
