//! The tray icon's menu (issue 19; src-tauri/src/tray.rs, lifecycle.rs), through a clearly named
//! stand-in for the desktop's panel (`harness::tray`: it takes the StatusNotifierWatcher's name on
//! the test's session bus, the app's AppIndicator registers with it, and it reads and clicks the
//! menu over dbusmenu as a panel does). With a post scheduled, the menu tells its time in the
//! person's zone; "Pause sending" pauses (saved where the CLI and the window read it), a post that
//! falls due meanwhile waits, "Resume sending" lets it go, once, and the menu follows; Ctrl+W closes the window into the tray, with a notification the first time; "Open
//! Hayon" brings it back; "Quit Hayon" ends the app when no post is due within the hour.

use harness::cli::CliEnv;
use harness::keychain;
use harness::notifications::NotificationServiceStandIn;
use harness::tray::{MenuEntry, TrayHostStandIn};
use harness::window::{js, poll_until, start_session_with, wait_for_composer};
use jiff::{tz::TimeZone, Timestamp, Unit};
use serde_json::json;

const ZONE: &str = "Europe/Berlin";

fn labels(menu: &Result<Vec<MenuEntry>, String>) -> Vec<String> {
    menu.as_ref()
        .map(|entries| entries.iter().map(|entry| entry.label.clone()).collect())
        .unwrap_or_default()
}

async fn press_ctrl(client: &fantoccini::Client, key: char) {
    client
        .find(fantoccini::Locator::Css("body"))
        .await
        .expect("the page")
        .send_keys(&format!("\u{E009}{key}\u{E000}"))
        .await
        .expect("the keys");
}

/// The page's visibility, as WebKit tells it: "hidden" while the window is.
async fn visibility(client: &fantoccini::Client) -> serde_json::Value {
    js(client, "return document.visibilityState").await
}

#[tokio::test]
async fn the_tray_menu_tells_the_next_post_pauses_sending_brings_the_window_back_and_quits() {
    keychain::require_secret_service();
    let tray = TrayHostStandIn::start();
    let notifications = NotificationServiceStandIn::start();
    let env = CliEnv::new();
    let alice = env.connect_new_user("tray").await;
    // Two days ahead, on the hour: nothing is due while the test runs, and Quit does not ask.
    let at = Timestamp::from_second(Timestamp::now().as_second() + 2 * 86_400)
        .and_then(|at| at.round(Unit::Hour))
        .expect("a time");
    env.schedule_at(at, &[&alice.did], "In two days", &[]);
    let (driver, client) = start_session_with(&env, &[("TZ", ZONE)]).await;
    wait_for_composer(&client).await;
    let pid = driver.app_pid().expect("the app runs");

    let zone = TimeZone::get(ZONE).expect("the zone");
    let next = format!(
        "Next post: {}",
        at.to_zoned_datetime(zone).strftime("%Y-%m-%d %H:%M %Z")
    );
    let running = ["Open Hayon", next.as_str(), "Pause sending", "Quit Hayon"];
    let menu = poll_until(|| async { tray.menu(pid) }, |menu| labels(menu) == running).await;
    assert_eq!(labels(&menu), running, "{menu:?}");
    let entries = menu.expect("the menu");
    assert!(
        !entries[1].enabled,
        "the next post's time is information, not an action"
    );

    // Pausing from the tray is the same preference the CLI and the window read; the menu follows.
    tray.click(pid, "Pause sending")
        .expect("click Pause sending");
    let paused = [
        "Open Hayon",
        "Sending is paused",
        "Resume sending",
        "Quit Hayon",
    ];
    let menu = poll_until(|| async { tray.menu(pid) }, |menu| labels(menu) == paused).await;
    assert_eq!(labels(&menu), paused, "{menu:?}");
    assert_eq!(env.stored_preferences()["sendingPaused"], true);
    // A post that falls due meanwhile waits; resumed from the tray, it goes, once.
    let held = env.queue_one_held_by_the_pause(&alice.did).await;
    tray.click(pid, "Resume sending")
        .expect("click Resume sending");
    env.sent_once_after_resume(&alice.did, &held).await;
    let menu = poll_until(|| async { tray.menu(pid) }, |menu| labels(menu) == running).await;
    assert_eq!(labels(&menu), running, "{menu:?}");
    assert_eq!(env.stored_preferences()["sendingPaused"], false);

    // Ctrl+W is the close button: with a post scheduled, the window goes and Hayon stays, and the
    // first time a notification says where it went.
    press_ctrl(&client, 'w').await;
    let hidden = poll_until(|| visibility(&client), |state| state == "hidden").await;
    assert_eq!(hidden, json!("hidden"), "the window is hidden");
    assert!(driver.app_is_running(), "Hayon runs on in the tray");
    // (The held post's "Posted to" notification came before.)
    let still_running = |shown: &Vec<harness::notifications::Shown>| {
        shown
            .iter()
            .filter(|shown| shown.summary == "Hayon is still running")
            .count()
    };
    let told = poll_until(
        || async { notifications.shown() },
        |shown| still_running(shown) > 0,
    )
    .await;
    assert_eq!(still_running(&told), 1, "{told:?}");
    assert_eq!(env.stored_preferences()["toldAboutTray"], true);

    tray.click(pid, "Open Hayon").expect("click Open Hayon");
    let shown = poll_until(|| visibility(&client), |state| state == "visible").await;
    assert_eq!(shown, json!("visible"), "Open Hayon brings the window back");

    // Nothing is due within the hour: Quit ends Hayon without asking. The app may end before it
    // answers the click, so only what the click does is checked.
    let _ = tray.click(pid, "Quit Hayon");
    let running = poll_until(|| async { driver.app_is_running() }, |running| !running).await;
    assert!(!running, "Quit Hayon ends Hayon");
}
