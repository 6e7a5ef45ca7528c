//! The window opens where it was left, at the size it was left: the official window-state plugin,
//! with its file (`window-state.json`) in the data folder rather than the config folder, so each data
//! folder (a second profile, each test) remembers its own window. The plugin writes the file when
//! the app exits normally; Hayon also writes it a moment after the window is moved or resized, so a
//! session ended by logging out or a crash still opens the window where it was.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

const FILE: &str = "window-state.json";
/// Whether the window is shown is Hayon's to decide at start (hidden when started at login), so the
/// plugin keeps everything else: where it was, how big, maximized or not.
const KEPT: StateFlags = StateFlags::all().difference(StateFlags::VISIBLE);
/// Moving or resizing sends many events; the file is written once they have stopped for this long.
const SETTLE: Duration = Duration::from_millis(500);

/// The plugin, keeping its file in `data_dir` (or the config folder when there is no data folder).
/// The file is made 0600 first: the plugin writes it with the umask of the moment, and rewriting an
/// existing file keeps its mode (an empty file reads as no saved state).
pub fn plugin<R: Runtime>(data_dir: Option<&Path>) -> TauriPlugin<R> {
    let builder = tauri_plugin_window_state::Builder::new().with_state_flags(KEPT);
    match data_dir {
        Some(dir) => {
            let file = dir.join(FILE);
            let private = hayon_core::paths::create_private_dir(dir)
                .and_then(|()| hayon_core::paths::create_private_file(&file));
            if let Err(err) = private {
                eprintln!("Hayon could not make {FILE} private: {}", err.message);
            }
            // The plugin joins the name to the config folder; an absolute path replaces it.
            builder.with_filename(file.to_string_lossy())
        }
        None => builder,
    }
    .build()
}

/// Writes the window state shortly after the main window stops moving or changing size.
pub fn save_when_changed<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let changes = Arc::new(AtomicU64::new(0));
    let app = app.clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let change = changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (changes, app) = (changes.clone(), app.clone());
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if changes.load(Ordering::SeqCst) != change {
                return;
            }
            // On the main thread: the plugin holds its lock while it asks the window for its
            // geometry, and the window's own move and resize handlers take that lock on the main
            // thread. Saved from here, a move arriving mid-save would wait for the lock while the
            // save waited for the main thread, and the window would hang for good.
            let main = app.clone();
            let queued = app.run_on_main_thread(move || {
                if let Err(err) = main.save_window_state(KEPT) {
                    tracing::warn!(error = %err, "could not save the window's size and position");
                }
            });
            if let Err(err) = queued {
                tracing::warn!(error = %err, "could not save the window's size and position");
            }
        });
    });
}
