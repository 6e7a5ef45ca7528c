//! Hayon's window: a Tauri 2 shell over `hayon-core`. Each command is a few lines that call the core and
//! return its `{code, message}` error as is. Tokens and passwords never cross into the web view: the
//! commands return accounts (DID, handle, profile, health) only.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background;
mod commands;
mod in_flight;
mod lifecycle;
mod notices;
mod private_files;
mod rendering;
mod sender;
mod single_instance;
mod state;
mod tray;
mod updates;
mod wakeups;
mod watch;
mod window_state;

use std::process::ExitCode;

fn main() -> ExitCode {
    rendering::prefer_cpu_painting();
    let relaunches = single_instance::take_relaunch_count();
    let started = std::time::Instant::now();
    let config = hayon_core::Config::from_env();
    let data_dir = config.as_ref().ok().map(|config| config.data_dir.clone());
    // Tauri makes the app's local data folder (Hayon's default data folder) for the web view's cache
    // and storage with default permissions (0755): made, or tightened, 0700 before it runs.
    let private = hayon_core::paths::default_data_dir()
        .and_then(|dir| hayon_core::paths::make_default_data_dir_private(&dir));
    if let Err(err) = private {
        eprintln!(
            "Hayon could not make its data folder private: {}",
            err.message
        );
    }
    let private_start = std::sync::Arc::new(private_files::start_private());
    let page_loaded = private_start.clone();
    let mut context = tauri::generate_context!();
    hayon_updates::configure(
        context.config_mut(),
        config
            .as_ref()
            .ok()
            .and_then(|config| config.update_manifest.as_ref()),
    );
    let result = tauri::Builder::default()
        // First, so a second launch exits before doing anything else.
        .plugin(single_instance::plugin(data_dir.as_deref()))
        .plugin(window_state::plugin(data_dir.as_deref()))
        .plugin(tauri_plugin_updater::Builder::new().build())
        // One stderr line when the page has loaded: the launch benchmark (scripts/bench-window.py)
        // reads it, and the blank reference window prints the same line.
        .on_page_load(move |_, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                page_loaded.end();
                eprintln!(
                    "launch-marker: page-loaded {} ms",
                    started.elapsed().as_millis()
                );
            }
        })
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .arg(lifecycle::HIDDEN)
                .build(),
        )
        .on_window_event(lifecycle::on_window_event)
        .manage(updates::Updates::default())
        .setup(|app| {
            // Before anything can show a notification: one shown earlier would not report clicks.
            notices::listen_for_clicks(app.handle());
            let state = state::AppState::open(config);
            background::start_health_checks(app.handle().clone(), &state);
            background::start_attachment_sweep(&state);
            let sender = sender::Sender::default();
            sender::start(app.handle().clone(), &state, &sender);
            watch::start(app.handle().clone(), &state, sender.clone());
            wakeups::start(&sender);
            tauri::Manager::manage(app, sender);
            updates::start_checks(app.handle().clone(), &state);
            window_state::save_when_changed(app.handle());
            tauri::Manager::manage(app, state);
            tray::create(app.handle());
            // The window is made hidden (tauri.conf.json) and shown here, unless this start came
            // from the login autostart entry: hiding a shown window would flash it at login.
            if !lifecycle::starts_hidden() {
                if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
                    window.show()?;
                }
            }
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(context);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // The new start must not take Hayon's private umask for the person's.
            private_start.end();
            if single_instance::handover_failed(&err) {
                single_instance::relaunch(relaunches);
            }
            eprintln!("Hayon could not start its window: {err}");
            ExitCode::FAILURE
        }
    }
}
