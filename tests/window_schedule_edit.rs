//! Editing a queued post in the real window (issue 19), in one session against the reference PDS:
//! - "Edit" in the Queue opens the post in the composer (its text, its image with the alt text)
//!   under a banner naming its time, with the draft that was open put aside; Post reads "Save
//!   changes".
//! - The text changed and the image removed, Save changes goes back to the Queue, which (like
//!   `hayon-cli schedule list`) has the new text, and the draft that was open comes back.
//! - Its time moved a few seconds ahead, the running window sends the edited version, once: no post
//!   of the first version, no image.
//! - Stop editing leaves a post as it was.
//! - A post refused on one of its two accounts (by the test's proxy): the Queue links the account
//!   that has it and gives the other's reason; the banner says which keeps what it got; the edit
//!   saved, Retry sends it to the other only.
//!
//! Screenshots land in `target/e2e-screenshots/schedule-edit-*.png`.

use harness::cli::CliEnv;
use harness::fault_proxy::{exclusive, rig, OneRefusing, REFUSAL_MESSAGE};
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::window::{
    click, in_post, poll_until, post_text, screenshot, shown_alt, start_session, text_of,
    type_into_post, wait_for, wait_for_composer,
};
use jiff::Timestamp;
use serde_json::Value;

/// The queued post `id` as `hayon-cli schedule list` gives it.
fn listed(env: &CliEnv, id: &str) -> Option<Value> {
    env.run(&["schedule", "list"], "")
        .expect_ok()
        .as_array()?
        .iter()
        .find(|row| row["id"] == id)
        .cloned()
}

#[tokio::test]
async fn a_queued_post_is_edited_in_the_composer_and_goes_as_edited() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wse").await;
    let photo = images::photo_jpeg(env.path(), "photo.jpg", 800, 600);
    let first = format!("Before the edit {}", harness::unique("w"));
    let id = env.schedule_in(
        3600,
        &[&alice.did],
        &first,
        &[
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A first picture",
        ],
    );
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let open_draft = format!("A draft being written {}", harness::unique("d"));
    type_into_post(&client, 1, &open_draft).await;

    // Edit: the post in the composer, under the banner; the open draft put aside.
    click(&client, "#nav-queue").await;
    let item = format!(".queue-item[data-id=\"{id}\"]");
    click(&client, &format!("{item} .queue-edit")).await;
    wait_for(
        &client,
        "#view-compose:not([hidden]) #editing-banner:not([hidden])",
    )
    .await;
    let banner = text_of(&client, "#editing-banner").await;
    assert!(banner.contains("scheduled for"), "{banner:?}");
    let shown = poll_until(|| post_text(&client, 1), |text| *text == first).await;
    assert_eq!(shown, first);
    let image = in_post(1, ".image-list > li.image-item[data-status=ready]");
    wait_for(&client, &image).await;
    assert_eq!(shown_alt(&client, &image).await, "A first picture");
    assert_eq!(text_of(&client, "#post-submit").await, "Save changes");
    wait_for(&client, "#view-compose[data-editing] #schedule-open").await;
    screenshot(&client, "schedule-edit-1-editing").await;

    // New text, no image: saved, back in the Queue, and the draft that was open is back.
    let second = format!("After the edit {}", harness::unique("w"));
    let field = wait_for(&client, &in_post(1, ".editor-input")).await;
    field.clear().await.expect("clear the text");
    type_into_post(&client, 1, &second).await;
    click(&client, &in_post(1, ".image-remove")).await;
    wait_for(&client, &format!("#thread:not(:has({image}))")).await;
    click(&client, "#post-submit").await;
    wait_for(&client, &format!("#view-queue:not([hidden]) {item}")).await;
    let edited = poll_until(
        || async { listed(&env, &id) },
        |row| row.as_ref().is_some_and(|row| row["text"] == second),
    )
    .await
    .expect("still queued");
    assert_eq!(edited["text"], second.as_str(), "{edited}");
    let words = poll_until(|| text_of(&client, &item), |text| text.contains(&second)).await;
    assert!(words.contains(&second), "{words:?}");
    screenshot(&client, "schedule-edit-2-saved").await;
    click(&client, "#nav-compose").await;
    wait_for(
        &client,
        "#view-compose:not([data-editing]) #editing-banner[hidden]",
    )
    .await;
    let back = poll_until(|| post_text(&client, 1), |text| *text == open_draft).await;
    assert_eq!(back, open_draft, "the draft that was open is back");

    // Moved a few seconds ahead: the window sends the edited version, once.
    let soon = Timestamp::from_second(Timestamp::now().as_second() + 6).expect("a time");
    env.run(&["schedule", "edit", &id, "--at", &soon.to_string()], "")
        .expect_ok();
    let posted = poll_until(
        || async { pds().posts_with_text(&alice.did, &second).await },
        |posts| !posts.is_empty(),
    )
    .await;
    assert_eq!(posted.len(), 1, "the edited version, once");
    assert!(
        posted[0]["value"]["embed"].is_null(),
        "the image was removed: {}",
        posted[0]["value"]
    );
    assert!(pds().posts_with_text(&alice.did, &first).await.is_empty());

    // Stop editing: the post stays as it was.
    let kept = format!("Left as it was {}", harness::unique("k"));
    let kept_id = env.schedule_in(3600, &[&alice.did], &kept, &[]);
    click(&client, "#nav-queue").await;
    let kept_item = format!(".queue-item[data-id=\"{kept_id}\"]");
    click(&client, &format!("{kept_item} .queue-edit")).await;
    poll_until(|| post_text(&client, 1), |text| *text == kept).await;
    type_into_post(&client, 1, " and more").await;
    click(&client, "#editing-stop").await;
    wait_for(&client, &format!("#view-queue:not([hidden]) {kept_item}")).await;
    assert_eq!(
        listed(&env, &kept_id).expect("queued")["text"],
        kept.as_str()
    );
    client.close().await.expect("close session");
}

