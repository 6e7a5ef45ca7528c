//! The composer's action bar keeps the counter, the reason Post is off and Post in view with a long
//! post and four images; Ctrl+Enter over the limit shows and announces why, and marks the overflow.

use super::*;

/// A long post: a long link (which shows the "links appear shortened" note) and many short lines.
fn long_post() -> String {
    let mut text = String::from(
        "Notes from the meetup https://example.com/2026/12/01/a-rather-long-article-slug-about-layout\n",
    );
    for line in 1..=18 {
        text.push_str(&format!("Point {line}\n"));
    }
    text.push_str("That's all.");
    text
}

#[tokio::test]
async fn post_stays_in_view_with_a_long_post_and_four_images() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("laylong").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photos: Vec<_> = (0..4)
        .map(|n| {
            harness::images::photo_jpeg(images_dir.path(), &format!("p{n}.jpg"), 900 + n * 100, 700)
        })
        .collect();

    for (theme, theme_env) in THEMES {
        // The second session finds the same post, restored from the draft.
        let (_driver, client) = start_session_with(&env, theme_env).await;
        assert_theme(&client, theme).await;
        resize(&client, 1100, 740).await;
        wait_for_composer(&client).await;
        if theme == "light" {
            type_lines(&client, 1, &long_post()).await;
            // The line being typed stays above the bar, not under it.
            let caret = js(
                &client,
                "const mirror = document.querySelector('#thread .editor-mirror');
                 const end = document.createRange();
                 end.selectNodeContents(mirror.lastChild);
                 const line = end.getBoundingClientRect();
                 const bar = document.getElementById('action-bar').getBoundingClientRect();
                 return { lineTop: line.top, lineBottom: line.bottom, barTop: bar.top,
                          mainTop: document.getElementById('main').getBoundingClientRect().top }",
            )
            .await;
            assert!(
                num(&caret, "lineBottom") <= num(&caret, "barTop")
                    && num(&caret, "lineTop") >= num(&caret, "mainTop"),
                "the line being typed is hidden: {caret}"
            );
            for photo in &photos {
                attach_image(&client, 1, photo).await;
            }
        }
        wait_for(&client, &in_post(1, ".shortened-note:not([hidden])")).await;
        assert_becomes("the images ready", json!(4), || {
            js(
                &client,
                "return document.querySelectorAll('.image-item[data-status=ready]').length",
            )
        })
        .await;
        // Post is on (in any form: this also finds a Post that is simply not disabled).
        wait_for(
            &client,
            "#post-submit:not([disabled]):not([aria-disabled=true])",
        )
        .await;
        let scrollable = js(
            &client,
            "const m = document.getElementById('main'); return m.scrollHeight - m.clientHeight",
        )
        .await;
        assert!(
            scrollable.as_f64().is_some_and(|px| px > 300.0),
            "the composer is not taller than the window: {scrollable}"
        );

        // A control below the fold that gets keyboard focus is not hidden under the bar.
        js(
            &client,
            "document.getElementById('main').scrollTop = 0;
             document.querySelector('#reply-settings > summary').focus();
             return true",
        )
        .await;
        // The composer scrolls it out from under the bar at the next animation frame.
        let clear_of_the_bar =
            |at: &Value| num(at, "bottom") <= num(at, "barTop") && num(at, "top") >= 0.0;
        let focused = poll_until(
            || {
                js(
                    &client,
                    "const el = document.activeElement, r = el.getBoundingClientRect();
                     const bar = document.getElementById('action-bar').getBoundingClientRect();
                     return { id: el.id || el.className, bottom: r.bottom, barTop: bar.top, top: r.top }",
                )
            },
            clear_of_the_bar,
        )
        .await;
        assert!(
            clear_of_the_bar(&focused),
            "a focused control is hidden under the action bar: {focused}"
        );

        // At the top (writing), in the middle, and at the bottom of the composer.
        for (at, script) in [
            ("top", "document.getElementById('main').scrollTop = 0"),
            ("middle", "const m = document.getElementById('main'); m.scrollTop = (m.scrollHeight - m.clientHeight) / 2"),
            ("bottom", "const m = document.getElementById('main'); m.scrollTop = m.scrollHeight"),
        ] {
            js(&client, &format!("{script}; return true")).await;
            for css in ["#post-submit", "#composer-counter"] {
                assert_in_view(&client, css, &format!("with the composer scrolled to its {at} ({theme})")).await;
            }
            if at == "top" {
                screenshot(&client, &format!("layout-compose-long-four-images-{theme}")).await;
            }
        }
        assert_only_main_scrolls(
            &client,
            &format!("with a long post and four images ({theme})"),
        )
        .await;
        client.close().await.expect("close session");
    }
}

