//! The About section: the running version and the project's links. The homepage and the licence
//! come from the same places the packages take them from (tauri.conf.json's `bundle.homepage`,
//! Cargo.toml's `license`), so the window and the package metadata cannot disagree. The capability
//! in tauri.conf.json lets the opener open exactly these two addresses.

use serde::Serialize;
use tauri::AppHandle;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: String,
    pub homepage: Option<String>,
    /// The SPDX identifier, like `MIT`.
    pub licence: String,
    /// The licence's text at SPDX, the canonical copy.
    pub licence_url: String,
}

#[tauri::command]
pub fn about(app: AppHandle) -> About {
    let licence = env!("CARGO_PKG_LICENSE").to_owned();
    About {
        version: app.package_info().version.to_string(),
        homepage: app.config().bundle.homepage.clone(),
        licence_url: format!("https://spdx.org/licenses/{licence}.html"),
        licence,
    }
}
