//! The outbox at start-up under plain `cargo test`: [`Posting::reconcile`] against a [`FakeServer`]
//! settles what a crash left unknown by looking records up, and never writes; so does an edit
//! ([`Posting::edit`]) before it changes the row. The sender's writes, retries and look-ups against
//! the reference PDS are in `tests/threads.rs` and `tests/faults.rs`.

use super::{AccountDelivery, Delivery, ImageFiles, OutboxEntry};
use crate::composition::{ComposedPost, Composition};
use crate::context::Core;
use crate::fakes::{
    add_account, core_with_account, json_ok, xrpc_error, Answer, FakeServer, FakeTokenStore,
};
use std::sync::Arc;

const DID: &str = "did:plc:abcdefghijklmnopqrstuvwx";
const KEYS: [&str; 2] = ["3kaaaaaaaaaa2", "3kaaaaaaaaab2"];

/// A core whose one account lives on a fake server giving `answers`, and an outbox row for a
/// two-post thread to it, written once already (a crash after sending).
async fn crashed_after_sending(answers: Vec<Answer>) -> (Core, FakeServer, tempfile::TempDir) {
    let server = FakeServer::start(answers).await;
    let (core, dir) = core_with_account(
        &server,
        Arc::new(FakeTokenStore::default()),
        DID,
        "alice.test",
    );
    let now = crate::store::now_rfc3339();
    let entry = OutboxEntry {
        created_at: now.clone(),
        images: ImageFiles::Named,
        ..OutboxEntry::for_test(
            "3kbbbbbbbbbb2",
            &["one", "two"],
            vec![AccountDelivery::for_test(DID, "alice.test", &KEYS)],
        )
    };
    core.store.insert_outbox(&entry, None).expect("row");
    core.store
        .outbox_count_attempt(&entry.id, DID, &now)
        .expect("attempt");
    (core, server, dir)
}

fn found(rkey: &str) -> Answer {
    json_ok(
        &serde_json::json!({
            "uri": format!("at://{DID}/app.bsky.feed.post/{rkey}"),
            "cid": format!("bafy{rkey}"),
            "value": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-12-01T12:00:00.000Z"},
        })
        .to_string(),
    )
}

#[tokio::test]
async fn a_thread_that_arrived_before_the_crash_is_found_at_start_and_leaves_the_outbox() {
    let (core, server, _dir) = crashed_after_sending(vec![found(KEYS[0]), found(KEYS[1])]).await;
    let left = core.posting().reconcile().await.expect("reconcile");
    assert!(
        left.is_empty(),
        "posted everywhere: the row goes ({left:?})"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests
            .iter()
            .all(|line| line.starts_with("GET /xrpc/com.atproto.repo.getRecord?")),
        "looked up only, never written: {requests:?}"
    );
    assert!(
        requests[0].contains(KEYS[0]),
        "the root first: {requests:?}"
    );
    // Found at start, it is in the posted history, linked to its root post.
    let history = core.posting().history().expect("history");
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].id, "3kbbbbbbbbbb2");
    assert_eq!((history[0].text.as_str(), history[0].posts), ("one", 2));
    assert_eq!(
        history[0].accounts[0].url,
        format!("https://bsky.app/profile/alice.test/post/{}", KEYS[0])
    );
}

#[tokio::test]
async fn a_thread_that_never_arrived_stays_pending_and_nothing_is_written_at_start() {
    let absent = xrpc_error(400, "RecordNotFound", "Could not locate record");
    let (core, server, _dir) = crashed_after_sending(vec![absent]).await;
    let left = core.posting().reconcile().await.expect("reconcile");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].accounts[0].state, Delivery::Pending);
    assert_eq!(
        left[0].accounts[0].attempts, 1,
        "the next send looks it up again first"
    );
    assert_eq!(server.requests().len(), 1, "only the root was asked for");
    assert_eq!(core.posting().history().expect("history"), []);
}

/// An edit looks up first an account whose write may have arrived: found there, the account has the
/// thread and keeps it, so an edit that leaves it out is refused, and nothing is written.
#[tokio::test]
async fn an_edit_finds_a_thread_that_arrived_before_the_crash_and_keeps_its_account() {
    let (core, server, _dir) = crashed_after_sending(vec![found(KEYS[0]), found(KEYS[1])]).await;
    let other = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
    add_account(&core, &server, other, "bob.test");
    let to_the_other_only = Composition {
        posts: vec![ComposedPost {
            text: "one, edited".to_owned(),
            ..ComposedPost::default()
        }],
        accounts: vec![other.to_owned()],
        ..Composition::default()
    };
    let options = super::PostOptions {
        images: ImageFiles::Named,
        require_alt_text: false,
        draft: None,
        unset_langs: super::UnsetLangs::NoLanguage,
    };
    let refused = core
        .posting()
        .edit("3kbbbbbbbbbb2", to_the_other_only, options)
        .await
        .expect_err("refused");
    assert!(
        refused
            .message
            .contains("@alice.test has this post already"),
        "{}",
        refused.message
    );
    let row = core
        .store
        .outbox_entry("3kbbbbbbbbbb2")
        .expect("read")
        .expect("still there");
    assert!(
        matches!(&row.accounts[0].state, Delivery::Posted { posts } if posts.len() == 2),
        "recorded as posted: {row:?}"
    );
    assert_eq!(server.requests().len(), 2, "looked up only, never written");
}
