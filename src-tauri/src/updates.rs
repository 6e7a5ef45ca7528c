//! Updates in the window: a few seconds after start-up and then once a day, unless the person turned
//! checks off (Settings › `checkForUpdates`), [`hayon_updates::find`] asks the manifest and downloads
//! and verifies a newer version's package in the background. Only then does the window hear of it
//! (event `update-ready`, or `update_status` when the page loads later) and offer "Install and
//! restart". Every failure — offline, a server error, a package whose signature does not verify —
//! goes to the log with its reason and nowhere else: nothing blocks, nothing pops up.

use crate::state::AppState;
use hayon_core::{Error, ErrorCode, UpdateOffer};
use hayon_updates::Ready;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

/// Lets the window's first paint and the account checks go first.
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(3);
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// Tells the window an update was downloaded and verified.
pub const UPDATE_READY: &str = "update-ready";

/// The update found, once verified.
#[derive(Debug, Default)]
pub struct Updates {
    ready: Mutex<Option<Arc<Ready>>>,
}

impl Updates {
    fn offer(&self) -> Option<UpdateOffer> {
        self.ready().map(|ready| UpdateOffer {
            version: ready.version().to_owned(),
            notes: ready.notes().map(str::to_owned),
        })
    }

    fn ready(&self) -> Option<Arc<Ready>> {
        self.ready.lock().ok().and_then(|ready| ready.clone())
    }
}

/// Checks now and then daily, in the background.
pub fn start_checks<R: Runtime>(app: AppHandle<R>, state: &AppState) {
    let Ok(core) = state.core() else { return };
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_CHECK_AFTER).await;
        loop {
            match core.settings().load() {
                Ok(settings) if settings.check_for_updates => check(&app).await,
                Ok(_) => tracing::info!("update checks are turned off"),
                Err(err) => tracing::warn!(code = err.code.as_str(), "settings unreadable"),
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

async fn check<R: Runtime>(app: &AppHandle<R>) {
    let updates = app.state::<Updates>();
    if updates.ready().is_some() {
        return;
    }
    // `find` logs what happened, failures with their reason.
    if let Ok(Some(ready)) = hayon_updates::find(app).await {
        if let Ok(mut slot) = updates.ready.lock() {
            *slot = Some(Arc::new(ready));
        }
        if let Err(err) = app.emit(UPDATE_READY, updates.offer()) {
            tracing::warn!(error = %err, "could not tell the window about the update");
        }
    }
}

/// The verified update waiting to be installed, if any.
#[tauri::command]
pub fn update_status(updates: State<'_, Updates>) -> Option<UpdateOffer> {
    updates.offer()
}

/// Installs the verified update (the system asks for the administrator's consent) and restarts.
#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    updates: State<'_, Updates>,
) -> Result<(), Error> {
    let ready = updates.ready().ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            "There is no downloaded update to install.",
        )
    })?;
    let Some(package) = hayon_updates::Package::of_this_app() else {
        return Err(Error::new(
            ErrorCode::Validation,
            "This copy of Hayon was not installed from its .deb or .rpm package, so it cannot \
             update itself. Download the new version from the project's page.",
        ));
    };
    let installed = tauri::async_runtime::spawn_blocking(move || ready.install(package))
        .await
        .map_err(|err| Error::internal("installing the update", &err))?;
    if let Err(failure) = installed {
        tracing::warn!(reason = %failure, "update not installed");
        return Err(Error::new(
            ErrorCode::Internal,
            format!("The update could not be installed: {}", failure.error),
        ));
    }
    tracing::info!("update installed; restarting");
    app.restart()
}
