//! Scheduling in the real window (issue 19), in one session against the reference PDS:
//! - The Schedule picker refuses a time in the past with the core's reason, the dialog staying open;
//!   its time zone is named in words, never as a code.
//! - A post scheduled through the picker ("Tomorrow 9:00") empties the composer, is in the Queue
//!   and in `hayon-cli schedule list` at that local time; "Reschedule…" with "In 1 hour" moves it.
//! - Moved to a few seconds ahead (by the CLI: the window's picker asks for a minute at least), the
//!   running window sends it by itself, once; the Queue lists it under "Posted" (the history kept in
//!   the database: tests/window_history.rs) with the link to the post.
//! - Cancel hides a post with Undo on offer; Undo keeps it queued (still there after the offer would
//!   have ended); Cancel left alone cancels it.
//! - Settings › Schedule adds a posting time (as `hayon-cli schedule slots` then lists it) and shows
//!   the core's reason for a hold out of range; "Add to queue" takes a posting time, and "Send now"
//!   in the Queue sends the post at once, listed with its link.
//! - A long queue is listed 50 posts at a time, soonest first: "Show 10 more" lists the rest with
//!   keyboard focus on the first of them, and a re-read after a change keeps them listed.
//!
//! Screenshots land in `target/e2e-screenshots/schedule-*.png`.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::window::{
    assert_stays, choose_account, click, js, poll_until, post_text, screenshot, start_session,
    text_of, type_into_post, wait_for, wait_for_composer, POST_ON,
};
use jiff::Timestamp;
use serde_json::{json, Value};
use std::time::Duration;

/// The queue as `hayon-cli schedule list --json` gives it.
fn queue(env: &CliEnv) -> Vec<Value> {
    env.run(&["schedule", "list"], "")
        .expect_ok()
        .as_array()
        .cloned()
        .expect("a list")
}

/// The queued post whose first post's text is `text` (`{id, at, zone, accounts, state, text}`).
fn queued_with_text(env: &CliEnv, text: &str) -> Option<Value> {
    queue(env).into_iter().find(|row| row["text"] == text)
}

/// Writes `text`, chooses the account and opens the Schedule picker.
async fn open_picker_for(client: &Client, did: &str, text: &str) {
    type_into_post(client, 1, text).await;
    choose_account(client, did).await;
    wait_for(client, POST_ON).await;
    click(client, "#schedule-open").await;
    wait_for(client, "#schedule-dialog[open] #schedule-date").await;
}

/// Picks a quick choice and confirms; waits until the dialog has closed.
async fn schedule_with(client: &Client, quick: &str) {
    click(
        client,
        &format!("#schedule-quick button[data-quick={quick}]"),
    )
    .await;
    click(client, "#schedule-confirm").await;
    wait_for(client, "#schedule-dialog:not([open])").await;
}

