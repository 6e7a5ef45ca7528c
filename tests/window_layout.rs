//! The window's layout, in the real window (WebDriver, Xvfb, the reference PDS, the Secret Service):
//! only the view scrolls (never the window or the sidebar) and each view opens at its top with focus
//! on its heading; the composer's action bar keeps the counter, the reason Post is off and Post in
//! view at 1100×740 with a long post and four images; Ctrl+Enter over the limit shows and announces
//! the reason and the overflow is marked in the text; a Post that is off is aria-disabled, reachable
//! by Tab and visibly off in both themes; and the window works 480 px wide with an icon-only sidebar.
//!
//! Screenshots go to `target/e2e-screenshots/layout-*.png`, light and dark.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use harness::cli::CliEnv;
use harness::keychain;
use harness::window::{
    assert_becomes, attach_image, click, in_post, js, poll_until, resize, screenshot,
    start_session_with, text_of, type_into_post, wait_for, wait_for_composer, DARK, LIGHT, POST_ON,
};
use serde_json::{json, Value};

/// The themes, with the name used in screenshots.
const THEMES: [(&str, &[(&str, &str)]); 2] = [("light", LIGHT), ("dark", DARK)];

/// `value[key]` as a number (a missing one fails the test).
fn num(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {value}"))
}

/// The text in `css`, hidden or not (screen-reader-only regions included).
async fn content_of(client: &Client, css: &str) -> String {
    js(
        client,
        &format!("const el = document.querySelector({css:?}); return el ? el.textContent : ''"),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Checks the page is in the theme it was started with (a missing dark theme fails loudly).
async fn assert_theme(client: &Client, theme: &str) {
    let dark = js(
        client,
        "return matchMedia('(prefers-color-scheme: dark)').matches",
    )
    .await;
    assert_eq!(
        dark,
        json!(theme == "dark"),
        "the page is not in the {theme} theme"
    );
}

/// Where `css` is, and whether it is wholly inside the window and not covered by anything else.
async fn placement(client: &Client, css: &str) -> Value {
    js(
        client,
        &format!(
            "const el = document.querySelector({css:?});
             if (!el) return null;
             const r = el.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
             return {{ top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                       height: innerHeight, width: innerWidth,
                       inView: r.height > 0 && r.top >= 0 && r.left >= 0
                               && r.bottom <= innerHeight && r.right <= innerWidth,
                       onTop: Boolean(hit && (hit === el || el.contains(hit))) }};"
        ),
    )
    .await
}

async fn assert_in_view(client: &Client, css: &str, when: &str) {
    let at = placement(client, css).await;
    assert!(
        at["inView"] == json!(true) && at["onTop"] == json!(true),
        "{css} is not fully visible {when}: {at}"
    );
}

/// The scroll state of the window, the sidebar and <main>.
async fn scrolls(client: &Client) -> Value {
    js(
        client,
        "const root = document.scrollingElement, main = document.getElementById('main');
         const logo = document.querySelector('.brand img').getBoundingClientRect();
         return { rootTop: root.scrollTop, rootLeft: root.scrollLeft,
                  rootOverflowY: root.scrollHeight - root.clientHeight,
                  rootOverflowX: root.scrollWidth - root.clientWidth,
                  mainTop: main.scrollTop, mainOverflowX: main.scrollWidth - main.clientWidth,
                  sidebarTop: document.querySelector('.sidebar').getBoundingClientRect().top,
                  logoTop: logo.top };",
    )
    .await
}

/// Neither the window nor the sidebar has moved or can move; <main> has no horizontal scroll.
async fn assert_only_main_scrolls(client: &Client, when: &str) {
    // Try to scroll the window itself, as a wheel over the sidebar or a focus change could.
    js(
        client,
        "window.scrollTo(0, 500); document.scrollingElement.scrollTop = 500; return true",
    )
    .await;
    let s = scrolls(client).await;
    for key in ["rootTop", "rootLeft", "sidebarTop"] {
        assert_eq!(num(&s, key), 0.0, "{key} {when}: {s}");
    }
    assert!(
        num(&s, "mainOverflowX") <= 0.0,
        "the view scrolls sideways {when}: {s}"
    );
    assert!(
        num(&s, "rootOverflowY") <= 0.0,
        "the window can scroll {when}: {s}"
    );
    assert!(
        num(&s, "rootOverflowX") <= 0.0,
        "the window scrolls sideways {when}: {s}"
    );
    assert!(num(&s, "logoTop") >= 0.0, "the logo is cut {when}: {s}");
}

async fn focused_id(client: &Client) -> String {
    js(
        client,
        "return document.activeElement ? document.activeElement.id : ''",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn assert_focus_on(client: &Client, id: &str, when: &str) {
    let focused = poll_until(|| focused_id(client), |focused| focused == id).await;
    assert_eq!(focused, id, "focus {when}");
}

async fn main_scroll_top(client: &Client) -> f64 {
    js(client, "return document.getElementById('main').scrollTop")
        .await
        .as_f64()
        .expect("a number")
}

/// Scrolls <main> to its bottom; returns how far it went.
async fn scroll_main_to_bottom(client: &Client) -> f64 {
    js(
        client,
        "const main = document.getElementById('main');
         main.scrollTop = main.scrollHeight;
         return main.scrollTop;",
    )
    .await
    .as_f64()
    .expect("a number")
}

/// Presses keys in the element `css` (WebDriver focuses it first).
async fn press(client: &Client, css: &str, keys: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css}: {err}"))
        .send_keys(keys)
        .await
        .expect("press keys");
}

/// Types `text` into post `n`, its line breaks as presses of Enter (WebDriver types no "\n").
async fn type_lines(client: &Client, n: usize, text: &str) {
    type_into_post(
        client,
        n,
        &text.replace('\n', &char::from(Key::Enter).to_string()),
    )
    .await;
}

fn ctrl_enter() -> String {
    [Key::Control, Key::Enter, Key::Null]
        .into_iter()
        .map(char::from)
        .collect()
}

#[tokio::test]
async fn each_view_opens_at_its_top_and_only_the_view_scrolls() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    // Three accounts and the connect form: Connected accounts is then taller than the window.
    for prefix in ["lay1", "lay2", "lay3"] {
        env.connect_new_user(prefix).await;
    }
    let (_driver, client) = start_session_with(&env, LIGHT).await;
    resize(&client, 1100, 740).await;
    wait_for_composer(&client).await;
    assert_only_main_scrolls(&client, "on Compose").await;

    click(&client, "#nav-accounts").await;
    wait_for(&client, "#view-accounts:not([hidden]) .account").await;
    assert_focus_on(
        &client,
        "accounts-title",
        "after opening Connected accounts",
    )
    .await;
    // With the connect form open under the list, the view is taller than the window.
    click(&client, "#add-account").await;
    wait_for(&client, "#connect-section:not([hidden])").await;
    let scrolled = scroll_main_to_bottom(&client).await;
    assert!(
        scrolled > 100.0,
        "Connected accounts fits the window ({scrolled} px to scroll)"
    );
    assert_only_main_scrolls(&client, "with Connected accounts scrolled down").await;
    screenshot(&client, "layout-accounts-scrolled-light").await;

    // Compose opens at its top, not where Connected accounts was left.
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    assert_focus_on(&client, "compose-title", "after opening Compose").await;
    assert_eq!(
        main_scroll_top(&client).await,
        0.0,
        "Compose did not open at its top"
    );
    assert_only_main_scrolls(&client, "back on Compose").await;

    // And back: Connected accounts opens at its top, with its list in view.
    click(&client, "#nav-accounts").await;
    wait_for(&client, "#view-accounts:not([hidden])").await;
    assert_focus_on(
        &client,
        "accounts-title",
        "after going back to Connected accounts",
    )
    .await;
    assert_eq!(
        main_scroll_top(&client).await,
        0.0,
        "Connected accounts kept its scroll position"
    );
    assert_in_view(
        &client,
        "#account-list > .account",
        "when Connected accounts opens",
    )
    .await;
    screenshot(&client, "layout-accounts-top-light").await;

    client.close().await.expect("close session");
}

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

/// A text of 12 lines of 40 characters and a last word: 195 graphemes over the limit.
fn over_limit_text() -> String {
    let line = "The quick brown fox jumps over the dogs.";
    [line; 12].join("\n") + "\nEnd"
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

#[tokio::test]
async fn a_post_that_is_off_is_reachable_by_tab_says_why_and_looks_off_in_both_themes() {
    keychain::require_secret_service();
    for (theme, theme_env) in THEMES {
        // A data folder per theme: each starts with an empty draft.
        let env = CliEnv::new();
        env.connect_new_user("layoff").await;
        let (_driver, client) = start_session_with(&env, theme_env).await;
        assert_theme(&client, theme).await;
        resize(&client, 1100, 740).await;
        wait_for_composer(&client).await;

        // Empty: Post is off, but not `disabled`, and described by the reason beside it.
        wait_for(&client, "#post-submit[aria-disabled=true]:not([disabled])").await;
        let described = js(
            &client,
            "const post = document.getElementById('post-submit');
             const reason = document.getElementById(post.getAttribute('aria-describedby'));
             return reason ? reason.textContent : null",
        )
        .await;
        assert_eq!(
            described,
            json!("Write something or add an image."),
            "({theme})"
        );
        let off_colour = js(
            &client,
            "return getComputedStyle(document.getElementById('post-submit')).backgroundColor",
        )
        .await;

        // Tab from the control before it reaches it.
        press(
            &client,
            "#reply-settings > summary",
            &char::from(Key::Tab).to_string(),
        )
        .await;
        assert_focus_on(
            &client,
            "post-submit",
            &format!("after Tab from the reply settings ({theme})"),
        )
        .await;
        screenshot(&client, &format!("layout-post-off-focused-{theme}")).await;
        // Pressing it shows and says the reason, and sends nothing.
        press(&client, "#post-submit", &char::from(Key::Enter).to_string()).await;
        wait_for(&client, "#post-blocker[data-alert]").await;
        assert_becomes(
            &format!("the announcement ({theme})"),
            "Write something or add an image.".to_owned(),
            || content_of(&client, "#composer-announce"),
        )
        .await;
        assert!(
            client
                .find(Locator::Css("#post-progress:not([hidden])"))
                .await
                .is_err(),
            "posting started with nothing to post ({theme})"
        );

        // With text, Post is on: its colour differs from the off state's.
        type_into_post(&client, 1, "Hello").await;
        wait_for(&client, POST_ON).await;
        let on_colour = js(
            &client,
            "return getComputedStyle(document.getElementById('post-submit')).backgroundColor",
        )
        .await;
        let accent = js(
            &client,
            "const probe = document.createElement('span');
             probe.style.color = 'var(--accent)';
             document.body.append(probe);
             const colour = getComputedStyle(probe).color;
             probe.remove();
             return colour",
        )
        .await;
        assert_eq!(on_colour, accent, "Post on is the accent colour ({theme})");
        assert_ne!(off_colour, accent, "Post off looks like Post on ({theme})");
        client.close().await.expect("close session");
    }
}

#[tokio::test]
async fn the_window_works_480_px_wide_with_an_icon_only_sidebar() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    env.connect_new_user("laynarrow").await;
    let images_dir = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images_dir.path(), "narrow.jpg", 1200, 900);
    for (theme, theme_env) in THEMES {
        let (_driver, client) = start_session_with(&env, theme_env).await;
        assert_theme(&client, theme).await;
        resize(&client, 480, 740).await;
        wait_for_composer(&client).await;
        if theme == "light" {
            type_lines(&client, 1, &over_limit_text()).await;
            attach_image(&client, 1, &photo).await;
        }
        wait_for(&client, "#composer-counter[data-state=over]").await;

        // Icon-only: a narrow sidebar whose labels are out of sight but still name the links.
        let nav = js(
            &client,
            "const link = document.getElementById('nav-accounts');
             const label = link.querySelector('.nav-label');
             const style = getComputedStyle(label);
             return { sidebar: document.querySelector('.sidebar').getBoundingClientRect().width,
                      labelWidth: label.getBoundingClientRect().width,
                      shown: style.display !== 'none' && style.visibility !== 'hidden',
                      name: link.textContent.trim() }",
        )
        .await;
        assert!(
            num(&nav, "sidebar") <= 72.0,
            "sidebar at 480 px ({theme}): {nav}"
        );
        assert!(
            num(&nav, "labelWidth") <= 1.0,
            "label still shown ({theme}): {nav}"
        );
        assert_eq!(
            nav["shown"],
            json!(true),
            "label hidden from screen readers ({theme}): {nav}"
        );
        assert_eq!(nav["name"], json!("Connected accounts"), "({theme})");

        assert_only_main_scrolls(&client, &format!("on Compose at 480 px ({theme})")).await;
        for css in ["#post-submit", "#composer-counter", "#post-blocker"] {
            assert_in_view(&client, css, &format!("at 480 px ({theme})")).await;
        }
        screenshot(&client, &format!("layout-480-compose-{theme}")).await;

        click(&client, "#nav-accounts").await;
        wait_for(&client, "#view-accounts:not([hidden]) .account").await;
        assert_only_main_scrolls(
            &client,
            &format!("on Connected accounts at 480 px ({theme})"),
        )
        .await;
        screenshot(&client, &format!("layout-480-accounts-{theme}")).await;
        client.close().await.expect("close session");
    }
}
