//! A post's images reordered in the real window (the release app under Xvfb, through WebDriver,
//! against the reference PDS): each image described, moved with its "Move left" button (Enter) and
//! with Alt+Right on one of its controls — focus staying on the moved image, each move announced,
//! Alt+Left on the first image refused aloud — and dragged onto another tile (the drop bar shown
//! where it goes); the new order is the saved draft's, comes back when the window is opened again,
//! and is the order of the posted record's `app.bsky.embed.gallery` items (seven images), each with
//! its own alt text (told apart by their sizes).
//!
//! The drag is made of the page's own drag events (`DragEvent` with a `DataTransfer`), dispatched in
//! the window: WebKit's WebDriver cannot perform an HTML5 drag with its pointer actions.
//!
//! Screenshots: target/e2e-screenshots/gallery-*.png.

use fantoccini::key::Key;
use fantoccini::Client;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::window::*;
use serde_json::{json, Value};

/// How many images the test attaches: a gallery (more than `app.bsky.embed.images` takes, fewer than
/// the core's limit of ten).
const COUNT: usize = 7;

/// The tile at place `n` (1-based) of the first post.
fn tile(n: usize) -> String {
    in_post(1, &format!(".image-list > li.image-item:nth-child({n})"))
}

/// Photo `i` (0-based) is 800 + 40·i pixels wide: its alt text says which one it is.
fn width_of(i: usize) -> u64 {
    800 + 40 * i as u64
}

fn alt_of(i: usize) -> String {
    format!("Photo {} of the harbour", i + 1)
}

/// The alt texts the tiles show, in their order.
async fn shown_order(client: &Client) -> Vec<String> {
    let shown = js_with(
        client,
        "return [...document.querySelectorAll(arguments[0])].map((p) => p.textContent);",
        vec![in_post(1, ".image-list > li.image-item .image-alt-text").into()],
    )
    .await;
    serde_json::from_value(shown).expect("alt texts")
}

/// What has keyboard focus: its class and the alt text of the tile it is in.
async fn focused(client: &Client) -> (String, String) {
    let found = js(
        client,
        "const el = document.activeElement;
         return [el?.className ?? '',
                 el?.closest('.image-item')?.querySelector('.image-alt-text')?.textContent ?? ''];",
    )
    .await;
    serde_json::from_value(found).expect("focus")
}

