//! The real window, end to end: the release app under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver), against the reference PDS and the real Secret Service. A person's path: connect
//! an account through the form, see it listed with its handle and health, disconnect it.
//!
//! Screenshots of each step are saved to `target/e2e-screenshots/` (printed in the test output). The
//! WebDriver helpers live in `harness::window`, shared with the other window suites.

use fantoccini::{Client, Locator};
use harness::cli::CliEnv;
use harness::fault_proxy::{self, rig, Fault};
use harness::keychain;
use harness::pds::pds;
use harness::web::{Reply, WebServer};
use harness::window::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Hayon's painting choice (src-tauri/src/rendering.rs) reached the web processes of every running
/// Hayon window: read from /proc, where WebKit itself reads it.
fn assert_web_processes_paint_on_the_cpu() {
    let app = std::fs::canonicalize(required_env("HAYON_APP_BINARY", "set by scripts/test.sh"))
        .expect("app binary path");
    let parent_of = |pid: &str| -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Some(
            stat.rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .to_owned(),
        )
    };
    let pids: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.bytes().all(|byte| byte.is_ascii_digit()))
        .collect();
    let apps: Vec<&String> = pids
        .iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
        .collect();
    let web_processes: Vec<&String> = pids
        .iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.starts_with("WebKitWebProces"))
                && parent_of(pid).is_some_and(|parent| apps.contains(&&parent))
        })
        .collect();
    assert!(!web_processes.is_empty(), "no web process of {app:?} found");
    for pid in web_processes {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("environ");
        assert!(
            environ
                .split(|byte| *byte == 0)
                .any(|entry| entry == b"WEBKIT_SKIA_ENABLE_CPU_RENDERING=1"),
            "web process {pid} does not paint on the CPU"
        );
    }
}

#[tokio::test]
async fn connect_see_and_disconnect_an_account_in_the_window() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("win").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;

    // The empty state is rendered once the account list has loaded.
    wait_for(
        &client,
        "#view-accounts:not([hidden]) #accounts-empty:not([hidden])",
    )
    .await;
    screenshot(&client, "1-empty").await;
    assert_web_processes_paint_on_the_cpu();

    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    wait_for(&client, "#password")
        .await
        .send_keys(&app_password)
        .await
        .expect("type password");
    // Advanced › Hosting provider: the test server instead of bsky.social.
    client
        .execute("document.querySelector('#advanced').open = true;", vec![])
        .await
        .expect("open advanced");
    let service = wait_for(&client, "#service").await;
    service.clear().await.expect("clear service");
    service.send_keys(&pds.url).await.expect("type service");
    screenshot(&client, "2-form-filled").await;
    wait_for(&client, "#connect-submit")
        .await
        .click()
        .await
        .expect("submit");

    let item_css = format!(".account[data-did=\"{}\"]", user.did);
    wait_for(&client, &item_css).await;
    // The list re-renders when the window is told accounts changed: look elements up afresh.
    let handle = text_of(&client, &format!("{item_css} .account-handle")).await;
    assert!(handle.contains(&user.handle), "listed handle: {handle:?}");
    let status = attr_of(&client, &format!("{item_css} .health-badge"), "data-status").await;
    assert_eq!(status.as_deref(), Some("active"));
    // The password field was cleared after submit: the app password is no longer in the page.
    let page = client.source().await.expect("page source");
    assert!(
        !page.contains(&app_password),
        "the app password is still in the DOM"
    );
    assert!(!page.contains("eyJ"), "a token reached the web view");
    screenshot(&client, "3-connected").await;

    // The account is really stored: the keychain holds its tokens.
    assert!(keychain::tokens(&env.keychain_service, &user.did).is_some());

    click(&client, &format!("{item_css} .disconnect")).await;
    // #confirm-yes is in the page all along: wait for its dialog to be open.
    wait_for(&client, "#confirm-dialog[open] #confirm-yes").await;
    screenshot(&client, "4-confirm").await;
    click(&client, "#confirm-dialog[open] #confirm-yes").await;
    // The status already said "Connected …": wait for what disconnecting says.
    let said = poll_until(
        || text_of(&client, "#status-message"),
        |said| said.starts_with(&format!("Disconnected @{}", user.handle)),
    )
    .await;
    assert!(
        said.starts_with(&format!("Disconnected @{}", user.handle)),
        "status after disconnecting: {said:?}"
    );
    let gone = poll_until(
        || async { client.find(Locator::Css(&item_css)).await.is_err() },
        |gone| *gone,
    )
    .await;
    assert!(gone, "the account is still listed after disconnecting");
    screenshot(&client, "5-disconnected").await;
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);

    client.close().await.expect("close session");
}

