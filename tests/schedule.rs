//! Scheduled posts through `hayon-cli schedule`, against the reference PDS and the real keychain: a
//! post queued for later goes once its time has come (its image staged when queued, so the original
//! may vanish), never before and never twice; two `send-due` processes racing over twenty due posts
//! post each exactly once; a post found long past its time (as if Hayon had not been running: its
//! stored time is moved back) is held until `schedule send`, one a few minutes late goes by itself;
//! posts added to the queue take the next posting slots free for their accounts; and the queue
//! refuses what cannot be, with reasons. A scheduled time must only be later than now:
//! the tests that send queue posts seconds ahead.

use harness::cli::CliEnv;
use harness::fault_proxy::{exclusive, rig, Canned, Fault, MAX_STALL};
use harness::images;
use harness::keychain;
use harness::pds::{pds, TestUser};
use harness::wait::WAIT;
use jiff::Timestamp;
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant};

const POSTS: &str = "app.bsky.feed.post";
const WRITE: &str = "com.atproto.repo.applyWrites";

fn schedule(env: &CliEnv, args: &[&str], text: &str) -> harness::cli::CliOutput {
    let mut full = vec!["schedule"];
    full.extend_from_slice(args);
    env.run(&full, text)
}

/// A time `seconds` from now, in whole seconds (as the queue keeps it), as RFC 3339.
fn in_seconds(seconds: i64) -> String {
    Timestamp::from_second(Timestamp::now().as_second() + seconds)
        .expect("a time")
        .to_string()
}

/// The texts of `user`'s posts on the PDS.
async fn posted_texts(user: &TestUser) -> Vec<String> {
    pds()
        .list_records(&user.did, POSTS)
        .await
        .iter()
        .filter_map(|record| record["value"]["text"].as_str().map(str::to_owned))
        .collect()
}

