//! The real window's small comforts (issue #8, "Declutter" and fixes), each a path a person takes:
//! the handle field has the cursor on first launch, the app-password shape warning follows typing and
//! never stacks with a refusal, the connect form waits behind "Add another account" once one exists
//! (and an account without a display name shows its handle once), the help panel links to Bluesky's
//! app-password page, hints show when relevant, and after posting a new link gets its own card.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::web::{Reply, WebServer};
use harness::window::{
    assert_becomes, assert_stays, attach_image, attr_of, click, in_post, poll_until, screenshot,
    start_session, submit_post, text_of, type_into_post, wait_for, wait_for_composer, POST_OFF,
};

/// The id of the element that has keyboard focus ("" for none).
async fn focused_id(client: &Client) -> String {
    client
        .execute("return document.activeElement?.id ?? '';", vec![])
        .await
        .expect("read the focused element")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Whether `css` matches an element that is displayed (not hidden, not display: none).
async fn shown(client: &Client, css: &str) -> bool {
    client
        .execute(
            "const el = document.querySelector(arguments[0]);
             return Boolean(el && el.getClientRects().length);",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("check display")
        .as_bool()
        .unwrap_or(false)
}

/// Waits until `css` is shown (`true`) or not (`false`), and says whether it came true.
async fn becomes_shown(client: &Client, css: &str, want: bool) -> bool {
    poll_until(|| shown(client, css), |now| *now == want).await == want
}

#[tokio::test]
async fn first_launch_puts_the_cursor_in_the_handle_field_and_the_help_links_to_bluesky() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(
        &client,
        "#view-accounts:not([hidden]) #accounts-empty:not([hidden])",
    )
    .await;
    let focused = poll_until(|| focused_id(&client), |id| id == "identifier").await;
    assert_eq!(focused, "identifier", "the handle field has no focus");
    // No accounts: the form is the page, not behind a button.
    assert!(shown(&client, "#connect-section").await);
    assert!(!shown(&client, "#add-account").await);

    // The help panel's link to the app-password page of Bluesky (opened in the browser on click).
    let href = attr_of(&client, "#app-password-help a#app-password-link", "href").await;
    assert_eq!(
        href.as_deref(),
        Some("https://bsky.app/settings/app-passwords")
    );
    screenshot(&client, "declutter-first-launch").await;
    client.close().await.expect("close session");
}

#[tokio::test]
async fn the_shape_warning_follows_typing_and_does_not_stack_with_the_refusal() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("wshape").await;
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, "#view-accounts:not([hidden]) #identifier").await;
    harness::window::use_app_password(&client).await;
    let password = wait_for(&client, "#password").await;

    // An app password being typed is never warned about, even when typing pauses in a group.
    password
        .send_keys("abcd-efgh-ijkl-mnop")
        .await
        .expect("type an app password");
    // Nothing to wait for: watched for longer than the pause that warns about an unfinished one.
    assert_stays(
        "[warning, hint] shown while an app password is typed",
        std::time::Duration::from_millis(1200),
        || async {
            (
                shown(&client, "#password-warning").await,
                shown(&client, "#password-hint").await,
            )
        },
        |&(warning, hint)| !warning && hint,
    )
    .await;

    // Something else warns while it is typed, before anything is sent, in place of the hint ...
    clear_by_keyboard(&client, "#password").await;
    password
        .send_keys("Hunter2!")
        .await
        .expect("type a main password");
    assert!(
        becomes_shown(&client, "#password-warning", true).await,
        "no warning while typing"
    );
    assert!(
        !shown(&client, "#password-hint").await,
        "hint and warning stack"
    );
    assert!(!shown(&client, "#form-error").await);
    screenshot(&client, "declutter-shape-warning").await;
    // ... and goes when the field is emptied.
    clear_by_keyboard(&client, "#password").await;
    assert!(
        becomes_shown(&client, "#password-warning", false).await,
        "the warning stays on an empty field"
    );
    assert!(shown(&client, "#password-hint").await);

    // The main password, sent anyway: the refusal is the one message left (the field is empty).
    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    password
        .send_keys(&user.password)
        .await
        .expect("type the main password");
    assert!(becomes_shown(&client, "#password-warning", true).await);
    harness::window::set_service(&client, &pds.url).await;
    click(&client, "#connect-submit").await;
    wait_for(&client, "#password-error:not([hidden])").await;
    let refusal = text_of(&client, "#password-error").await;
    assert!(refusal.contains("main Bluesky password"), "{refusal:?}");
    for other in ["#password-warning", "#password-hint", "#form-error"] {
        assert!(
            !shown(&client, other).await,
            "{other} is shown beside the refusal, under an empty field"
        );
    }
    screenshot(&client, "declutter-main-password-refused").await;
    assert!(env.list().is_empty(), "nothing was stored");
    client.close().await.expect("close session");
}

