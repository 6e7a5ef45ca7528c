//! The alt text editor: the dialog, its counter and Save, the keys, and tiles that show the whole
//! image.

use super::*;

/// The rendered box of `css` and the natural size of the image in it.
async fn image_box(client: &Client, css: &str) -> serde_json::Value {
    client
        .execute(
            "const img = document.querySelector(arguments[0]);
             const box = img.getBoundingClientRect();
             const thumb = img.closest('.image-thumb').getBoundingClientRect();
             return { width: box.width, height: box.height, naturalWidth: img.naturalWidth,
                      naturalHeight: img.naturalHeight, fit: getComputedStyle(img).objectFit,
                      inside: box.left >= thumb.left - 0.5 && box.right <= thumb.right + 0.5
                           && box.top >= thumb.top - 0.5 && box.bottom <= thumb.bottom + 0.5 };",
            vec![css.into()],
        )
        .await
        .expect("measure the image")
}

/// Puts `value` in the alt text box as if pasted (typing 2000 characters through WebDriver would
/// take minutes); the editor hears the same input event.
async fn paste_alt(client: &Client, value: &str) {
    client
        .execute(
            "const text = document.getElementById('alt-dialog-text');
             text.focus();
             text.value = arguments[0];
             text.setSelectionRange(text.value.length, text.value.length);
             text.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![value.into()],
        )
        .await
        .expect("paste alt text");
}

async fn alt_counter(client: &Client) -> String {
    text_of(client, "#alt-dialog-counter").await
}

/// Asserts that focus moves to an element whose class names `class` (a key press moves it when the
/// page has handled the key, not when WebDriver returns).
async fn assert_focus_moves_to(client: &Client, class: &str) {
    let focused = poll_until(|| focused_class(client), |focused| focused.contains(class)).await;
    assert!(
        focused.contains(class),
        "focus is on {focused:?}, not .{class}"
    );
}

/// The editor's refusal to save over the limit: `press` (Enter, or Save) is refused, which the editor
/// says in its live region. The region is emptied first, so what is read is this refusal's.
async fn assert_save_refused(client: &Client, press: impl std::future::Future<Output = ()>) {
    js(
        client,
        "document.getElementById('alt-dialog-live').textContent = ''; return true",
    )
    .await;
    press.await;
    // textContent: the region is for screen readers only, and WebDriver's text is what is seen.
    let said = poll_until(
        || async {
            js(
                client,
                "return document.getElementById('alt-dialog-live').textContent",
            )
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
        },
        |said| !said.is_empty(),
    )
    .await;
    assert!(said.contains("Remove 2 to save"), "refusal said: {said:?}");
}