/// Runs `send-due` until it sends something, up to [`WAIT`] after `due`, and returns what it said.
fn send_due_once_due(env: &CliEnv, due: Timestamp) -> Value {
    let deadline = Instant::now()
        + Duration::try_from(Timestamp::now().duration_until(due)).unwrap_or_default()
        + WAIT;
    loop {
        let sent = schedule(env, &["send-due"], "").expect_ok();
        if sent.as_array().is_some_and(|rows| !rows.is_empty()) || Instant::now() > deadline {
            return sent;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[tokio::test]
async fn a_scheduled_post_goes_once_its_time_has_come_and_never_twice() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("sch").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 1200, 800);
    let text = format!("Scheduled {}", harness::unique("t"));
    let at = in_seconds(15);
    let queued = schedule(
        &env,
        &[
            "add",
            "--at",
            &at,
            "--account",
            &alice.did,
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A photo taken earlier",
        ],
        &text,
    )
    .expect_ok();
    assert_eq!(queued["state"], "scheduled", "{queued}");
    assert_eq!(queued["accounts"], serde_json::json!([alice.did]));
    let due: Timestamp = queued["at"]
        .as_str()
        .expect("at")
        .parse()
        .expect("RFC 3339");
    assert_eq!(due, at.parse::<Timestamp>().expect("RFC 3339"));
    let id = queued["id"].as_str().expect("id").to_owned();
    // The original goes away: the queue holds its own prepared copy.
    std::fs::remove_file(&photo).expect("the original is removed");

    let listed = schedule(&env, &["list"], "").expect_ok();
    assert_eq!(listed[0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed[0]["text"], text.as_str());
    let early = schedule(&env, &["send-due"], "").expect_ok();
    assert_eq!(early, serde_json::json!([]), "nothing is due yet");
    assert!(!posted_texts(&alice).await.contains(&text));

    let sent = send_due_once_due(&env, due);
    assert_eq!(sent[0]["id"], id.as_str(), "{sent}");
    let result = &sent[0]["results"][0];
    assert_eq!(result["account"], alice.did.as_str(), "{sent}");
    let record = pds()
        .read_record(result["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(record["text"], text.as_str());
    let created: Timestamp = record["createdAt"]
        .as_str()
        .expect("createdAt")
        .parse()
        .expect("RFC 3339");
    assert!(created >= due, "made at {created}, before its time {due}");
    assert_eq!(record["embed"]["images"][0]["alt"], "A photo taken earlier");

    let again = schedule(&env, &["send-due"], "").expect_ok();
    assert_eq!(again, serde_json::json!([]), "sent once only");
    let copies = posted_texts(&alice)
        .await
        .into_iter()
        .filter(|posted| *posted == text)
        .count();
    assert_eq!(copies, 1);
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn two_senders_racing_over_twenty_due_posts_post_each_once() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let bob = env.connect_new_user("race").await;
    let at = in_seconds(30);
    let mut ids = Vec::new();
    for n in 0..20 {
        let queued = schedule(
            &env,
            &["add", "--at", &at, "--account", &bob.did],
            &format!("Race post {n}"),
        )
        .expect_ok();
        ids.push(queued["id"].as_str().expect("id").to_owned());
    }
    // Waits for every post of the queue to be due.
    let states = |listed: &Value| -> Vec<String> {
        listed
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| row["state"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(30) + WAIT;
    let mut waiting = states(&schedule(&env, &["list"], "").expect_ok());
    while waiting.iter().any(|state| state != "due") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(250));
        waiting = states(&schedule(&env, &["list"], "").expect_ok());
    }
    assert_eq!(waiting, vec!["due"; 20], "every post is due");

    let senders: Vec<_> = (0..2)
        .map(|_| {
            env.command(&["schedule", "send-due"])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn hayon-cli")
        })
        .collect();
    let mut sent_ids = Vec::new();
    for sender in senders {
        let output = sender.wait_with_output().expect("hayon-cli output");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout} / {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows: Value = serde_json::from_str(&stdout).expect("one JSON document");
        for row in rows.as_array().expect("rows") {
            assert!(row["results"][0]["uri"].is_string(), "{row}");
            sent_ids.push(row["id"].as_str().expect("id").to_owned());
        }
    }
    sent_ids.sort();
    ids.sort();
    assert_eq!(sent_ids, ids, "each post sent by exactly one of the two");
    let mut texts = posted_texts(&bob).await;
    texts.sort();
    let mut expected: Vec<String> = (0..20).map(|n| format!("Race post {n}")).collect();
    expected.sort();
    assert_eq!(texts, expected, "each post on the server once");
    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([])
    );
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn the_queue_refuses_what_cannot_be_and_says_why() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let carol = env.connect_new_user("ref").await;
    let past = schedule(
        &env,
        &["add", "--at", &in_seconds(-120), "--account", &carol.did],
        "Too late",
    );
    assert_eq!(past.error_code(), "validation", "{}", past.json);
    assert!(past.json["error"]["message"]
        .as_str()
        .is_some_and(|message| message.contains("has passed")));
    let unreadable = schedule(
        &env,
        &["add", "--at", "next tuesday", "--account", &carol.did],
        "When?",
    );
    assert!(unreadable.json["error"]["message"]
        .as_str()
        .is_some_and(|message| message.contains("YYYY-MM-DD HH:MM")));
    let too_long = schedule(
        &env,
        &["add", "--at", &in_seconds(3600), "--account", &carol.did],
        &"a".repeat(301),
    );
    assert_eq!(too_long.error_code(), "validation", "{}", too_long.json);
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );

    // A local time is read in the system's zone (TZ), daylight saving included.
    let queued = env
        .run_with_env(
            &[
                "schedule",
                "add",
                "--at",
                "2099-07-01 09:30",
                "--account",
                &carol.did,
            ],
            "Summer in Vienna",
            &[("TZ", "Europe/Vienna")],
        )
        .expect_ok();
    assert_eq!(queued["at"], "2099-07-01T07:30:00Z", "{queued}");
    assert_eq!(queued["zone"], "Europe/Vienna");
    let id = queued["id"].as_str().expect("id").to_owned();
    let moved = schedule(&env, &["edit", &id, "--at", "2099-07-02T10:00:00Z"], "").expect_ok();
    assert_eq!(moved["at"], "2099-07-02T10:00:00Z", "{moved}");
    let cancelled = schedule(&env, &["cancel", &id], "").expect_ok();
    assert_eq!(
        cancelled,
        serde_json::json!({"id": id, "state": "cancelled"})
    );
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );
    let gone = schedule(&env, &["cancel", &id], "");
    assert_eq!(gone.error_code(), "not_found", "{}", gone.json);
    assert!(posted_texts(&carol).await.is_empty(), "nothing was posted");
}

/// Moves post `id`'s stored time to `seconds_ago` before now, as if Hayon had not been running at
/// its time (waiting that long is not a test's to do).
fn missed(env: &CliEnv, id: &str, seconds_ago: i64) {
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("the database");
    let at = Timestamp::now().as_second() - seconds_ago;
    let changed = db
        .execute(
            "UPDATE outbox SET due_at = ?1 WHERE id = ?2",
            rusqlite::params![at, id],
        )
        .expect("moved back");
    assert_eq!(changed, 1);
}

#[tokio::test]
async fn a_post_long_past_its_time_is_held_and_one_a_little_late_goes() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let dave = env.connect_new_user("late").await;
    let add = |text: &str| {
        schedule(
            &env,
            &["add", "--at", &in_seconds(3600), "--account", &dave.did],
            text,
        )
        .expect_ok()["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let held = add("Missed by two hours");
    let late = add("Missed by five minutes");
    missed(&env, &held, 2 * 3600);
    missed(&env, &late, 5 * 60);

    let sent = schedule(&env, &["send-due"], "").expect_ok();
    assert_eq!(sent.as_array().map(Vec::len), Some(1), "{sent}");
    assert_eq!(sent[0]["id"], late.as_str(), "the one a little late went");
    let listed = schedule(&env, &["list"], "").expect_ok();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], held.as_str());
    assert_eq!(listed[0]["state"], "held");
    assert_eq!(
        env.run(&["outbox", "list"], "").expect_ok(),
        serde_json::json!([]),
        "a held post is the queue's, not a failed one"
    );
    assert!(!posted_texts(&dave)
        .await
        .contains(&"Missed by two hours".to_owned()));

    let sent = schedule(&env, &["send", &held], "").expect_ok();
    assert_eq!(sent[0]["account"], dave.did.as_str(), "{sent}");
    let mut texts = posted_texts(&dave).await;
    texts.sort();
    assert_eq!(texts, ["Missed by five minutes", "Missed by two hours"]);
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );
    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn add_to_queue_takes_the_next_slot_free_for_the_accounts() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let erin = env.connect_new_user("slo").await;
    let frank = env.connect_new_user("slp").await;
    let defaults = schedule(&env, &["slots"], "").expect_ok();
    assert_eq!(defaults.as_array().map(Vec::len), Some(15), "{defaults}");
    assert_eq!(
        defaults[0],
        serde_json::json!({"weekday": "monday", "time": "09:00"})
    );
    let daily = schedule(&env, &["slots", "--set", "mon-sun 03:00"], "").expect_ok();
    assert_eq!(daily.as_array().map(Vec::len), Some(7), "{daily}");

    let vienna = jiff::tz::TimeZone::get("Europe/Vienna").expect("Vienna");
    let now = Timestamp::now().to_zoned_datetime(vienna.clone());
    let mut first = now.date().at(3, 0, 0, 0);
    if first <= now.datetime() {
        first = now.date().tomorrow().expect("a day").at(3, 0, 0, 0);
    }
    let day = |n: i64| {
        let date = first
            .date()
            .checked_add(jiff::Span::new().days(n))
            .expect("a day");
        vienna
            .to_timestamp(date.at(3, 0, 0, 0))
            .expect("03:00 exists")
            .to_string()
    };
    let add = |account: &str, text: &str| {
        env.run_with_env(
            &["schedule", "add", "--next-slot", "--account", account],
            text,
            &[("TZ", "Europe/Vienna")],
        )
        .expect_ok()
    };
    assert_eq!(add(&erin.did, "First in line")["at"], day(0).as_str());
    assert_eq!(add(&erin.did, "Second in line")["at"], day(1).as_str());
    assert_eq!(
        add(&frank.did, "Another account's first")["at"],
        day(0).as_str(),
        "a slot is taken per account"
    );
    let both = env
        .run_with_env(
            &[
                "schedule",
                "add",
                "--next-slot",
                "--account",
                &erin.did,
                "--account",
                &frank.did,
            ],
            "To both",
            &[("TZ", "Europe/Vienna")],
        )
        .expect_ok();
    assert_eq!(both["at"], day(2).as_str(), "free for both accounts");
    let refused = env
        .command(&["schedule", "slots", "--set", "someday 09:00"])
        .output()
        .expect("hayon-cli runs");
    assert_eq!(refused.status.code(), Some(2), "bad usage");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a day"));
}

