//! Hayon beyond its window (issue 19; src-tauri/src/lifecycle.rs, notices.rs, tray.rs):
//! - A scheduled post the window sends by itself is announced by a system notification with its
//!   link (to a stand-in for the desktop's notification service on the test's session bus); a
//!   click on the notification shows the Queue, where the post is listed with that link.
//! - Paused sending (the tray's "Pause sending", here set by `hayon-cli schedule pause`, the same
//!   preference) holds a due post in the open window; resumed, it goes, once.
//! - Settings › Schedule › In the background: "Start Hayon when you log in" writes and removes the
//!   session's autostart entry (starting Hayon hidden); "Pause sending" and "Keep Hayon running in
//!   the tray" are saved in the real SQLite file, and a pause set elsewhere (the CLI, the tray) shows.
//! - Disconnecting an account with scheduled posts asks whether to cancel them; "Cancel them" takes
//!   its posts off the queue.
//! - Quitting (Ctrl+Q) while a post is due within the hour asks first: Cancel keeps Hayon running,
//!   "Quit anyway" ends the app's process.

use harness::cli::CliEnv;
use harness::keychain;
use harness::notifications::NotificationServiceStandIn;
use harness::pds::pds;
use harness::window::{
    click, poll_until, start_session, start_session_with, text_of, wait_for, wait_for_composer,
};
use jiff::Timestamp;
use serde_json::{json, Value};

#[tokio::test]
async fn a_post_the_window_sends_by_itself_is_announced_and_a_click_shows_it_in_the_queue() {
    keychain::require_secret_service();
    let notifications = NotificationServiceStandIn::start();
    let env = CliEnv::new();
    let alice = env.connect_new_user("nb").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let text = format!("Announced when sent {}", harness::unique("n"));
    env.schedule_in(15, &[&alice.did], &text, &[]);

    let record = poll_until(
        || async { pds().posts_with_text(&alice.did, &text).await.pop() },
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

    // A click on it shows the Queue, where the post is listed with its link.
    assert!(
        notice.actions.iter().any(|action| action == "default"),
        "a click on the notification is heard: {notice:?}"
    );
    wait_for(&client, "#view-compose:not([hidden])").await;
    notifications.click(notice.id);
    wait_for(
        &client,
        &format!("#view-queue:not([hidden]) #queue-history-list a.queue-post-link[href$=\"/post/{rkey}\"]"),
    )
    .await;
}

#[tokio::test]
async fn paused_sending_holds_a_due_post_until_resumed() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("pb").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    assert_eq!(
        env.run(&["schedule", "pause"], "").expect_ok(),
        json!({"sending": "paused"})
    );

    let text = env.queue_one_held_by_the_pause(&alice.did).await;
    assert_eq!(
        env.run(&["schedule", "resume"], "").expect_ok(),
        json!({"sending": "on"})
    );
    env.sent_once_after_resume(&alice.did, &text).await;
}

/// Whether checkbox `css` is ticked, once the page has it.
async fn ticked(client: &fantoccini::Client, css: &str) -> Option<bool> {
    client
        .execute(
            "const box = document.querySelector(arguments[0]); return box && !box.disabled ? box.checked : null",
            vec![Value::from(css)],
        )
        .await
        .ok()
        .and_then(|value| value.as_bool())
}

