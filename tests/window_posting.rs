//! Posting from the real window (the release app under Xvfb, through WebDriver, against the reference
//! PDS): a post with an image, a thread with images and reply/quote controls, a quote, a thread's
//! draft surviving a closed window, and "Retry failed" sending a thread only to the account that
//! failed. The WebDriver helpers live in `harness::window`.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::fault_proxy::{self, rig, Fault};
use harness::keychain;
use harness::pds::pds;
use harness::window::*;

#[tokio::test]
async fn compose_with_an_image_and_post_from_the_window() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    // Connected beforehand with the CLI (same data folder and keychain): the window opens on Compose.
    let user = env.connect_new_user("wcp").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "beach.jpg", 1600, 1200);
    let (_driver, client) = start_session(&env).await;

    wait_for_composer(&client).await;
    let text = "Hello from the Hayon window #hayon";
    wait_for(&client, &in_post(1, ".editor-input"))
        .await
        .send_keys(text)
        .await
        .expect("type text");
    // The counter in the action bar says the count in words (its title and screen-reader text).
    let counter = format!("{} of 300 characters.", text.chars().count());
    let shown = poll_until(
        || attr_of(&client, "#composer-counter", "title"),
        |shown| shown.as_deref() == Some(counter.as_str()),
    )
    .await;
    assert_eq!(shown.as_deref(), Some(counter.as_str()), "counter");
    wait_for(&client, &in_post(1, ".editor-mirror mark.hl-tag")).await;
    screenshot(&client, "compose-1-typed").await;

    let ready = attach_image(&client, 1, &photo).await;
    describe_image(&client, &ready, "A beach at noon").await;
    choose_account(&client, &user.did).await;
    screenshot(&client, "compose-2-ready").await;

    let href = submit_post(&client).await;
    // When posting ends, keyboard focus moves to the results (which scrolls them into view).
    wait_for(&client, "#post-progress[hidden]").await;
    let focused = poll_until(
        || async {
            client
                .execute(
                    "return document.activeElement && document.activeElement.id",
                    vec![],
                )
                .await
                .expect("read the focused element")
        },
        |focused| focused == "post-results",
    )
    .await;
    assert_eq!(focused, "post-results", "focus after posting");
    screenshot(&client, "compose-3-posted").await;
    // The image's staged copy in the data folder is deleted once the post is published.
    let staged: Vec<_> = std::fs::read_dir(env.path().join("attachments"))
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "staged copies left behind: {staged:?}");
    let prefix = format!("https://bsky.app/profile/{}/post/", user.handle);
    assert!(href.starts_with(&prefix), "post link {href}");
    let rkey = href.trim_start_matches(&prefix);
    let (status, record) = pds
        .get(
            "com.atproto.repo.getRecord",
            None,
            &[
                ("repo", user.did.as_str()),
                ("collection", "app.bsky.feed.post"),
                ("rkey", rkey),
            ],
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["value"]["text"], text);
    assert_eq!(
        record["value"]["embed"]["images"][0]["alt"],
        "A beach at noon"
    );
    assert_eq!(
        record["value"]["embed"]["images"][0]["aspectRatio"]["width"],
        1600
    );

    client.close().await.expect("close session");
}

/// Writes a two-post thread with an image in each post (alt texts "First image", "Second image").
async fn write_thread(client: &Client, texts: [&str; 2], photos: [&std::path::Path; 2]) {
    for (index, (text, photo)) in texts.iter().zip(photos).enumerate() {
        let n = index + 1;
        if n > 1 {
            add_post(client, n).await;
        }
        type_into_post(client, n, text).await;
        let ready = attach_image(client, n, photo).await;
        let alt = if n == 1 {
            "First image"
        } else {
            "Second image"
        };
        describe_image(client, &ready, alt).await;
    }
}