#[tokio::test]
async fn a_post_scheduled_in_the_window_is_queued_moved_sent_and_can_be_cancelled_with_undo() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("ws").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    // A time in the past: refused with the core's reason, the dialog staying open to pick again.
    let text = format!("Scheduled in the window {}", harness::unique("s"));
    open_picker_for(&client, &alice.did, &text).await;
    let zone = text_of(&client, "#schedule-zone").await;
    assert!(
        zone.starts_with("Times are in your time zone: ") && !zone.contains("UTC"),
        "{zone:?}"
    );
    js(
        &client,
        "const yesterday = new Date(Date.now() - 24 * 3600 * 1000);
         const pad = (n) => String(n).padStart(2, '0');
         const date = document.getElementById('schedule-date');
         date.value = `${yesterday.getFullYear()}-${pad(yesterday.getMonth() + 1)}-${pad(yesterday.getDate())}`;
         date.dispatchEvent(new Event('input', { bubbles: true }));",
    )
    .await;
    click(&client, "#schedule-confirm").await;
    wait_for(&client, "#schedule-error:not(:empty)").await;
    let reason = text_of(&client, "#schedule-error").await;
    assert!(reason.contains("has passed"), "{reason:?}");
    wait_for(&client, "#schedule-dialog[open]").await;
    screenshot(&client, "schedule-1-past-time-refused").await;
    assert!(queue(&env).is_empty(), "nothing was queued");

    // Tomorrow 9:00: queued, and the composer empties as after Post.
    schedule_with(&client, "tomorrow").await;
    wait_for(&client, "li.post-result[data-scheduled=true]").await;
    assert_eq!(
        post_text(&client, 1).await,
        "",
        "the composer starts afresh"
    );
    let row = queued_with_text(&env, &text).expect("the post is queued");
    assert_eq!(row["state"], "scheduled", "{row}");
    let id = row["id"].as_str().expect("an id").to_owned();
    let tomorrow_nine = js(
        &client,
        "const d = new Date(); d.setDate(d.getDate() + 1); d.setHours(9, 0, 0, 0);
         return d.toISOString();",
    )
    .await;
    let due: Timestamp = row["at"].as_str().expect("due").parse().expect("a time");
    let expected: Timestamp = tomorrow_nine
        .as_str()
        .expect("a time")
        .parse()
        .expect("a time");
    assert_eq!(due, expected, "tomorrow at 09:00, local time");

    // In the Queue, under its account.
    click(&client, "#nav-queue").await;
    let item = format!(".queue-item[data-id=\"{id}\"]");
    wait_for(&client, &format!("{item}[data-state=scheduled]")).await;
    assert!(text_of(&client, &item).await.contains(&text));
    screenshot(&client, "schedule-2-queue").await;

    // Rescheduled with the same picker: in an hour.
    click(&client, &format!("{item} .queue-reschedule")).await;
    wait_for(&client, "#schedule-dialog[open] #schedule-date").await;
    schedule_with(&client, "hour").await;
    let moved = poll_until(
        || async { queued_with_text(&env, &text) },
        |row| {
            row.as_ref()
                .is_some_and(|row| row["at"] != json!(due.to_string()))
        },
    )
    .await
    .expect("still queued");
    let moved_to: Timestamp = moved["at"].as_str().expect("due").parse().expect("a time");
    let in_an_hour = moved_to.as_second() - Timestamp::now().as_second();
    assert!(
        (55 * 60..=62 * 60).contains(&in_an_hour),
        "moved to {moved_to}, {in_an_hour} s from now"
    );

    // A few seconds ahead (the CLI may; the window asks for a minute): the window sends it itself.
    let soon = Timestamp::from_second(Timestamp::now().as_second() + 8).expect("a time");
    env.run(&["schedule", "edit", &id, "--at", &soon.to_string()], "")
        .expect_ok();
    let record = poll_until(
        || async { pds().posts_with_text(&alice.did, &text).await.pop() },
        Option::is_some,
    )
    .await
    .expect("the window sent the post");
    let rkey = record["uri"]
        .as_str()
        .and_then(|uri| uri.rsplit('/').next())
        .expect("an AT URI")
        .to_owned();
    let link = wait_for(
        &client,
        &format!("#queue-history-list .queue-sent[data-id=\"{id}\"] a.queue-post-link[href]"),
    )
    .await
    .attr("href")
    .await
    .expect("href")
    .expect("a link");
    assert!(link.ends_with(&format!("/post/{rkey}")), "{link}");
    wait_for(&client, &format!("#queue-groups:not(:has({item}))")).await;
    screenshot(&client, "schedule-3-sent").await;
    assert!(queue(&env).is_empty());

    // Cancel with Undo: Undo keeps it; Cancel left alone cancels it.
    let other = format!("Cancelled and back {}", harness::unique("c"));
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    open_picker_for(&client, &alice.did, &other).await;
    schedule_with(&client, "monday").await;
    let other_id = queued_with_text(&env, &other).expect("queued")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    click(&client, "#nav-queue").await;
    let other_item = format!(".queue-item[data-id=\"{other_id}\"]");
    click(&client, &format!("{other_item} .queue-cancel")).await;
    wait_for(&client, "#queue-toast:not([hidden])").await;
    wait_for(&client, &format!("#queue-groups:not(:has({other_item}))")).await;
    screenshot(&client, "schedule-4-cancel-undo-offered").await;
    click(&client, "#queue-toast-undo").await;
    wait_for(&client, &other_item).await;
    assert_stays(
        "the queue after Undo (past the offer's 8 s)",
        Duration::from_secs(12),
        || async { queued_with_text(&env, &other).is_some() },
        |queued| *queued,
    )
    .await;
    click(&client, &format!("{other_item} .queue-cancel")).await;
    let gone = poll_until(
        || async { queued_with_text(&env, &other).is_none() },
        |gone| *gone,
    )
    .await;
    assert!(gone, "cancelled once Undo was no longer offered");
    wait_for(&client, "#queue-toast[hidden]").await;
    wait_for(&client, "#queue-empty:not([hidden])").await;
    assert_eq!(
        copies_of(&alice.did, &other).await,
        0,
        "a cancelled post is never sent"
    );

    // Settings › Schedule: a posting time added is the core's; a hold out of range is refused with
    // the core's reason.
    click(&client, "#nav-schedule").await;
    wait_for(&client, "#view-schedule:not([hidden]) .slot-chip").await;
    js(
        &client,
        "const day = document.getElementById('slot-day');
         day.value = 'sunday';
         const time = document.getElementById('slot-time');
         time.value = '07:15';",
    )
    .await;
    click(&client, "#slot-add").await;
    let slots = poll_until(
        || async { env.run(&["schedule", "slots"], "").expect_ok() },
        |slots| {
            slots
                .as_array()
                .is_some_and(|all| all.contains(&json!({"weekday": "sunday", "time": "07:15"})))
        },
    )
    .await;
    assert!(
        slots
            .as_array()
            .is_some_and(|all| all.contains(&json!({"weekday": "sunday", "time": "07:15"}))),
        "{slots}"
    );
    js(
        &client,
        "const amount = document.getElementById('hold-amount');
         amount.value = '8';
         document.getElementById('hold-unit').value = 'days';
         amount.dispatchEvent(new Event('change', { bubbles: true }));",
    )
    .await;
    wait_for(&client, "#schedule-settings-error:not(:empty)").await;
    let refused = text_of(&client, "#schedule-settings-error").await;
    assert!(refused.contains("7 days"), "{refused:?}");

    // "Add to queue" in the picker: the next free posting time; then Send now from the Queue.
    let queued_text = format!("Added to the queue {}", harness::unique("a"));
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    open_picker_for(&client, &alice.did, &queued_text).await;
    click(&client, "#schedule-queue").await;
    wait_for(&client, "#schedule-dialog:not([open])").await;
    let row = queued_with_text(&env, &queued_text).expect("queued in a slot");
    let slot: Timestamp = row["at"].as_str().expect("at").parse().expect("a time");
    assert!(slot > Timestamp::now(), "{row}");
    let queued_id = row["id"].as_str().expect("an id").to_owned();
    click(&client, "#nav-queue").await;
    click(
        &client,
        &format!(".queue-item[data-id=\"{queued_id}\"] .queue-send"),
    )
    .await;
    wait_for(
        &client,
        &format!(
            "#queue-history-list .queue-sent[data-id=\"{queued_id}\"] a.queue-post-link[href]"
        ),
    )
    .await;
    assert_eq!(
        copies_of(&alice.did, &queued_text).await,
        1,
        "sent now, once"
    );
    assert!(queue(&env).is_empty());
}

