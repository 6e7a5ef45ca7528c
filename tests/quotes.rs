//! Quote posts through `hayon-cli post --quote` and `--composition`, against the reference PDS: an
//! existing post quoted by its at:// URI (`embed.record`), by its bsky.app link with an image
//! (`embed.recordWithMedia`), from the second post of a thread given as a composition file, and a
//! quote of a post that does not exist refused whole with `not_found`, with nothing posted or kept.

use harness::cli::CliEnv;
use harness::images;
use harness::keychain;
use harness::pds::{pds, TestUser};
use serde_json::{json, Value};

const POSTS: &str = "app.bsky.feed.post";

/// A post by `user` (through the CLI), as the server has it: `{uri, cid, value}`.
async fn original(env: &CliEnv, user: &TestUser, text: &str) -> Value {
    let results = env
        .run(&["post", "--account", &user.handle, "--no-link-card"], text)
        .expect_ok();
    let uri = results[0]["uri"].as_str().expect("uri");
    pds()
        .find_record(&user.did, POSTS, uri.rsplit('/').next().expect("rkey"))
        .await
        .expect("the original is on the server")
}

fn strong(record: &Value) -> Value {
    json!({"uri": record["uri"], "cid": record["cid"]})
}

fn rkey(uri: &Value) -> String {
    uri.as_str()
        .and_then(|uri| uri.rsplit('/').next())
        .expect("rkey")
        .to_owned()
}

#[tokio::test]
async fn a_post_quoted_by_uri_is_embedded_as_a_record() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qa").await;
    let bob = env.connect_new_user("qb").await;
    let quoted = original(&env, &bob, "Worth quoting").await;

    let uri = quoted["uri"].as_str().expect("uri");
    let results = env
        .run(
            &["post", "--account", &alice.handle, "--quote", uri],
            "So true",
        )
        .expect_ok();
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(record["text"], "So true");
    assert_eq!(
        record["embed"],
        json!({"$type": "app.bsky.embed.record", "record": strong(&quoted)})
    );
}

#[tokio::test]
async fn a_post_quoted_by_its_bsky_app_link_with_an_image_is_embedded_with_its_media() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qc").await;
    let bob = env.connect_new_user("qd").await;
    let quoted = original(&env, &bob, "A picture would help").await;
    let link = format!(
        "https://bsky.app/profile/{}/post/{}",
        bob.handle,
        rkey(&quoted["uri"])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 800, 600);

    let results = env
        .run(
            &[
                "post",
                "--account",
                &alice.did,
                "--quote",
                &link,
                "--image",
                photo.to_str().expect("path"),
                "--alt",
                "The picture",
            ],
            "Here it is",
        )
        .expect_ok();
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    let embed = &record["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.recordWithMedia", "{record}");
    assert_eq!(
        embed["record"],
        json!({"$type": "app.bsky.embed.record", "record": strong(&quoted)})
    );
    assert_eq!(embed["media"]["$type"], "app.bsky.embed.images");
    assert_eq!(embed["media"]["images"][0]["alt"], "The picture");
    assert_eq!(
        embed["media"]["images"][0]["aspectRatio"],
        json!({"width": 800, "height": 600})
    );
}

#[tokio::test]
async fn a_thread_from_a_composition_file_quotes_in_its_second_post() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qe").await;
    let bob = env.connect_new_user("qf").await;
    let quoted = original(&env, &bob, "The thing being discussed").await;
    let link = format!(
        "https://bsky.app/profile/{}/post/{}",
        bob.did,
        rkey(&quoted["uri"])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("thread.json");
    let composition = json!({
        "posts": [{"text": "A thread about a post"}, {"text": "This one:", "quote": link}],
        "accounts": [alice.handle],
        "langs": ["en"],
        "whoCanReply": {"kind": "nobody"},
    });
    std::fs::write(&file, composition.to_string()).expect("write");

    let results = env
        .run(&["post", "--composition", file.to_str().expect("path")], "")
        .expect_ok();
    let posts = results[0]["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 2);
    let first = pds()
        .read_record(posts[0]["uri"].as_str().expect("uri"))
        .await;
    assert!(first.get("embed").is_none(), "{first}");
    let second = pds()
        .read_record(posts[1]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(second["embed"]["record"], strong(&quoted));
    assert_eq!(second["reply"]["parent"]["uri"], posts[0]["uri"]);
    assert_eq!(second["langs"], json!(["en"]));
    let gate = pds()
        .find_record(
            &alice.did,
            "app.bsky.feed.threadgate",
            &rkey(&posts[0]["uri"]),
        )
        .await
        .expect("nobody may reply: a threadgate");
    assert_eq!(gate["value"]["allow"], json!([]));
}

#[tokio::test]
async fn quoting_a_post_that_does_not_exist_is_not_found_and_posts_nothing() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("qg").await;
    let missing = format!("at://{}/app.bsky.feed.post/3zzzzzzzzzzz2", alice.did);
    let output = env.run(
        &["post", "--account", &alice.handle, "--quote", &missing],
        "Quoting nothing",
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(output.error_code(), "not_found", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{}", output.json);
    assert!(pds().list_records(&alice.did, POSTS).await.is_empty());
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(
        outbox,
        json!([]),
        "nothing is kept for a post that cannot be made"
    );
}
