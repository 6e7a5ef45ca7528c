//! The window as an installed desktop app (issue #9), end to end under Xvfb: the window opens at the
//! size and place it was left; a second launch with the same data folder focuses the running window
//! and exits, while another data folder is another app; Settings › About and updates shows the
//! version and the project's links (and the opener refuses any other address); update checks that
//! fail — a manifest whose package is not signed by the app's key, or nothing listening — show
//! nothing in the window and are logged with their reason; checks turned off ask nothing; on a fresh
//! profile every folder in the data folders is 0700 and every file 0600; a launch while the window
//! is quitting still opens one; moving the window while its place is saved never freezes it.
//!
//! The verified-update path needs a package signed by the app's key, whose private half is not in
//! the repository: tests/updates.rs runs the same update code with a key pair of its own.

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::updates::{Release, SigningKey, UpdateServer, CLOSED_MANIFEST, PACKAGE_PATH};
use harness::window::{
    assert_becomes, click, invoke, poll_until, required_env, screenshot, start_session,
    start_session_with, stored_text, text_of, wait_for, wait_for_log,
};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MANIFEST_ENV: &str = "HAYON_UPDATE_MANIFEST_URL";

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
    let manifest = include_str!("../Cargo.toml");
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

#[tokio::test]
async fn the_window_opens_at_the_size_and_place_it_was_left() {
    let env = CliEnv::new();
    {
        let (_driver, client) = start_session(&env).await;
        wait_for(&client, ".view:not([hidden])").await;
        client
            .set_window_rect(60, 40, 900, 640)
            .await
            .expect("move and resize the window");
        // Written shortly after the window stops changing, not only at a clean exit.
        let file = env.path().join("window-state.json");
        let saved = poll_until(
            || async { std::fs::read_to_string(&file).unwrap_or_default() },
            |saved| saved.contains("\"width\": 900") && saved.contains("\"height\": 640"),
        )
        .await;
        assert!(
            saved.contains("\"width\": 900") && saved.contains("\"height\": 640"),
            "window state never saved: {saved}"
        );
        client.close().await.expect("end the session");
    }
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;
    // The display applies a window's geometry on its own time: read it until it is the saved one.
    assert_becomes(
        "the window's place and size",
        (60, 40, 900, 640),
        || async { client.get_window_rect().await.expect("window rect") },
    )
    .await;
}

/// Moving the window while Hayon writes down its place does not freeze it. Hayon saves the window's
/// state half a second after it stops changing; the moves below come at about that pace, a little
/// sooner or later each time, so some of them reach the window while a save is under way. (The save
/// once ran off the main thread holding the window-state plugin's lock while it asked the window for
/// its geometry, and a move waited for that lock on the main thread: the window hung for good.)
#[tokio::test]
async fn moving_the_window_while_its_place_is_saved_never_freezes_it() {
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;
    let moves = 90u32;
    for step in 0..moves {
        let width = 700 + step * 4;
        tokio::time::timeout(
            Duration::from_secs(20),
            client.set_window_rect(20 + step, 20, width, 560),
        )
        .await
        .unwrap_or_else(|_| panic!("the window froze at move {step}"))
        .expect("move the window");
        // The pace of the moves, not a wait for anything: 470–530 ms apart, around the save's delay.
        let pause = 470 + u64::from(step * 7 % 61);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    let last = format!("\"width\": {}", 700 + (moves - 1) * 4);
    let file = env.path().join("window-state.json");
    assert_becomes("the last size saved", true, || async {
        std::fs::read_to_string(&file).is_ok_and(|saved| saved.contains(&last))
    })
    .await;
}

/// The app binary started directly (as from the application menu), with `data_dir`.
fn launch(env: &CliEnv) -> std::process::Child {
    let app = required_env(
        "HAYON_APP_BINARY",
        "build the app (cargo build --release --features custom-protocol) and set it",
    );
    Command::new(app)
        .env("HAYON_DATA_DIR", env.path())
        .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
        .env(MANIFEST_ENV, CLOSED_MANIFEST)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("launch the app")
}

#[tokio::test]
async fn a_second_launch_focuses_the_running_window_and_exits() {
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;

    let mut second = launch(&env);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait().expect("second launch") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch did not exit");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(
        !stderr.contains("page-loaded"),
        "no second window: {stderr}"
    );
    wait_for_log(&env, "launched again: focusing the open window", 1).await;
    // The first window is still there and answering.
    let about = invoke(&client, "about", serde_json::json!({})).await;
    assert!(about["ok"]["version"].is_string(), "{about}");

    // Another data folder is another app: it opens its own window.
    let other = CliEnv::new();
    let mut third = launch(&other);
    let said = wait_for_page_loaded(&mut third).await;
    let still_running = third.try_wait().expect("third launch").is_none();
    let _ = third.kill();
    let _ = third.wait();
    assert!(said.ends_with("page-loaded"), "a window of its own: {said}");
    assert!(still_running);
}

