//! Live data: the window notices what the CLI or another Hayon window changed in the database
//! (accounts, settings, drafts, the outbox) within about a second, without a restart.
//!
//! How: every 500 ms a background task reads SQLite's `PRAGMA data_version` on the core's own
//! connection, and emits `data-changed` to the page when it moved; the page then re-reads what it
//! shows. That pragma changes exactly when *another* connection has committed, never for this
//! window's own writes (so typing, which saves the draft, does not make the page re-read itself), and
//! reading it is a lookup in SQLite's shared memory: no file is read, nothing is written. A file
//! watcher (inotify on the `-wal` file) was the alternative: it fires for this window's own writes
//! too, for checkpoints and for reads that touch the `-shm` file, needs a dependency and platform
//! care (FSEvents, ReadDirectoryChangesW), and still cannot say whether a commit happened. The page
//! also re-reads when the window gets the focus, and on Ctrl+R. The queue's sender is woken too: a
//! post the CLI queued may be due before the one it was sleeping for.

use crate::sender::Sender;
use crate::state::AppState;
use std::time::Duration;
use tauri::Emitter;

/// Tells the page that another process changed the database.
pub const DATA_CHANGED: &str = "data-changed";

const POLL_EVERY: Duration = Duration::from_millis(500);

pub fn start<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: &AppState, sender: Sender) {
    let Ok(core) = state.core() else {
        return;
    };
    tauri::async_runtime::spawn(async move {
        let mut seen = None;
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            match core.data_version() {
                Ok(version) if seen.is_some_and(|seen| seen != version) => {
                    seen = Some(version);
                    sender.wake();
                    if let Err(err) = app.emit(DATA_CHANGED, ()) {
                        tracing::warn!(error = %err, "could not notify the window");
                    }
                }
                Ok(version) => seen = Some(version),
                Err(err) => {
                    tracing::warn!(code = err.code.as_str(), "could not watch the database")
                }
            }
        }
    });
}