/// Waits until `user`'s PDS (the fault rig's, read directly) holds a post with `text`, and returns
/// how many it holds.
async fn copies_on_rig(user: &TestUser, text: &str) -> usize {
    rig()
        .pds
        .list_records(&user.did, POSTS)
        .await
        .iter()
        .filter(|record| record["value"]["text"] == text)
        .count()
}

#[tokio::test]
async fn a_sender_killed_after_the_server_committed_is_settled_by_the_next_without_a_copy() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let (gina, _) = rig().connect_new_user(&env, "kil").await;
    let text = format!("Killed mid-send {}", harness::unique("k"));
    let id = schedule(
        &env,
        &["add", "--at", &in_seconds(3600), "--account", &gina.did],
        &text,
    )
    .expect_ok()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    missed(&env, &id, 1);

    // The server commits the write; its answer is held back while the sender is killed.
    rig().proxy.arm(WRITE, Fault::Stall(MAX_STALL));
    let mut sender = env
        .command(&["schedule", "send-due"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hayon-cli");
    let deadline = Instant::now() + WAIT;
    while copies_on_rig(&gina, &text).await == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(copies_on_rig(&gina, &text).await, 1, "the server committed");
    sender.kill().expect("the sender is killed");
    sender.wait().expect("it ends");

    // Sent once, its fate unknown: the outbox's to settle, no longer the queue's to change.
    let unsettled = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(unsettled[0]["id"], id.as_str(), "{unsettled}");
    let sent = schedule(&env, &["send-due"], "").expect_ok();
    assert_eq!(sent[0]["id"], id.as_str(), "{sent}");
    let uri = sent[0]["results"][0]["uri"].as_str().expect("posted");
    assert_eq!(rig().pds.read_record(uri).await["text"], text.as_str());
    assert_eq!(copies_on_rig(&gina, &text).await, 1, "no second copy");
    assert_eq!(rig().proxy.count(WRITE), 1, "found, not written again");
    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([])
    );
    assert_eq!(
        schedule(&env, &["list"], "").expect_ok(),
        serde_json::json!([])
    );
}

