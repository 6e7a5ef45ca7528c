//! A video posted from the real window (issue #20), with the stand-in video service
//! (`harness::video_service`; the real one cannot run here): "Add video" takes an MP4, which is
//! sent to the app in pieces and shown with its first frame (decoded by WebKit's player, at the
//! video's upright size), length, size and shape; images cannot be added
//! beside it; its alt text and a caption file with its language go with it; Post shows the upload's
//! and the processing's progress, and the post read back from the PDS carries the video, the alt
//! text and the caption. Adding a large video can be cancelled, and leaves no partial copy behind;
//! a phone's rotated MP4, a MOV and a WebM then each show their first frame upright, and a GIF
//! shows as an image; one the player cannot decode (its frames zeroed) gives way to a note beside
//! its facts.
//! Posting it can be cancelled too while the video goes to the service (Cancel beside the progress,
//! from the keyboard): nothing is posted, no row is left in the outbox, the composer keeps the text
//! and the video, and Post then posts it once.
//! A draft's video, with its alt text and captions, comes back after a restart.

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::video_service::StandInVideoService;
use harness::window::{
    add_captions, assert_becomes, attach_video, attr_of, choose_account, click, in_post, js,
    js_with, post_text, press, start_session_with, stored_text, submit_post, text_of, type_into,
    type_into_post, wait_for, wait_for_composer, POST_ON,
};
use serde_json::json;
use std::time::Duration;

