//! When Hayon's window goes and Hayon itself stays or ends. Scheduled posts are sent by this process
//! (`sender.rs`), so closing the window while posts are scheduled hides it and leaves Hayon in the
//! tray (the "keep running in the tray" setting, on by default; the first time, a notification says
//! so). Quitting while a post is due within the hour asks the person first, in the window. Started
//! at login (`--hidden`, the autostart entry's argument), Hayon starts in the tray.

use crate::sender::Sender;
use crate::state::AppState;
use crate::{notices, tray};
use hayon_core::Core;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime, Window, WindowEvent};

/// Asks the page to confirm quitting; carries [`QuitAnswer`].
pub const QUIT_REQUESTED: &str = "quit-requested";

/// The argument the autostart entry starts Hayon with: into the tray, no window.
pub const HIDDEN: &str = "--hidden";

/// Quitting asks first when a post goes within this.
const SOON: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// What quitting would leave behind: posts due within the hour.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuitAnswer {
    pub due_soon: usize,
}

/// Whether this start came from the login autostart entry.
pub fn starts_hidden() -> bool {
    std::env::args().any(|arg| arg == HIDDEN)
}

/// Shows, unminimizes and focuses the window (the tray's "Open Hayon", a second launch).
pub fn bring_back<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(err) = shown {
        tracing::warn!(error = %err, "could not show the window");
    }
}

/// Pauses or resumes sending (the tray's menu and the page's setting end here), then tells the
/// tray, the sender and the page.
pub fn set_sending_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) {
    let saved = app
        .state::<AppState>()
        .core()
        .and_then(|core| core.settings().set_sending_paused(paused));
    match saved {
        Ok(()) => settings_changed(app),
        Err(err) => tracing::warn!(
            code = err.code.as_str(),
            "could not pause or resume sending"
        ),
    }
}

/// After the preferences changed: the tray's menu follows, the sender looks again (a resumed queue
/// goes at once), and the page re-reads.
pub fn settings_changed<R: Runtime>(app: &AppHandle<R>) {
    tray::refresh(app);
    if let Some(sender) = app.try_state::<Sender>() {
        sender.wake();
    }
    if let Err(err) = app.emit(crate::watch::DATA_CHANGED, ()) {
        tracing::warn!(error = %err, "could not tell the window the settings changed");
    }
}

/// The tray's Quit: ends Hayon at once when no post is due within the hour; otherwise brings the
/// window back and lets the page ask (it calls the `quit` command with the answer).
pub fn quit_or_ask<R: Runtime>(app: &AppHandle<R>) {
    let answer = quit_answer(app);
    if answer.due_soon == 0 {
        app.exit(0);
        return;
    }
    bring_back(app);
    if let Err(err) = app.emit(QUIT_REQUESTED, answer) {
        tracing::warn!(error = %err, "could not ask the window before quitting; quitting");
        app.exit(0);
    }
}

/// How many posts would go out within the hour if Hayon kept running (an unreadable queue counts
/// as none: it cannot be sent either).
pub fn quit_answer<R: Runtime>(app: &AppHandle<R>) -> QuitAnswer {
    let due_soon = app
        .state::<AppState>()
        .core()
        .and_then(|core| core.posting().due_within(SOON))
        .unwrap_or_else(|err| {
            tracing::warn!(
                code = err.code.as_str(),
                "could not read the queue before quitting"
            );
            0
        });
    QuitAnswer { due_soon }
}

/// The window's close button: with posts scheduled and the setting on, the window hides and Hayon
/// stays in the tray; else, with a post due within the hour, the page asks first; else it closes.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let app = window.app_handle();
    let Ok(core) = app.state::<AppState>().core() else {
        return;
    };
    let keep = core
        .settings()
        .load()
        .is_ok_and(|preferences| preferences.keep_running_in_tray);
    let scheduled = core
        .posting()
        .scheduled()
        .is_ok_and(|rows| !rows.is_empty());
    tracing::info!(keep, scheduled, "the window's close button was pressed");
    if keep && scheduled {
        api.prevent_close();
        if let Err(err) = window.hide() {
            tracing::warn!(error = %err, "could not hide the window");
        }
        tell_once_about_the_tray(app, &core);
    } else if quit_answer(app).due_soon > 0 {
        api.prevent_close();
        quit_or_ask(app);
    }
}

/// The first time closing leaves Hayon running, a notification says where it went.
fn tell_once_about_the_tray<R: Runtime>(app: &AppHandle<R>, core: &Core) {
    let told = core.settings().load().and_then(|mut preferences| {
        if preferences.told_about_tray {
            return Ok(true);
        }
        preferences.told_about_tray = true;
        core.settings().save(&preferences).map(|()| false)
    });
    if let Ok(false) = told {
        notices::show(
            app,
            "Hayon is still running",
            "Your scheduled posts will go out on time. Open Hayon from the tray icon; turn this \
             off in Settings.",
            notices::Opens::Window,
        );
    }
}
