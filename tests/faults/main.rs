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
//! By what goes wrong: a write's answer lost or mangled (`writes.rs`), a refused session
//! (`sessions.rs`), rate limits (`rate_limits.rs`), hostile answers and addresses (`answers.rs`), a
//! server older than the 2 MB image limit (`older_server.rs`).

mod answers;
mod older_server;
mod rate_limits;
mod sessions;
mod writes;

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

/// `hayon-cli post` of `text` with `photo` (alt text "A photo") to `user`.
fn post_photo(env: &CliEnv, user: &TestUser, photo: &std::path::Path, text: &str) -> CliOutput {
    env.run(
        &[
            "post",
            "--account",
            &user.handle,
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A photo",
        ],
        text,
    )
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
