//! Editing a post on its way through `hayon-cli schedule edit ID --composition FILE`, against the
//! reference PDS and the real keychain: a queued post goes as edited (a thread that grew, a new
//! image staged when edited, the old staged image let go), once; a post that reached one account and
//! failed on another sends the edit to the other only, and the account that has it keeps what it got
//! and cannot be taken off it.

use harness::cli::CliEnv;
use harness::fault_proxy::{exclusive, rig, OneRefusing};
use harness::images;
use harness::keychain;
use harness::pds::pds;
use serde_json::{json, Value};
use std::path::Path;

/// `composition` written to a file in `env`'s folder, for `--composition`.
fn composition_file(env: &CliEnv, name: &str, composition: &Value) -> String {
    let file = env.path().join(name);
    std::fs::write(&file, composition.to_string()).expect("write the composition");
    file.to_string_lossy().into_owned()
}

/// The staged copies in the data folder.
fn staged(env: &CliEnv) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(env.path().join("attachments")) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

fn image(dir: &Path, name: &str) -> String {
    images::photo_jpeg(dir, name, 640, 480)
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn a_queued_post_goes_as_edited_and_once() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let ana = env.connect_new_user("edq").await;
    let before = format!("Before the edit {}", harness::unique("e"));
    let first = image(env.path(), "first.jpg");
    let id = env.schedule_in(
        3600,
        &[&ana.did],
        &before,
        &["--image", &first, "--alt", "The first picture"],
    );
    let queued = env.run(&["schedule", "list"], "").expect_ok()[0].clone();
    let staged_before = staged(&env);
    assert_eq!(staged_before.len(), 1, "{staged_before:?}");

    let after = format!("After the edit {}", harness::unique("e"));
    let second = image(env.path(), "second.jpg");
    let edit = composition_file(
        &env,
        "edit.json",
        &json!({
            "accounts": [ana.did],
            "langs": ["en"],
            "posts": [
                {"text": after, "images": [{"path": second, "alt": "The second picture"}]},
                {"text": format!("{after}, continued")},
            ],
        }),
    );
    let edited = env
        .run(&["schedule", "edit", &id, "--composition", &edit], "")
        .expect_ok();
    assert_eq!(edited["id"], id.as_str(), "{edited}");
    assert_eq!(edited["at"], queued["at"], "the time stays: {edited}");
    let listed = env.run(&["schedule", "list"], "").expect_ok();
    assert_eq!(listed[0]["text"], after.as_str(), "{listed}");
    // The new image was staged (the file named may go), the one no longer used let go.
    std::fs::remove_file(&second).expect("remove the original");
    let staged_after = staged(&env);
    assert_eq!(staged_after.len(), 1, "{staged_after:?}");
    assert_ne!(staged_after, staged_before);

    let sent = env.run(&["schedule", "send", &id], "").expect_ok();
    assert!(sent[0]["uri"].is_string(), "{sent}");
    let posted = pds().posts_with_text(&ana.did, &after).await;
    assert_eq!(posted.len(), 1, "the edited post, once");
    let embed = &posted[0]["value"]["embed"];
    assert_eq!(embed["images"][0]["alt"], "The second picture", "{embed}");
    let reply = pds()
        .posts_with_text(&ana.did, &format!("{after}, continued"))
        .await;
    assert_eq!(reply.len(), 1, "the thread grew by a post");
    assert_eq!(
        reply[0]["value"]["reply"]["root"]["uri"], posted[0]["uri"],
        "the new post replies to the edited root"
    );
    assert!(pds().posts_with_text(&ana.did, &before).await.is_empty());
    assert!(
        staged(&env).is_empty(),
        "the staged copy went with the post"
    );
}

#[tokio::test]
async fn an_edit_goes_only_to_the_accounts_that_do_not_have_the_post() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    // Ben's server (behind the test's proxy) refuses the first write: the post reaches Ana only.
    let OneRefusing {
        reached: ana,
        refused: ben,
    } = rig().connect_one_refusing(&env, "ed").await;
    let first = format!("First version {}", harness::unique("p"));
    let partly = env.run(
        &["post", "--account", &ana.did, "--account", &ben.did],
        &first,
    );
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    let id = outbox[0]["id"].as_str().expect("an outbox row").to_owned();
    assert_eq!(
        outbox[0]["accounts"][1]["state"], "failed",
        "{outbox} {}",
        partly.json
    );

    let second = format!("Second version {}", harness::unique("p"));
    let without_ana = composition_file(
        &env,
        "without-ana.json",
        &json!({"accounts": [ben.did], "posts": [{"text": second}]}),
    );
    let kept = env.run(
        &["schedule", "edit", &id, "--composition", &without_ana],
        "",
    );
    assert_eq!(kept.error_code(), "validation", "{}", kept.json);
    assert!(
        kept.json
            .to_string()
            .contains(&format!("@{} has this post already", ana.handle)),
        "{}",
        kept.json
    );
    let both = composition_file(
        &env,
        "both.json",
        &json!({"accounts": [ana.did, ben.did], "posts": [{"text": second}]}),
    );
    env.run(&["schedule", "edit", &id, "--composition", &both], "")
        .expect_ok();

    env.run(&["outbox", "retry", &id], "").expect_ok();
    assert_eq!(pds().posts_with_text(&ana.did, &first).await.len(), 1);
    assert!(pds().posts_with_text(&ana.did, &second).await.is_empty());
    assert_eq!(rig().pds.posts_with_text(&ben.did, &second).await.len(), 1);
    assert!(rig().pds.posts_with_text(&ben.did, &first).await.is_empty());
    assert_eq!(
        env.run(&["outbox", "list"], "").expect_ok(),
        json!([]),
        "done everywhere"
    );
}
