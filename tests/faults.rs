//! Faults between the app and the reference PDS, through `hayon-cli` (test-peers.md › Fault injection).
//!
//! This binary starts its own PDS whose public URL is a fault-injecting proxy, so every account's DID
//! document names the proxy as its PDS: the app reaches the server only through it, as it would reach
//! a real provider through a real network. Each test arms faults on one XRPC method and asserts the
//! exact outcome: how many posts the server holds (read directly from the PDS), the CLI's exit status
//! and error code, how many requests reached the proxy, and that the account stays connected and does
//! not need reconnecting when its session is alive.
//!
//! The tests share the proxy, so they run one at a time (a lock), each starting with a clean proxy.

use harness::cli::{CliEnv, CliOutput};
use harness::fault_proxy::{exclusive, rig, Canned, Fault};
use harness::images;
use harness::keychain;
use harness::pds::TestUser;
use serde_json::Value;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

const WRITE: &str = "com.atproto.repo.applyWrites";
const GET_RECORD: &str = "com.atproto.repo.getRecord";
const UPLOAD: &str = "com.atproto.repo.uploadBlob";
const GET_PROFILE: &str = "app.bsky.actor.getProfile";
const GET_SESSION: &str = "com.atproto.server.getSession";
const CREATE_SESSION: &str = "com.atproto.server.createSession";

/// A new account connected through the proxy; its DID document sends the app to the proxy.
async fn connected(env: &CliEnv, prefix: &str) -> TestUser {
    keychain::require_secret_service();
    let rig = rig();
    let (user, account) = rig.connect_new_user(env, prefix).await;
    assert_eq!(
        account["pds"],
        format!("{}/", rig.proxy.url),
        "the DID document names the proxy as the account's PDS"
    );
    assert!(
        keychain::lookup(&env.keychain_service, &user.did).is_some(),
        "the tokens are in the keychain after connecting"
    );
    user
}

fn post(env: &CliEnv, user: &TestUser, text: &str, extra_env: &[(&str, &str)]) -> CliOutput {
    env.run_with_env(&["post", "--account", &user.handle], text, extra_env)
}

/// The posts the server holds for `user`, read from the PDS directly (not through the proxy).
async fn posts_on_server(user: &TestUser) -> Vec<Value> {
    let (status, listing) = rig()
        .pds
        .get(
            "com.atproto.repo.listRecords",
            None,
            &[("repo", &user.did), ("collection", "app.bsky.feed.post")],
        )
        .await;
    assert_eq!(status, 200, "listRecords: {listing}");
    listing["records"].as_array().cloned().unwrap_or_default()
}

/// What the app logged in this environment, for failure messages.
fn app_log(env: &CliEnv) -> String {
    std::fs::read_to_string(env.path().join("hayon.log")).unwrap_or_default()
}

/// The account as `account list` shows it.
fn stored_account(env: &CliEnv, user: &TestUser) -> Value {
    env.list()
        .into_iter()
        .find(|account| account["did"] == user.did.as_str())
        .expect("the account is still stored")
}

fn assert_still_connected(env: &CliEnv, user: &TestUser) {
    let account = stored_account(env, user);
    assert_eq!(account["connected"], true, "{account}");
    assert_eq!(account["health"]["needsReconnection"], false, "{account}");
}

/// Posts once while `fault` hits the first applyWrites, and checks that exactly that post exists,
/// reported as posted.
async fn posted_exactly_once_despite(fault: Fault, extra_env: &[(&str, &str)]) -> usize {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "once").await;
    let lookups_before = rig().proxy.count(GET_RECORD); // connecting reads the profile record
    rig().proxy.arm(WRITE, fault.clone());

    let output = post(&env, &user, "Posted exactly once", extra_env);
    assert_eq!(
        output.code,
        0,
        "{fault:?}: {} / {}\nhayon.log:\n{}",
        output.json,
        output.stderr,
        app_log(&env)
    );
    let uri = output.json[0]["uri"].as_str().expect("reported as posted");
    let posts = posts_on_server(&user).await;
    assert_eq!(posts.len(), 1, "{fault:?}: {posts:?}");
    assert_eq!(
        posts[0]["uri"], uri,
        "the reported post is the one on the server"
    );
    assert_eq!(posts[0]["value"]["text"], "Posted exactly once");
    assert!(
        rig().proxy.count(GET_RECORD) > lookups_before,
        "{fault:?}: the record was looked up before reporting"
    );
    assert_still_connected(&env, &user);
    rig().proxy.count(WRITE)
}

