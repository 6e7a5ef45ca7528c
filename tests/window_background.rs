//! Hayon beyond its window (issue 19; src-tauri/src/lifecycle.rs, notices.rs, tray.rs):
//! - Closing the window while a post is scheduled leaves Hayon running in the tray (a notification
//!   says so, the first time), and the post goes at its time from the hidden window, announced by a
//!   system notification with its link (to a stand-in for the desktop's notification service on the
//!   test's session bus).
//! - Quitting (Ctrl+Q) while a post is due within the hour asks first: Cancel keeps Hayon running,
//!   "Quit anyway" ends the app's process.

use harness::cli::CliEnv;
use harness::keychain;
use harness::notifications::NotificationServiceStandIn;
use harness::pds::pds;
use harness::window::{click, poll_until, start_session, text_of, wait_for, wait_for_composer};
use jiff::Timestamp;

#[tokio::test]
async fn a_closed_window_leaves_hayon_sending_and_each_post_is_announced_with_its_link() {
    keychain::require_secret_service();
    let notifications = NotificationServiceStandIn::start();
    let env = CliEnv::new();
    let alice = env.connect_new_user("nb").await;
    let (driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let text = format!("Announced when sent {}", harness::unique("n"));
    let due = Timestamp::from_second(Timestamp::now().as_second() + 15).expect("a time");
    env.run(
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
    driver.press_the_close_button();
    let told = poll_until(
        || async { notifications.shown() },
        |shown| !shown.is_empty(),
    )
    .await;
    assert_eq!(
        told.first().map(|notice| notice.summary.as_str()),
        Some("Hayon is still running"),
        "{told:?}"
    );
    assert!(
        driver.app_is_running(),
        "closing the window left Hayon running"
    );

    let record = poll_until(
        || async {
            pds()
                .list_records(&alice.did, "app.bsky.feed.post")
                .await
                .into_iter()
                .find(|record| record["value"]["text"] == text.as_str())
        },
        Option::is_some,
    )
    .await
    .expect("the window sent the post");
    let rkey = record["uri"]
        .as_str()
        .and_then(|uri| uri.rsplit('/').next())
        .expect("the record's key")
        .to_owned();
    let summary = format!("Posted to @{}", alice.handle);
    let shown = poll_until(
        || async { notifications.shown() },
        |shown| shown.iter().any(|notice| notice.summary == summary),
    )
    .await;
    let notice = shown
        .iter()
        .find(|notice| notice.summary == summary)
        .unwrap_or_else(|| panic!("no notification {summary:?}: {shown:?}"));
    assert_eq!(
        notice.body,
        format!("https://bsky.app/profile/{}/post/{rkey}", alice.handle)
    );
    assert!(driver.app_is_running(), "Hayon still runs in the tray");
}

#[tokio::test]
async fn quitting_with_a_post_due_within_the_hour_asks_first() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qb").await;
    let due = Timestamp::from_second(Timestamp::now().as_second() + 30 * 60).expect("a time");
    env.run(
        &[
            "schedule",
            "add",
            "--at",
            &due.to_string(),
            "--account",
            &alice.did,
        ],
        "Due within the hour",
    )
    .expect_ok();
    let (driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let ctrl_q = "\u{E009}q\u{E000}";
    let body = client
        .find(fantoccini::Locator::Css("body"))
        .await
        .expect("the page");
    body.send_keys(ctrl_q).await.expect("press Ctrl+Q");
    wait_for(&client, "#confirm-dialog[open] #confirm-no").await;
    assert_eq!(text_of(&client, "#confirm-title").await, "Quit Hayon?");
    let question = text_of(&client, "#confirm-body").await;
    assert!(
        question.starts_with("A scheduled post is due within the hour"),
        "{question}"
    );
    click(&client, "#confirm-dialog[open] #confirm-no").await;
    poll_until(
        || async {
            client
                .execute(
                    "return document.getElementById('confirm-dialog').open",
                    vec![],
                )
                .await
                .ok()
        },
        |open| open == &Some(serde_json::Value::Bool(false)),
    )
    .await;
    assert!(driver.app_is_running(), "Cancel keeps Hayon running");

    body.send_keys(ctrl_q).await.expect("press Ctrl+Q again");
    click(&client, "#confirm-dialog[open] #confirm-yes").await;
    let running = poll_until(|| async { driver.app_is_running() }, |running| !running).await;
    assert!(!running, "Quit anyway ends Hayon");
}