#[tokio::test]
async fn the_draft_of_a_thread_survives_closing_the_window() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wdr").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let first = harness::images::photo_jpeg(images_dir.path(), "one.jpg", 800, 600);
    let second = harness::images::photo_jpeg(images_dir.path(), "two.jpg", 600, 800);
    let texts = ["Half-written thought about #drafts", "and its second part"];
    {
        let (_driver, client) = start_session(&env).await;
        wait_for_composer(&client).await;
        write_thread(&client, texts, [&first, &second]).await;
        // Saved as the user types (throttled): the whole thread reaches the real SQLite file.
        let env = &env;
        let saved = poll_until(
            || async move { stored_text(env, "SELECT body FROM drafts") },
            |saved| texts.iter().all(|text| saved.contains(text)) && saved.contains("Second image"),
        )
        .await;
        let draft: serde_json::Value = serde_json::from_str(&saved).expect("draft JSON");
        assert_eq!(draft["posts"][1]["text"], texts[1], "saved draft: {saved}");
        assert_eq!(draft["posts"][1]["images"][0]["alt"], "Second image");
        // The window hears that Rust saved it a moment after the row is written.
        assert_becomes("the save status", "Draft saved".to_owned(), || {
            text_of(&client, "#draft-status")
        })
        .await;
        // Ends the app without a chance to save anything more, as a crash would.
        client.close().await.expect("close session");
    }
    assert_eq!(staged_files(&env).len(), 2, "both posts' images are kept");
    // A new window shows the whole thread again: both texts and both images with their alt text.
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    for (index, text) in texts.iter().enumerate() {
        let n = index + 1;
        let restored = poll_until(
            || async {
                with_element(&client, &in_post(n, ".editor-input"), |field| async move {
                    field.prop("value").await
                })
                .await
                .unwrap_or_default()
            },
            |restored| restored == text,
        )
        .await;
        assert_eq!(restored, *text, "post {n}");
        let image = in_post(n, ".image-list > li.image-item[data-status=ready]");
        wait_for(&client, &image).await;
        let alt = shown_alt(&client, &image).await;
        assert_eq!(
            alt,
            if n == 1 {
                "First image"
            } else {
                "Second image"
            }
        );
    }
    screenshot(&client, "draft-thread-restored").await;
    // The sweep at start keeps both posts' images: once it has run (logged at each start).
    wait_for_log(&env, "attachment sweep done", 2).await;
    assert_eq!(
        staged_files(&env).len(),
        2,
        "an image of the thread was swept"
    );
    client.close().await.expect("close session");
}

