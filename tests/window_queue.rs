//! The real window as the queue's sender (issue 19, src-tauri/src/sender.rs):
//! - With the window open and nobody touching it, a post queued by `hayon-cli schedule add` a few
//!   seconds ahead goes at its time — the record's `createdAt`, stamped when the thread is built, is
//!   within a second after the due time — once, and leaves the queue. The window notices the CLI's
//!   write through its database watch, which wakes the sender. It runs without a system bus (the
//!   resumes and network changes of `wakeups.rs` cannot be heard), which the log says once.
//! - Offline: Post while the account's server is down (the fault proxy's port refuses connections)
//!   shows "Waiting for a connection"; once the server is back the post goes by itself, once, and
//!   the window shows it posted. A refusal by the server is not retried by itself.
//! - A resume from suspend (logind's `PrepareForSleep(false)`, emitted on a D-Bus daemon of the
//!   test's own that the app takes for the system bus, `DBUS_SYSTEM_BUS_ADDRESS`, as every D-Bus
//!   client does) makes the sender try a post waiting for a connection at once, long before its
//!   backoff would (src-tauri/src/wakeups.rs).
//!
//! Screenshots land in `target/e2e-screenshots/queue-*.png`.

use harness::cli::CliEnv;
use harness::fault_proxy::{self, rig, Fault};
use harness::keychain;
use harness::pds::pds;
use harness::window::{
    assert_stays, choose_account, click, poll_until, post_result, post_text, screenshot,
    start_session, start_session_with, text_of, type_into_post, wait_for, wait_for_composer,
    wait_for_log, POST_ON,
};
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The record of `did`'s post whose text is `text`, if it is on the PDS.
async fn post_with_text(did: &str, text: &str) -> Option<Value> {
    pds().posts_with_text(did, text).await.into_iter().next()
}

#[tokio::test]
async fn a_post_queued_seconds_ahead_is_sent_by_the_open_window_at_its_time() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wq").await;
    // No system bus (as in a container or on CI): the sender goes by its timer, and says so once.
    let (_driver, client) = start_session_with(
        &env,
        &[(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/system_bus",
        )],
    )
    .await;
    wait_for_composer(&client).await;

    let text = format!("Queued while nobody watches {}", harness::unique("q"));
    // Far enough ahead for the CLI to queue it on a busy machine.
    let due = Timestamp::from_second(Timestamp::now().as_second() + 10).expect("a time");
    let queued = env.schedule_at(due, &[&alice.did], &text, &[]);
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
    let log = harness::window::log_of(&env);
    assert_eq!(log.matches("no system bus").count(), 1, "{log}");
    let copies = pds()
        .list_records(&alice.did, "app.bsky.feed.post")
        .await
        .into_iter()
        .filter(|record| record["value"]["text"] == text.as_str())
        .count();
    assert_eq!(copies, 1);
}

#[tokio::test]
async fn a_post_made_while_the_server_is_down_goes_by_itself_once_it_is_back() {
    const WRITE: &str = "com.atproto.repo.applyWrites";
    keychain::require_secret_service();
    let _turn = fault_proxy::exclusive().await;
    let env = CliEnv::new();
    let (flaky, _) = rig().connect_new_user(&env, "wqo").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let text = format!("Written offline {}", harness::unique("o"));
    type_into_post(&client, 1, &text).await;
    choose_account(&client, &flaky.did).await;
    wait_for(&client, POST_ON).await;

    rig().proxy.set_down(true);
    click(&client, "#post-submit").await;
    wait_for(&client, "li.post-result[data-waiting=\"true\"]").await;
    assert_eq!(
        text_of(&client, "#post-results-title").await,
        "Waiting for a connection"
    );
    screenshot(&client, "queue-1-waiting-for-a-connection").await;
    assert!(rig()
        .pds
        .list_records(&flaky.did, "app.bsky.feed.post")
        .await
        .is_empty());

    rig().proxy.set_down(false);
    let posted = poll_until(
        || async {
            rig()
                .pds
                .list_records(&flaky.did, "app.bsky.feed.post")
                .await
                .into_iter()
                .filter(|record| record["value"]["text"] == text.as_str())
                .count()
        },
        |copies| *copies > 0,
    )
    .await;
    assert_eq!(posted, 1, "sent by itself once the server answered, once");
    wait_for(&client, &post_result(&flaky.did, true)).await;
    screenshot(&client, "queue-2-sent-by-itself").await;
    assert_eq!(
        post_text(&client, 1).await,
        "",
        "the composer starts afresh"
    );
    assert_eq!(env.run(&["outbox", "list"], "").expect_ok(), json!([]));

    // A refusal by the server waits for the person: nothing is sent again by itself. Watched for
    // 15 s, longer than the sender's first retry of a post waiting for a connection (10 s).
    rig().proxy.arm_always(WRITE, Fault::refusal());
    let refused = format!("Refused {}", harness::unique("r"));
    type_into_post(&client, 1, &refused).await;
    wait_for(&client, POST_ON).await;
    let writes = rig().proxy.count(WRITE);
    click(&client, "#post-submit").await;
    wait_for(&client, &post_result(&flaky.did, false)).await;
    assert_stays(
        "writes after a refusal (one, by Post)",
        Duration::from_secs(15),
        || async { rig().proxy.count(WRITE) },
        |count| *count == writes + 1,
    )
    .await;
    rig().proxy.reset();
}

