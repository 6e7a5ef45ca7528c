//! The real window under WebDriver (issue #8): live data, drafts and the outbox.
//! - An account connected with the CLI appears in the open window by itself (the database watch,
//!   src-tauri/src/watch.rs, which looks every 500 ms; how fast is not a test's claim on a busy
//!   machine); Ctrl+R re-reads without reloading the page or losing the draft.
//! - Discard empties the composer and Undo brings everything back (texts, an image with its alt text,
//!   the reply setting); once Undo has expired the draft's staged image is deleted. The Undo notice
//!   never covers the action bar, and "Draft saved" goes with the discarded draft.
//! - The drafts list: two drafts, switching between them, deleting one; it survives a restart.
//! - A thread whose post failed is removed from the outbox in the window; the draft keeps its image.
//!
//! Screenshots land in `target/e2e-screenshots/drafts-*.png`.

use fantoccini::{Client, Locator};
use harness::cli::CliEnv;
use harness::fault_proxy::{self, rig, Fault};
use harness::keychain;
use harness::window::{
    add_post, assert_becomes, attach_image, click, describe_image, in_post, js, poll_until,
    post_text, resize, screenshot, shown_alt, staged_files, start_session, text_of, type_into_post,
    wait_for, wait_for_composer, with_element, POST_ON,
};
use std::path::PathBuf;

/// Waits until post `n` shows `text`, and asserts it.
async fn assert_post_text(client: &Client, n: usize, text: &str) {
    assert_becomes(&format!("post {n}"), text.to_owned(), || {
        post_text(client, n)
    })
    .await;
}

/// The excerpts of the drafts list, in order (read in one go: the list is re-rendered as drafts are
/// saved).
async fn listed_drafts(client: &Client) -> Vec<String> {
    let texts = client
        .execute(
            "return [...document.querySelectorAll('#draft-list .draft-excerpt')].map((e) => e.textContent)",
            vec![],
        )
        .await
        .expect("drafts list");
    serde_json::from_value(texts).expect("a list of texts")
}

/// The CSS selector of the listed draft whose excerpt is `text`.
async fn draft_item(client: &Client, text: &str) -> String {
    let id = client
        .execute(
            "return [...document.querySelectorAll('#draft-list .draft-item')]
               .find((li) => li.querySelector('.draft-excerpt').textContent === arguments[0])
               ?.dataset.draftId ?? null",
            vec![serde_json::json!(text)],
        )
        .await
        .expect("find the draft");
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("no listed draft reads {text:?}"))
        .to_owned();
    format!("#draft-list .draft-item[data-draft-id=\"{id}\"]")
}

/// `listed`, sorted (the list is ordered by last change, which opening a draft may touch).
fn sorted(mut listed: Vec<String>) -> Vec<String> {
    listed.sort();
    listed
}

async fn open_drafts_list(client: &Client) {
    let open = client
        .execute("return document.getElementById('drafts').open", vec![])
        .await
        .expect("read the list's state");
    if open != serde_json::Value::Bool(true) {
        click(client, "#drafts > summary").await;
    }
    wait_for(client, "#drafts[open]").await;
}

#[tokio::test]
async fn an_account_connected_with_the_cli_appears_in_the_open_window_by_itself() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wla").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "Written while the CLI works").await;

    let user = harness::pds::pds().create_user("wlb").await;
    let app_password = harness::pds::pds()
        .create_app_password(&user, "hayon")
        .await;
    env.connect(&user.handle, &app_password, &harness::pds::pds().url)
        .expect_ok();
    let choice = format!("input.post-account[value=\"{}\"]", user.did);
    wait_for(&client, &choice).await;
    // The accounts page has it too.
    click(&client, "#nav-accounts").await;
    wait_for(&client, &format!("li[data-did=\"{}\"]", user.did)).await;
    screenshot(&client, "drafts-live-account-from-cli").await;

    // Ctrl+R re-reads without reloading the page: the draft being written stays.
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    // A mark a reload would wipe, and a record of whether the page kept Ctrl+R from the web view (a
    // listener on the window hears the key after the page's own, on the document).
    js(
        &client,
        "window.__notReloaded = true;
         window.__ctrlR = null;
         window.addEventListener('keydown', (event) => {
           if (event.ctrlKey && event.key.toLowerCase() === 'r') window.__ctrlR = event.defaultPrevented;
         });
         return true",
    )
    .await;
    with_element(&client, &in_post(1, ".editor-input"), |field| async move {
        field.send_keys("\u{E009}r\u{E000}").await
    })
    .await;
    let heard = poll_until(
        || {
            js(
                &client,
                "return [window.__notReloaded ?? null, window.__ctrlR ?? null]",
            )
        },
        |heard| heard[1] != serde_json::Value::Null,
    )
    .await;
    assert_eq!(
        heard,
        serde_json::json!([true, true]),
        "[page not reloaded, reload prevented] after Ctrl+R"
    );
    assert_post_text(&client, 1, "Written while the CLI works").await;
    client.close().await.expect("close session");
}