/// Empties a text field the way a person does: select all, delete.
async fn clear_by_keyboard(client: &Client, css: &str) {
    let field = wait_for(client, css).await;
    field
        .send_keys(&format!(
            "{}a{}{}",
            char::from(Key::Control),
            char::from(Key::Null),
            char::from(Key::Backspace)
        ))
        .await
        .expect("select all and delete");
    assert_becomes(&format!("{css}'s value"), Some(String::new()), || async {
        field.prop("value").await.expect("value")
    })
    .await;
}

#[tokio::test]
async fn with_an_account_the_connect_form_waits_behind_add_another_account() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    // Connected with the CLI: no display name (the test PDS has no app view and no profile record).
    let user = env.connect_new_user("wmore").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    click(&client, "#nav-accounts").await;
    let item = format!(".account[data-did=\"{}\"]", user.did);
    wait_for(&client, &item).await;

    // The handle is shown once, as the account's name.
    let listed = text_of(&client, &item).await;
    assert_eq!(
        listed.matches(user.handle.as_str()).count(),
        1,
        "the handle is not shown exactly once: {listed:?}"
    );

    assert!(
        becomes_shown(&client, "#connect-section", false).await,
        "the connect form is open under the list"
    );
    assert!(shown(&client, "#add-account").await);
    assert_eq!(
        attr_of(&client, "#add-account", "aria-expanded")
            .await
            .as_deref(),
        Some("false")
    );
    screenshot(&client, "declutter-accounts-collapsed").await;

    click(&client, "#add-account").await;
    assert!(becomes_shown(&client, "#connect-section", true).await);
    assert_eq!(focused_id(&client).await, "identifier");
    screenshot(&client, "declutter-accounts-add-another").await;

    click(&client, "#connect-cancel").await;
    assert!(becomes_shown(&client, "#connect-section", false).await);
    assert_eq!(focused_id(&client).await, "add-account");
    client.close().await.expect("close session");
}

#[tokio::test]
async fn composer_hints_show_when_relevant() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("whint").await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    for hint in [
        "#add-post-hint",
        "#image-hint",
        "#video-hint",
        "#require-alt-hint",
    ] {
        assert!(!shown(&client, hint).await, "{hint} is always shown");
    }
    // Focus brings a control's hint (also in a window that is not in front: the tests' windows share
    // one display, and only the newest has the keyboard).
    client
        .execute("document.querySelector('#add-post').focus();", vec![])
        .await
        .expect("focus Add post");
    assert!(becomes_shown(&client, "#add-post-hint", true).await);
    client
        .execute("document.querySelector('#require-alt').focus();", vec![])
        .await
        .expect("focus the alt-text switch");
    assert!(becomes_shown(&client, "#require-alt-hint", true).await);
    assert!(!shown(&client, "#add-post-hint").await);
    let add_video = in_post(1, ".add-video");
    client
        .execute(
            "document.querySelector(arguments[0]).focus();",
            vec![serde_json::json!(add_video)],
        )
        .await
        .expect("focus Add video");
    assert!(becomes_shown(&client, "#video-hint", true).await);
    client.close().await.expect("close session");
}

/// Once seen: after a post with an image, a new link showed "Images replace the link preview." and no
/// card until a restart (the composer's single card kept `hasImages`). Each post's editor is now made
/// afresh when the composer is emptied; this keeps it so.
#[tokio::test]
async fn after_posting_a_new_link_gets_its_own_card() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wstale").await;
    let images = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images.path(), "pier.jpg", 800, 600);
    let site = WebServer::serve(|request| {
        let title = match request.target {
            "/first" => "The first page",
            "/second" => "The second page",
            _ => return Reply::ok("text/html", b"<title>Elsewhere</title>".to_vec()),
        };
        Reply::ok(
            "text/html",
            format!("<title>{title}</title><meta property=og:description content='About {title}'>")
                .into_bytes(),
        )
    })
    .await;
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    // A post with a link and an image: the image wins over the card.
    type_into_post(&client, 1, &format!("With a picture {}/first", site.url)).await;
    attach_image(&client, 1, &photo).await;
    let card_area = in_post(1, ".link-card-area");
    let note = poll_until(
        || text_of(&client, &card_area),
        |text| text.contains("Images replace"),
    )
    .await;
    assert!(note.contains("Images replace"), "{note:?}");
    submit_post(&client).await;

    // The composer is empty again; a new link gets its card and no word about images.
    wait_for(&client, POST_OFF).await;
    type_into_post(&client, 1, &format!("Next: {}/second", site.url)).await;
    let card = in_post(1, ".link-card .link-card-title");
    let title = poll_until(
        || async {
            match client.find(Locator::Css(&card)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        },
        |title| title == "The second page",
    )
    .await;
    let area = text_of(&client, &card_area).await;
    screenshot(&client, "declutter-card-after-posting").await;
    assert_eq!(
        title, "The second page",
        "no card for the new link; the card area says {area:?}"
    );
    assert!(!area.contains("Images replace"), "stale note: {area:?}");
    client.close().await.expect("close session");
}