#[tokio::test]
async fn the_alt_text_editor_counts_to_2000_saves_on_enter_and_tiles_show_the_whole_image() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wal").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    // A square photo and a tall one: a cropping tile would show both as the same landscape slice.
    let square = harness::images::photo_jpeg(images_dir.path(), "square.jpg", 900, 900);
    let tall = harness::images::photo_jpeg(images_dir.path(), "tall.jpg", 600, 1200);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "Two shapes").await;
    attach_image(&client, 1, &square).await;
    attach_image(&client, 1, &tall).await;
    let tile = |n: usize| in_post(1, &format!(".image-list > li.image-item:nth-child({n})"));
    for (n, (width, height)) in [(1, (900.0, 900.0)), (2, (600.0, 1200.0))] {
        wait_for(
            &client,
            &format!("{}[data-status=ready] img.image-preview", tile(n)),
        )
        .await;
        let preview = format!("{} img.image-preview", tile(n));
        let measured = poll_until(
            || image_box(&client, &preview),
            |m| m["naturalWidth"].as_f64().unwrap_or(0.0) > 0.0,
        )
        .await;
        let ratio = measured["width"].as_f64().expect("width")
            / measured["height"].as_f64().expect("height");
        let want = width / height;
        assert!(
            (ratio - want).abs() < 0.03,
            "image {n} is shown {ratio:.3} wide per unit of height, the image is {want:.3}: {measured}"
        );
        assert_eq!(
            measured["inside"], true,
            "image {n} overflows its tile: {measured}"
        );
        assert_eq!(measured["fit"], "contain", "{measured}");
    }
    screenshot(&client, "aids-alt-tiles-whole-images").await;

    // Tab order within a tile: the image, then "Add alt text", then remove.
    client
        .execute(
            "document.querySelector(arguments[0]).focus();",
            vec![format!("{} .image-open", tile(1)).into()],
        )
        .await
        .expect("focus the image");
    press(&client, &Key::Tab.to_string()).await;
    assert_focus_moves_to(&client, "image-alt-edit").await;
    let label = attr_of(
        &client,
        &format!("{} .image-alt-edit", tile(1)),
        "aria-label",
    )
    .await;
    assert_eq!(label.as_deref(), Some("Add alt text for image 1"));
    press(&client, &Key::Tab.to_string()).await;
    assert_focus_moves_to(&client, "image-remove").await;

    // The editor: the prepared image large, the text box focused, the counter at 0.
    click(&client, &format!("{} .image-alt-edit", tile(1))).await;
    wait_for(&client, "#alt-dialog[open] #alt-dialog-image[src^='data:']").await;
    assert_eq!(
        focused_class(&client).await,
        "",
        "focus in the alt text box"
    );
    let focused_id: String = client
        .execute("return document.activeElement.id;", vec![])
        .await
        .expect("focus")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(focused_id, "alt-dialog-text");
    assert_eq!(alt_counter(&client).await, "0 / 2000");

    // Counted in graphemes, as the core counts: 1990 family emoji are 1990, not 9950 UTF-16 units.
    let family = "👨‍👩‍👧".repeat(1990);
    paste_alt(&client, &family).await;
    assert_eq!(alt_counter(&client).await, "1990 / 2000");
    assert_eq!(
        attr_of(&client, "#alt-dialog-counter", "data-state")
            .await
            .as_deref(),
        Some("warn")
    );
    // Typed for real: 12 more, 2 over (not any "over": the count passes "1 over" on the way).
    press(&client, "abcdefghijkl").await;
    assert_becomes("the counter", "2002 / 2000 · 2 over".to_owned(), || {
        alt_counter(&client)
    })
    .await;
    assert_eq!(
        attr_of(&client, "#alt-dialog-save", "aria-disabled")
            .await
            .as_deref(),
        Some("true")
    );
    let reason = text_of(&client, "#alt-dialog-save-reason").await;
    assert!(reason.contains("Remove 2 to save"), "{reason:?}");
    screenshot(&client, "aids-alt-editor-over-the-limit").await;
    // Neither Enter nor Save closes it over the limit, and nothing was cut: each is refused (said
    // in the live region), and then the dialog is still open.
    assert_save_refused(&client, press(&client, &Key::Enter.to_string())).await;
    assert_save_refused(&client, click(&client, "#alt-dialog-save")).await;
    assert!(
        client
            .find(fantoccini::Locator::Css("#alt-dialog[open]"))
            .await
            .is_ok(),
        "the editor closed over the limit"
    );
    assert_eq!(alt_counter(&client).await, "2002 / 2000 · 2 over");

    // Back within the limit, Shift+Enter starts a new line and Enter saves.
    let backspace = Key::Backspace.to_string();
    press(&client, &backspace.repeat(12)).await;
    // Shift is released at the end of each send-keys call.
    press(&client, &format!("{}{}", Key::Shift, Key::Enter)).await;
    press(&client, "Seen from above").await;
    let expected = format!("{family}\nSeen from above");
    let value = poll_until(
        || async {
            js(
                &client,
                "return document.getElementById('alt-dialog-text').value;",
            )
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
        },
        |value| *value == expected,
    )
    .await;
    let first_difference = value
        .chars()
        .zip(expected.chars())
        .position(|(a, b)| a != b);
    assert!(
        value == expected,
        "the text is {} chars, expected {}; first difference at char {first_difference:?}; it ends {:?}",
        value.chars().count(),
        expected.chars().count(),
        value.chars().rev().take(30).collect::<String>().chars().rev().collect::<String>()
    );
    assert_eq!(alt_counter(&client).await, "2006 / 2000 · 6 over");
    paste_alt(&client, "A square garden\nSeen from above").await;
    assert_eq!(alt_counter(&client).await, "31 / 2000");
    screenshot(&client, "aids-alt-editor").await;
    press(&client, &Key::Enter.to_string()).await;
    // `[open]` goes at once; focus and the tile's text come with the `close` event, just after.
    wait_alt_dialog_closed(&client).await;
    assert!(
        focused_class(&client).await.contains("image-alt-edit"),
        "focus back on the button that opened the editor"
    );
    let shown = client
        .execute(
            "const p = document.querySelector(arguments[0]);
             return { text: p.textContent, hidden: p.hidden, height: p.getBoundingClientRect().height,
                      display: getComputedStyle(p).display };",
            vec![format!("{} .image-alt-text", tile(1)).into()],
        )
        .await
        .expect("alt text shown");
    assert_eq!(shown["text"], "A square garden\nSeen from above", "{shown}");
    assert!(shown["height"].as_f64().unwrap_or(0.0) > 0.0, "{shown}");
    assert_eq!(
        attr_of(
            &client,
            &format!("{} .image-alt-edit", tile(1)),
            "aria-label"
        )
        .await
        .as_deref(),
        Some("Edit alt text for image 1")
    );

    // Escape cancels: the saved text stays.
    click(&client, &format!("{} .image-open", tile(1))).await;
    wait_for(&client, "#alt-dialog[open]").await;
    press(&client, " and more").await;
    press(&client, &Key::Escape.to_string()).await;
    // Cancelled once the close is handled (which is when a saved text would reach the tile).
    wait_alt_dialog_closed(&client).await;
    let shown = client
        .execute(
            "return document.querySelector(arguments[0]).textContent;",
            vec![format!("{} .image-alt-text", tile(1)).into()],
        )
        .await
        .expect("alt text shown");
    assert_eq!(shown, "A square garden\nSeen from above");
    screenshot(&client, "aids-alt-saved").await;

    // The draft keeps it, line break and all.
    let draft = poll_until(
        || async { stored_text(&env, "SELECT body FROM drafts") },
        |draft| draft.contains("A square garden"),
    )
    .await;
    let draft: serde_json::Value = serde_json::from_str(&draft).expect("draft json");
    assert_eq!(
        draft["posts"][0]["images"][0]["alt"],
        "A square garden\nSeen from above"
    );
    client.close().await.expect("close session");
}