#[tokio::test]
async fn ctrl_enter_over_the_limit_shows_and_announces_why_and_the_overflow_is_marked() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("layover").await;
    let (_driver, client) = start_session_with(&env, LIGHT).await;
    resize(&client, 1100, 740).await;
    wait_for_composer(&client).await;
    let text = over_limit_text();
    let over = text.chars().count() - 300;
    type_lines(&client, 1, &text).await;
    // Once the analysis has caught up with the typing.
    let reason = poll_until(
        || content_of(&client, "#post-blocker"),
        |reason| reason.contains(&format!("{over} characters over the limit")),
    )
    .await;
    assert!(
        reason.contains(&format!("{over} characters over the limit")),
        "reason: {reason:?}"
    );

    // The overflow: exactly the characters past the 300th are marked in the highlight layer.
    let expected: String = text.chars().skip(300).collect();
    assert_becomes("the part marked as over the limit", json!(expected), || {
        js(
            &client,
            "return [...document.querySelectorAll('#thread .editor-mirror mark.hl-over')]
                   .map((m) => m.textContent).join('')",
        )
    })
    .await;
    // The counter reads at a glance: the ring, and how far over, in the action bar.
    assert_becomes("the counter", format!("\u{2212}{over}"), || {
        text_of(&client, "#composer-counter .counter-left")
    })
    .await;
    let title = client
        .find(Locator::Css("#composer-counter"))
        .await
        .expect("counter")
        .attr("title")
        .await
        .expect("title");
    assert_eq!(
        title.as_deref(),
        Some(
            format!(
                "{} of 300 characters, {over} over the limit.",
                text.chars().count()
            )
            .as_str()
        )
    );
    // Said once, when the limit was crossed and the typing paused (with the count at that moment),
    // not on every keystroke.
    let said = poll_until(
        || content_of(&client, "#counter-live"),
        |said| said.contains("over the 300-character limit"),
    )
    .await;
    assert!(
        said.contains("characters over the 300-character limit. Shorten the post to send it."),
        "counter announcement {said:?}"
    );

    press(&client, &in_post(1, ".editor-input"), &ctrl_enter()).await;
    wait_for(&client, "#post-blocker[data-alert]").await;
    let reason = text_of(&client, "#post-blocker").await;
    assert!(
        reason.contains(&format!("{over} characters over the limit")),
        "reason shown: {reason:?}"
    );
    assert_in_view(&client, "#post-blocker", "after Ctrl+Enter").await;
    assert_becomes(
        "the announcement",
        json!(["polite", reason.trim_start_matches("⚠ ")]),
        || {
            js(
                &client,
                "const r = document.getElementById('composer-announce');
                 return [r.getAttribute('aria-live'), r.textContent]",
            )
        },
    )
    .await;
    // Nothing was sent.
    assert!(
        client
            .find(Locator::Css(
                "#post-results:not([hidden]), #post-progress:not([hidden])"
            ))
            .await
            .is_err(),
        "posting started while over the limit"
    );
    screenshot(&client, "layout-over-limit-ctrl-enter-light").await;
    client.close().await.expect("close session");
}