#[tokio::test]
async fn discard_empties_the_composer_and_undo_brings_everything_back() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wdu").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "cat.jpg", 800, 600);
    let texts = ["A thought to throw away", "and its second part"];
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, texts[0]).await;
    add_post(&client, 2).await;
    type_into_post(&client, 2, texts[1]).await;
    let ready = attach_image(&client, 2, &photo).await;
    describe_image(&client, &ready, "A sleeping cat").await;
    click(&client, "#reply-settings > summary").await;
    wait_for(&client, "#reply-settings[open] #reply-nobody").await;
    click(&client, "#reply-nobody").await;
    assert_eq!(staged_files(&env).len(), 1);
    let status = poll_until(
        || text_of(&client, "#draft-status"),
        |status| status == "Draft saved",
    )
    .await;
    assert_eq!(status, "Draft saved");
    // A short window, where the composer's action bar sticks to the bottom, as the notice does.
    resize(&client, 640, 480).await;

    click(&client, "#draft-discard").await;
    wait_for(&client, "#toast:not([hidden]) #toast-undo").await;
    assert_eq!(
        text_of(&client, "#draft-status").await,
        "",
        "the save status still speaks of the discarded draft"
    );
    let placement = js(
        &client,
        "const bar = document.getElementById('action-bar').getBoundingClientRect();
         const toast = document.getElementById('toast').getBoundingClientRect();
         return { barAtBottom: bar.bottom >= window.innerHeight - 2,
                  covers: toast.bottom > bar.top && toast.top < bar.bottom
                    && toast.right > bar.left && toast.left < bar.right };",
    )
    .await;
    assert_eq!(
        placement["barAtBottom"], true,
        "the action bar is not at the window's bottom, so this does not test the notice's place"
    );
    assert_eq!(
        placement["covers"], false,
        "the Undo notice covers the action bar"
    );
    assert_post_text(&client, 1, "").await;
    assert!(
        client
            .find(Locator::Css(&in_post(2, ".editor-input")))
            .await
            .is_err(),
        "the second post is still shown"
    );
    assert_eq!(
        staged_files(&env).len(),
        1,
        "the discarded draft's image is kept while Undo is offered"
    );
    screenshot(&client, "drafts-discarded-with-undo").await;

    click(&client, "#toast-undo").await;
    wait_for(&client, "#toast[hidden]").await;
    assert_post_text(&client, 1, texts[0]).await;
    assert_post_text(&client, 2, texts[1]).await;
    let image = in_post(2, ".image-list > li.image-item[data-status=ready]");
    wait_for(&client, &image).await;
    assert_eq!(shown_alt(&client, &image).await, "A sleeping cat");
    let nobody = with_element(&client, "#reply-nobody", |input| async move {
        input.is_selected().await
    })
    .await;
    assert!(nobody, "the reply setting came back");
    screenshot(&client, "drafts-undone").await;

    // Discarded again and left: when Undo expires (10 s), the draft and its image go for good.
    click(&client, "#draft-discard").await;
    wait_for(&client, "#toast:not([hidden])").await;
    assert_becomes(
        "the staged images once Undo expired",
        Vec::<PathBuf>::new(),
        || async { staged_files(&env) },
    )
    .await;
    assert!(
        text_of(&client, "#toast-text").await.is_empty() || {
            client.find(Locator::Css("#toast[hidden]")).await.is_ok()
        }
    );
    client.close().await.expect("close session");
}

