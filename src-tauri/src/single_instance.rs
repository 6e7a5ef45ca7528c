//! One window per data folder: launching Hayon again focuses the running window, and the second
//! process exits (the official single-instance plugin; on Linux it owns a D-Bus name on the session
//! bus). The name is the app identifier for the default data folder, and carries a hash of the
//! folder for any other (`HAYON_DATA_DIR`): two profiles, like the tests' windows running side by
//! side, are separate apps that must not refuse each other.

use std::hash::{Hash, Hasher};
use std::path::Path;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Wry};

/// The plugin, named after `data_dir` unless it is the default data folder.
pub fn plugin(data_dir: Option<&Path>) -> TauriPlugin<Wry> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, _, _| focus(app));
    match data_dir.and_then(dbus_id) {
        Some(id) => builder.dbus_id(id),
        None => builder,
    }
    .build()
}

/// The D-Bus name (without the plugin's `.SingleInstance`) for a data folder other than the default.
/// std's SipHash with its fixed keys gives the same value in both processes of one Hayon version.
fn dbus_id(data_dir: &Path) -> Option<String> {
    let default = hayon_core::paths::default_data_dir().ok();
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    if default.as_deref() == Some(dir.as_path()) || default.as_deref() == Some(data_dir) {
        return None;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    Some(format!(
        "{}.profile_{:016x}",
        hayon_core::paths::APP_IDENTIFIER,
        hasher.finish()
    ))
}

/// Brings the running window to the front (from the taskbar, minimised or hidden).
fn focus(app: &AppHandle) {
    tracing::info!("Hayon was launched again: focusing the open window");
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(err) = shown {
        tracing::warn!(error = %err, "could not focus the window");
    }
}