/// Queues `text` for `did` and moves it a second past its time, so it is due at once.
fn queued_due_now(env: &CliEnv, did: &str, text: &str) -> String {
    let id = schedule(
        env,
        &["add", "--at", &in_seconds(3600), "--account", did],
        text,
    )
    .expect_ok()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    missed(env, &id, 1);
    id
}

/// `schedule list`'s state of post `id`, if it is listed.
fn listed_state(env: &CliEnv, id: &str) -> Option<String> {
    schedule(env, &["list"], "")
        .expect_ok()
        .as_array()?
        .iter()
        .find(|row| row["id"] == id)
        .and_then(|row| row["state"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn a_post_for_an_account_needing_reconnection_stays_queued_and_goes_once_reconnected() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let hana = env.connect_new_user("rec").await;
    let text = format!("After reconnecting {}", harness::unique("r"));
    let id = queued_due_now(&env, &hana.did, &text);
    // The session is ended on the server; the next refresh finds out.
    pds().revoke_app_password(&hana, "hayon").await;
    let refused = env.run(&["account", "refresh", &hana.did], "");
    assert_eq!(
        refused.error_code(),
        "needs_reconnection",
        "{}",
        refused.json
    );

    // The access token may still be good for a while; the account is not used until reconnected.
    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([]),
        "not sent while the account needs reconnecting"
    );
    assert_eq!(
        listed_state(&env, &id).as_deref(),
        Some("needsReconnection"),
        "still queued, marked"
    );
    assert!(!posted_texts(&hana).await.contains(&text));

    let password = pds().create_app_password(&hana, "hayon-2").await;
    env.connect(&hana.handle, &password, &pds().url).expect_ok();
    assert_eq!(listed_state(&env, &id).as_deref(), Some("due"));
    let sent = schedule(&env, &["send-due"], "").expect_ok();
    assert_eq!(sent[0]["id"], id.as_str(), "{sent}");
    assert!(sent[0]["results"][0]["uri"].is_string(), "{sent}");
    let copies = posted_texts(&hana)
        .await
        .into_iter()
        .filter(|posted| *posted == text)
        .count();
    assert_eq!(copies, 1);
    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([])
    );
    assert_eq!(listed_state(&env, &id), None, "it left the queue");
}

