//! Threads end to end through `hayon-cli`, against the reference PDS behind the fault proxy: a thread
//! with images to two accounts read back record by record (replies, CIDs, threadgate, postgates,
//! self-labels), all-or-nothing when the server refuses one post, never twice when the process dies
//! while the write's answer is on its way, and one account's failure leaving the other alone.
//!
//! The tests share the proxy, so they run one at a time.

use harness::cli::{CliEnv, CliOutput};
use harness::fault_proxy::{exclusive, rig, Fault, RequestEdit};
use harness::images;
use harness::keychain;
use harness::pds::TestUser;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WRITE: &str = "com.atproto.repo.applyWrites";
const POSTS: &str = "app.bsky.feed.post";
const THREADGATE: &str = "app.bsky.feed.threadgate";
const POSTGATE: &str = "app.bsky.feed.postgate";

/// A new account connected through the proxy.
async fn connected(env: &CliEnv, prefix: &str) -> TestUser {
    keychain::require_secret_service();
    let user = rig().pds.create_user(prefix).await;
    let app_password = rig().pds.create_app_password(&user, "hayon").await;
    env.connect(&user.handle, &app_password, &rig().proxy.url)
        .expect_ok();
    user
}

/// A text file per post, in `dir`.
fn texts(dir: &Path, texts: &[&str]) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let path = dir.join(format!("post-{index}.txt"));
            std::fs::write(&path, text).expect("write text");
            path
        })
        .collect()
}

fn path(file: &Path) -> &str {
    file.to_str().expect("utf-8 path")
}

/// `post --account ACCOUNT --text-file F…`: one post of the thread per file.
fn post_thread<'a>(account: &'a str, files: &'a [PathBuf]) -> Vec<&'a str> {
    let mut args = vec!["post", "--account", account];
    for file in files {
        args.extend(["--text-file", path(file)]);
    }
    args
}

fn rkey(uri: &str) -> &str {
    uri.rsplit('/').next().expect("rkey")
}

fn app_log(env: &CliEnv) -> String {
    std::fs::read_to_string(env.path().join("hayon.log")).unwrap_or_default()
}

fn outbox_list(env: &CliEnv) -> Vec<Value> {
    match env.run(&["outbox", "list"], "").expect_ok() {
        Value::Array(entries) => entries,
        other => panic!("outbox list is not an array: {other}"),
    }
}

