//! The commands the web view may call (and, by the capability in tauri.conf.json, only these). Each is
//! a few lines over the core; errors cross as the core's `{code, message}`.

pub mod about;
pub mod accounts;
pub mod compose;
#[cfg(test)]
mod contract_tests;
pub mod drafts;
pub mod langs;
pub mod mentions;

use tauri::{AppHandle, Emitter};

/// Tells every window to reload the account list.
pub const ACCOUNTS_CHANGED: &str = "accounts-changed";

pub fn notify_accounts_changed(app: &AppHandle) {
    if let Err(err) = app.emit(ACCOUNTS_CHANGED, ()) {
        tracing::warn!(error = %err, "could not notify the window");
    }
}