#[tokio::test]
async fn a_rate_limited_post_is_not_tried_again_before_the_time_the_server_named() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let (ivy, _) = rig().connect_new_user(&env, "rlq").await;
    let text = format!("After the rate limit {}", harness::unique("l"));
    let id = queued_due_now(&env, &ivy.did, &text);
    let reset = (Timestamp::now().as_second() + 600).to_string();
    rig().proxy.arm(
        WRITE,
        Fault::Answer(Canned::xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            &[("RateLimit-Remaining", "0"), ("RateLimit-Reset", &reset)],
        )),
    );
    let limited = schedule(&env, &["send-due"], "");
    assert_eq!(limited.json[0]["id"], id.as_str(), "{}", limited.json);
    let failure = &limited.json[0]["results"][0]["error"]["code"];
    assert_eq!(failure, "rate_limited", "{}", limited.json);
    assert_eq!(rig().proxy.count(WRITE), 1);

    assert_eq!(
        schedule(&env, &["send-due"], "").expect_ok(),
        serde_json::json!([]),
        "not tried again before the reset"
    );
    assert_eq!(rig().proxy.count(WRITE), 1);

    // The ten minutes pass (moved in the database: waiting them out is not a test's to do).
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("the database");
    let ended = Timestamp::now().as_second() - 1;
    let changed = db
        .execute(
            "UPDATE outbox_accounts SET retry_at = ?1 WHERE entry = ?2 AND retry_at IS NOT NULL",
            rusqlite::params![ended, id],
        )
        .expect("moved back");
    assert_eq!(changed, 1, "the reset time was kept");
    let sent = schedule(&env, &["send-due"], "").expect_ok();
    assert!(sent[0]["results"][0]["uri"].is_string(), "{sent}");
    assert_eq!(rig().proxy.count(WRITE), 2);
    assert_eq!(copies_on_rig(&ivy, &text).await, 1);
}

#[tokio::test]
async fn a_claim_lost_while_sending_does_not_stop_the_send() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let (jo, _) = rig().connect_new_user(&env, "cla").await;
    let text = format!("Claim lost midway {}", harness::unique("c"));
    let id = queued_due_now(&env, &jo.did, &text);
    // The answer is held back past the claim's first renewal (20 s), within the request's timeout.
    rig().proxy.arm(WRITE, Fault::Stall(MAX_STALL));
    let sender = env
        .command(&["schedule", "send-due"])
        .env("HAYON_HTTP_TIMEOUT_SECS", "90")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hayon-cli");
    let deadline = Instant::now() + WAIT;
    while copies_on_rig(&jo, &text).await == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Another sender takes the claim, as if this one had slept past it: its renewal fails.
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("the database");
    let taken = db
        .execute(
            "UPDATE outbox SET lease_holder = 'another sender', lease_until = ?1 WHERE id = ?2",
            rusqlite::params![(Timestamp::now().as_second() + 600) * 1000, id],
        )
        .expect("the claim is taken");
    assert_eq!(taken, 1);

    let output = sender.wait_with_output().expect("hayon-cli output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let sent: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert!(sent[0]["results"][0]["uri"].is_string(), "finished: {sent}");
    let log = std::fs::read_to_string(env.path().join("hayon.log")).unwrap_or_default();
    assert!(
        log.contains("the claim was lost while sending"),
        "the renewal failed: {log}"
    );
    assert_eq!(copies_on_rig(&jo, &text).await, 1);
    assert_eq!(rig().proxy.count(WRITE), 1);
}
