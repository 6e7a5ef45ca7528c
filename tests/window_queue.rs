//! The real window as the queue's sender (issue 19): with the window open and nobody touching it, a
//! post queued by `hayon-cli schedule add` a few seconds ahead goes at its time — the record's
//! `createdAt`, stamped when the thread is built, is within a second after the due time — once, and
//! leaves the queue. The window notices the CLI's write through its database watch, which wakes the
//! sender (src-tauri/src/sender.rs).

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::window::{poll_until, start_session, wait_for_composer};
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

/// The record of `did`'s post whose text is `text`, if it is on the PDS.
async fn post_with_text(did: &str, text: &str) -> Option<Value> {
    pds()
        .list_records(did, "app.bsky.feed.post")
        .await
        .into_iter()
        .find(|record| record["value"]["text"] == text)
}

#[tokio::test]
async fn a_post_queued_seconds_ahead_is_sent_by_the_open_window_at_its_time() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wq").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let text = format!("Queued while nobody watches {}", harness::unique("q"));
    let due = Timestamp::from_second(Timestamp::now().as_second() + 4).expect("a time");
    let queued = env
        .run(
            &[
                "schedule",
                "add",
                "--at",
                &due.to_string(),
                "--account",
                &alice.did,
            ],
            &text,
        )
        .expect_ok();
    assert_eq!(queued["state"], "scheduled", "{queued}");

    let record = poll_until(|| post_with_text(&alice.did, &text), Option::is_some)
        .await
        .expect("the window sent the post");
    let created: Timestamp = record["value"]["createdAt"]
        .as_str()
        .expect("createdAt")
        .parse()
        .expect("RFC 3339");
    assert!(created >= due, "sent at {created}, before its time {due}");
    assert!(
        created < due + SignedDuration::from_secs(1),
        "sent at {created}, more than a second after its time {due}"
    );

    assert_eq!(env.run(&["schedule", "list"], "").expect_ok(), json!([]));
    assert_eq!(env.run(&["outbox", "list"], "").expect_ok(), json!([]));
    assert_eq!(
        env.run(&["schedule", "send-due"], "").expect_ok(),
        json!([]),
        "nothing is left to send"
    );
    let copies = pds()
        .list_records(&alice.did, "app.bsky.feed.post")
        .await
        .into_iter()
        .filter(|record| record["value"]["text"] == text.as_str())
        .count();
    assert_eq!(copies, 1);
}