/// A post that reached one account and was refused on the other: the Queue says which has it, the
/// edit goes to the other only (Retry), and the account that has it keeps what it got.
#[tokio::test]
async fn a_post_that_failed_on_one_account_is_edited_for_that_account_only() {
    keychain::require_secret_service();
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let OneRefusing {
        reached: ana,
        refused: ben,
    } = rig().connect_one_refusing(&env, "ws").await;
    let first = format!("First version {}", harness::unique("f"));
    env.run(
        &["post", "--account", &ana.did, "--account", &ben.did],
        &first,
    );
    let id = env.run(&["outbox", "list"], "").expect_ok()[0]["id"]
        .as_str()
        .expect("the post is in the outbox")
        .to_owned();

    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    click(&client, "#nav-queue").await;
    let item = format!(".queue-item[data-id=\"{id}\"][data-state=failed]");
    let lines = text_of(&client, &format!("{item} .queue-reasons")).await;
    assert!(
        lines.contains(&format!("Posted as @{}", ana.handle)),
        "{lines:?}"
    );
    assert!(lines.contains(REFUSAL_MESSAGE), "{lines:?}");

    click(&client, &format!("{item} .queue-edit")).await;
    wait_for(&client, "#editing-banner:not([hidden])").await;
    let kept = text_of(&client, "#editing-kept").await;
    assert!(
        kept.contains(&format!("@{} has it already", ana.handle)),
        "{kept:?}"
    );
    let second = format!("Second version {}", harness::unique("s"));
    let field = wait_for(&client, &in_post(1, ".editor-input")).await;
    field.clear().await.expect("clear the text");
    type_into_post(&client, 1, &second).await;
    click(&client, "#post-submit").await;
    let shown_words = format!("#view-queue:not([hidden]) {item} .queue-words");
    let words = poll_until(|| text_of(&client, &shown_words), |words| *words == second).await;
    assert_eq!(words, second, "the Queue shows the edit");
    click(&client, &format!("{item} .queue-retry")).await;
    let on_ben = poll_until(
        || async { rig().pds.posts_with_text(&ben.did, &second).await },
        |posts| !posts.is_empty(),
    )
    .await;
    assert_eq!(on_ben.len(), 1, "the edit reached Ben, once");
    assert!(rig().pds.posts_with_text(&ben.did, &first).await.is_empty());
    assert_eq!(pds().posts_with_text(&ana.did, &first).await.len(), 1);
    assert!(pds().posts_with_text(&ana.did, &second).await.is_empty());
    client.close().await.expect("close session");
}