/// An account's picture is shown in Settings and in "Post to", prepared by the core and handed to the
/// page as a `data:` URL. The page itself loads no image from a web address (its content security
/// policy allows `'self' data:` only): such a picture is refused before any request is made.
#[tokio::test]
async fn account_pictures_come_from_the_core_and_the_page_loads_no_web_image() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("pic").await;
    let images = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images.path(), "avatar.jpg", 400, 400);
    let jpeg = std::fs::read(&photo).expect("read the photo");
    pds.put_profile_with_avatar(&user, "Pictured Person", jpeg)
        .await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    env.connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    let listed = env.list();
    let address = listed[0]["avatar"].as_str().unwrap_or_default();
    assert!(
        address.starts_with(&pds.url),
        "the stored picture is the PDS's blob: {listed:?}"
    );

    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let in_chooser = format!(
        "input.post-account[value=\"{}\"] + label img.choice-avatar[src^=\"data:image/\"]",
        user.did
    );
    wait_for(&client, &in_chooser).await;
    click(&client, "#nav-accounts").await;
    let in_settings = format!(
        ".account[data-did=\"{}\"] img.avatar[src^=\"data:image/\"]",
        user.did
    );
    wait_for(&client, &in_settings).await;
    screenshot(&client, "account-picture").await;

    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let site = WebServer::serve(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::ok("image/jpeg", std::fs::read(&photo).expect("the photo"))
    })
    .await;
    let loaded = client
        .execute_async(
            "const [url, done] = [arguments[0], arguments[arguments.length - 1]];
         document.addEventListener('securitypolicyviolation',
           (event) => done(`refused: ${event.effectiveDirective}`), { once: true });
         const probe = new Image();
         probe.onload = () => done('loaded');
         probe.src = url;",
            vec![format!("{}/picture.jpg", site.url).into()],
        )
        .await
        .expect("show a picture from a web address");
    assert_eq!(loaded, "refused: img-src", "a picture from a web address");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "the web server was asked");
    client.close().await.expect("close session");
}

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

