//! The window's sender: while Hayon runs, scheduled posts go at their time with nobody at the window,
//! and posts that could not reach their server go by themselves once it answers again.
//!
//! It sleeps until the next due time rather than checking every second. It wakes early when the queue
//! may have changed ([`Sender::wake`]: another process wrote to the database, which `watch.rs`
//! notices, or this window queued something), when the wall clock was set, and when the machine
//! resumed or the network came back ([`Sender::retry_now`]; both from `wakeups.rs`). It also wakes
//! at least once a minute, so where those signals cannot be had (no system bus) a jump or a sleep
//! (the monotonic timer stops while suspended) delays a post by a minute at most. Posts waiting for
//! a connection are tried again with a growing pause (10 s, doubling up to 15 min) while they keep
//! failing, and at once when the connection may be back. Every row is sent under the core's claim,
//! so this window, another window and `hayon-cli schedule send-due` never send one twice.

use crate::state::AppState;
use hayon_core::publish::{Retry, Sent};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::Notify;
use tokio::time::Instant;

/// Tells the page a queued or waiting post was sent (or failed), with its [`Sent`].
pub const QUEUE_SENT: &str = "queue-sent";

/// The longest sleep: where `wakeups.rs` cannot hear of them, a clock jump or a suspend is noticed
/// within it.
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(60);
/// Never less, so nothing can make it spin.
const SHORTEST_SLEEP: Duration = Duration::from_millis(50);
const FIRST_RETRY_AFTER: Duration = Duration::from_secs(10);
const LONGEST_RETRY_PAUSE: Duration = Duration::from_secs(15 * 60);

/// Wakes the sender.
#[derive(Debug, Clone, Default)]
pub struct Sender {
    wake: Arc<Notify>,
    /// Set with a wake when the posts waiting for a connection should be tried at once.
    retry: Arc<AtomicBool>,
}

/// Why the sender woke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// Its sleep ended: a post is due, a retry's pause is over, or the minute passed.
    Timer,
    /// Something in the queue, or the time it is measured by, may have changed.
    Queue,
    /// The connection may be back: waiting posts are tried now, the backoff starts over.
    Retry,
}

impl Sender {
    /// Something in the queue may have changed, or the wall clock was set: look at it again.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The machine resumed or the network came back: try the posts waiting for a connection now.
    pub fn retry_now(&self) {
        self.retry.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Sleeps for `sleep` unless woken before.
    pub(crate) async fn until_woken(&self, sleep: Duration) -> Woken {
        let woken = tokio::select! {
            () = tokio::time::sleep(sleep) => Woken::Timer,
            () = self.wake.notified() => Woken::Queue,
        };
        // A retry asked for during the sleep counts even when the timer won.
        if self.retry.swap(false, Ordering::SeqCst) {
            Woken::Retry
        } else {
            woken
        }
    }
}

/// Starts the sender over the core `state` opened; without a core there is nothing to send.
pub fn start<R: Runtime>(app: AppHandle<R>, state: &AppState, sender: &Sender) {
    let Ok(core) = state.core() else {
        return;
    };
    let sender = sender.clone();
    tauri::async_runtime::spawn(async move {
        let mut retries = Backoff::default();
        loop {
            let retry = if retries.due() {
                Retry::Temporary
            } else {
                Retry::Nothing
            };
            match core.posting().send_due(retry, &|_| {}).await {
                Ok(sent) => sent.iter().for_each(|row| tell_the_page(&app, row)),
                Err(err) => tracing::warn!(code = err.code.as_str(), "queue: could not send"),
            }
            match core.posting().waiting_for_connection() {
                Ok(waiting) => retries.after(retry, waiting),
                Err(err) => {
                    // Unreadable: tried again later, as if something were waiting.
                    tracing::warn!(code = err.code.as_str(), "queue: could not read it");
                    retries.after(retry, true);
                }
            }
            // A post the server rate-limited goes when its limit ends, not at the next pause's end.
            match core.posting().until_rate_limit_ends() {
                Ok(Some(ends)) => retries.not_after(Instant::now() + ends),
                Ok(None) => {}
                Err(err) => tracing::warn!(code = err.code.as_str(), "queue: could not read it"),
            }
            let next_due = core.posting().until_next_due().unwrap_or_else(|err| {
                tracing::warn!(code = err.code.as_str(), "queue: could not read it");
                None
            });
            // Woken because the queue or the settings may have changed: the tray's menu follows.
            crate::tray::refresh(&app);
            // At least once a minute: a sign-in with Bluesky about to end is said once.
            crate::notices::remind_sign_ins(&app, &core);
            let sleep = [next_due, retries.wait()]
                .into_iter()
                .flatten()
                .fold(LOOK_AGAIN_AFTER, Duration::min)
                .max(SHORTEST_SLEEP);
            if sender.until_woken(sleep).await == Woken::Retry {
                retries = Backoff::default();
            }
        }
    });
}

/// When to try the posts waiting for a connection again: soon after one starts waiting, then less
/// and less often while the server stays out of reach.
#[derive(Debug)]
struct Backoff {
    next: Option<Instant>,
    pause: Duration,
}

impl Default for Backoff {
    /// At start: at once (a post may have waited while Hayon was closed).
    fn default() -> Self {
        Self {
            next: Some(Instant::now()),
            pause: FIRST_RETRY_AFTER,
        }
    }
}

impl Backoff {
    fn due(&self) -> bool {
        self.next.is_some_and(|next| next <= Instant::now())
    }

