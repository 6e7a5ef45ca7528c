//! One window per data folder: launching Hayon again focuses the running window, and the second
//! process exits (the official single-instance plugin; on Linux it owns a D-Bus name on the session
//! bus). The name is the app identifier for the default data folder, and carries a hash of the
//! folder for any other (`HAYON_DATA_DIR`): two profiles, like the tests' windows running side by
//! side, are separate apps that must not refuse each other.

use std::hash::{Hash, Hasher};
use std::os::unix::process::CommandExt;
use std::path::Path;
use tauri::plugin::TauriPlugin;
use tauri::Runtime;

/// The plugin, named after `data_dir` unless it is the default data folder.
pub fn plugin<R: Runtime>(data_dir: Option<&Path>) -> TauriPlugin<R> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app, _, _| {
        tracing::info!("Hayon was launched again: focusing the open window");
        crate::lifecycle::bring_back(app)
    });
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
/// Whether `err` is the plugin's failure to hand this launch over to the running instance (which
/// quit meanwhile). The plugin reports it only as text.
pub fn handover_failed(err: &tauri::Error) -> bool {
    matches!(
        err,
        tauri::Error::PluginInitialization(plugin, message)
            if plugin == "single-instance" && message.contains("failed to forward arguments")
    )
}

/// How many times one launch starts itself again after a failed handover, before it gives up (an
/// instance that owns the name and never answers would otherwise loop).
const RELAUNCHES: u32 = 3;
/// Counts the relaunches of one launch: set for the new start only, and taken out of the
/// environment again first thing ([`take_relaunch_count`]), so nothing Hayon starts inherits it.
const RELAUNCH_ENV: &str = "HAYON_RELAUNCH";

/// How many times this launch has started itself again already; removes the count from the
/// environment. Must run first thing in `main`, while the process has a single thread.
pub fn take_relaunch_count() -> u32 {
    let count = std::env::var(RELAUNCH_ENV)
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(0);
    std::env::remove_var(RELAUNCH_ENV);
    count
}

/// Replaces this process with a new start of the same executable and arguments (the `done`-th
/// relaunch already); returns only if that is not possible or was done [`RELAUNCHES`] times.
pub fn relaunch(done: u32) {
    if done >= RELAUNCHES {
        return;
    }
    eprintln!(
        "Hayon could not hand over to the running window (it may have been quitting); starting again"
    );
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_default();
    // /proc/self/exe still runs this executable if an update has replaced the file meanwhile.
    let err = std::process::Command::new("/proc/self/exe")
        .arg0(arg0)
        .args(args)
        .env(RELAUNCH_ENV, (done + 1).to_string())
        .exec();
    eprintln!("Hayon could not start again: {err}");
}