/// The card the window shows is the card it posts: the page and its picture are fetched once, for the
/// preview; the thumbnail shown is the prepared image (a `data:` URL, not the page's own picture), and
/// the record holds the title and description shown and a thumbnail of exactly those bytes.
#[tokio::test]
async fn the_link_card_shown_is_the_card_posted_and_the_page_is_fetched_once() {
    use base64::Engine;
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = env.connect_new_user("wcard").await;
    let (page_hits, image_hits) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let picture = harness::images::oversized_png_bytes(800, 400);
    // Typing the link makes shorter links on the way (".../a", ".../ar", …): only the whole one's page
    // has the title, and each page names a picture of its own, so hits are counted for it alone.
    let site = WebServer::serve({
        let (page_hits, image_hits) = (page_hits.clone(), image_hits.clone());
        move |request| match request.target {
            "/card.png?for=article" => {
                image_hits.fetch_add(1, Ordering::SeqCst);
                Reply::ok("image/png", picture.clone())
            }
            "/article" => {
                page_hits.fetch_add(1, Ordering::SeqCst);
                Reply::ok(
                    "text/html",
                    b"<title>Plain</title><meta property=og:title content='A page about Hayon'>\
                      <meta property=og:description content='Posting to Bluesky, properly.'>\
                      <meta property=og:image content=/card.png?for=article>"
                        .to_vec(),
                )
            }
            _ => Reply::ok("text/html", b"<title>Not this one</title>".to_vec()),
        }
    })
    .await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let text = format!("Worth reading {}/article", site.url);
    wait_for(&client, &in_post(1, ".editor-input"))
        .await
        .send_keys(&text)
        .await
        .expect("type text");

    let thumb = ".link-card img.link-card-thumb";
    wait_for(&client, thumb).await;
    // textContent: the description is clamped to two lines with CSS, which WebDriver's text hides.
    let shown_text = |css: &'static str| {
        let client = client.clone();
        async move {
            client
                .execute(
                    "return document.querySelector(arguments[0])?.textContent ?? ''",
                    vec![css.into()],
                )
                .await
                .expect("read the card")
                .as_str()
                .map(str::to_owned)
                .unwrap_or_default()
        }
    };
    let title = poll_until(
        || shown_text(".link-card .link-card-title"),
        |title| title == "A page about Hayon",
    )
    .await;
    assert_eq!(
        title, "A page about Hayon",
        "the whole link's card is shown"
    );
    let description = shown_text(".link-card .link-card-description").await;
    assert_eq!(description, "Posting to Bluesky, properly.");
    let src = attr_of(&client, thumb, "src").await.expect("a thumbnail");
    let shown = base64::engine::general_purpose::STANDARD
        .decode(
            src.strip_prefix("data:image/jpeg;base64,")
                .expect("a prepared JPEG"),
        )
        .expect("base64");
    screenshot(&client, "card-1-previewed").await;

    choose_account(&client, &user.did).await;
    let href = submit_post(&client).await;
    screenshot(&client, "card-2-posted").await;
    let rkey = href.rsplit('/').next().expect("rkey");
    let record = pds()
        .read_record(&format!("at://{}/app.bsky.feed.post/{rkey}", user.did))
        .await;
    assert_eq!(
        page_hits.load(Ordering::SeqCst),
        1,
        "the page was fetched again to post"
    );
    assert_eq!(
        image_hits.load(Ordering::SeqCst),
        1,
        "the picture was fetched again to post"
    );
    let external = &record["embed"]["external"];
    assert_eq!(external["title"], title.as_str(), "{record}");
    assert_eq!(external["description"], description.as_str());
    // The thumbnail is the staged JPEG that was shown, posted as it is (not re-encoded: the blob
    // has exactly the shown bytes' size).
    assert_eq!(external["thumb"]["mimeType"], "image/jpeg", "{record}");
    assert_eq!(
        external["thumb"]["size"].as_u64(),
        Some(shown.len() as u64),
        "the posted thumbnail is not the one shown: {record}"
    );
    // The thumbnail's staged copy is deleted once the post is published.
    let staged: Vec<_> = std::fs::read_dir(env.path().join("attachments"))
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "staged copies left behind: {staged:?}");
    client.close().await.expect("close session");
}

