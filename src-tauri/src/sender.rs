//! The window's sender: while Hayon runs, scheduled posts go at their time with nobody at the window,
//! and posts that could not reach their server go by themselves once it answers again.
//!
//! It sleeps until the next due time rather than checking every second. It wakes early when the queue
//! may have changed ([`Sender::wake`]: another process wrote to the database, which `watch.rs`
//! notices, or this window queued something), and at least once a minute, so a wall clock that jumped
//! or a machine that slept (the monotonic timer stops while suspended) delays a post by a minute at
//! most. Posts waiting for a connection are tried again with a growing pause (30 s, doubling up to
//! 15 min) while they keep failing. Every row is sent under the core's claim, so this window, another
//! window and `hayon-cli schedule send-due` never send one twice.

use crate::state::AppState;
use hayon_core::publish::{Retry, Sent};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Tells the page a queued or waiting post was sent (or failed), with its [`Sent`].
pub const QUEUE_SENT: &str = "queue-sent";

/// The longest sleep: a clock jump or a suspend is noticed within it.
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(60);
const FIRST_RETRY_AFTER: Duration = Duration::from_secs(30);
const LONGEST_RETRY_PAUSE: Duration = Duration::from_secs(15 * 60);

/// Wakes the sender: something in the queue may have changed.
#[derive(Debug, Clone, Default)]
pub struct Sender {
    wake: Arc<Notify>,
}

impl Sender {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Starts the sender over the core `state` opened; without a core there is nothing to send.
pub fn start<R: Runtime>(app: AppHandle<R>, state: &AppState, sender: &Sender) {
    let Ok(core) = state.core() else {
        return;
    };
    let wake = sender.wake.clone();
    tauri::async_runtime::spawn(async move {
        let mut retry_pause = FIRST_RETRY_AFTER;
        let mut retry_at = Some(Instant::now());
        loop {
            let retry = if retry_at.is_some_and(|at| at <= Instant::now()) {
                Retry::Temporary
            } else {
                Retry::Nothing
            };
            match core.posting().send_due(retry, &|_| {}).await {
                Ok(sent) => {
                    let waiting = sent.iter().any(Sent::waits_for_connection);
                    for row in &sent {
                        tell_the_page(&app, row);
                    }
                    if retry == Retry::Temporary {
                        (retry_at, retry_pause) = if waiting {
                            let at = Instant::now() + retry_pause;
                            (Some(at), (retry_pause * 2).min(LONGEST_RETRY_PAUSE))
                        } else {
                            (None, FIRST_RETRY_AFTER)
                        };
                    } else if waiting && retry_at.is_none() {
                        retry_at = Some(Instant::now() + retry_pause);
                    }
                }
                Err(err) => tracing::warn!(code = err.code.as_str(), "queue: could not send"),
            }
            let next_due = match core.posting().until_next_due() {
                Ok(next) => next,
                Err(err) => {
                    tracing::warn!(code = err.code.as_str(), "queue: could not read it");
                    None
                }
            };
            let sleep = [
                next_due,
                retry_at.map(|at| at.saturating_duration_since(Instant::now())),
            ]
            .into_iter()
            .flatten()
            .fold(LOOK_AGAIN_AFTER, Duration::min);
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = wake.notified() => {}
            }
        }
    });
}

fn tell_the_page<R: Runtime>(app: &AppHandle<R>, sent: &Sent) {
    tracing::info!(
        id = sent.id,
        posted = sent.posted_everywhere(),
        "queue: a post was sent"
    );
    if let Err(err) = app.emit(QUEUE_SENT, sent) {
        tracing::warn!(error = %err, "could not tell the window a post was sent");
    }
    if let Err(err) = app.emit(crate::watch::DATA_CHANGED, ()) {
        tracing::warn!(error = %err, "could not tell the window the outbox changed");
    }
}
