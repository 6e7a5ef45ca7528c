//! Link cards in the real window: the card shown is the card posted (the page fetched once, the
//! thumbnail the prepared image), and a link to a deeply nested page is previewed and posted without
//! stalling the window.

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::web::{Reply, WebServer};
use harness::window::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