/// A link to a hostile page (2 MiB of unclosed `<div>`, which took minutes to build into a tree) still
/// gets its card in the window and posts with it: the card's title is shown and Post completes with
/// the card in the record, each within the harness's usual wait (the tree parser outlasted it many
/// times over).
#[tokio::test]
async fn a_link_to_a_deeply_nested_page_is_previewed_and_posted_from_the_window() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = env.connect_new_user("wnest").await;
    let title = "Nested divs, all the way down";
    let page = harness::web::nested_page(title, "<div>");
    let site = WebServer::serve(move |request| match request.target {
        "/nested" => Reply::ok("text/html", page.clone()),
        _ => Reply::ok("text/html", b"<title>Not this one</title>".to_vec()),
    })
    .await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    wait_for(&client, &in_post(1, ".editor-input"))
        .await
        .send_keys(&format!("Deep {}/nested", site.url))
        .await
        .expect("type text");
    assert_becomes("the nested page's card title", title.to_owned(), || {
        let client = client.clone();
        async move {
            client
                .execute(
                    "return document.querySelector('.link-card .link-card-title')?.textContent ?? ''",
                    vec![],
                )
                .await
                .expect("read the card")
                .as_str()
                .map(str::to_owned)
                .unwrap_or_default()
        }
    })
    .await;
    choose_account(&client, &user.did).await;
    let href = submit_post(&client).await;
    screenshot(&client, "card-nested-posted").await;
    let rkey = href.rsplit('/').next().expect("rkey");
    let record = pds()
        .read_record(&format!("at://{}/app.bsky.feed.post/{rkey}", user.did))
        .await;
    assert_eq!(record["embed"]["external"]["title"], title, "{record}");
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

#[tokio::test]
async fn require_alt_text_keeps_post_off_until_the_image_is_described() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wal").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "hill.jpg", 1200, 900);
    {
        let (_driver, client) = start_session(&env).await;
        wait_for_composer(&client).await;
        click(&client, "#require-alt").await;
        let env = &env;
        let saved =
            poll_until(
                || async move {
                    stored_text(env, "SELECT value FROM settings WHERE key = 'preferences'")
                },
                |saved| saved.contains("\"requireAltText\":true"),
            )
            .await;
        assert!(
            saved.contains("\"requireAltText\":true"),
            "saved: {saved:?}"
        );

        let ready = attach_image(&client, 1, &photo).await;
        // Post was off before the image too (nothing to post): wait for the reason about alt text.
        let blocker = poll_until(
            || text_of(&client, "#post-blocker"),
            |blocker| blocker.contains("Add alt text"),
        )
        .await;
        assert!(blocker.contains("Add alt text"), "blocker: {blocker:?}");
        wait_for(&client, POST_OFF).await;
        screenshot(&client, "alt-required").await;

        describe_image(&client, &ready, "Green hills under a grey sky").await;
        wait_for(&client, POST_ON).await;
        client.close().await.expect("close session");
    }
    // The setting is the user's, not the window's: a new window starts with it on.
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let checked = with_element(&client, "#require-alt", |input| async move {
        input.is_selected().await
    })
    .await;
    assert!(checked, "require alt text is off after a restart");
    client.close().await.expect("close session");
}

#[tokio::test]
async fn commands_refuse_image_paths_outside_the_attachments_folder() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("wcf").await;
    // A real image elsewhere on the disk, and a path where nothing is.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(elsewhere.path(), "private.jpg", 640, 480);
    let photo = photo.display().to_string();
    let missing = elsewhere.path().join("missing.jpg").display().to_string();
    let dotted = format!(
        "{}/attachments/../../{}",
        env.path().display(),
        photo.trim_start_matches('/')
    );
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let refusal = invoke(
        &client,
        "preview_image",
        serde_json::json!({ "path": photo }),
    )
    .await;
    let error = &refusal["err"];
    assert_eq!(error["code"], "validation", "{refusal}");
    let message = error["message"].as_str().expect("a message").to_owned();
    assert!(!message.contains("private.jpg"), "{message}");
    // Whether the file exists or not, and however the path is spelled, the answer is the same.
    for path in [&missing, &dotted] {
        let other = invoke(
            &client,
            "preview_image",
            serde_json::json!({ "path": path }),
        )
        .await;
        assert_eq!(other["err"], *error, "{path}: {other}");
    }
    let request = |path: &str| {
        serde_json::json!({ "composition": {
            "posts": [{
                "text": "Posting a file the page picked",
                "images": [{ "path": path, "alt": "a photo" }],
                "card": { "kind": "none" },
            }],
            "accounts": [user.did],
            "langs": ["en"],
        }})
    };
    for path in [&photo, &missing] {
        let posted = invoke(&client, "post", request(path)).await;
        assert_eq!(posted["err"], *error, "{path}: {posted}");
    }
    let draft = serde_json::json!({ "draft": {
        "posts": [{ "text": "x" }, { "text": "y", "images": [{ "path": photo, "alt": "" }] }],
    }});
    let saved = invoke(&client, "save_draft", draft).await;
    assert_eq!(saved["err"], *error, "{saved}");

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
    assert_eq!(
        listing["records"],
        serde_json::json!([]),
        "something was posted"
    );
    assert!(
        !stored_text(&env, "SELECT body FROM drafts").contains("private.jpg"),
        "the draft refers to a file outside the folder"
    );
    client.close().await.expect("close session");
}

