//! The window's layout, in the real window (WebDriver, Xvfb, the reference PDS, the Secret Service):
//! only the view scrolls (never the window or the sidebar) and each view opens at its top with focus
//! on its heading; the composer's action bar keeps the counter, the reason Post is off and Post in
//! view at 1100×740 with a long post and four images; Ctrl+Enter over the limit shows and announces
//! the reason and the overflow is marked in the text; a Post that is off is aria-disabled, reachable
//! by Tab and visibly off in both themes; and the window works 480 px wide with an icon-only sidebar.
//!
//! Screenshots go to `target/e2e-screenshots/layout-*.png`, light and dark. The shared helpers and
//! the scrolling check are here; the action bar's checks are in `action_bar.rs`, the disabled Post
//! and the narrow window in `narrow_and_off.rs`.

mod action_bar;
mod narrow_and_off;

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

/// A text of 12 lines of 40 characters and a last word: 195 graphemes over the limit.
fn over_limit_text() -> String {
    let line = "The quick brown fox jumps over the dogs.";
    [line; 12].join("\n") + "\nEnd"
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
    // With the connect form open under the list (both of its folded parts too), the view is
    // taller than the window.
    click(&client, "#add-account").await;
    wait_for(&client, "#connect-section:not([hidden])").await;
    harness::window::js(
        &client,
        "for (const id of ['advanced', 'app-password-path']) document.getElementById(id).open = true;",
    )
    .await;
    wait_for(&client, "#app-password-path[open] #password").await;
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