#[tokio::test]
async fn a_lost_answer_after_commit_is_found_not_posted_twice() {
    let creates = posted_exactly_once_despite(Fault::LoseAnswer, &[]).await;
    assert_eq!(creates, 1, "found by lookup; never sent twice");
}

#[tokio::test]
async fn a_502_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Gateway(502));
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_504_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Gateway(504));
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn an_html_200_after_commit_is_found_not_posted_twice() {
    let fault = Fault::ReplaceAnswer(Canned::Html200);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_answer_is_found_not_posted_twice() {
    assert_eq!(
        posted_exactly_once_despite(Fault::ResetMidBody, &[]).await,
        1
    );
}

#[tokio::test]
async fn an_answer_stalled_past_the_timeout_is_found_not_posted_twice() {
    // The timeout knob (README › hayon-cli) keeps the stall short: 2 s timeout, 5 s stall.
    let started = Instant::now();
    let fault = Fault::Stall(Duration::from_secs(5));
    let creates = posted_exactly_once_despite(fault, &[("HAYON_HTTP_TIMEOUT_SECS", "2")]).await;
    assert_eq!(creates, 1);
    assert!(started.elapsed() < Duration::from_secs(30), "no hang");
}

#[tokio::test]
async fn an_endless_answer_after_commit_is_cut_off_and_found() {
    let fault = Fault::ReplaceAnswer(Canned::Endless);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_2_gb_answer_after_commit_is_refused_and_found() {
    let fault = Fault::ReplaceAnswer(Canned::TwoGigabytes);
    assert_eq!(posted_exactly_once_despite(fault, &[]).await, 1);
}

#[tokio::test]
async fn a_request_dropped_before_the_server_is_sent_once_more_under_the_same_key() {
    let creates = posted_exactly_once_despite(Fault::DropRequest, &[]).await;
    assert_eq!(creates, 2, "not on the server, so sent once more");
}

#[tokio::test]
async fn a_write_that_twice_never_arrives_is_reported_as_not_posted() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "twice").await;
    rig().proxy.arm(WRITE, Fault::DropRequest);
    rig().proxy.arm(WRITE, Fault::DropRequest);

    let output = post(&env, &user, "Never arrives", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json[0]["error"]["code"], "network",
        "{}",
        output.json
    );
    assert_eq!(
        rig().proxy.count(WRITE),
        2,
        "one retry under the same key, no more"
    );
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_lost_upload_answer_and_a_502_do_not_fail_the_post() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "upload").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 64, 48);
    rig().proxy.arm(UPLOAD, Fault::LoseAnswer);
    rig()
        .proxy
        .arm(UPLOAD, Fault::ReplaceAnswer(Canned::Gateway(502)));

    let output = env.run(
        &[
            "post",
            "--account",
            &user.handle,
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A photo",
        ],
        "With a photo",
    );
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    assert_eq!(
        rig().proxy.count(UPLOAD),
        3,
        "uploaded again after each failure"
    );
    assert_eq!(rig().proxy.count(WRITE), 1);
    let posts = posts_on_server(&user).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]["value"]["embed"]["images"][0]["alt"], "A photo",
        "{posts:?}"
    );
}