#[tokio::test]
async fn the_staged_copy_is_the_prepared_image_and_goes_when_the_image_is_removed() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wst").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    // A phone's portrait photo: stored landscape with an EXIF orientation.
    let photo = harness::images::exif_rotated_jpeg(images_dir.path(), "phone.jpg", 900, 600);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    attach_image(&client, 1, &photo).await;
    let staged = staged_files(&env);
    assert_eq!(staged.len(), 1, "{staged:?}");
    let kept = std::fs::read(&staged[0]).expect("staged copy");
    assert!(
        !kept.windows(6).any(|window| window == b"Exif\0\0"),
        "the staged copy kept the original's EXIF block"
    );
    let original = std::fs::read(&photo).expect("photo");
    assert_ne!(kept, original, "the original was copied as it is");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&staged[0])
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the staged copy is not private");
    }
    // The draft refers to it (saved as the user works)...
    let name = staged[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let env_ref = &env;
    let saved = poll_until(
        || async move { stored_text(env_ref, "SELECT body FROM drafts") },
        |saved| saved.contains(&name),
    )
    .await;
    assert!(saved.contains(&name), "saved draft: {saved}");

    // ...and when the image is removed, the copy goes with it.
    click(&client, &in_post(1, ".image-list .image-remove")).await;
    let left = poll_until(|| async { staged_files(&env) }, |left| left.is_empty()).await;
    assert!(
        left.is_empty(),
        "staged copy kept after removing the image: {left:?}"
    );
    client.close().await.expect("close session");
}

/// The languages shown in the picker, as (tag, name) pairs, in order.
async fn shown_langs(client: &Client) -> Vec<(String, String)> {
    let shown = client
        .execute(
            "return [...document.querySelectorAll('#post-langs .lang-chip')]
               .map((chip) => [chip.dataset.tag, chip.querySelector('.lang-name').textContent]);",
            vec![],
        )
        .await
        .expect("read the languages");
    serde_json::from_value(shown).expect("pairs")
}

async fn shown_tags(client: &Client) -> Vec<String> {
    shown_langs(client)
        .await
        .into_iter()
        .map(|(tag, _)| tag)
        .collect()
}

