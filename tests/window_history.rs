//! The Queue's first images and its list of posts sent, in the real window against the reference
//! PDS (issue 19: "first image … Posted ones stay in a short history with links to the posts"):
//! - A queued post with an image shows its first image as a thumbnail, the alt text as its `alt`; a
//!   post without images shows none. "Posted" says what it will hold while nothing has been sent.
//! - A scheduled post the window's sender sends shows under "Posted" with the link to its record on
//!   the PDS, and so does a post sent with the composer's Post; both are still there when the app
//!   is started again on the same data folder.
//!
//! Screenshots land in `target/e2e-screenshots/history-*.png`.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::wait::poll_until;
use harness::window::{
    attr_of, choose_account, click, js_with, screenshot, start_session, stored_text, submit_post,
    type_into_post, wait_for, wait_for_composer,
};
use jiff::Timestamp;

const ALT: &str = "A harbour at dusk, boats moored in a row";

/// The CSS selector of the link of post `id` under "Posted" to the record with key `rkey`.
fn posted_link(id: &str, rkey: &str) -> String {
    format!("#queue-history-list .queue-sent[data-id=\"{id}\"] a.queue-post-link[href$=\"/post/{rkey}\"]")
}

/// The record key of `did`'s post with `text` on the PDS, once it is there.
async fn rkey_of(did: &str, text: &str) -> String {
    let record = poll_until(
        || async { pds().posts_with_text(did, text).await.pop() },
        Option::is_some,
    )
    .await
    .expect("the post is on the PDS");
    record["uri"]
        .as_str()
        .and_then(|uri| uri.rsplit('/').next())
        .expect("an AT URI")
        .to_owned()
}

async fn open_queue(client: &Client) {
    click(client, "#nav-queue").await;
    wait_for(client, "#view-queue:not([hidden]) #queue-loading[hidden]").await;
}

#[tokio::test]
async fn queued_images_show_and_posts_sent_stay_listed_with_their_links_across_a_restart() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wh").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = images::photo_jpeg(dir.path(), "harbour.jpg", 1200, 800);
    let with_image = env.schedule_in(
        3600,
        &[&alice.did],
        &format!("With a photo {}", harness::unique("i")),
        &["--image", photo.to_str().expect("path"), "--alt", ALT],
    );
    let scheduled_text = format!("Sent by the window {}", harness::unique("w"));
    let scheduled = env.schedule_in(3600, &[&alice.did], &scheduled_text, &[]);

    let (driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    open_queue(&client).await;
    wait_for(&client, "#queue-history-empty:not([hidden])").await;

    // The first image, with its alt text; the post without images has none, not even a box.
    let thumb = format!(".queue-item[data-id=\"{with_image}\"] img.queue-thumb:not([hidden])");
    wait_for(&client, &thumb).await;
    assert_eq!(attr_of(&client, &thumb, "alt").await.as_deref(), Some(ALT));
    let src = attr_of(&client, &thumb, "src").await.unwrap_or_default();
    assert!(src.starts_with("data:image/jpeg;base64,"), "{:.40}", src);
    let plain = format!(".queue-item[data-id=\"{scheduled}\"]");
    wait_for(&client, &plain).await;
    let images = js_with(
        &client,
        "return document.querySelectorAll(arguments[0]).length",
        vec![format!("{plain} img").into()],
    )
    .await;
    assert_eq!(images, 0, "no image, no thumbnail");
    screenshot(&client, "history-1-thumbnail").await;

    // Due in a few seconds (the CLI may; the window asks for a minute): the window sends it.
    let soon = Timestamp::from_second(Timestamp::now().as_second() + 5).expect("a time");
    env.run(
        &["schedule", "edit", &scheduled, "--at", &soon.to_string()],
        "",
    )
    .expect_ok();
    let scheduled_rkey = rkey_of(&alice.did, &scheduled_text).await;
    wait_for(&client, &posted_link(&scheduled, &scheduled_rkey)).await;
    wait_for(&client, "#queue-history-empty[hidden]").await;

    // Sent with Post in the composer: listed too, newest first.
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    let posted_text = format!("Posted from the composer {}", harness::unique("p"));
    type_into_post(&client, 1, &posted_text).await;
    choose_account(&client, &alice.did).await;
    let link = submit_post(&client).await;
    let posted_rkey = link.rsplit('/').next().expect("a key").to_owned();
    let posted = stored_text(
        &env,
        &format!("SELECT id FROM posted_history WHERE text = '{posted_text}'"),
    );
    assert!(!posted.is_empty(), "the composer's post is in the history");
    open_queue(&client).await;
    let newest = format!(
        "#queue-history-list > .queue-sent:first-child[data-id=\"{posted}\"] a.queue-post-link[href$=\"/post/{posted_rkey}\"]"
    );
    wait_for(&client, &newest).await;
    screenshot(&client, "history-2-posted").await;
    client.close().await.expect("close session");
    drop(driver);

    // Started again on the same data folder: both are still listed, with their links.
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    open_queue(&client).await;
    wait_for(&client, &newest).await;
    wait_for(&client, &posted_link(&scheduled, &scheduled_rkey)).await;
    client.close().await.expect("close session");
}