#[tokio::test]
async fn two_drafts_are_listed_switched_and_one_deleted_and_the_list_survives_a_restart() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wdl").await;
    let first = "First draft: notes for Monday";
    let second = "Second draft: a question for Friday";
    let third = "Third draft: to be deleted";
    {
        let (_driver, client) = start_session(&env).await;
        wait_for_composer(&client).await;
        open_drafts_list(&client).await;
        wait_for(&client, "#drafts-empty:not([hidden])").await;
        screenshot(&client, "drafts-list-empty").await;
        type_into_post(&client, 1, first).await;
        for text in [second, third] {
            click(&client, "#draft-new").await;
            assert_post_text(&client, 1, "").await;
            type_into_post(&client, 1, text).await;
        }
        let expected = [third, second, first];
        let listed = poll_until(|| listed_drafts(&client), |listed| *listed == expected).await;
        assert_eq!(listed, expected, "newest first");
        screenshot(&client, "drafts-list-three").await;

        // Switch to the first.
        let item = draft_item(&client, first).await;
        click(&client, &format!("{item} .draft-open")).await;
        assert_post_text(&client, 1, first).await;
        wait_for(&client, &format!("{item}[aria-current=\"true\"]")).await;
        // Delete the third (not the open one): it leaves the list at once.
        let item = draft_item(&client, third).await;
        click(&client, &format!("{item} .draft-delete")).await;
        assert_becomes(
            "the drafts listed after deleting the third",
            sorted(vec![first.into(), second.into()]),
            || async { sorted(listed_drafts(&client).await) },
        )
        .await;
        wait_for(&client, "#toast:not([hidden])").await;
        assert_post_text(&client, 1, first).await;
        screenshot(&client, "drafts-list-one-deleted").await;
        client.close().await.expect("close session");
    }
    // After a restart: the two drafts (the deleted one is gone), the most recently changed open.
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    open_drafts_list(&client).await;
    let listed = poll_until(|| listed_drafts(&client), |listed| listed.len() == 2).await;
    assert_eq!(
        sorted(listed.clone()),
        sorted(vec![first.into(), second.into()])
    );
    assert_post_text(&client, 1, &listed[0]).await;
    let item = draft_item(&client, &listed[1]).await;
    click(&client, &format!("{item} .draft-open")).await;
    assert_post_text(&client, 1, &listed[1]).await;
    screenshot(&client, "drafts-list-after-restart").await;
    client.close().await.expect("close session");
}

#[tokio::test]
async fn a_failed_thread_is_removed_from_the_outbox_in_the_window_and_its_draft_keeps_its_image() {
    const WRITE: &str = "com.atproto.repo.applyWrites";
    keychain::require_secret_service();
    let _turn = fault_proxy::exclusive().await;
    let env = CliEnv::new();
    let (flaky, _) = rig().connect_new_user(&env, "wdo").await;
    rig().proxy.arm(WRITE, Fault::refusal());
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "dog.jpg", 640, 480);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "This one will fail").await;
    let ready = attach_image(&client, 1, &photo).await;
    describe_image(&client, &ready, "A dog").await;
    wait_for(&client, POST_ON).await;
    click(&client, "#post-submit").await;
    wait_for(
        &client,
        &format!(
            "li.post-result[data-account=\"{}\"][data-ok=\"false\"]",
            flaky.did
        ),
    )
    .await;
    wait_for(&client, "#post-discard:not([hidden])").await;
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(outbox.as_array().map(Vec::len), Some(1), "{outbox}");
    screenshot(&client, "drafts-outbox-failed").await;

    click(&client, "#post-discard").await;
    wait_for(&client, "#post-results[hidden]").await;
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(outbox, serde_json::json!([]), "the entry is gone");
    assert_eq!(
        staged_files(&env).len(),
        1,
        "the draft's image was deleted with the outbox entry"
    );
    assert_post_text(&client, 1, "This one will fail").await;
    wait_for(&client, &ready).await;
    assert!(rig()
        .pds
        .list_records(&flaky.did, "app.bsky.feed.post")
        .await
        .is_empty());
    screenshot(&client, "drafts-outbox-entry-removed").await;
    client.close().await.expect("close session");
}
