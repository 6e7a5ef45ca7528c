//! Mention commands: suggestions for a handle being typed, and whether the handles a post mentions
//! resolve (so the composer can warn before a mention is posted as plain text). The typed handles
//! come from the untrusted web view: the core checks their length and characters and bounds how many
//! are asked about, before any request.

use crate::state::AppState;
use hayon_core::mentions::{HandleCheck, Suggestions};
use hayon_core::Error;
use tauri::State;

/// Accounts for `typed` (the handle after an `@`), asked through the connected account `account`.
#[tauri::command]
pub async fn suggest_mentions(
    state: State<'_, AppState>,
    account: String,
    typed: String,
) -> Result<Suggestions, Error> {
    state.core()?.mentions().suggest(&account, &typed).await
}

/// Whether each of `handles` resolves, asked through the connected account `account`.
#[tauri::command]
pub async fn check_mentions(
    state: State<'_, AppState>,
    account: String,
    handles: Vec<String>,
) -> Result<Vec<HandleCheck>, Error> {
    state.core()?.mentions().check(&account, &handles).await
}
