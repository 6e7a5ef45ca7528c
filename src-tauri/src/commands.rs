//! The commands the web view may call (and, by the capability in tauri.conf.json, only these).

use crate::state::AppState;
use hayon_core::{Account, ConnectRequest, Connected, Disconnected, Error, Secret};
use tauri::{AppHandle, Emitter, State};

/// Tells every window to reload the account list.
pub const ACCOUNTS_CHANGED: &str = "accounts-changed";

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<Account>, Error> {
    state.accounts()?.list()
}

/// The password arrives from the form once, goes straight into a [`Secret`] and is dropped (and
/// wiped) when the login request is done; it is never returned, stored or logged.
#[tauri::command]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AppState>,
    identifier: String,
    password: String,
    service: String,
) -> Result<Connected, Error> {
    let request = ConnectRequest {
        identifier,
        password: Secret::new(password),
        service,
    };
    let connected = state.accounts()?.connect(request).await?;
    notify(&app);
    Ok(connected)
}

#[tauri::command]
pub async fn refresh_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
) -> Result<Account, Error> {
    let result = state.accounts()?.refresh(&account).await;
    // A failed refresh changes the account's health too.
    notify(&app);
    result
}

#[tauri::command]
pub async fn disconnect_account(
    app: AppHandle,
    state: State<'_, AppState>,
    account: String,
) -> Result<Disconnected, Error> {
    let disconnected = state.accounts()?.disconnect(&account).await?;
    notify(&app);
    Ok(disconnected)
}

pub fn notify(app: &AppHandle) {
    if let Err(err) = app.emit(ACCOUNTS_CHANGED, ()) {
        tracing::warn!(error = %err, "could not notify the window");
    }
}