    fn wait(&self) -> Option<Duration> {
        self.next
            .map(|next| next.saturating_duration_since(Instant::now()))
    }

    /// Tries again at `time` at the latest.
    fn not_after(&mut self, time: Instant) {
        self.next = Some(self.next.map_or(time, |next| next.min(time)));
    }

    /// After a send that tried (`retry`) or not, with posts still `waiting` or none.
    fn after(&mut self, retry: Retry, waiting: bool) {
        if !waiting {
            *self = Self {
                next: None,
                pause: FIRST_RETRY_AFTER,
            };
        } else if retry == Retry::Temporary || self.next.is_none() {
            self.next = Some(Instant::now() + self.pause);
            if retry == Retry::Temporary {
                self.pause = (self.pause * 2).min(LONGEST_RETRY_PAUSE);
            }
        }
    }
}

fn tell_the_page<R: Runtime>(app: &AppHandle<R>, sent: &Sent) {
    tracing::info!(
        id = sent.id,
        posted = sent.posted_everywhere(),
        "queue: a post was sent"
    );
    crate::notices::tell_sent(app, sent);
    crate::tray::refresh(app);
    if let Err(err) = app.emit(QUEUE_SENT, sent) {
        tracing::warn!(error = %err, "could not tell the window a post was sent");
    }
    if let Err(err) = app.emit(crate::watch::DATA_CHANGED, ()) {
        tracing::warn!(error = %err, "could not tell the window the outbox changed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `retries` tries again within `wait` from now, and not much sooner.
    fn in_about(retries: &Backoff, wait: Duration) -> bool {
        retries
            .wait()
            .is_some_and(|left| left <= wait && left + Duration::from_secs(1) > wait)
    }

    #[test]
    fn the_pause_grows_and_a_rate_limit_ending_sooner_cuts_it_short() {
        let mut retries = Backoff::default();
        assert!(retries.due(), "at start");
        retries.after(Retry::Temporary, false);
        assert_eq!(retries.wait(), None, "nothing waited");
        retries.after(Retry::Nothing, true);
        assert!(in_about(&retries, FIRST_RETRY_AFTER), "{retries:?}");
        retries.after(Retry::Temporary, true);
        retries.after(Retry::Temporary, true);
        assert!(in_about(&retries, FIRST_RETRY_AFTER * 2), "{retries:?}");
        retries.not_after(Instant::now() + Duration::from_secs(3));
        assert!(in_about(&retries, Duration::from_secs(3)), "{retries:?}");
        retries.not_after(Instant::now() + Duration::from_secs(300));
        assert!(
            in_about(&retries, Duration::from_secs(3)),
            "the sooner wins"
        );
        retries.after(Retry::Temporary, false);
        assert_eq!(retries.wait(), None, "nothing waits");
    }
}
