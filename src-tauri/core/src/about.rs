//! What the window's About section shows, and the update it offers. Plain data: the window fills them
//! in (the version and links from the app's own Cargo.toml, the update from Tauri's updater plugin);
//! they live here so the IPC contract (`ui/js/ipc.d.ts`) is generated with the core's other types.

use serde::Serialize;

/// The running version and the project's links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: String,
    pub homepage: String,
    /// The SPDX identifier, like `MIT`.
    pub licence: String,
    /// The licence's text at SPDX, the canonical copy.
    pub licence_url: String,
}

/// What the window shows of a verified update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub notes: Option<String>,
}