/// Typing suggests the text's language by name; a hand choice wins over later typing, survives a
/// restart with the draft, is posted as the record's `langs`, and is what new posts start with.
#[tokio::test]
async fn languages_are_suggested_by_name_and_a_hand_choice_sticks() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("wln").await;
    let hand_choice = ["en".to_owned(), "pt".to_owned()];
    {
        let (_driver, client) = start_session(&env).await;
        wait_for_composer(&client).await;
        type_into_post(
            &client,
            1,
            "Heute Abend gehen wir mit den Kindern ins Kino und danach essen wir Pizza.",
        )
        .await;
        let shown = poll_until(
            || shown_langs(&client),
            |shown| shown.len() == 1 && shown[0].0 == "de",
        )
        .await;
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0].0, "de", "{shown:?}");
        assert!(
            ["German", "Deutsch"].contains(&shown[0].1.as_str()),
            "shown by name: {shown:?}"
        );
        assert!(text_of(&client, "#post-langs-status")
            .await
            .contains("Suggested from your text"));
        assert_eq!(
            attr_of(
                &client,
                "#post-langs .lang-chip[data-tag=de] .lang-remove",
                "aria-label"
            )
            .await,
            Some(format!("Remove {}", shown[0].1))
        );
        screenshot(&client, "langs-1-suggested").await;

        // By hand: German out, English and Portuguese in (with the keyboard's controls).
        click(&client, "#post-langs .lang-chip[data-tag=de] .lang-remove").await;
        for tag in &hand_choice {
            with_element(&client, "#post-langs-add", |select| async move {
                select.select_by_value(tag).await
            })
            .await;
            click(&client, "#post-langs-add-button").await;
        }
        assert_becomes("the languages chosen by hand", hand_choice.to_vec(), || {
            shown_tags(&client)
        })
        .await;
        // More German does not undo the choice (suggestions come 400 ms after typing stops).
        type_into_post(
            &client,
            1,
            " Morgen soll das Wetter wieder schön werden, sagt der Wetterbericht.",
        )
        .await;
        assert_stays(
            "a suggestion replaced the hand choice",
            Duration::from_millis(1500),
            || shown_tags(&client),
            |shown| *shown == hand_choice,
        )
        .await;
        assert!(text_of(&client, "#post-langs-status")
            .await
            .contains("Chosen by you"));
        // Remembered in the settings, and saved with the draft.
        let env = &env;
        let saved = poll_until(
            || async move { stored_text(env, "SELECT body FROM drafts") },
            |saved| saved.contains("Wetterbericht") && saved.contains(r#""langs":["en","pt"]"#),
        )
        .await;
        assert!(saved.contains(r#""langs":["en","pt"]"#), "draft: {saved}");
        let settings =
            poll_until(
                || async move {
                    stored_text(env, "SELECT value FROM settings WHERE key = 'preferences'")
                },
                |settings| settings.contains(r#""preferredLangs":["en","pt"]"#),
            )
            .await;
        assert!(
            settings.contains(r#""preferredLangs":["en","pt"]"#),
            "settings: {settings}"
        );
        screenshot(&client, "langs-2-chosen").await;
        client.close().await.expect("close session");
    }
    // After a restart the draft keeps the hand choice, also while more German is typed; it is posted.
    let (driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let shown = poll_until(|| shown_tags(&client), |shown| *shown == hand_choice).await;
    assert_eq!(shown, hand_choice);
    type_into_post(
        &client,
        1,
        " Bis dann, ich freue mich schon sehr auf das Wochenende!",
    )
    .await;
    assert_stays(
        "a suggestion replaced the restored hand choice",
        Duration::from_millis(1500),
        || shown_tags(&client),
        |shown| *shown == hand_choice,
    )
    .await;
    choose_account(&client, &user.did).await;
    let href = submit_post(&client).await;
    let rkey = href.rsplit('/').next().expect("rkey");
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
    assert_eq!(record["value"]["langs"], serde_json::json!(hand_choice));
    // The next post starts with the hand choice, and so does the window after a restart.
    wait_for(&client, "#post-progress[hidden]").await;
    assert_eq!(shown_tags(&client).await, hand_choice);
    client.close().await.expect("close session");
    drop(driver);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let shown = poll_until(|| shown_tags(&client), |shown| *shown == hand_choice).await;
    assert_eq!(shown, hand_choice, "a new post after a restart");
    screenshot(&client, "langs-3-remembered").await;
    client.close().await.expect("close session");
}

/// The post result of account `did` in the window, shown as posted (`ok`) or not.
fn result_of(did: &str, ok: bool) -> String {
    format!("li.post-result[data-account=\"{did}\"][data-ok=\"{ok}\"]")
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
    wait_for(&client, &result_of(&flaky.did, false)).await;
    wait_for(&client, &result_of(&steady.did, true)).await;
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
    wait_for(&client, &result_of(&flaky.did, true)).await;
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
