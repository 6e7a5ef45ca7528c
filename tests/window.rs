//! The real window, end to end: the release app under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver), against the reference PDS and the real Secret Service. A person's path: connect
//! an account through the form, see it listed with its handle and health, disconnect it; its picture
//! comes from the core, never from the web. Posting, link cards and the composer's images and
//! languages have suites of their own (`window_posting.rs`, `window_links.rs`, `window_composer.rs`).
//!
//! Screenshots of each step are saved to `target/e2e-screenshots/` (printed in the test output). The
//! WebDriver helpers live in `harness::window`, shared with the other window suites.

use fantoccini::Locator;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::web::{Reply, WebServer};
use harness::window::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Hayon's painting choice (src-tauri/src/rendering.rs) reached the web processes of every running
/// Hayon window: read from /proc, where WebKit itself reads it.
fn assert_web_processes_paint_on_the_cpu() {
    let app = std::fs::canonicalize(required_env("HAYON_APP_BINARY", "set by scripts/test.sh"))
        .expect("app binary path");
    let parent_of = |pid: &str| -> Option<String> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Some(
            stat.rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .to_owned(),
        )
    };
    let pids: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.bytes().all(|byte| byte.is_ascii_digit()))
        .collect();
    let apps: Vec<&String> = pids
        .iter()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
        .collect();
    let web_processes: Vec<&String> = pids
        .iter()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.starts_with("WebKitWebProces"))
                && parent_of(pid).is_some_and(|parent| apps.contains(&&parent))
        })
        .collect();
    assert!(!web_processes.is_empty(), "no web process of {app:?} found");
    for pid in web_processes {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("environ");
        assert!(
            environ
                .split(|byte| *byte == 0)
                .any(|entry| entry == b"WEBKIT_SKIA_ENABLE_CPU_RENDERING=1"),
            "web process {pid} does not paint on the CPU"
        );
    }
}

#[tokio::test]
async fn connect_see_and_disconnect_an_account_in_the_window() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("win").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;

    // The empty state is rendered once the account list has loaded.
    wait_for(
        &client,
        "#view-accounts:not([hidden]) #accounts-empty:not([hidden])",
    )
    .await;
    screenshot(&client, "1-empty").await;
    assert_web_processes_paint_on_the_cpu();

    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    harness::window::use_app_password(&client).await;
    wait_for(&client, "#password")
        .await
        .send_keys(&app_password)
        .await
        .expect("type password");
    // Advanced › Hosting provider: the test server instead of bsky.social.
    harness::window::set_service(&client, &pds.url).await;
    screenshot(&client, "2-form-filled").await;
    wait_for(&client, "#connect-submit")
        .await
        .click()
        .await
        .expect("submit");

    let item_css = format!(".account[data-did=\"{}\"]", user.did);
    wait_for(&client, &item_css).await;
    // The list re-renders when the window is told accounts changed: look elements up afresh.
    let handle = text_of(&client, &format!("{item_css} .account-handle")).await;
    assert!(handle.contains(&user.handle), "listed handle: {handle:?}");
    let status = attr_of(&client, &format!("{item_css} .health-badge"), "data-status").await;
    assert_eq!(status.as_deref(), Some("active"));
    // The password field was cleared after submit: the app password is no longer in the page.
    let page = client.source().await.expect("page source");
    assert!(
        !page.contains(&app_password),
        "the app password is still in the DOM"
    );
    assert!(!page.contains("eyJ"), "a token reached the web view");
    screenshot(&client, "3-connected").await;

    // The account is really stored: the keychain holds its tokens.
    assert!(keychain::tokens(&env.keychain_service, &user.did).is_some());

    click(&client, &format!("{item_css} .disconnect")).await;
    // #confirm-yes is in the page all along: wait for its dialog to be open.
    wait_for(&client, "#confirm-dialog[open] #confirm-yes").await;
    screenshot(&client, "4-confirm").await;
    click(&client, "#confirm-dialog[open] #confirm-yes").await;
    // The status already said "Connected …": wait for what disconnecting says.
    let said = poll_until(
        || text_of(&client, "#status-message"),
        |said| said.starts_with(&format!("Disconnected @{}", user.handle)),
    )
    .await;
    assert!(
        said.starts_with(&format!("Disconnected @{}", user.handle)),
        "status after disconnecting: {said:?}"
    );
    let gone = poll_until(
        || async { client.find(Locator::Css(&item_css)).await.is_err() },
        |gone| *gone,
    )
    .await;
    assert!(gone, "the account is still listed after disconnecting");
    screenshot(&client, "5-disconnected").await;
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);

    client.close().await.expect("close session");
}

/// An account's picture is shown in Settings and in "Post to", prepared by the core and handed to the
/// page as a `data:` URL. The page itself loads no image from a web address (its content security
/// policy allows `'self' data:` only): such a picture is refused before any request is made.
#[tokio::test]
async fn account_pictures_come_from_the_core_and_the_page_loads_no_web_image() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("pic").await;
    let images = tempfile::tempdir().expect("tempdir");
    let photo = harness::images::photo_jpeg(images.path(), "avatar.jpg", 400, 400);
    let jpeg = std::fs::read(&photo).expect("read the photo");
    pds.put_profile_with_avatar(&user, "Pictured Person", jpeg)
        .await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    env.connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    let listed = env.list();
    let address = listed[0]["avatar"].as_str().unwrap_or_default();
    assert!(
        address.starts_with(&pds.url),
        "the stored picture is the PDS's blob: {listed:?}"
    );

    let (_driver, client) = start_session(&env).await;
    wait_for_composer(&client).await;
    let in_chooser = format!(
        "input.post-account[value=\"{}\"] + label img.choice-avatar[src^=\"data:image/\"]",
        user.did
    );
    wait_for(&client, &in_chooser).await;
    click(&client, "#nav-accounts").await;
    let in_settings = format!(
        ".account[data-did=\"{}\"] img.avatar[src^=\"data:image/\"]",
        user.did
    );
    wait_for(&client, &in_settings).await;
    screenshot(&client, "account-picture").await;

    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let site = WebServer::serve(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::ok("image/jpeg", std::fs::read(&photo).expect("the photo"))
    })
    .await;
    let loaded = client
        .execute_async(
            "const [url, done] = [arguments[0], arguments[arguments.length - 1]];
         document.addEventListener('securitypolicyviolation',
           (event) => done(`refused: ${event.effectiveDirective}`), { once: true });
         const probe = new Image();
         probe.onload = () => done('loaded');
         probe.src = url;",
            vec![format!("{}/picture.jpg", site.url).into()],
        )
        .await
        .expect("show a picture from a web address");
    assert_eq!(loaded, "refused: img-src", "a picture from a web address");
    assert_eq!(asked.load(Ordering::SeqCst), 0, "the web server was asked");
    client.close().await.expect("close session");
}
