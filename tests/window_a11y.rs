//! The accessibility audit of the real window (issue #8): Deque's axe-core, injected through
//! WebDriver into the running app, checks every view and state — empty (no accounts), the
//! app-password shape warning, a refused connect, connected, composing (one post; two images, one
//! moved before the other; the alt text editor over its limit;
//! mentions with the unresolved warning and the suggestions open; a thread with the reply settings
//! open; a video with alt text and a caption), over the limit, posting (the write held by the fault
//! proxy), posted, a refused post, the Schedule picker with a refused time, the Queue and Settings
//! › Schedule — in the light and the dark theme. No serious or critical violation may remain,
//! colour contrast included; a failure lists each one (rule, impact, element, what is wrong).
//!
//! The dark run starts the app with `GTK_THEME=Adwaita:dark`; WebKitGTK then answers
//! `prefers-color-scheme: dark`, which the test checks in the page before trusting the run.
//! Screenshots of each state land in `target/e2e-screenshots/a11y-<state>-<theme>.png`.
//!
//! axe-core comes from npm (tests/axe), installed by scripts/setup-test-peers.sh, which exports the
//! path of its `axe.min.js` as `HAYON_AXE`; without it the test fails and says so.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::fault_proxy::{self, rig, Fault};
use harness::keychain;
use harness::window::{
    add_captions, add_post, attach_image, attach_video, attr_of, click, in_post, required_env,
    screenshot, start_session_with, text_of, type_into, type_into_post, wait_alt_dialog_closed,
    wait_for, wait_for_composer, DARK, LIGHT, POST_ON,
};
use std::time::Duration;

const WRITE: &str = "com.atproto.repo.applyWrites";

#[derive(Clone, Copy)]
enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The environment the app is started with for this theme.
    fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Theme::Light => LIGHT,
            Theme::Dark => DARK,
        }
    }
}

/// What axe found wrong in one state, one line per element.
struct Findings(Vec<String>);