/// A two-post thread with an image in each post, "nobody can reply": on the PDS, two posts, the second
/// replying to the first, each with its image, and a threadgate with `allow: []` under the root's key.
#[tokio::test]
async fn a_thread_with_images_that_nobody_can_reply_to_is_posted_from_the_window() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("wthr").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let first = harness::images::photo_jpeg(images_dir.path(), "one.jpg", 1200, 900);
    let second = harness::images::photo_jpeg(images_dir.path(), "two.jpg", 900, 1200);
    let texts = [
        "A thread from the Hayon window, 1/2",
        "and the second post, 2/2",
    ];
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    write_thread(&client, texts, [&first, &second]).await;
    // Post 2 can move up and back down with its buttons. (Not a wait for post 1's up button to be
    // off: the first post's is off all along, so that wait read the text before the move.)
    click(&client, &in_post(2, ".post-up")).await;
    assert_becomes("post 1 after moving post 2 up", texts[1].to_owned(), || {
        post_text(&client, 1)
    })
    .await;
    click(&client, &in_post(1, ".post-down")).await;
    assert_becomes(
        "post 1 after moving it back down",
        texts[0].to_owned(),
        || post_text(&client, 1),
    )
    .await;

    click(&client, "#reply-settings > summary").await;
    wait_for(&client, "#reply-settings[open] #reply-nobody").await;
    click(&client, "#reply-nobody").await;
    let summary = poll_until(
        || text_of(&client, "#reply-summary"),
        |summary| summary.contains("Nobody"),
    )
    .await;
    assert!(summary.contains("Nobody can reply"), "{summary}");
    choose_account(&client, &user.did).await;
    screenshot(&client, "thread-1-ready").await;
    submit_post(&client).await;
    wait_for(&client, "#post-progress[hidden]").await;
    screenshot(&client, "thread-2-posted").await;
    assert!(
        staged_files(&env).is_empty(),
        "staged copies left behind after posting the thread"
    );

    let (status, listing) = pds
        .get(
            "com.atproto.repo.listRecords",
            None,
            &[
                ("repo", user.did.as_str()),
                ("collection", "app.bsky.feed.post"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{listing}");
    let records = listing["records"].as_array().expect("records");
    assert_eq!(records.len(), 2, "{listing}");
    let find = |text: &str| {
        records
            .iter()
            .find(|record| record["value"]["text"] == text)
            .unwrap_or_else(|| panic!("no post {text:?} in {listing}"))
    };
    let (root, reply) = (find(texts[0]), find(texts[1]));
    assert!(root["value"]["reply"].is_null(), "{root}");
    assert_eq!(
        reply["value"]["reply"]["root"]["uri"], root["uri"],
        "{reply}"
    );
    assert_eq!(reply["value"]["reply"]["root"]["cid"], root["cid"]);
    assert_eq!(reply["value"]["reply"]["parent"]["uri"], root["uri"]);
    assert_eq!(reply["value"]["reply"]["parent"]["cid"], root["cid"]);
    assert_eq!(root["value"]["embed"]["images"][0]["alt"], "First image");
    assert_eq!(reply["value"]["embed"]["images"][0]["alt"], "Second image");
    assert_eq!(
        reply["value"]["embed"]["images"][0]["aspectRatio"]["height"],
        1200
    );
    let root_uri = root["uri"].as_str().expect("root uri");
    let rkey = root_uri.rsplit('/').next().expect("rkey");
    let gate = pds
        .read_record(&format!(
            "at://{}/app.bsky.feed.threadgate/{rkey}",
            user.did
        ))
        .await;
    assert_eq!(gate["post"], root_uri, "{gate}");
    assert_eq!(gate["allow"], serde_json::json!([]), "{gate}");
    // The composer is empty again: one post, no images.
    wait_for(&client, "#thread > li.post-editor:only-child").await;
    client.close().await.expect("close session");
}

/// Quoting from the window: a link to a post that does not exist says so and keeps Post off; the
/// post's bsky.app link shows its text, and the post goes with the quote and an image
/// (`recordWithMedia`, the quoted post's `{uri, cid}` as the server has them).
#[tokio::test]
async fn a_quoted_post_is_previewed_and_posted_with_an_image() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("wqa").await;
    let bob = env.connect_new_user("wqb").await;
    let quoted = env
        .run(
            &["post", "--account", &bob.handle, "--no-link-card"],
            "Worth quoting",
        )
        .expect_ok();
    let quoted_uri = quoted[0]["uri"].as_str().expect("uri").to_owned();
    let rkey = quoted_uri.rsplit('/').next().expect("rkey");
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "quote.jpg", 800, 600);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    choose_account(&client, &alice.did).await;
    type_into_post(&client, 1, "So true").await;
    click(&client, &in_post(1, ".add-quote")).await;

    let missing = format!("https://bsky.app/profile/{}/post/3zzzzzzzzzzzz", bob.handle);
    with_element(&client, &in_post(1, ".quote-input"), |field| {
        let missing = missing.clone();
        async move { field.send_keys(&missing).await }
    })
    .await;
    let message = text_of(&client, &in_post(1, ".quote-status.field-error")).await;
    assert!(!message.is_empty(), "no message for a missing post");
    // Post is off while the link is looked up too: wait for the reason of a post not found.
    let blocker = poll_until(
        || text_of(&client, "#post-blocker"),
        |blocker| blocker.contains("quoted post was not found"),
    )
    .await;
    assert!(
        blocker.contains("quoted post was not found"),
        "blocker: {blocker:?}"
    );
    wait_for(&client, POST_OFF).await;
    screenshot(&client, "quote-1-missing").await;

    let link = format!("https://bsky.app/profile/{}/post/{rkey}", bob.handle);
    with_element(&client, &in_post(1, ".quote-input"), |field| async move {
        field.clear().await
    })
    .await;
    with_element(&client, &in_post(1, ".quote-input"), |field| {
        let link = link.clone();
        async move { field.send_keys(&link).await }
    })
    .await;
    wait_for(&client, &in_post(1, ".quote-card .quote-text")).await;
    assert_eq!(
        text_of(&client, &in_post(1, ".quote-card .quote-text")).await,
        "Worth quoting"
    );
    attach_image(&client, 1, &photo).await;
    screenshot(&client, "quote-2-previewed").await;
    let href = submit_post(&client).await;
    let posted = href.rsplit('/').next().expect("rkey");
    let record = pds()
        .read_record(&format!("at://{}/app.bsky.feed.post/{posted}", alice.did))
        .await;
    assert_eq!(record["text"], "So true");
    let embed = &record["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.recordWithMedia", "{record}");
    assert_eq!(embed["record"]["record"]["uri"], quoted_uri.as_str());
    assert_eq!(embed["record"]["record"]["cid"], quoted[0]["cid"]);
    assert_eq!(embed["media"]["images"][0]["aspectRatio"]["width"], 800);
    client.close().await.expect("close session");
}

