//! Hayon's life beyond the window: closing the window and quitting (the page asks first when a post
//! is due within the hour, see `lifecycle.rs`) and starting at login (Tauri's autostart plugin writes the XDG autostart
//! entry, which starts Hayon hidden in the tray).

use crate::lifecycle::{self, QuitAnswer};
use hayon_core::{Error, ErrorCode};
use tauri::{AppHandle, Runtime};
use tauri_plugin_autostart::ManagerExt;

/// Quits when `confirmed`, or when no post is due within the hour; otherwise answers how many are,
/// for the page to ask.
#[tauri::command]
pub fn quit<R: Runtime>(app: AppHandle<R>, confirmed: bool) -> QuitAnswer {
    let answer = lifecycle::quit_answer(&app);
    if confirmed || answer.due_soon == 0 {
        app.exit(0);
    }
    answer
}

/// Closes the window as its close button does (Ctrl+W): `Window::close` raises the same
/// `CloseRequested`, so with posts scheduled Hayon stays in the tray (`lifecycle::on_window_event`).
#[tauri::command]
pub fn close_window<R: Runtime>(window: tauri::Window<R>) -> Result<(), Error> {
    window.close().map_err(|err| {
        tracing::warn!(error = %err, "the window could not be closed");
        Error::new(
            ErrorCode::Internal,
            "Hayon could not close its window. Use the window's close button or Ctrl+Q.",
        )
    })
}

/// Whether Hayon starts at login.
#[tauri::command]
pub fn start_at_login<R: Runtime>(app: AppHandle<R>) -> Result<bool, Error> {
    app.autolaunch().is_enabled().map_err(autostart_failed)
}

/// Turns starting at login on or off.
#[tauri::command]
pub fn set_start_at_login<R: Runtime>(app: AppHandle<R>, on: bool) -> Result<(), Error> {
    let autolaunch = app.autolaunch();
    if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    }
    .map_err(autostart_failed)
}

fn autostart_failed(err: tauri_plugin_autostart::Error) -> Error {
    tracing::warn!(error = %err, "the autostart entry could not be changed");
    Error::new(
        ErrorCode::Storage,
        "Hayon could not change its entry in your session's startup programs (~/.config/autostart). \
         Check that the folder is writable.",
    )
}
