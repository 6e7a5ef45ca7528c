//! The real window, end to end: the release app under Xvfb, driven through WebDriver (tauri-driver +
//! WebKitWebDriver), against the reference PDS and the real Secret Service. A person's path: connect
//! an account through the form, see it listed with its handle and health, disconnect it.
//!
//! Screenshots of each step are saved to `target/e2e-screenshots/` (printed in the test output).

use fantoccini::{Client, ClientBuilder, Locator};
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn required_env(name: &str, how: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: {how}"))
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    println!("screenshot: {}", path.display());
}

async fn start_session(env: &CliEnv) -> (Driver, Client) {
    let app = required_env(
        "HAYON_APP_BINARY",
        "build the release app (cargo build --release --features custom-protocol) and set it; scripts/test.sh does",
    );
    let tauri_driver = required_env(
        "HAYON_TAURI_DRIVER",
        "scripts/test.sh installs tauri-driver and sets it",
    );
    required_env("DISPLAY", "run under Xvfb (scripts/test.sh uses xvfb-run)");
    let port = free_port();
    let native_port = free_port();
    let child = Command::new(tauri_driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        // The app inherits these through WebKitWebDriver: its own data folder and keychain service.
        .env("HAYON_DATA_DIR", env.path())
        .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tauri-driver");
    let driver = Driver(child);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "wry".into());
    capabilities.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(client) = ClientBuilder::rustls()
            .expect("tls")
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            return (driver, client);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("tauri-driver did not start a session at {url}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("free port")
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css} never appeared: {err}"))
}

#[tokio::test]
async fn connect_see_and_disconnect_an_account_in_the_window() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("win").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;

    wait_for(&client, "#connect-form").await;
    screenshot(&client, "1-empty").await;

    wait_for(&client, "#identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    wait_for(&client, "#password")
        .await
        .send_keys(&app_password)
        .await
        .expect("type password");
    // Advanced › Hosting provider: the test server instead of bsky.social.
    client
        .execute("document.querySelector('#advanced').open = true;", vec![])
        .await
        .expect("open advanced");
    let service = wait_for(&client, "#service").await;
    service.clear().await.expect("clear service");
    service.send_keys(&pds.url).await.expect("type service");
    screenshot(&client, "2-form-filled").await;
    wait_for(&client, "#connect-submit")
        .await
        .click()
        .await
        .expect("submit");

    let item_css = format!(".account[data-did=\"{}\"]", user.did);
    let item = wait_for(&client, &item_css).await;
    let handle = item
        .find(Locator::Css(".account-handle"))
        .await
        .expect("handle element")
        .text()
        .await
        .expect("handle text");
    assert!(handle.contains(&user.handle), "listed handle: {handle:?}");
    let badge = item
        .find(Locator::Css(".health-badge"))
        .await
        .expect("badge");
    assert_eq!(
        badge.attr("data-status").await.expect("status").as_deref(),
        Some("active")
    );
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

    item.find(Locator::Css(".disconnect"))
        .await
        .expect("disconnect button")
        .click()
        .await
        .expect("click disconnect");
    wait_for(&client, "#confirm-yes").await;
    screenshot(&client, "4-confirm").await;
    wait_for(&client, "#confirm-yes")
        .await
        .click()
        .await
        .expect("confirm");
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#status-message:not(:empty)"))
        .await
        .expect("status message");
    let mut gone = false;
    for _ in 0..50 {
        if client.find(Locator::Css(&item_css)).await.is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(gone, "the account is still listed after disconnecting");
    screenshot(&client, "5-disconnected").await;
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);

    client.close().await.expect("close session");
}