// The stand-in serves on this runtime while WebDriver calls wait: use two threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_with_alt_text_and_a_caption_is_posted_with_its_progress_shown() {
    keychain::require_secret_service();
    let service = StandInVideoService::start(pds()).await;
    // Each processing step long enough for the page to show it.
    service.set_processing_delay(Duration::from_millis(400));
    let env = CliEnv::new();
    let user = env.connect_new_user("wvid").await;
    let video_env = [
        ("HAYON_VIDEO_SERVICE", service.url.as_str()),
        ("HAYON_VIDEO_SERVICE_DID", service.did.as_str()),
    ];
    let (_driver, client) = start_session_with(&env, &video_env).await;
    wait_for_composer(&client).await;
    choose_account(&client, &user.did).await;
    let text = harness::unique("A video from the window");
    type_into_post(&client, 1, &text).await;

    let video = harness::videos::mp4(320, 240, 2);
    attach_video(&client, 1, &video).await;
    assert_becomes("the preview's first frame", json!([320, 240]), || {
        preview_frame(&client, 1)
    })
    .await;
    let facts = text_of(&client, &in_post(1, ".video-facts")).await;
    assert!(facts.contains("0:02"), "{facts}");
    assert!(facts.contains("320×240"), "{facts}");
    assert!(facts.contains("MB"), "{facts}");
    assert!(
        attr_of(&client, &in_post(1, ".video-no-preview"), "hidden")
            .await
            .is_some(),
        "no note that the video cannot be shown"
    );
    assert!(
        attr_of(&client, &in_post(1, ".add-image"), "disabled")
            .await
            .is_some(),
        "no images beside a video"
    );

    type_into(
        &client,
        &in_post(1, ".video-alt"),
        "A test pattern that counts",
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let captions =
        harness::videos::captions_vtt(dir.path(), "counting.vtt", &[(0.0, 2.0, "Counting")]);
    add_captions(&client, 1, &captions).await;
    let lang = in_post(1, ".caption-item:first-child select.caption-lang");
    let chosen = js_with(
        &client,
        "return document.querySelector(arguments[0]).value",
        vec![lang.clone().into()],
    )
    .await;
    assert_eq!(chosen, "en", "the captions start in the post's language");

    // Every progress text shown while posting, in order.
    js(
        &client,
        "window.__stages = [];
         const text = document.getElementById('post-progress-text');
         new MutationObserver(() => window.__stages.push(text.textContent))
           .observe(text, { childList: true, characterData: true, subtree: true });
         return true;",
    )
    .await;
    let link = submit_post(&client).await;
    assert!(link.starts_with("https://bsky.app/profile/"), "{link}");
    let stages = js(&client, "return window.__stages").await;
    let shown: Vec<&str> = stages
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|stage| stage.as_str())
        .collect();
    assert!(
        shown
            .iter()
            .any(|stage| stage.starts_with("Uploading the video…")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|stage| stage.starts_with("Bluesky is processing the video…")),
        "{shown:?}"
    );

    let posts = pds().posts_with_text(&user.did, &text).await;
    assert_eq!(posts.len(), 1, "posted once");
    let embed = &posts[0]["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.video", "{embed}");
    assert_eq!(embed["alt"], "A test pattern that counts");
    assert_eq!(embed["aspectRatio"]["width"], 320);
    assert_eq!(embed["aspectRatio"]["height"], 240);
    assert_eq!(embed["captions"][0]["lang"], "en", "{embed}");
    let size = std::fs::metadata(&video).expect("video").len();
    assert_eq!(embed["video"]["size"], size);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_large_video_can_be_cancelled_then_each_kind_is_previewed() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wvidc").await;
    let (_driver, client) = start_session_with(&env, &[]).await;
    wait_for_composer(&client).await;
    // 200 MB that start as an MP4: long enough to add that Cancel can be pressed.
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("long-take.mp4");
    let mut bytes = std::fs::read(harness::videos::mp4(320, 240, 2)).expect("video");
    let padding: u32 = 200_000_000;
    bytes.extend_from_slice(&padding.to_be_bytes());
    bytes.extend_from_slice(b"free");
    std::fs::write(&big, &bytes).expect("write");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|file| file.set_len(bytes.len() as u64 - 8 + u64::from(padding)))
        .expect("pad");

    client
        .find(fantoccini::Locator::Css(&in_post(1, ".video-input")))
        .await
        .expect("video input")
        .send_keys(big.to_str().expect("path"))
        .await
        .expect("pick the video");
    let progress = in_post(1, ".video-staging:not([hidden]) .video-staging-progress");
    wait_for(&client, &progress).await;
    let label = text_of(&client, &in_post(1, ".video-staging-label")).await;
    assert_eq!(label, "Adding long-take.mp4");
    click(&client, &in_post(1, ".video-staging-cancel")).await;
    wait_for(&client, &in_post(1, ".video-area[hidden]")).await;

    let attachments = env.path().join("attachments");
    let staged = || {
        std::fs::read_dir(&attachments)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|entry| entry.file_name().to_string_lossy().contains(".video."))
                    .count()
            })
            .unwrap_or(0)
    };
    assert_becomes("staged video files", 0, || async { staged() }).await;
    assert!(
        attr_of(&client, &in_post(1, ".add-image"), "disabled")
            .await
            .is_none(),
        "images can be added again"
    );

    // Each kind WebKit plays shows its first frame, upright: a phone's MP4 stored sideways
    // (H.264 needs gstreamer1.0-libav), a MOV, a WebM (VP9).
    let kinds = [
        (harness::videos::rotated_mp4(320, 240, 2), [240, 320]),
        (harness::videos::mov(320, 240, 2), [320, 240]),
        (harness::videos::webm(256, 144, 2), [256, 144]),
    ];
    for (video, [width, height]) in kinds {
        attach_video(&client, 1, &video).await;
        assert_becomes(
            &format!("the first frame of {}", video.display()),
            json!([width, height]),
            || preview_frame(&client, 1),
        )
        .await;
        let facts = text_of(&client, &in_post(1, ".video-facts")).await;
        assert!(facts.contains(&format!("{width}×{height}")), "{facts}");
    }
    // A GIF, which a <video> cannot play, shows as an image instead.
    attach_video(&client, 1, &harness::videos::gif(160, 120, 2)).await;
    let gif = in_post(1, ".video-gif:not([hidden])");
    assert_becomes("the GIF shown", json!([160, 120]), || async {
        js_with(
            &client,
            "const img = document.querySelector(arguments[0]);
             return img && img.complete ? [img.naturalWidth, img.naturalHeight] : null",
            vec![gif.clone().into()],
        )
        .await
    })
    .await;
    assert!(
        attr_of(&client, &in_post(1, ".video-preview"), "hidden")
            .await
            .is_some(),
        "no empty player beside it"
    );

    // A video the player cannot decode: a note, the facts, and no empty player.
    let damaged = dir.path().join("damaged.mp4");
    let mut bytes = std::fs::read(harness::videos::mp4(320, 240, 2)).expect("video");
    let frames = bytes.windows(4).position(|w| w == b"mdat").expect("mdat") + 4;
    bytes[frames..].fill(0);
    std::fs::write(&damaged, &bytes).expect("write");
    attach_video(&client, 1, &damaged).await;
    let note = in_post(1, ".video-no-preview:not([hidden])");
    wait_for(&client, &note).await;
    assert_eq!(
        text_of(&client, &note).await,
        "No preview: this computer can't play this video."
    );
    assert!(
        attr_of(&client, &in_post(1, ".video-preview"), "hidden")
            .await
            .is_some(),
        "no empty player"
    );
    let facts = text_of(&client, &in_post(1, ".video-facts")).await;
    assert!(
        facts.contains("damaged.mp4") && facts.contains("320×240"),
        "{facts}"
    );
}

/// The frame post `n`'s video preview shows: `[width, height]` once it has decoded one
/// (`readyState` at least HAVE_CURRENT_DATA), else what it is at (for the failure message).
async fn preview_frame(client: &fantoccini::Client, n: usize) -> serde_json::Value {
    js_with(
        client,
        "const video = document.querySelector(arguments[0]);
         if (!document.querySelector(arguments[1]).hidden) return 'the no-preview note instead';
         if (video.error) return `error ${video.error.code}: ${video.error.message}`;
         if (video.readyState < 2) return `no frame yet (readyState ${video.readyState})`;
         return [video.videoWidth, video.videoHeight];",
        vec![
            in_post(n, ".video-preview").into(),
            in_post(n, ".video-no-preview").into(),
        ],
    )
    .await
}