#[tokio::test]
async fn a_long_queue_is_listed_a_page_at_a_time_and_show_more_lists_the_rest() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wp").await;
    // Two days ahead, a minute apart, queued out of order: the list is soonest first.
    let first = Timestamp::now().as_second() + 2 * 24 * 3600;
    let add = |n: i64| {
        let at = Timestamp::from_second(first + 60 * n).expect("a time");
        env.schedule_at(at, &[&alice.did], &format!("Queued number {n}"), &[]);
    };
    for n in (0..60).rev() {
        add(n);
    }
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    click(&client, "#nav-queue").await;
    wait_for(&client, "#queue-loading[hidden]").await;
    let listed = || {
        let client = &client;
        async move {
            js(
            client,
            "return [...document.querySelectorAll('#queue-groups .queue-words')].map((p) => p.textContent)",
        )
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        }
    };
    let expected = |count: i64| -> Vec<Value> {
        (0..count)
            .map(|n| json!(format!("Queued number {n}")))
            .collect()
    };
    assert_eq!(listed().await, expected(50), "the first 50, soonest first");
    assert_eq!(
        text_of(&client, ".queue-more").await,
        "Show 10 more (10 not shown)"
    );
    click(&client, ".queue-more").await;
    let all = poll_until(listed, |seen| seen.len() == 60).await;
    assert_eq!(all, expected(60));
    assert_eq!(
        js(
            &client,
            "return document.activeElement?.getAttribute('aria-label')"
        )
        .await,
        "Edit: Queued number 50",
        "focus on the first post just listed"
    );
    assert_eq!(
        js(&client, "return document.querySelector('.queue-more')").await,
        Value::Null
    );

    // Another post queued (the CLI: the window re-reads on the database's change): the list the
    // person unfolded stays unfolded.
    add(60);
    let after = poll_until(listed, |seen| seen.len() == 61).await;
    assert_eq!(after, expected(61));
}

/// How many posts of `did` have the text `text` on the PDS.
async fn copies_of(did: &str, text: &str) -> usize {
    pds().posts_with_text(did, text).await.len()
}
