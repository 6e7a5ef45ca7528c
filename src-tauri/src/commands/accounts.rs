//! Connected-accounts commands: list (and each account's picture), connect, refresh, disconnect.

use super::notify_accounts_changed as notify;
use crate::state::AppState;
use hayon_core::{Account, ConnectRequest, Connected, Disconnected, Error, Secret};
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<Account>, Error> {
    state.core()?.accounts().list()
}

/// The account's picture as a `data:` URL (the window loads no image from the web), or null.
#[tauri::command]
pub async fn account_avatar(
    state: State<'_, AppState>,
    account: String,
) -> Result<Option<String>, Error> {
    state.core()?.accounts().avatar(&account).await
}

/// The password arrives from the form once, goes straight into a [`Secret`] and is dropped (and
/// wiped) when the login request is done; it is never returned, stored or logged.
#[tauri::command]
pub async fn connect_account<R: Runtime>(
    app: AppHandle<R>,
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
    let connected = state.core()?.accounts().connect(request).await?;
    notify(&app);
    Ok(connected)
}

#[tauri::command]
pub async fn refresh_account<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account: String,
) -> Result<Account, Error> {
    let result = state.core()?.accounts().refresh(&account).await;
    // A failed refresh changes the account's health too.
    notify(&app);
    result
}

#[tauri::command]
pub async fn disconnect_account<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account: String,
) -> Result<Disconnected, Error> {
    let disconnected = state.core()?.accounts().disconnect(&account).await?;
    notify(&app);
    Ok(disconnected)
}