/// "Retry failed" in the window: a thread posted to two accounts, one of whose servers refuses the
/// write, is posted on the other and shown failed on that one; Retry failed sends it through the same
/// outbox entry to the failed account only, so neither account ever has a second copy.
#[tokio::test]
async fn retry_failed_posts_the_thread_only_to_the_account_that_failed() {
    const WRITE: &str = "com.atproto.repo.applyWrites";
    keychain::require_secret_service();
    let _turn = fault_proxy::exclusive().await;
    let env = CliEnv::new();
    let steady = env.connect_new_user("wrta").await;
    // The second account lives on a PDS behind the fault proxy, which refuses its first write.
    let (flaky, _) = rig().connect_new_user(&env, "wrtb").await;
    rig().proxy.arm(WRITE, Fault::refusal());
    let texts = ["Retry from the window, 1/2", "Retry from the window, 2/2"];
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, texts[0]).await;
    add_post(&client, 2).await;
    type_into_post(&client, 2, texts[1]).await;
    choose_account(&client, &steady.did).await;
    choose_account(&client, &flaky.did).await;
    wait_for(&client, POST_ON).await;
    click(&client, "#post-submit").await;
    wait_for(&client, &post_result(&flaky.did, false)).await;
    wait_for(&client, &post_result(&steady.did, true)).await;
    wait_for(&client, "#post-retry:not([hidden])").await;
    screenshot(&client, "retry-1-one-account-failed").await;
    let texts_on = |records: Vec<serde_json::Value>| {
        let mut texts: Vec<String> = records
            .iter()
            .map(|record| {
                record["value"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        texts.sort();
        texts
    };
    let thread: Vec<String> = texts.iter().map(|text| text.to_string()).collect();
    assert_eq!(
        texts_on(pds().list_records(&steady.did, "app.bsky.feed.post").await),
        thread
    );
    assert!(rig()
        .pds
        .list_records(&flaky.did, "app.bsky.feed.post")
        .await
        .is_empty());
    assert_eq!(rig().proxy.count(WRITE), 1);

    click(&client, "#post-retry").await;
    wait_for(&client, &post_result(&flaky.did, true)).await;
    screenshot(&client, "retry-2-posted-everywhere").await;
    assert_eq!(
        rig().proxy.count(WRITE),
        2,
        "one more write, to the failed account"
    );
    assert_eq!(
        texts_on(
            rig()
                .pds
                .list_records(&flaky.did, "app.bsky.feed.post")
                .await
        ),
        thread
    );
    assert_eq!(
        texts_on(pds().list_records(&steady.did, "app.bsky.feed.post").await),
        thread,
        "no second copy on the account that had it"
    );
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(
        outbox,
        serde_json::json!([]),
        "posted everywhere: the entry is gone"
    );
    client.close().await.expect("close session");
}
