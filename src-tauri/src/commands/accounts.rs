//! Connected-accounts commands: list (and each account's picture), connect, refresh, disconnect.

use super::notify_accounts_changed as notify;
use crate::state::{AppState, WaitingSignIn};
use hayon_core::{Account, ConnectRequest, Connected, Disconnected, Error, Secret};
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
/// the person approved (or refused) there, the wait timed out, or [`cancel_sign_in`] was called
/// (while the sign-in starts or waits for the browser; once the browser is back it finishes, so a
/// code redeemed is kept or revoked, never dropped). One at a time. Nothing secret crosses to the
/// page: it gets the account, or an error.
#[tauri::command]
pub async fn sign_in_with_bluesky<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    identifier: String,
    service: String,
) -> Result<Connected, Error> {
    let core = state.core()?;
    let cancel = Arc::new(Notify::new());
    {
        let mut waiting = state.waiting_sign_in();
        if waiting.is_some() {
            return Err(Error::validation(
                "A sign-in is already waiting for your browser: finish or cancel it first.",
            ));
        }
        *waiting = Some(WaitingSignIn {
            authorize_url: None,
            cancel: cancel.clone(),
        });
    }
    let outcome = sign_in(&app, &state, &core, &identifier, &service, &cancel).await;
    *state.waiting_sign_in() = None;
    let connected = outcome?;
    notify(&app);
    Ok(connected)
}

async fn sign_in<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    core: &hayon_core::Core,
    identifier: &str,
    service: &str,
    cancel: &Notify,
) -> Result<Connected, Error> {
    let accounts = core.accounts();
    let started = tokio::select! {
        started = accounts.begin_sign_in(identifier, service) => started?,
        () = cancel.notified() => return Err(hayon_core::oauth::cancelled()),
    };
    if let Some(waiting) = state.waiting_sign_in().as_mut() {
        waiting.authorize_url = Some(started.authorize_url().to_owned());
    }
    // The page shows the address too, for a browser that did not open.
    let _ = app.emit("sign-in-waiting", started.authorize_url());
    if let Err(err) = accounts.open_sign_in_page(&started) {
        tracing::warn!(error = %err.message, "could not open the browser for signing in");
    }
    accounts.finish_sign_in(started, cancel.notified()).await
}

/// Stops the sign-in under way, while it starts or waits for the browser (nothing is stored).
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
        .and_then(|waiting| waiting.authorize_url.clone())
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
