//! Keeps sessions alive without the user doing anything: at start-up and then every 30 minutes, each
//! account's session is checked (and refreshed when its access token has expired). Results land in the
//! account's health, and the window is told to reload.

use crate::state::AppState;
use std::time::Duration;

const CHECK_EVERY: Duration = Duration::from_secs(30 * 60);

pub fn start_health_checks(app: tauri::AppHandle, state: &AppState) {
    let Ok(accounts) = state.accounts() else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        loop {
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
