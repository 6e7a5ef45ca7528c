//! Cancelling a send while it works (the window's Cancel beside the progress, the CLI's Ctrl-C):
//! one [`Cancel`] per post in flight, which whoever started the post keeps and may fire from another
//! task.
//!
//! Where it takes effect: everything before an account's applyWrites — preparing the thread, the
//! uploads (a video's stream to the video service stops at once: the request is dropped), following
//! the video service's job — runs against the cancel ([`Cancel::unless`]), and a last look is taken
//! just before the write ([`Cancel::check`]). Nothing is on the account until that write, so a
//! cancel there costs nothing but the uploaded blobs (the PDS deletes blobs no record uses).
//!
//! Once an account's applyWrites has started, a cancel is ignored for that account: the write is
//! let finish and its outcome reported (posted, or an unknown outcome looked up as the outbox always
//! does). Aborting it mid-way would leave the outcome unknown for no gain: the request may have
//! reached the server already, and the post would be there while Hayon said "cancelled".
//!
//! What becomes of the row: an account stopped by the cancel is `failed` with [`ErrorCode::Cancelled`],
//! which no sender retries by itself (only the person's "Retry"). A fresh post (Post) that the cancel
//! stopped before anything was written to any account is removed from the outbox whole, claim and
//! all ([`super::Posting::post`]): it never was posted, the composer (or the command line) still
//! has it, and pressing Post again starts a new one.

use crate::error::{Error, ErrorCode, Result};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::watch;

/// The cancel of one send: cloned to whoever may fire it; fired once, it stays fired.
#[derive(Debug, Clone)]
pub struct Cancel(Arc<watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }
}

impl Cancel {
    /// A cancel nobody has fired yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the send at its next step before a write (see the module's doc).
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Ends when the cancel is fired.
    async fn fired(&self) {
        let mut fired = self.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = fired.wait_for(|fired| *fired).await;
    }

    /// `work`, unless the cancel is fired first: then `work` is dropped where it stands (a request
    /// under way is abandoned) and the answer is [`cancelled`].
    pub(crate) async fn unless<T>(&self, work: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::select! {
            biased;
            () = self.fired() => Err(cancelled()),
            done = work => done,
        }
    }

    /// [`cancelled`] if the cancel has been fired: the last look before a write.
    pub(crate) fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            return Err(cancelled());
        }
        Ok(())
    }
}

/// The failure of a send the person cancelled.
pub(crate) fn cancelled() -> Error {
    Error::new(
        ErrorCode::Cancelled,
        "Not posted — cancelled before it was sent. Nothing was posted.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_stops_when_cancelled_and_a_fired_cancel_stays_fired() {
        let cancel = Cancel::new();
        assert!(cancel.check().is_ok());
        let done = cancel.unless(async { Ok(1) }).await;
        assert_eq!(done.ok(), Some(1));

        let firing = cancel.clone();
        let stopped = cancel
            .unless(async move {
                firing.cancel();
                std::future::pending::<Result<()>>().await
            })
            .await;
        assert_eq!(
            stopped.map_err(|err| err.code).err(),
            Some(ErrorCode::Cancelled)
        );
        assert!(cancel.is_cancelled());
        assert_eq!(
            cancel.check().map_err(|err| err.code).err(),
            Some(ErrorCode::Cancelled)
        );
        let after = cancel.unless(async { Ok(2) }).await;
        assert!(after.is_err(), "a fired cancel stops work not begun");
    }
}
