//! Sign in with Bluesky from the window: the real app under Xvfb, the reference PDS as the
//! authorization server, and the person's browser played over HTTP (`harness::oauth_browser`). The
//! app opens the sign-in page with `HAYON_BROWSER`, here a script that writes down each address.

use harness::cli::CliEnv;
use harness::keychain;
use harness::oauth_browser::{arrive, TestBrowser};
use harness::pds::pds;
use harness::wait::poll_until;
use harness::window::{click, js, start_session_with, text_of, wait_for};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A browser command that writes each address it is given to `opened`, one per line.
fn recording_browser(dir: &Path) -> (PathBuf, PathBuf) {
    let opened = dir.join("opened");
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    )
    .expect("write the browser script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (script, opened)
}

fn opened_addresses(opened: &Path) -> Vec<String> {
    std::fs::read_to_string(opened)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn signing_in_with_bluesky_in_the_window_connects_the_account() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("woa").await;
    let env = CliEnv::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (browser, opened) = recording_browser(dir.path());
    let browser = browser.to_str().expect("utf-8 path").to_owned();
    let (_driver, client) = start_session_with(
        &env,
        &[
            ("HAYON_BROWSER", browser.as_str()),
            ("HAYON_PLC_DIRECTORY", pds.plc_url.as_str()),
        ],
    )
    .await;

    wait_for(&client, "#view-accounts:not([hidden]) #identifier")
        .await
        .send_keys(&user.handle)
        .await
        .expect("type handle");
    harness::window::set_service(&client, &pds.url).await;
    click(&client, "#oauth-submit").await;

    // The browser was opened at the sign-in page, which the window shows too.
    let addresses = poll_until(
        || async { opened_addresses(&opened) },
        |seen| !seen.is_empty(),
    )
    .await;
    assert_eq!(addresses.len(), 1, "{addresses:?}");
    let authorize_url = addresses[0].clone();
    assert!(authorize_url.contains("request_uri="), "{authorize_url}");
    wait_for(&client, "#oauth-waiting:not([hidden])").await;
    let shown = poll_until(
        || async { harness::window::value_of(&client, "#oauth-url").await },
        |shown| !shown.is_empty(),
    )
    .await;
    assert_eq!(shown, authorize_url);
    // "Open the page again" opens the same page.
    click(&client, "#oauth-open").await;
    let again = poll_until(
        || async { opened_addresses(&opened) },
        |seen| seen.len() == 2,
    )
    .await;
    assert_eq!(again, [authorize_url.clone(), authorize_url.clone()]);

    let callback = TestBrowser::approve(&authorize_url, &user.handle, &user.password).await;
    let (status, page) = arrive(&callback).await.expect("the app's listener answers");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Hayon is connected"), "{page}");

    let item = format!(".account[data-did=\"{}\"]", user.did);
    wait_for(&client, &item).await;
    let meta = text_of(&client, &format!("{item} .account-meta")).await;
    assert!(meta.contains("Signed in with Bluesky, until"), "{meta:?}");
    assert!(
        js(
            &client,
            "return document.querySelector('#oauth-waiting').hidden;"
        )
        .await
        .as_bool()
        .expect("a boolean"),
        "the waiting panel is gone"
    );
    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list[0]["signIn"]["kind"], "oauth", "{list}");

    // No token, key or code in the data folder: the database, the log, the WebView's storage.
    let entry: serde_json::Value = serde_json::from_str(
        &keychain::lookup(&env.keychain_service, &user.did).expect("a keychain entry"),
    )
    .expect("JSON");
    let code = url::Url::parse(&callback)
        .expect("url")
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .expect("a code");
    let secrets: Vec<&str> = ["accessJwt", "refreshJwt", "dpopKey"]
        .iter()
        .map(|name| entry[*name].as_str().expect("stored"))
        .chain([code.as_str()])
        .collect();
    harness::scan::assert_no_secrets(env.path(), &secrets);
}

#[tokio::test]
async fn two_days_before_a_sign_in_ends_the_person_is_told_once_and_the_queue_says_which_posts_wait(
) {
    keychain::require_secret_service();
    let notifications = harness::notifications::NotificationServiceStandIn::start();
    let pds = pds();
    let user = pds.create_user("wend").await;
    let env = CliEnv::new();
    let signing_in = env.start_sign_in(&user.handle, &pds.url, &[]);
    let callback =
        TestBrowser::approve(&signing_in.authorize_url, &user.handle, &user.password).await;
    arrive(&callback).await.expect("the CLI's listener answers");
    signing_in.finish().expect_ok();
    // The sign-in ends in a day (the server's two weeks, as if twelve days had passed); a post is
    // scheduled for three days from now.
    let ends = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(24))
        .expect("a time");
    rusqlite::Connection::open(env.path().join("hayon.sqlite3"))
        .expect("database")
        .execute(
            "UPDATE accounts SET sign_in_expires_at = ?1 WHERE did = ?2",
            [ends.to_string(), user.did.clone()],
        )
        .expect("end sooner");
    env.schedule_in(3 * 86_400, &[&user.handle], "After the end", &[]);

    let (_driver, client) = start_session_with(&env, &[]).await;
    let about_the_end = |shown: &Vec<harness::notifications::Shown>| {
        shown
            .iter()
            .filter(|told| told.summary == format!("Sign in to @{} again soon", user.handle))
            .cloned()
            .collect::<Vec<_>>()
    };
    let told = poll_until(
        || async { notifications.shown() },
        |shown| !about_the_end(shown).is_empty(),
    )
    .await;
    let told = about_the_end(&told);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]
            .body
            .contains("One scheduled post is due after that"),
        "{}",
        told[0].body
    );

    // A click leads to the accounts, where the account offers Sign in again.
    wait_for(&client, "#view-compose:not([hidden])").await;
    notifications.click(told[0].id);
    let item = format!(".account[data-did=\"{}\"]", user.did);
    wait_for(&client, "#view-accounts:not([hidden])").await;
    let again = text_of(&client, &format!("{item} .reconnect")).await;
    assert_eq!(again, "Sign in again");

    // The Queue says the post would wait.
    click(&client, "#nav-queue").await;
    let warning = text_of(&client, "#view-queue .queue-warning").await;
    assert!(
        warning.contains(&format!("The sign-in of @{} ends", user.handle)),
        "{warning:?}"
    );
    // Told once: remembered, so the sender's next rounds say nothing more (the core's unit test
    // `a_sign_in_ending_within_two_days_is_reminded_of_once` checks the next round).
    let reminded: Option<String> = rusqlite::Connection::open(env.path().join("hayon.sqlite3"))
        .expect("database")
        .query_row(
            "SELECT sign_in_reminded_at FROM accounts WHERE did = ?1",
            [&user.did],
            |row| row.get(0),
        )
        .expect("read");
    assert!(reminded.is_some(), "the reminder is remembered");
}