/// A D-Bus daemon of the test's own (the session configuration), ended when dropped.
struct Bus(std::process::Child);

impl Bus {
    /// Starts it and returns it with its address.
    fn start() -> (Self, String) {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon runs");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().expect("its stdout"))
            .read_line(&mut address)
            .expect("it prints its address");
        (Self(daemon), address.trim().to_owned())
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_resume_sends_a_post_waiting_for_a_connection_before_its_backoff_ends() {
    // The sender logs each try of the row.
    const NOT_POSTED: &str = "queue: a post was sent id=";
    keychain::require_secret_service();
    let _turn = fault_proxy::exclusive().await;
    let (_bus, address) = Bus::start();
    let env = CliEnv::new();
    let (kim, _) = rig().connect_new_user(&env, "wqr").await;
    let (_driver, client) =
        start_session_with(&env, &[("DBUS_SYSTEM_BUS_ADDRESS", address.as_str())]).await;
    wait_for_composer(&client).await;

    rig().proxy.set_down(true);
    let text = format!("Sent after the resume {}", harness::unique("s"));
    let id = env
        .run(
            &[
                "schedule",
                "add",
                "--at",
                &in_an_hour(),
                "--account",
                &kim.did,
            ],
            &text,
        )
        .expect_ok()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Due now, as if its time had come while the machine slept.
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("the database");
    db.execute(
        "UPDATE outbox SET due_at = ?1 WHERE id = ?2",
        rusqlite::params![Timestamp::now().as_second() - 1, id],
    )
    .expect("due now");
    // Tried when due, then after 10 s, 10 s and 20 s: the next try is 40 s after the fourth.
    for tries in 1..=4 {
        let log = wait_for_log(&env, NOT_POSTED, tries).await;
        assert!(!log.contains("posted=true"), "{log}");
    }
    let fourth = Instant::now();

    rig().proxy.set_down(false);
    let logind = zbus::connection::Builder::address(address.as_str())
        .expect("an address")
        .build()
        .await
        .expect("connected to the test's bus");
    logind
        .emit_signal(
            None::<()>,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            &(false,),
        )
        .await
        .expect("the signal is sent");
    let on_rig = || async {
        rig()
            .pds
            .list_records(&kim.did, "app.bsky.feed.post")
            .await
            .into_iter()
            .find(|record| record["value"]["text"] == text.as_str())
    };
    let record = poll_until(on_rig, Option::is_some)
        .await
        .expect("the window sent the post");
    assert!(
        fourth.elapsed() < Duration::from_secs(30),
        "sent {:?} after the fourth try: the backoff, not the resume",
        fourth.elapsed()
    );
    assert_eq!(record["value"]["text"], text.as_str());
    assert_eq!(env.run(&["schedule", "list"], "").expect_ok(), json!([]));
    let copies = rig()
        .pds
        .list_records(&kim.did, "app.bsky.feed.post")
        .await
        .into_iter()
        .filter(|record| record["value"]["text"] == text.as_str())
        .count();
    assert_eq!(copies, 1);
}

/// An hour from now, as RFC 3339.
fn in_an_hour() -> String {
    Timestamp::from_second(Timestamp::now().as_second() + 3600)
        .expect("a time")
        .to_string()
}