/// Runs axe-core on the whole page and keeps its serious and critical violations; saves the
/// screenshot `a11y-<state>-<theme>`.
async fn audit(client: &Client, axe: &str, state: &str, theme: Theme, findings: &mut Findings) {
    screenshot(client, &format!("a11y-{state}-{}", theme.name())).await;
    let loaded = client
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("look for axe");
    if loaded != serde_json::Value::Bool(true) {
        client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .expect("inject axe-core");
    }
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done({ violations: r.violations.map((v) => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map((n) => ({ target: n.target.join(' '), impact: n.impact,
                                              summary: n.failureSummary })) })) }))
               .catch((e) => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("run axe-core");
    if let Some(error) = result.get("error") {
        panic!(
            "axe-core failed in state {state} ({}): {error}",
            theme.name()
        );
    }
    let violations = result["violations"].as_array().expect("violations");
    let mut minor = 0;
    for violation in violations {
        for node in violation["nodes"].as_array().into_iter().flatten() {
            let impact = node["impact"]
                .as_str()
                .or(violation["impact"].as_str())
                .unwrap_or("unknown");
            if !matches!(impact, "serious" | "critical") {
                minor += 1;
                continue;
            }
            findings.0.push(format!(
                "[{}/{state}] {} ({impact}) at `{}`: {} — {}",
                theme.name(),
                violation["id"].as_str().unwrap_or("?"),
                node["target"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or(""),
                node["summary"].as_str().unwrap_or("").replace('\n', " "),
            ));
        }
    }
    println!(
        "axe {state} ({}): {} rule(s) violated, {minor} minor or moderate finding(s)",
        theme.name(),
        violations.len()
    );
}

async fn prefers_dark(client: &Client) -> bool {
    client
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .expect("matchMedia")
        .as_bool()
        .expect("a boolean")
}

/// Every view and state, in one theme. The account lives on the PDS behind the fault proxy, so the
/// test can hold its write (posting) and refuse one (error).
async fn audit_every_state(theme: Theme) {
    keychain::require_secret_service();
    let axe_path = required_env(
        "HAYON_AXE",
        "scripts/setup-test-peers.sh installs axe-core from npm and writes its path to \
         ~/.cache/hayon-dev/test-peers.env",
    );
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|err| panic!("HAYON_AXE={axe_path} can't be read: {err}"));
    let _turn = fault_proxy::exclusive().await;
    let user = rig().pds.create_user("wa11y").await;
    let app_password = rig().pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let images = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images.path(), "harbour.jpg", 1200, 900);
    let tall = harness::images::photo_jpeg(images.path(), "mast.jpg", 600, 900);
    // Sign in with Bluesky's browser is a command that opens nothing (`true`): the waiting state
    // is audited, then cancelled.
    let mut app_env = theme.env().to_vec();
    app_env.extend([
        ("HAYON_BROWSER", "true"),
        ("HAYON_PLC_DIRECTORY", rig().pds.plc_url.as_str()),
    ]);
    let (_driver, client) = start_session_with(&env, &app_env).await;
    let mut findings = Findings(Vec::new());

    assert_eq!(
        prefers_dark(&client).await,
        matches!(theme, Theme::Dark),
        "GTK_THEME={:?} did not give the page the {} colour scheme",
        theme.env(),
        theme.name()
    );

    // Empty: no account yet.
    wait_for(
        &client,
        "#view-accounts:not([hidden]) #accounts-empty:not([hidden])",
    )
    .await;
    audit(&client, &axe, "empty", theme, &mut findings).await;

    // Sign in with Bluesky: waiting for the browser, then cancelled (an error).
    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    harness::window::set_service(&client, &rig().proxy.url).await;
    click(&client, "#oauth-submit").await;
    wait_for(&client, "#oauth-waiting:not([hidden])").await;
    let shown_url = harness::wait::poll_until(
        || async { harness::window::value_of(&client, "#oauth-url").await },
        |url| url.contains("request_uri="),
    )
    .await;
    assert!(shown_url.contains("request_uri="), "{shown_url:?}");
    audit(&client, &axe, "sign-in-waiting", theme, &mut findings).await;
    click(&client, "#oauth-cancel").await;
    wait_for(&client, "#form-error:not([hidden])").await;
    assert!(
        text_of(&client, "#form-error").await.contains("cancelled"),
        "the cancel is said"
    );
    audit(&client, &axe, "sign-in-error", theme, &mut findings).await;
    harness::window::js(&client, "document.querySelector('#identifier').value = '';").await;

    // The shape warning, while something that is no app password is typed.
    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    harness::window::use_app_password(&client).await;
    let password = wait_for(&client, "#password").await;
    password.send_keys("Hunter2!").await.expect("type password");
    wait_for(&client, "#password-warning:not([hidden])").await;
    audit(&client, &axe, "connect-warning", theme, &mut findings).await;

    // A refused connect: an app password of the right shape that is not the account's.
    password.clear().await.expect("clear password");
    password
        .send_keys("abcd-efgh-ijkl-mnop")
        .await
        .expect("type password");
    harness::window::set_service(&client, &rig().proxy.url).await;
    click(&client, "#connect-submit").await;
    wait_for(&client, "#password-error:not([hidden])").await;
    audit(&client, &axe, "connect-error", theme, &mut findings).await;

    // Connected: the same form with the real app password.
    wait_for(&client, "#password")
        .await
        .send_keys(&app_password)
        .await
        .expect("type app password");
    click(&client, "#connect-submit").await;
    wait_for(&client, &format!(".account[data-did=\"{}\"]", user.did)).await;
    wait_for(&client, "#status-message:not(:empty)").await;
    audit(&client, &axe, "connected", theme, &mut findings).await;

    // Composing: text with a hashtag, an image with alt text, the account chosen.
    click(&client, "#nav-compose").await;
    wait_for_composer(&client).await;
    type_into_post(&client, 1, "Checking Hayon's window with axe #a11y").await;
    attach_image(&client, 1, &photo).await;
    wait_for(&client, POST_ON).await;
    audit(&client, &axe, "composing", theme, &mut findings).await;

    // Two images, the second moved before the first with its "Move left" (the move controls and
    // the images' places shown).
    let second = attach_image(&client, 1, &tall).await;
    let id = attr_of(&client, &second, "data-id")
        .await
        .expect("a tile id");
    click(&client, &format!("{second} .image-move[data-delta='-1']")).await;
    wait_for(
        &client,
        &in_post(
            1,
            &format!(".image-list > li.image-item:first-child[data-id='{id}']"),
        ),
    )
    .await;
    audit(&client, &axe, "images-reordered", theme, &mut findings).await;

    // The alt text editor, over its limit (the reason shown, Save off).
    click(&client, &in_post(1, ".image-alt-edit")).await;
    wait_for(&client, "#alt-dialog[open] #alt-dialog-text").await;
    client
        .execute(
            "const text = document.getElementById('alt-dialog-text');
             text.value = 'a'.repeat(2010);
             text.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("fill the alt text");
    wait_for(&client, "#alt-dialog-counter[data-state=over]").await;
    audit(&client, &axe, "alt-editor-over-limit", theme, &mut findings).await;
    click(&client, "#alt-dialog-cancel").await;
    // Closed and handled: the editor gives focus back then, which must not land mid-typing below.
    wait_alt_dialog_closed(&client).await;

    // Mentions: a handle that does not resolve (warned), and suggestions listed for another.
    type_into_post(&client, 1, " with @nobody.test and @wa").await;
    wait_for(
        &client,
        &in_post(1, ".mention-warning[data-handle='nobody.test']"),
    )
    .await;
    wait_for(
        &client,
        &in_post(1, ".mention-list:not([hidden]) .mention-option"),
    )
    .await;
    audit(&client, &axe, "mentions", theme, &mut findings).await;
    clear_post(&client, 1).await;
    type_into_post(&client, 1, "Checking Hayon's window with axe #a11y").await;
    wait_for(&client, &in_post(1, ".mention-list[hidden]")).await;

    // A thread of two, with the reply settings open.
    add_post(&client, 2).await;
    type_into_post(&client, 2, "The second post of the thread").await;
    click(&client, "#reply-settings > summary").await;
    wait_for(&client, "#reply-settings[open] #reply-nobody").await;
    audit(&client, &axe, "composing-thread", theme, &mut findings).await;
    click(&client, "#reply-settings > summary").await;

    // A video in the second post, with alt text and a caption in a language.
    attach_video(&client, 2, &harness::videos::mp4(320, 240, 2)).await;
    type_into(
        &client,
        &in_post(2, ".video-alt"),
        "A test pattern with a beep",
    )
    .await;
    let captions = harness::videos::captions_vtt(images.path(), "beep.vtt", &[(0.0, 1.0, "Beep")]);
    add_captions(&client, 2, &captions).await;
    audit(&client, &axe, "video-with-captions", theme, &mut findings).await;
    click(&client, &in_post(2, ".post-remove")).await;
    wait_for(&client, "#thread > li.post-editor:only-child").await;

    // Over the limit.
    type_into_post(&client, 1, &" and more".repeat(40)).await;
    wait_for(&client, "#composer-counter[data-state=over]").await;
    audit(&client, &axe, "over-limit", theme, &mut findings).await;

    // Posting: the write is held back by the proxy while the audit runs.
    clear_post(&client, 1).await;
    type_into_post(&client, 1, "Held for a moment by the test's proxy").await;
    wait_for(&client, POST_ON).await;
    rig()
        .proxy
        .arm(WRITE, Fault::Stall(Duration::from_secs(15)));
    click(&client, "#post-submit").await;
    wait_for(&client, "#post-progress:not([hidden])").await;
    audit(&client, &axe, "posting", theme, &mut findings).await;
    assert!(
        client
            .find(fantoccini::Locator::Css("#post-progress:not([hidden])"))
            .await
            .is_ok(),
        "the post went out before the audit of the posting state ended: hold the write longer"
    );

    // Posted.
    wait_for(&client, "a.post-link[href]").await;
    audit(&client, &axe, "posted", theme, &mut findings).await;

    // A refused post.
    rig().proxy.arm(WRITE, Fault::refusal());
    type_into_post(&client, 1, "This one the server refuses").await;
    wait_for(&client, POST_ON).await;
    click(&client, "#post-submit").await;
    wait_for(&client, "#post-results[data-kind=error]:not([hidden])").await;
    let shown = text_of(&client, "#post-results").await;
    assert!(shown.contains(fault_proxy::REFUSAL_MESSAGE), "{shown:?}");
    audit(&client, &axe, "post-error", theme, &mut findings).await;

    // The Schedule picker, with a time in the past refused (the thread that failed is given up
    // first: a thread in the outbox is retried, not scheduled).
    click(&client, "#post-discard").await;
    wait_for(&client, "#post-results[hidden]").await;
    wait_for(&client, POST_ON).await;
    click(&client, "#schedule-open").await;
    wait_for(&client, "#schedule-dialog[open] #schedule-date").await;
    client
        .execute(
            "const date = document.getElementById('schedule-date');
             date.value = '2001-01-01';
             date.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("pick a past date");
    click(&client, "#schedule-confirm").await;
    wait_for(&client, "#schedule-error:not(:empty)").await;
    audit(&client, &axe, "schedule-picker", theme, &mut findings).await;

    // The Queue, with the post scheduled for tomorrow.
    click(&client, "#schedule-quick button[data-quick=tomorrow]").await;
    click(&client, "#schedule-confirm").await;
    wait_for(&client, "#schedule-dialog:not([open])").await;
    click(&client, "#nav-queue").await;
    wait_for(&client, "#view-queue:not([hidden]) .queue-item").await;
    audit(&client, &axe, "queue", theme, &mut findings).await;

    // That post open for editing in the composer, under its banner.
    click(&client, "#view-queue .queue-item .queue-edit").await;
    wait_for(
        &client,
        "#view-compose:not([hidden]) #editing-banner:not([hidden])",
    )
    .await;
    audit(&client, &axe, "queue-edit", theme, &mut findings).await;
    click(&client, "#editing-stop").await;
    wait_for(&client, "#view-queue:not([hidden]) .queue-item").await;

    // Settings › Schedule: the posting times and the hold for late posts.
    click(&client, "#nav-schedule").await;
    wait_for(&client, "#view-schedule:not([hidden]) .slot-chip").await;
    audit(&client, &axe, "schedule-settings", theme, &mut findings).await;

    // Settings › About and updates (a failed update check shows nothing there).
    click(&client, "#nav-about").await;
    wait_for(
        &client,
        "#view-about:not([hidden]) #check-updates:not([disabled])",
    )
    .await;
    audit(&client, &axe, "about", theme, &mut findings).await;

    client.close().await.expect("close session");
    assert!(
        findings.0.is_empty(),
        "axe-core found {} serious or critical violation(s) in the {} theme:\n{}",
        findings.0.len(),
        theme.name(),
        findings.0.join("\n")
    );
}

/// Empties post `n`'s text the way a person would (select all, delete), so the page hears the
/// input.
async fn clear_post(client: &Client, n: usize) {
    let css = in_post(n, ".editor-input");
    client
        .execute(
            "const box = document.querySelector(arguments[0]);
             box.value = '';
             box.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(css)],
        )
        .await
        .expect("clear the post");
}

#[tokio::test]
async fn no_serious_accessibility_violations_in_any_state_light() {
    audit_every_state(Theme::Light).await;
}

#[tokio::test]
async fn no_serious_accessibility_violations_in_any_state_dark() {
    audit_every_state(Theme::Dark).await;
}