/// Waits (up to a minute) until `app` has loaded its page (its stderr's launch marker); returns what
/// it printed until then, ending in "page-loaded" only if it did.
async fn wait_for_page_loaded(app: &mut std::process::Child) -> String {
    let stderr = app.stderr.take().expect("stderr");
    let said = tokio::task::spawn_blocking(move || {
        let mut said = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            said.push_str(&line);
            said.push('\n');
            if line.contains("launch-marker: page-loaded") {
                return format!("{said}page-loaded");
            }
        }
        said
    });
    match tokio::time::timeout(Duration::from_secs(60), said).await {
        Ok(said) => said.expect("read the app's stderr"),
        Err(_) => "no page loaded within a minute".to_owned(),
    }
}

/// A launch while the same data folder's window is quitting: the quitting Hayon still owns the
/// single-instance D-Bus name when the launch forwards to it, and is gone before it answers (the bus
/// says NoReply). The launch starts itself again and opens the window the person asked for. A
/// stand-in on the session bus plays the quitting Hayon: it owns the name, takes the call, and
/// disconnects without answering.
#[tokio::test]
async fn a_launch_while_the_window_is_quitting_opens_a_window() {
    let env = CliEnv::new();
    // The name this data folder's Hayon owns, found by its process.
    let mut first = launch(&env);
    let said = wait_for_page_loaded(&mut first).await;
    assert!(said.ends_with("page-loaded"), "the first launch: {said}");
    let bus = zbus::blocking::Connection::session().expect("the session bus");
    let dbus = zbus::blocking::fdo::DBusProxy::new(&bus).expect("the bus's own interface");
    let name = dbus
        .list_names()
        .expect("the bus's names")
        .into_iter()
        .find(|name| {
            name.ends_with(".SingleInstance")
                && dbus.get_connection_unix_process_id(name.inner().clone()) == Ok(first.id())
        })
        .expect("a single-instance name owned by the app")
        .to_string();
    first.kill().expect("end the first launch");
    first.wait().expect("the first launch ended");

    let owned = poll_until(
        || async {
            bus.request_name_with_flags(
                name.as_str(),
                zbus::fdo::RequestNameFlags::DoNotQueue.into(),
            )
        },
        |reply| matches!(reply, Ok(zbus::fdo::RequestNameReply::PrimaryOwner)),
    )
    .await;
    assert!(
        matches!(owned, Ok(zbus::fdo::RequestNameReply::PrimaryOwner)),
        "the stand-in owns {name}: {owned:?}"
    );
    // Listening before the launch: a call that arrives while nothing listens is dropped.
    let calls = zbus::blocking::MessageIterator::from(&bus);
    let (told, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let called = calls.map_while(Result::ok).any(|message| {
            message
                .header()
                .member()
                .is_some_and(|member| member.as_str() == "ExecuteCallback")
        });
        bus.close().expect("disconnect without answering");
        let _ = told.send(called);
    });

    let mut second = launch(&env);
    let said = wait_for_page_loaded(&mut second).await;
    let still_running = second.try_wait().expect("second launch").is_none();
    let app_umask = umask_of(&second.id().to_string());
    let window = window_processes(&format!("HAYON_DATA_DIR={}", env.path().display()));
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(
        heard.recv_timeout(Duration::from_secs(60)),
        Ok(true),
        "the launch forwarded to the name's owner"
    );
    assert!(said.contains("starting again"), "{said}");
    assert!(said.ends_with("page-loaded"), "a window after all: {said}");
    assert!(still_running);
    // The new start has the person's umask, not Hayon's private one, and counted its relaunch
    // without passing the count on.
    assert_eq!(app_umask, umask_of("self"), "the relaunched app's umask");
    let network = window
        .iter()
        .find(|process| process.name.starts_with("WebKitNetwork"))
        .unwrap_or_else(|| panic!("no WebKit network process: {window:?}"));
    assert!(
        !network
            .environ
            .iter()
            .any(|entry| entry.starts_with("HAYON_RELAUNCH=")),
        "{network:?}"
    );
}