#[tokio::test]
async fn a_three_post_thread_with_images_reaches_two_accounts_with_replies_gates_and_labels() {
    let _turn = exclusive().await;
    let env = CliEnv::new();
    let alice = connected(&env, "tha").await;
    let bob = connected(&env, "thb").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let files = texts(
        dir.path(),
        &[
            "A thread 🧵 1/3",
            "Second, with a picture 2/3",
            "The end 3/3",
        ],
    );
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 1200, 800);
    let logo = images::transparent_png(dir.path(), "logo.png", 300, 100);

    let output = env.run(
        &[
            "post",
            "--account",
            &alice.handle,
            "--account",
            &bob.did,
            "--text-file",
            path(&files[0]),
            "--image",
            path(&photo),
            "--alt",
            "A photo",
            "--text-file",
            path(&files[1]),
            "--image",
            path(&logo),
            "--alt",
            "A logo",
            "--label",
            "graphic-media",
            "--text-file",
            path(&files[2]),
            "--reply",
            "mentioned,following",
            "--no-quotes",
            "--lang",
            "en",
        ],
        "",
    );
    assert_eq!(
        output.code,
        0,
        "{} / {}\n{}",
        output.json,
        output.stderr,
        app_log(&env)
    );
    let results = output.json.as_array().expect("one entry per account");
    assert_eq!(results.len(), 2);
    assert_eq!(rig().proxy.count(WRITE), 2, "one applyWrites per account");

    for (result, user) in results.iter().zip([&alice, &bob]) {
        assert_eq!(result["account"], user.did.as_str());
        assert_eq!(result["handle"], user.handle.as_str());
        let posts = result["posts"].as_array().expect("posts");
        assert_eq!(posts.len(), 3, "{result}");
        assert_eq!(result["uri"], posts[0]["uri"]);
        assert_eq!(result["cid"], posts[0]["cid"]);
        assert_eq!(result["url"], posts[0]["url"]);

        // Every post read back: the server's CID is the one the answer gave, and each reply names
        // its root and parent by the CIDs the client computed before they existed.
        let mut read = Vec::new();
        for (index, posted) in posts.iter().enumerate() {
            let uri = posted["uri"].as_str().expect("uri");
            assert!(
                uri.starts_with(&format!("at://{}/{POSTS}/", user.did)),
                "{uri}"
            );
            assert_eq!(
                posted["url"],
                format!(
                    "https://bsky.app/profile/{}/post/{}",
                    user.handle,
                    rkey(uri)
                )
                .as_str()
            );
            let record = rig()
                .pds
                .find_record(&user.did, POSTS, rkey(uri))
                .await
                .unwrap_or_else(|| panic!("post {index} is missing"));
            assert_eq!(
                record["cid"], posted["cid"],
                "the answer's CID is the record's"
            );
            read.push(record);
        }
        let strong = |index: usize| json!({"uri": read[index]["uri"], "cid": read[index]["cid"]});
        let value = |index: usize| &read[index]["value"];
        assert_eq!(value(0)["text"], "A thread 🧵 1/3");
        assert!(
            value(0).get("reply").is_none(),
            "the root replies to nothing"
        );
        assert_eq!(
            value(1)["reply"],
            json!({"root": strong(0), "parent": strong(0)})
        );
        assert_eq!(
            value(2)["reply"],
            json!({"root": strong(0), "parent": strong(1)})
        );
        assert_eq!(value(2)["text"], "The end 3/3");
        for index in 0..3 {
            assert_eq!(value(index)["langs"], json!(["en"]));
        }
        assert_eq!(value(0)["embed"]["images"][0]["alt"], "A photo");
        assert_eq!(value(1)["embed"]["images"][0]["alt"], "A logo");
        assert!(value(2).get("embed").is_none());
        assert!(value(0).get("labels").is_none());
        assert_eq!(
            value(1)["labels"],
            json!({"$type": "com.atproto.label.defs#selfLabels", "values": [{"val": "graphic-media"}]})
        );

        // The threadgate under the root's key, with the chosen rules.
        let root_key = rkey(read[0]["uri"].as_str().expect("uri"));
        let gate = rig()
            .pds
            .find_record(&user.did, THREADGATE, root_key)
            .await
            .expect("a threadgate under the root's key");
        assert_eq!(gate["value"]["post"], read[0]["uri"]);
        assert_eq!(
            gate["value"]["allow"],
            json!([{"$type": "app.bsky.feed.threadgate#mentionRule"},
                   {"$type": "app.bsky.feed.threadgate#followingRule"}])
        );
        assert_eq!(rig().pds.list_records(&user.did, THREADGATE).await.len(), 1);

        // A postgate under each post's key: nobody may quote them.
        for record in &read {
            let uri = record["uri"].as_str().expect("uri");
            let gate = rig()
                .pds
                .find_record(&user.did, POSTGATE, rkey(uri))
                .await
                .expect("a postgate under the post's key");
            assert_eq!(gate["value"]["post"], uri);
            assert_eq!(
                gate["value"]["embeddingRules"],
                json!([{"$type": "app.bsky.feed.postgate#disableRule"}])
            );
        }
        assert_eq!(rig().pds.list_records(&user.did, POSTS).await.len(), 3);
    }
    assert!(
        outbox_list(&env).is_empty(),
        "a thread posted everywhere leaves the outbox"
    );
}

#[tokio::test]
async fn a_thread_whose_third_post_the_server_refuses_leaves_nothing_on_the_account() {
    let _turn = exclusive().await;
    let env = CliEnv::new();
    let alice = connected(&env, "aon").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let files = texts(dir.path(), &["One", "Two", "Three"]);
    // The app checks every text itself, so only the network can make the third one too long.
    rig().proxy.arm(
        WRITE,
        Fault::EditRequest(RequestEdit::new(|body| {
            body["writes"][2]["value"]["text"] = Value::String("x".repeat(3001));
        })),
    );
    let mut args = post_thread(&alice.handle, &files);
    args.extend(["--reply", "nobody", "--no-quotes"]);
    let output = env.run(&args, "");
    assert_eq!(output.code, 1, "{}", output.json);
    let result = &output.json[0];
    assert_eq!(result["account"], alice.did.as_str());
    let message = result["error"]["message"].as_str().expect("an error");
    assert!(
        message.contains("writes[2]") || message.contains("3000"),
        "{message}"
    );
    assert_eq!(
        rig().proxy.count(WRITE),
        1,
        "a clear refusal is not sent again"
    );
    for collection in [POSTS, THREADGATE, POSTGATE] {
        let records = rig().pds.list_records(&alice.did, collection).await;
        assert!(records.is_empty(), "{collection}: {records:?}");
    }
    let entries = outbox_list(&env);
    assert_eq!(entries.len(), 1, "the failed post stays to be retried");
    assert_eq!(entries[0]["accounts"][0]["state"], "failed");

    // Given up on: it leaves the outbox, and nothing is written.
    let id = entries[0]["id"].as_str().expect("id");
    let discarded = env.run(&["outbox", "discard", id], "").expect_ok();
    assert_eq!(discarded, json!({"id": id, "discarded": true}));
    assert!(outbox_list(&env).is_empty());
    let again = env.run(&["outbox", "retry", id], "");
    assert_eq!(again.error_code(), "not_found", "{}", again.json);
    assert_eq!(rig().proxy.count(WRITE), 1);
}