#[tokio::test]
async fn a_drafts_video_with_its_alt_text_and_captions_comes_back_after_a_restart() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("wvidd").await;
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let (_driver, client) = start_session_with(&env, &[]).await;
        wait_for_composer(&client).await;
        type_into_post(&client, 1, "A draft with a video").await;
        attach_video(&client, 1, &harness::videos::mp4(320, 240, 2)).await;
        type_into(&client, &in_post(1, ".video-alt"), "Kept for later").await;
        let captions =
            harness::videos::captions_vtt(dir.path(), "later.vtt", &[(0.0, 1.0, "Later")]);
        add_captions(&client, 1, &captions).await;
        // Saved: the draft names the staged video, its alt text and its caption file.
        let saved = harness::wait::poll_until(
            || async { stored_text(&env, "SELECT body FROM drafts") },
            |body| body.contains("Kept for later") && body.contains(".vtt"),
        )
        .await;
        assert!(saved.contains(".video.mp4"), "{saved}");
        client.close().await.expect("close session");
    }
    let (_driver, client) = start_session_with(&env, &[]).await;
    wait_for_composer(&client).await;
    wait_for(&client, &in_post(1, ".video-attached:not([hidden])")).await;
    let facts = text_of(&client, &in_post(1, ".video-facts")).await;
    assert!(
        facts.contains("0:02") && facts.contains("320×240"),
        "{facts}"
    );
    let alt = js_with(
        &client,
        "return document.querySelector(arguments[0]).value",
        vec![in_post(1, ".video-alt").into()],
    )
    .await;
    assert_eq!(alt, "Kept for later");
    wait_for(&client, &in_post(1, ".caption-list > li.caption-item")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_while_the_video_uploads_posts_nothing_and_keeps_the_composer() {
    keychain::require_secret_service();
    let service = StandInVideoService::start(pds()).await;
    // The upload is read but not answered: the post stays at its upload until cancelled.
    service.hold_upload_answers();
    let env = CliEnv::new();
    let user = env.connect_new_user("wvidx").await;
    let video_env = [
        ("HAYON_VIDEO_SERVICE", service.url.as_str()),
        ("HAYON_VIDEO_SERVICE_DID", service.did.as_str()),
    ];
    let (_driver, client) = start_session_with(&env, &video_env).await;
    wait_for_composer(&client).await;
    choose_account(&client, &user.did).await;
    let text = harness::unique("A video cancelled while it uploads");
    type_into_post(&client, 1, &text).await;
    attach_video(&client, 1, &harness::videos::mp4(320, 240, 2)).await;

    wait_for(&client, POST_ON).await;
    click(&client, "#post-submit").await;
    let cancel = "#post-cancel:not([hidden]):not([disabled])";
    wait_for(&client, cancel).await;
    assert_eq!(
        attr_of(&client, cancel, "aria-label").await.as_deref(),
        Some("Cancel posting")
    );
    assert!(
        text_of(&client, "#post-progress-text")
            .await
            .starts_with("Uploading the video…"),
        "Cancel is offered while the video uploads"
    );
    // From the keyboard: the progress has the focus while posting, Tab goes on to Cancel and Enter
    // presses it.
    assert_eq!(
        js(&client, "return document.activeElement.id").await,
        "post-progress"
    );
    press(&client, "\u{E004}").await;
    assert_eq!(
        js(&client, "return document.activeElement.id").await,
        "post-cancel"
    );
    press(&client, "\u{E007}").await;

    // The upload the post was waiting on was dropped by Hayon, before any job was made.
    assert_becomes("abandoned uploads", 1, || async {
        service.abandoned_uploads()
    })
    .await;
    assert_eq!(service.jobs_created(), 0, "no job for a cancelled upload");
    assert_becomes(
        "the outcome shown",
        "Not posted — cancelled".to_owned(),
        || text_of(&client, "#post-results-title"),
    )
    .await;
    assert!(
        pds().posts_with_text(&user.did, &text).await.is_empty(),
        "nothing posted"
    );
    let outbox = env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(outbox, serde_json::json!([]), "no row left, claimed or not");
    assert_eq!(
        stored_text(&env, "SELECT CAST(count(*) AS TEXT) FROM outbox"),
        "0"
    );

    // The composer still has it all, editable, and Post sends it once.
    assert_eq!(post_text(&client, 1).await, text);
    wait_for(&client, &in_post(1, ".video-attached:not([hidden])")).await;
    assert!(
        attr_of(&client, "#composer-fields", "disabled")
            .await
            .is_none(),
        "editable again"
    );
    service.release_upload_answers();
    let link = submit_post(&client).await;
    assert!(link.starts_with("https://bsky.app/profile/"), "{link}");
    let posts = pds().posts_with_text(&user.did, &text).await;
    assert_eq!(posts.len(), 1, "posted once");
    assert_eq!(posts[0]["value"]["embed"]["$type"], "app.bsky.embed.video");
}