/// On a fresh profile nothing Hayon or its web view writes is readable by other local users: the
/// app's default data folder, which Tauri makes for the web view's storage and caches
/// (`hsts-storage.sqlite`, `WebKitCache/`, …), and Hayon's own data folder (the database, the log, the
/// window's state) hold only 0700 folders and 0600 files, once WebKit has written its storage and
/// the window its state.
#[cfg(unix)]
#[tokio::test]
async fn on_a_fresh_profile_every_folder_is_0700_and_every_file_0600() {
    let env = CliEnv::new();
    let home = tempfile::tempdir().expect("a fresh XDG_DATA_HOME");
    let xdg = home.path().to_str().expect("utf-8").to_owned();
    let (_driver, client) = start_session_with(&env, &[("XDG_DATA_HOME", &xdg)]).await;
    wait_for(&client, ".view:not([hidden])").await;
    let folder = home.path().join("social.hayon.desktop");
    let webkit_storage = folder.join("hsts-storage.sqlite");
    assert_becomes("WebKit's storage in the data folder", true, || async {
        webkit_storage.exists()
    })
    .await;
    client
        .set_window_rect(40, 30, 820, 600)
        .await
        .expect("resize the window");
    let window_state = env.path().join("window-state.json");
    assert_becomes("the window's state written", true, || async {
        std::fs::read_to_string(&window_state).is_ok_and(|state| state.contains("820"))
    })
    .await;

    // The folder named by HAYON_DATA_DIR keeps the mode it was given (the person's choice); the
    // default one is Hayon's own.
    let written = [folder.clone()]
        .into_iter()
        .chain(harness::scan::paths_under(&folder))
        .chain(harness::scan::paths_under(env.path()));
    let mut loose = Vec::new();
    for path in written {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        let mode = meta.permissions().mode() & 0o777;
        let private = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != private {
            loose.push(format!("{:o} {}", mode, path.display()));
        }
    }
    assert!(loose.is_empty(), "not private:\n{}", loose.join("\n"));

    // WebKit's processes keep umask 077; the app has the person's back (the test's own here, which
    // must differ for this to tell), so a browser it starts through the opener creates files as the
    // person expects.
    let ours = umask_of("self").expect("the test's umask");
    assert_ne!(ours, "0077", "run the tests with a umask other than 077");
    let window = window_processes(&format!("XDG_DATA_HOME={xdg}"));
    let umask_of_process = |prefix: &str| {
        window
            .iter()
            .find(|process| process.name.starts_with(prefix))
            .and_then(|process| process.umask.clone())
    };
    assert_eq!(umask_of_process("hayon"), Some(ours), "{window:?}");
    assert_eq!(
        umask_of_process("WebKitNetwork").as_deref(),
        Some("0077"),
        "{window:?}"
    );
}

/// The `Umask:` of process `pid` (or `self`), as /proc shows it ("0022").
fn umask_of(pid: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Umask:"))
        .map(|mask| mask.trim().to_owned())
}

/// A process of a window under test, read from /proc.
#[derive(Debug)]
struct WindowProcess {
    name: String,
    umask: Option<String>,
    /// The environment it was started with.
    environ: Vec<String>,
}

/// Every process whose environment holds `entry` (`NAME=value`).
fn window_processes(entry: &str) -> Vec<WindowProcess> {
    let Ok(proc) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    proc.flatten()
        .filter_map(|process| {
            let environ = std::fs::read(process.path().join("environ")).ok()?;
            let environ: Vec<String> = environ
                .split(|byte| *byte == 0)
                .map(|entry| String::from_utf8_lossy(entry).into_owned())
                .collect();
            if !environ.iter().any(|e| e == entry) {
                return None;
            }
            let pid = process.file_name().to_string_lossy().into_owned();
            let name = std::fs::read_to_string(process.path().join("comm")).ok()?;
            Some(WindowProcess {
                name: name.trim().to_owned(),
                umask: umask_of(&pid),
                environ,
            })
        })
        .collect()
}
