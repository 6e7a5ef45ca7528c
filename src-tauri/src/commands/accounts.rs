//! Connected-accounts commands: list (and each account's picture), connect, refresh, disconnect.

use super::notify_accounts_changed as notify;
use crate::state::{AppState, WaitingSignIn};
use hayon_core::{Account, ConnectRequest, Connected, Disconnected, Error, ErrorCode, Secret};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Runtime, State};
use tokio::sync::Notify;

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

/// Sign in with Bluesky: the account's server's page opens in the browser and this answers once
/// the person approved (or refused) there, the wait timed out, or [`cancel_sign_in`] was called.
/// Nothing secret crosses to the page: it gets the account, or an error.
#[tauri::command]
pub async fn sign_in_with_bluesky<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    identifier: String,
    service: String,
) -> Result<Connected, Error> {
    let core = state.core()?;
    let accounts = core.accounts();
    let started = accounts.begin_sign_in(&identifier, &service).await?;
    let cancel = Arc::new(Notify::new());
    *state.waiting_sign_in() = Some(WaitingSignIn {
        authorize_url: started.authorize_url.clone(),
        cancel: cancel.clone(),
    });
    // The page shows the address too, for a browser that did not open.
    let _ = app.emit("sign-in-waiting", &started.authorize_url);
    if let Err(err) = accounts.open_sign_in_page(&started) {
        // The page still offers the address to open by hand.
        tracing::warn!(error = %err.message, "could not open the browser for signing in");
    }
    let outcome = tokio::select! {
        connected = accounts.finish_sign_in(started) => connected,
        () = cancel.notified() => Err(Error::new(
            ErrorCode::SignInFailed,
            "Signing in was cancelled. Nothing was stored.",
        )),
    };
    *state.waiting_sign_in() = None;
    let connected = outcome?;
    notify(&app);
    Ok(connected)
}

/// Stops waiting for the browser (the listener closes; nothing is stored).
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    if let Some(waiting) = state.waiting_sign_in().as_ref() {
        waiting.cancel.notify_one();
    }
}

/// Opens the waiting sign-in's page in the browser again; its address, for copying.
#[tauri::command]
pub fn open_sign_in_page(state: State<'_, AppState>) -> Result<String, Error> {
    let url = state
        .waiting_sign_in()
        .as_ref()
        .map(|waiting| waiting.authorize_url.clone())
        .ok_or_else(|| Error::validation("No sign-in is waiting for the browser."))?;
    state.core()?.accounts().open_url_in_browser(&url)?;
    Ok(url)
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