#[tokio::test]
async fn a_401_on_get_profile_is_not_a_logout() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "prof").await;
    rig()
        .pds
        .put_profile(&user, "Fault Tester", "Profile from the record")
        .await;
    // As when the PDS relays a 401 from the app view: the session itself is fine.
    rig().proxy.arm_always(
        GET_PROFILE,
        Fault::Answer(Canned::xrpc_error(
            401,
            "AuthenticationRequired",
            "upstream refused the token",
            &[],
        )),
    );

    let output = env.run(&["account", "refresh", &user.handle], "");
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    assert_eq!(
        output.json["displayName"], "Fault Tester",
        "{}",
        output.json
    );
    assert_eq!(
        output.json["health"]["needsReconnection"], false,
        "{}",
        output.json
    );
    assert_eq!(output.json["health"]["status"], "active", "{}", output.json);
    assert!(rig().proxy.count(GET_PROFILE) >= 1);
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_401_on_upload_blob_fails_that_post_only() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "up401").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 64, 48);
    rig().proxy.arm_always(
        UPLOAD,
        Fault::Answer(Canned::xrpc_error(
            401,
            "AuthenticationRequired",
            "blob upload refused",
            &[],
        )),
    );

    let output = env.run(
        &[
            "post",
            "--account",
            &user.handle,
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A photo",
        ],
        "With a photo",
    );
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "server_error", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("AuthenticationRequired"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 0, "no record without its image");
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);

    // The session is alive: once uploads work again, posting works.
    rig().proxy.reset();
    let again = post(&env, &user, "Still connected", &[]);
    assert_eq!(again.code, 0, "{}", again.json);
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A 429 on the first applyWrites, then the post goes through, no earlier than `not_before`.
async fn rate_limited_then_posted(headers: &[(&str, &str)], not_before: SystemTime) {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "rl").await;
    rig().proxy.arm(
        WRITE,
        Fault::Answer(Canned::xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            headers,
        )),
    );
    let output = post(&env, &user, "After the pause", &[]);
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    let arrivals = rig().proxy.arrivals(WRITE);
    assert_eq!(arrivals.len(), 2, "sent again after the pause");
    // The headers have whole seconds; allow for clock rounding only.
    assert!(
        arrivals[1] + Duration::from_millis(50) >= not_before,
        "sent again before the time the server named"
    );
    assert_eq!(posts_on_server(&user).await.len(), 1);
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_short_rate_limit_reset_is_waited_out() {
    let reset = unix_now() + 3;
    rate_limited_then_posted(
        &[
            ("RateLimit-Limit", "30"),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", &reset.to_string()),
        ],
        SystemTime::UNIX_EPOCH + Duration::from_secs(reset),
    )
    .await;
}

#[tokio::test]
async fn a_short_retry_after_date_is_waited_out() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let not_before = httpdate::parse_http_date(&date).expect("an HTTP date");
    rate_limited_then_posted(&[("Retry-After", &date)], not_before).await;
}

#[tokio::test]
async fn a_long_retry_after_date_fails_at_once_saying_how_long() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "rllong").await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(600));
    rig().proxy.arm(
        WRITE,
        Fault::Answer(Canned::xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            &[("Retry-After", &date)],
        )),
    );
    let started = Instant::now();
    let output = post(&env, &user, "Not now", &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "not left hanging"
    );
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "rate_limited", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("10 minutes"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 1);
    assert!(posts_on_server(&user).await.is_empty());
    assert_still_connected(&env, &user);
}

