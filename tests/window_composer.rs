//! The composer's images and languages in the real window: Post stays off until every image is
//! described when alt text is required, commands refuse image paths outside the attachments folder,
//! the staged copy is the prepared image and goes when the image is removed, an iPhone's HEIC shows
//! as its upright prepared JPEG, and languages are suggested by name while a hand choice sticks.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::window::*;
use std::time::Duration;

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
/// An iPhone photo (issue 20): a HEIC picked in the composer shows as its prepared copy, an upright
/// JPEG (WebKit never has to decode HEIC), and the staged copy keeps no EXIF or GPS.
#[tokio::test]
async fn an_iphone_heic_shows_as_its_upright_prepared_jpeg() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wheic").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::iphone_heic(images_dir.path(), "IMG_0001.HEIC", 900, 600);
    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;

    let ready = attach_image(&client, 1, &photo).await;
    let (client_ref, ready_ref) = (&client, &ready);
    let shown = poll_until(
        || async move {
            js_with(
                client_ref,
                "const img = document.querySelector(arguments[0] + ' img.image-preview'); \
                 return img && img.complete && img.naturalWidth \
                   ? [img.src.slice(0, 15), img.naturalWidth, img.naturalHeight] : null",
                vec![ready_ref.clone().into()],
            )
            .await
        },
        |shown| !shown.is_null(),
    )
    .await;
    assert_eq!(shown, serde_json::json!(["data:image/jpeg", 600, 900]));
    let staged = staged_files(&env);
    assert_eq!(staged.len(), 1, "{staged:?}");
    let kept = std::fs::read(&staged[0]).expect("staged copy");
    harness::images::assert_upright_portrait(&kept, "the staged copy");
    harness::images::assert_no_metadata(&kept, "the staged copy");
    client.close().await.expect("close session");
}

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