#[tokio::test]
async fn a_process_killed_while_its_write_is_answered_never_posts_twice() {
    let _turn = exclusive().await;
    let env = CliEnv::new();
    let alice = connected(&env, "kil").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let files = texts(dir.path(), &["Crash 1/3", "Crash 2/3", "Crash 3/3"]);
    // The server commits; its answer is held back while the process is killed.
    rig()
        .proxy
        .arm(WRITE, Fault::Stall(Duration::from_secs(25)));
    let mut child = env
        .command(&post_thread(&alice.handle, &files))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn hayon-cli");
    let deadline = Instant::now() + Duration::from_secs(20);
    while rig().pds.list_records(&alice.did, POSTS).await.len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the thread never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().expect("kill");
    child.wait().expect("reaped");

    let entries = outbox_list(&env);
    assert_eq!(entries.len(), 1, "the row survives the crash: {entries:?}");
    let account = &entries[0]["accounts"][0];
    assert_eq!(account["state"], "pending", "{account}");
    assert_eq!(account["attempts"], 1, "{account}");
    let id = entries[0]["id"].as_str().expect("id");

    let retried = env.run(&["outbox", "retry", id], "");
    assert_eq!(retried.code, 0, "{} / {}", retried.json, retried.stderr);
    let posts = retried.json[0]["posts"]
        .as_array()
        .expect("reported posted");
    assert_eq!(posts.len(), 3);
    assert_eq!(
        rig().proxy.count(WRITE),
        1,
        "found by looking up, never written again"
    );
    let on_server = rig().pds.list_records(&alice.did, POSTS).await;
    assert_eq!(on_server.len(), 3, "exactly one copy: {on_server:?}");
    for posted in posts {
        assert!(on_server
            .iter()
            .any(|record| record["uri"] == posted["uri"] && record["cid"] == posted["cid"]));
    }
    assert!(outbox_list(&env).is_empty());
}

#[tokio::test]
async fn one_account_failing_leaves_the_other_alone_and_retry_posts_only_the_failed_one() {
    let _turn = exclusive().await;
    let env = CliEnv::new();
    let working = connected(&env, "okt").await;
    let broken = connected(&env, "dnt").await;
    env.route_account_through(&broken.did, "http://127.0.0.1:9");
    let dir = tempfile::tempdir().expect("tempdir");
    let files = texts(dir.path(), &["Partly 1/2", "Partly 2/2"]);
    let args = [
        "post",
        "--account",
        &working.handle,
        "--account",
        &broken.handle,
        "--text-file",
        path(&files[0]),
        "--text-file",
        path(&files[1]),
    ];
    let output: CliOutput = env.run(&args, "");
    assert_eq!(output.code, 1, "a partial failure exits 1: {}", output.json);
    assert_eq!(
        output.json[0]["posts"].as_array().map(Vec::len),
        Some(2),
        "{}",
        output.json
    );
    assert_eq!(
        output.json[1]["error"]["code"], "network",
        "{}",
        output.json
    );
    let entries = outbox_list(&env);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["accounts"][0]["state"], "posted");
    assert_eq!(entries[0]["accounts"][1]["state"], "failed");
    let id = entries[0]["id"].as_str().expect("id").to_owned();

    // The server is back: retry writes only to the account that failed.
    env.route_account_through(&broken.did, &rig().proxy.url);
    let writes_before = rig().proxy.count(WRITE);
    let retried = env.run(&["outbox", "retry", &id], "");
    assert_eq!(retried.code, 0, "{} / {}", retried.json, retried.stderr);
    assert_eq!(
        rig().proxy.count(WRITE) - writes_before,
        1,
        "only the failed account is written"
    );
    assert_eq!(
        retried.json[0]["uri"], output.json[0]["uri"],
        "the first account's thread is kept"
    );
    assert_eq!(retried.json[1]["posts"].as_array().map(Vec::len), Some(2));
    assert_eq!(rig().pds.list_records(&working.did, POSTS).await.len(), 2);
    assert_eq!(rig().pds.list_records(&broken.did, POSTS).await.len(), 2);
    assert!(outbox_list(&env).is_empty());
}
