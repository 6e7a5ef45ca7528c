//! Settings › About and updates, and update checks that fail or are turned off.

use super::*;

/// Nothing about updates is on screen: no banner, no error anywhere.
async fn assert_no_update_shown(client: &Client) {
    let shown: serde_json::Value = client
        .execute(
            "return {
               banner: !document.getElementById('update-banner').hidden,
               dot: !document.getElementById('nav-update-dot').hidden,
               alerts: [...document.querySelectorAll('[role=alert]')]
                 .map((e) => e.textContent.trim()).filter(Boolean),
             };",
            vec![],
        )
        .await
        .expect("read the page");
    assert_eq!(
        shown,
        serde_json::json!({ "banner": false, "dot": false, "alerts": [] })
    );
}

fn tauri_conf() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tauri.conf.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("tauri.conf.json")).expect("JSON")
}

#[tokio::test]
async fn about_shows_the_version_and_the_project_links_and_update_checks_can_be_turned_off() {
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    click(&client, "#nav-about").await;
    wait_for(
        &client,
        "#view-about:not([hidden]) #check-updates:not([disabled])",
    )
    .await;
    let conf = tauri_conf();
    let version = conf["version"].as_str().expect("version");
    let manifest = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"));
    let homepage = manifest
        .lines()
        .find_map(|line| line.strip_prefix("homepage = "))
        .expect("Cargo.toml names the homepage")
        .trim_matches('"');
    // The version and the links come from their own call, not the setting's the wait above saw.
    assert_becomes("the version shown", version.to_owned(), || {
        text_of(&client, "#about-version")
    })
    .await;
    let links: serde_json::Value = client
        .execute(
            "return ['about-homepage', 'about-licence'].map((id) => {
               const a = document.getElementById(id);
               return { url: a.dataset.url, text: a.textContent, shown: !a.closest('[hidden]') };
             });",
            vec![],
        )
        .await
        .expect("links");
    assert_eq!(links[0]["url"], homepage);
    assert_eq!(links[0]["shown"], true);
    assert_eq!(links[1]["url"], "https://spdx.org/licenses/MIT.html");
    assert_eq!(links[1]["text"], "Licence: MIT");
    screenshot(&client, "about-and-updates").await;
    // The opener opens those links, never any other address the page might ask for.
    let refused = invoke(
        &client,
        "plugin:opener|open_url",
        serde_json::json!({ "url": "https://example.com/" }),
    )
    .await;
    assert!(refused.get("err").is_some(), "{refused}");

    // Checks are on by default; turning them off is stored.
    assert_eq!(
        client
            .execute(
                "return document.getElementById('check-updates').checked",
                vec![]
            )
            .await
            .expect("checkbox"),
        true
    );
    click(&client, "#check-updates").await;
    let stored = poll_until(
        || async { stored_text(&env, "SELECT value FROM settings") },
        |stored| stored.contains("\"checkForUpdates\":false"),
    )
    .await;
    assert!(
        stored.contains("\"checkForUpdates\":false"),
        "the setting was never stored: {stored}"
    );
    client.close().await.expect("end the session");
    drop(_driver);

    // With checks off, a restarted app asks no manifest at all.
    let key = SigningKey::generate();
    let server = UpdateServer::start(&key, "9.9.9", Release::Signed).await;
    let (_driver, client) = start_session_with(&env, &[(MANIFEST_ENV, &server.manifest_url)]).await;
    wait_for_log(&env, "update checks are turned off", 1).await;
    assert_eq!(server.requests("/latest.json"), 0);
    assert_no_update_shown(&client).await;
}

#[tokio::test]
async fn failed_update_checks_show_nothing_and_are_logged_with_their_reason() {
    let env = CliEnv::new();
    // A manifest for a newer version whose package is signed by a key other than the app's: the
    // package is downloaded, refused, and the refusal logged; the window shows nothing.
    let key = SigningKey::generate();
    let server = UpdateServer::start(&key, "9.9.9", Release::Signed).await;
    {
        let (_driver, client) =
            start_session_with(&env, &[(MANIFEST_ENV, &server.manifest_url)]).await;
        wait_for(&client, ".view:not([hidden])").await;
        let log = wait_for_log(&env, "update refused", 1).await;
        assert!(
            log.contains("verifying the update's signature failed"),
            "{log}"
        );
        assert_eq!(server.requests(PACKAGE_PATH), 1);
        assert_no_update_shown(&client).await;
        let status = invoke(&client, "update_status", serde_json::json!({})).await;
        assert_eq!(status, serde_json::json!({ "ok": null }));
        // Install asked for anyway (as a page could): refused, saying what is missing.
        let install = invoke(&client, "install_update", serde_json::json!({})).await;
        assert_eq!(install["err"]["code"], "not_found", "{install}");
        assert_eq!(
            install["err"]["message"], "There is no downloaded update to install.",
            "{install}"
        );
        client.close().await.expect("end the session");
    }
    // Nothing listening (as offline): logged, nothing shown.
    let (_driver, client) = start_session_with(&env, &[(MANIFEST_ENV, CLOSED_MANIFEST)]).await;
    wait_for(&client, ".view:not([hidden])").await;
    let log = wait_for_log(&env, "no update this time", 1).await;
    assert!(log.contains("checking for an update failed"), "{log}");
    click(&client, "#nav-about").await;
    wait_for(&client, "#view-about:not([hidden])").await;
    assert_no_update_shown(&client).await;
    assert_eq!(
        text_of(&client, "#updates-state").await,
        "No update is waiting."
    );
    screenshot(&client, "about-update-check-failed-quietly").await;
}
