//! Work the window does on its own. Keeps sessions alive without the user doing anything: at start-up
//! and then every 30 minutes, each account's session is checked (and refreshed when its access token
//! has expired); results land in the account's health, and the window is told to reload. And once at
//! start-up, the drafts discarded before (no window offers their Undo any more) are deleted, then the
//! attached images neither a saved draft nor a thread in the outbox refers to are removed.

use crate::state::AppState;
use std::time::Duration;

const CHECK_EVERY: Duration = Duration::from_secs(30 * 60);

/// Deletes the discarded drafts, then the staged images no saved draft or outbox thread refers to
/// (made before this start: the window's new ones are never touched).
pub fn start_attachment_sweep(state: &AppState) {
    let Ok(core) = state.core() else {
        return;
    };
    tauri::async_runtime::spawn_blocking(move || match core.drafts().sweep() {
        // Logged every time: the log says the sweep ran (tests wait for it before checking its work).
        Ok(removed) => tracing::info!(
            removed,
            "attachment sweep done: removed the attached images no draft or outbox entry uses"
        ),
        Err(err) => tracing::warn!(
            code = err.code.as_str(),
            "drafts or outbox unreadable; attached images kept"
        ),
    });
}

pub fn start_health_checks<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: &AppState) {
    let Ok(core) = state.core() else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        loop {
            let accounts = core.accounts();
            match accounts.list() {
                Ok(list) => {
                    for account in list
                        .iter()
                        .filter(|account| !account.health.needs_reconnection)
                    {
                        if let Err(err) = accounts.check(&account.did).await {
                            tracing::info!(did = %account.did, code = err.code.as_str(), "health check failed");
                        }
                    }
                    crate::commands::notify_accounts_changed(&app);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "could not list accounts for health checks")
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}