/// Waits until the composer's live region says `said`, then empties it for the next move.
async fn assert_announced(client: &Client, said: &str) {
    let region = || async {
        js(
            client,
            "return document.getElementById('composer-announce').textContent",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    assert_becomes("the announcement", said.to_owned(), region).await;
    js(
        client,
        "document.getElementById('composer-announce').textContent = ''; return true",
    )
    .await;
}

/// Asserts that focus becomes `class` in the tile of photo `i`.
async fn assert_focus(client: &Client, class: &str, i: usize) {
    let want = (class.to_owned(), alt_of(i));
    let seen = poll_until(
        || focused(client),
        |seen| seen.0.contains(class) && seen.1 == want.1,
    )
    .await;
    assert!(
        seen.0.contains(class) && seen.1 == want.1,
        "focus is on {seen:?}, not .{class} of {:?}",
        want.1
    );
}

/// Drags the tile at place `from` onto the left half of the tile at place `onto`, as the page's
/// drag events; returns the box shadow (the drop bar) the target showed while dragged over.
async fn drag(client: &Client, from: usize, onto: usize) -> String {
    let bar = js_with(
        client,
        "const [source, target] = [document.querySelector(arguments[0]), document.querySelector(arguments[1])];
         const data = new DataTransfer();
         const box = target.getBoundingClientRect();
         const at = { bubbles: true, cancelable: true, dataTransfer: data,
                      clientX: box.left + box.width / 4, clientY: box.top + box.height / 2 };
         source.dispatchEvent(new DragEvent('dragstart', at));
         target.dispatchEvent(new DragEvent('dragenter', at));
         target.dispatchEvent(new DragEvent('dragover', at));
         const shown = target.dataset.drop + ' ' + getComputedStyle(target).boxShadow;
         target.dispatchEvent(new DragEvent('drop', at));
         source.dispatchEvent(new DragEvent('dragend', at));
         return shown;",
        vec![tile(from).into(), tile(onto).into()],
    )
    .await;
    bar.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn images_reordered_by_keyboard_and_drag_are_drafted_and_posted_in_that_order() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = env.connect_new_user("wgal").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photos: Vec<_> = (0..COUNT)
        .map(|i| {
            let name = format!("harbour-{i}.jpg");
            harness::images::photo_jpeg(images_dir.path(), &name, width_of(i) as u32, 600)
        })
        .collect();
    let text = "A harbour in pictures, in the order I chose";
    let expected: Vec<usize> = {
        let (_driver, client) = start_session(&env).await;
        wait_for_composer(&client).await;
        type_into_post(&client, 1, text).await;
        for (i, photo) in photos.iter().enumerate() {
            let ready = attach_image(&client, 1, photo).await;
            describe_image(&client, &ready, &alt_of(i)).await;
        }
        // The window counts against the core's limit, not a number of its own.
        let limit = hayon_core::media::MAX_IMAGES;
        assert_eq!(
            text_of(&client, &in_post(1, ".tool-count")).await,
            format!("{COUNT} / {limit}")
        );
        assert_eq!(
            js(
                &client,
                "return document.querySelector('#image-hint .max-images').textContent"
            )
            .await,
            limit.to_string()
        );
        let mut order: Vec<usize> = (0..COUNT).collect();
        assert_eq!(
            shown_order(&client).await,
            order.iter().map(|&i| alt_of(i)).collect::<Vec<_>>()
        );
        let first_left = format!("{} .image-move[data-delta='-1']", tile(1));
        let first_can_move = with_element(
            &client,
            &first_left,
            |b| async move { b.is_enabled().await },
        )
        .await;
        assert!(!first_can_move, "the first image cannot move left");

        // "Move left" on the third image, twice: focus stays on it, then goes to its "Move right"
        // when it is first and "Move left" is off.
        let left = format!("{} .image-move[data-delta='-1']", tile(3));
        assert_eq!(
            attr_of(&client, &left, "aria-label").await.as_deref(),
            Some(format!("Move image 3 left, to position 2 of {COUNT}").as_str())
        );
        js_with(
            &client,
            "document.querySelector(arguments[0]).focus(); return true",
            vec![left.into()],
        )
        .await;
        press(&client, &Key::Enter.to_string()).await;
        order.swap(1, 2);
        assert_announced(&client, &format!("Image 3 moved to position 2 of {COUNT}.")).await;
        assert_focus(&client, "image-move", 2).await;
        press(&client, &Key::Enter.to_string()).await;
        order.swap(0, 1);
        assert_announced(&client, &format!("Image 2 moved to position 1 of {COUNT}.")).await;
        assert_focus(&client, "image-move", 2).await;
        assert_eq!(
            js(&client, "return document.activeElement.dataset.delta").await,
            "1",
            "focus on Move right once the image is first"
        );
        // Alt+Left on the first image moves nothing and says why.
        press(&client, &format!("{}{}", Key::Alt, Key::Left)).await;
        assert_announced(&client, "Image 1 is already first.").await;

        // Alt+Right on the image of the second tile moves it one place right; focus stays on it.
        js_with(
            &client,
            "document.querySelector(arguments[0]).focus(); return true",
            vec![format!("{} .image-open", tile(2)).into()],
        )
        .await;
        let moved = order[1];
        press(&client, &format!("{}{}", Key::Alt, Key::Right)).await;
        order.swap(1, 2);
        assert_announced(&client, &format!("Image 2 moved to position 3 of {COUNT}.")).await;
        assert_focus(&client, "image-open", moved).await;
        screenshot(&client, "gallery-1-moved-by-keyboard").await;

        // The last image dragged onto the first: the bar shows on the first's left, then it is first.
        let bar = drag(&client, COUNT, 1).await;
        assert!(
            bar.starts_with("before ") && !bar.ends_with(" none"),
            "drop bar: {bar:?}"
        );
        let last = order.pop().expect("an image");
        order.insert(0, last);
        assert_announced(
            &client,
            &format!("Image {COUNT} moved to position 1 of {COUNT}."),
        )
        .await;
        let want: Vec<String> = order.iter().map(|&i| alt_of(i)).collect();
        assert_eq!(shown_order(&client).await, want, "the tiles' order");
        screenshot(&client, "gallery-2-dragged").await;

        // The draft holds the new order, each image with its alt text.
        let env = &env;
        let saved = poll_until(
            || async move { stored_text(env, "SELECT body FROM drafts") },
            |saved| {
                serde_json::from_str::<Value>(saved).is_ok_and(|draft| {
                    draft["posts"][0]["images"]
                        .as_array()
                        .is_some_and(|images| images.iter().map(|i| &i["alt"]).eq(want.iter()))
                })
            },
        )
        .await;
        let draft: Value = serde_json::from_str(&saved).expect("draft JSON");
        let drafted: Vec<_> = draft["posts"][0]["images"]
            .as_array()
            .expect("images")
            .iter()
            .map(|i| i["alt"].clone())
            .collect();
        assert_eq!(
            drafted,
            want.iter().map(|a| json!(a)).collect::<Vec<_>>(),
            "{saved}"
        );
        client.close().await.expect("close session");
        order
    };

    // Opened again: the draft's images come back in that order, and are posted in it.
    let want: Vec<String> = expected.iter().map(|&i| alt_of(i)).collect();
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    wait_for(&client, &format!("{}[data-status=ready]", tile(COUNT))).await;
    assert_becomes("the restored order", want.clone(), || shown_order(&client)).await;
    choose_account(&client, &user.did).await;
    screenshot(&client, "gallery-3-restored").await;
    let href = submit_post(&client).await;
    let rkey = href.rsplit('/').next().expect("rkey");
    let record = pds()
        .find_record(&user.did, "app.bsky.feed.post", rkey)
        .await
        .expect("the posted record");
    let embed = &record["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.gallery", "{record}");
    let images = embed["items"].as_array().expect("the gallery's items");
    let posted: Vec<_> = images
        .iter()
        .map(|i| i["alt"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(posted, want, "the record's images: {record}");
    for (image, &i) in images.iter().zip(&expected) {
        assert_eq!(
            image["aspectRatio"],
            json!({ "width": width_of(i), "height": 600 }),
            "image {i} kept its alt text through the moves: {image}"
        );
        assert_eq!(image["$type"], "app.bsky.embed.gallery#image", "{image}");
        assert_eq!(image["image"]["$type"], "blob", "{image}");
        assert_eq!(image["image"]["mimeType"], "image/jpeg", "{image}");
    }
    client.close().await.expect("close session");
}