#[tokio::test]
async fn the_background_settings_are_saved_where_they_act() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("sb").await;
    // The autostart entry goes under $HOME/.config/autostart: a home of the test's own.
    let home = tempfile::tempdir().expect("a home folder");
    let home_path = home.path().to_str().expect("a UTF-8 path");
    let (_driver, client) = start_session_with(&env, &[("HOME", home_path)]).await;
    wait_for_composer(&client).await;
    click(&client, "#nav-schedule").await;
    let autostart = home.path().join(".config/autostart");
    let entries = || {
        std::fs::read_dir(&autostart)
            .map(|dir| dir.flatten().map(|entry| entry.path()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(
        ticked(&client, "#start-at-login").await.or(Some(false)),
        Some(false)
    );
    assert!(entries().is_empty(), "{:?}", entries());

    click(&client, "#start-at-login").await;
    let written = poll_until(|| async { entries() }, |entries| !entries.is_empty()).await;
    assert_eq!(written.len(), 1, "{written:?}");
    let entry = std::fs::read_to_string(&written[0]).expect("the autostart entry");
    let app = std::env::var("HAYON_APP_BINARY").expect("HAYON_APP_BINARY");
    let exec = entry
        .lines()
        .find_map(|line| line.strip_prefix("Exec="))
        .unwrap_or_else(|| panic!("no Exec line: {entry}"));
    assert!(exec.contains(&app), "{exec}");
    assert!(
        exec.ends_with("--hidden"),
        "starts hidden in the tray: {exec}"
    );
    click(&client, "#start-at-login").await;
    let left = poll_until(|| async { entries() }, Vec::is_empty).await;
    assert!(left.is_empty(), "turned off, the entry goes: {left:?}");

    assert_eq!(
        ticked(&client, "#keep-in-tray").await,
        Some(true),
        "on by default"
    );
    click(&client, "#keep-in-tray").await;
    let stored = poll_until(
        || async { env.stored_preferences() },
        |stored| stored["keepRunningInTray"] == false,
    )
    .await;
    assert_eq!(stored["keepRunningInTray"], false, "{stored}");

    click(&client, "#sending-paused").await;
    let stored = poll_until(
        || async { env.stored_preferences() },
        |stored| stored["sendingPaused"] == true,
    )
    .await;
    assert_eq!(stored["sendingPaused"], true, "{stored}");
    env.run(&["schedule", "resume"], "").expect_ok();
    let shown = poll_until(
        || ticked(&client, "#sending-paused"),
        |ticked| *ticked == Some(false),
    )
    .await;
    assert_eq!(shown, Some(false), "resumed elsewhere, the window shows it");
}

#[tokio::test]
async fn disconnecting_an_account_with_scheduled_posts_offers_to_cancel_them() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("db").await;
    let tomorrow =
        Timestamp::from_second(Timestamp::now().as_second() + 24 * 60 * 60).expect("a time");
    for text in ["First for tomorrow", "Second for tomorrow"] {
        env.schedule_at(tomorrow, &[&alice.did], text, &[]);
    }
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    click(&client, "#nav-accounts").await;
    let item = format!("#account-list li[data-did=\"{}\"]", alice.did);
    click(&client, &format!("{item} .disconnect")).await;
    click(&client, "#confirm-dialog[open] #confirm-yes").await;
    let asked = poll_until(
        || text_of(&client, "#confirm-dialog[open] #confirm-title"),
        |title| title.starts_with("Cancel the scheduled posts"),
    )
    .await;
    assert_eq!(
        asked,
        format!("Cancel the scheduled posts of @{}?", alice.handle)
    );
    let question = text_of(&client, "#confirm-body").await;
    assert!(question.contains("has 2 scheduled posts"), "{question}");
    assert_eq!(text_of(&client, "#confirm-no").await, "Keep them");
    click(&client, "#confirm-dialog[open] #confirm-yes").await;
    let left = poll_until(
        || async { env.run(&["schedule", "list"], "").expect_ok() },
        |left| left == &json!([]),
    )
    .await;
    assert_eq!(left, json!([]), "both posts were cancelled");
}

#[tokio::test]
async fn quitting_with_a_post_due_within_the_hour_asks_first() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qb").await;
    env.schedule_in(30 * 60, &[&alice.did], "Due within the hour", &[]);
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
    let quit_anyway = wait_for(&client, "#confirm-dialog[open] #confirm-yes").await;
    // The click ends the app, and with it the WebDriver session: its answer may never come whole,
    // so only what it does is checked, below.
    let _ = quit_anyway.click().await;
    let running = poll_until(|| async { driver.app_is_running() }, |running| !running).await;
    assert!(!running, "Quit anyway ends Hayon");
}