/// Runs the CLI and samples its peak resident memory (`VmHWM`, in KiB) until it exits.
fn run_measuring_peak(env: &CliEnv, args: &[&str]) -> (CliOutput, u64) {
    let mut child = env
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hayon-cli");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    while child.try_wait().expect("wait").is_none() {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        if let Some(kib) = status.lines().find_map(|line| {
            line.strip_prefix("VmHWM:")?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        }) {
            peak_kib = peak_kib.max(kib);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(stdout.trim()).expect("one JSON document");
    let output = CliOutput {
        code: output.status.code().unwrap_or(-1),
        json,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (output, peak_kib)
}

#[tokio::test]
async fn a_2_gb_answer_to_a_read_is_a_clear_error_not_a_hang() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "huge").await;
    rig()
        .proxy
        .arm(GET_SESSION, Fault::Answer(Canned::TwoGigabytes));
    let started = Instant::now();
    let (output, peak_kib) = run_measuring_peak(&env, &["account", "check", &user.handle]);
    assert!(started.elapsed() < Duration::from_secs(15), "no hang");
    assert!(peak_kib < 100 * 1024, "peak memory {peak_kib} KiB");
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert!(
        output.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("larger than"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(GET_SESSION), 1, "not asked again");
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn an_endless_answer_to_a_read_is_a_clear_error_not_a_hang() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "endless").await;
    rig().proxy.arm(GET_SESSION, Fault::Answer(Canned::Endless));
    let started = Instant::now();
    let (output, peak_kib) = run_measuring_peak(&env, &["account", "check", &user.handle]);
    assert!(started.elapsed() < Duration::from_secs(15), "no hang");
    assert!(peak_kib < 100 * 1024, "peak memory {peak_kib} KiB");
    eprintln!(
        "endless answer: peak {peak_kib} KiB in {:?}",
        started.elapsed()
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_server_that_is_down_is_a_network_error_and_keeps_the_account() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "down").await;
    rig().proxy.set_down(true);

    let output = post(&env, &user, "Nobody home", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json[0]["error"]["code"], "network",
        "{}",
        output.json
    );
    let check = env.run(&["account", "check", &user.handle], "");
    assert_eq!(check.code, 1, "{}", check.json);
    assert_eq!(check.error_code(), "network", "{}", check.json);
    assert_still_connected(&env, &user);
    assert!(posts_on_server(&user).await.is_empty());

    rig().proxy.set_down(false);
    let back = post(&env, &user, "Back again", &[]);
    assert_eq!(back.code, 0, "{}", back.json);
    assert_eq!(posts_on_server(&user).await.len(), 1);
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused_before_any_request() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    // Refused while the request is built: nothing is sent to that address.
    let output = env.connect(
        "alice.test",
        "abcd-efgh-ijkl-mnop",
        "http://pds.example.com",
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(output.error_code(), "validation", "{}", output.json);
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("https://pds.example.com"), "{message}");
    assert!(env.list().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_redirected_login_is_not_followed_to_another_address() {
    let _proxy = exclusive().await;
    keychain::require_secret_service();
    // Another address on this machine that must never see the app password.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    elsewhere.set_nonblocking(true).expect("non-blocking");
    let target = format!(
        "http://127.0.0.1:{}/xrpc/{CREATE_SESSION}",
        elsewhere.local_addr().expect("addr").port()
    );
    rig().proxy.arm(
        CREATE_SESSION,
        Fault::Answer(Canned::Json {
            status: 307,
            headers: vec![("Location".to_owned(), target)],
            body: serde_json::json!({}),
        }),
    );
    let user = rig().pds.create_user("redir").await;
    let app_password = rig().pds.create_app_password(&user, "hayon").await;

    let env = CliEnv::new();
    let output = env.connect(&user.handle, &app_password, &rig().proxy.url);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("redirect") && message.contains("127.0.0.1"),
        "{message}"
    );
    assert_eq!(rig().proxy.count(CREATE_SESSION), 1);
    assert!(
        matches!(elsewhere.accept(), Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
        "the redirect was followed"
    );
    assert!(env.list().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_write_whose_fate_cannot_be_checked_says_so() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "unsure").await;
    let lookups_before = rig().proxy.count(GET_RECORD); // connecting reads the profile record
    rig()
        .proxy
        .arm(WRITE, Fault::ReplaceAnswer(Canned::Gateway(502)));
    rig()
        .proxy
        .arm_always(GET_RECORD, Fault::Answer(Canned::Gateway(503)));

    let output = post(&env, &user, "Maybe posted", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    let error = &output.json[0]["error"];
    assert_eq!(error["code"], "server_error", "{}", output.json);
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("could not check whether the post was published"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(WRITE), 1, "not sent again blindly");
    assert_eq!(
        rig().proxy.count(GET_RECORD) - lookups_before,
        3,
        "the lookup was tried three times\nhayon.log:\n{}",
        app_log(&env)
    );
    // It was in fact posted (the 502 came after the commit): the message was right to warn.
    assert_eq!(posts_on_server(&user).await.len(), 1);
    assert_still_connected(&env, &user);

    // Once the server answers again, a retry finds the post instead of writing it again.
    rig().proxy.reset();
    let entries = env.run(&["outbox", "list"], "").expect_ok();
    let id = entries[0]["id"]
        .as_str()
        .expect("the post waits in the outbox");
    let retried = env.run(&["outbox", "retry", id], "").expect_ok();
    let posts = posts_on_server(&user).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(retried[0]["uri"], posts[0]["uri"]);
    assert_eq!(rig().proxy.count(WRITE), 0, "found, not written again");
}
