//! The About section: the running version and the project's links. The homepage and the licence
//! come from Cargo.toml (`homepage`, `license`), where Tauri's bundler takes them for the packages'
//! metadata too, so the window and the packages cannot disagree. (`bundle.homepage` in
//! tauri.conf.json is not kept in the built app, and would override Cargo.toml's in the packages.) The capability
//! in tauri.conf.json lets the opener open exactly these two addresses.

use hayon_core::About;
use tauri::{AppHandle, Runtime};

#[tauri::command]
pub fn about<R: Runtime>(app: AppHandle<R>) -> About {
    let licence = env!("CARGO_PKG_LICENSE").to_owned();
    About {
        version: app.package_info().version.to_string(),
        homepage: env!("CARGO_PKG_HOMEPAGE").to_owned(),
        licence_url: format!("https://spdx.org/licenses/{licence}.html"),
        licence,
    }
}
