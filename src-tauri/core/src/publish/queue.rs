//! The queue: a post can be saved now to go later. A scheduled post is an outbox row with a due
//! time, its record keys chosen when it is queued like any other row's, so it goes once whichever
//! sender sends it, whenever. Its images are prepared and staged when it is queued (the files it
//! named may move or vanish before it goes). [`Posting::send_due`] sends what is due — scheduled
//! posts whose time has come, and posts that could not reach their server before — each under a
//! claim (`claim.rs`), so two senders never work on one row. A scheduled post found long past its
//! time (Hayon was not running, the computer slept: by the "hold late posts after" setting) is held
//! instead, for the person to send ([`Posting::send_now`]), reschedule or cancel. A post for an
//! account that needs reconnecting stays queued, marked so, and goes by itself once the account is
//! connected again; one the server rate-limited is not tried again before the time it named.

use super::cancel::Cancel;
use super::claim;
use super::entry::{Delivery, ImageFiles, OutboxEntry};
use super::outbox::{missing, PostOptions, Progress, Sent};
use super::prepare::PreparedThread;
use super::{Due, Posting};
use crate::composition::Composition;
use crate::error::{Error, ErrorCode, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

impl Posting<'_> {
    /// Checks `composition` as Post would and queues it to go at `due`. Nothing is sent.
    pub async fn schedule(
        &self,
        composition: Composition,
        options: PostOptions,
        due: Due,
    ) -> Result<OutboxEntry> {
        // Checked before any image is prepared: a post that cannot go is refused at once.
        let (mut entry, _) = self.new_entry(composition, &options, Some(due))?;
        if entry.images == ImageFiles::Named {
            self.stage_named_files(&mut entry.composition).await?;
            entry.images = ImageFiles::Staged;
        }
        self.core.store.insert_outbox(&entry, None)?;
        Ok(entry)
    }

    /// Queues `composition` in the next posting slot (Settings › Schedule, in the system's time
    /// zone) that none of its accounts has a queued post in yet.
    pub async fn schedule_in_next_slot(
        &self,
        composition: Composition,
        options: PostOptions,
    ) -> Result<OutboxEntry> {
        let slots = self.core.settings().load()?.queue_slots;
        let accounts = self.resolve_targets(&composition.accounts)?;
        let dids: Vec<&str> = accounts
            .iter()
            .map(|account| account.did.as_str())
            .collect();
        let taken = self.core.store.outbox_due_times(&dids)?;
        let due = super::slots::next_free(
            &slots,
            &jiff::tz::TimeZone::system(),
            jiff::Timestamp::now(),
            &taken,
        )?;
        self.schedule(composition, options, due).await
    }

    /// The posts waiting for their time, those whose time has come and that no sender has sent yet,
    /// those held because it passed long ago, and those waiting for an account to be reconnected;
    /// the soonest first.
    pub fn scheduled(&self) -> Result<Vec<Queued>> {
        let now = jiff::Timestamp::now();
        let hold = hold_after(&self.core.settings().load()?);
        // The whole outbox in one read (the Queue re-reads it on every open and change), oldest
        // first; sorted by due time, stably, those due at one time stay oldest first. A row made by
        // Post (no due time) is never listed.
        let mut entries = self.core.store.outbox_entries()?;
        entries.sort_by_key(|entry| entry.due.as_ref().map(|due| due.at));
        let mut queued = Vec::new();
        for entry in entries {
            let Some(due) = &entry.due else {
                continue;
            };
            if due.at.as_second() > now.as_second() {
                queued.push(Queued {
                    entry,
                    state: QueueState::Scheduled,
                });
                continue;
            }
            let reconnect = self.awaits_reconnection(&entry);
            if entry.tried() && !reconnect && !failed_reconnecting(&entry) {
                continue;
            }
            let state = if reconnect {
                QueueState::NeedsReconnection
            } else if is_held(&entry, now, hold) {
                QueueState::Held
            } else {
                QueueState::Due
            };
            queued.push(Queued { entry, state });
        }
        Ok(queued)
    }

    /// Sends scheduled post `id` now (one held for being late, or one not yet due), while nothing
    /// of it has been sent.
    pub async fn send_now(&self, id: &str, progress: Progress<'_>) -> Result<Sent> {
        let holder = self.claim_or_busy(id)?;
        let ready = match self.core.store.outbox_entry(id) {
            Err(err) => Err(err),
            Ok(None) => Err(missing(id)),
            Ok(Some(OutboxEntry { due: None, .. })) => Err(Error::validation(
                "This post is not scheduled: it is in the outbox. Use Retry there.",
            )),
            Ok(Some(entry)) => {
                let now = Due {
                    at: jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
                        .unwrap_or_else(|_| jiff::Timestamp::now()),
                    zone: entry
                        .due
                        .as_ref()
                        .map(|due| due.zone.clone())
                        .unwrap_or_default(),
                };
                self.core.store.outbox_reschedule(id, &now).map(|_| entry)
            }
        };
        match ready {
            Ok(entry) => {
                let never = Cancel::new();
                self.send_claimed(entry, None, progress, &holder, &never)
                    .await
            }
            Err(err) => {
                self.core.store.release_outbox(id, &holder)?;
                Err(err)
            }
        }
    }

    /// Moves scheduled post `id` to `due`, while nothing of it has been sent.
    pub fn reschedule(&self, id: &str, due: Due) -> Result<OutboxEntry> {
        self.while_unsent(id, || {
            self.core.store.outbox_reschedule(id, &due).map(|_| ())
        })?;
        self.core.store.outbox_entry(id)?.ok_or_else(|| missing(id))
    }

    /// Takes scheduled post `id` off the queue (with its staged images no draft uses), while
    /// nothing of it has been sent.
    pub fn cancel(&self, id: &str) -> Result<()> {
        self.while_unsent(id, || self.discard_claimed(id))
    }

    /// Sends every row that is due and still has an account waiting for it: scheduled posts whose
    /// time has come, rows made by Post that a crash interrupted, and with [`Retry::Temporary`]
    /// accounts that failed only because the network or the server's rate limit stood in the way. A
    /// row another sender holds is left to it, and a row that cannot be read or sent is logged and
    /// skipped, so it never stops the others. Returns what became of each row sent: nothing while
    /// sending is paused.
    pub async fn send_due(&self, retry: Retry, progress: Progress<'_>) -> Result<Vec<Sent>> {
        let preferences = self.core.settings().load()?;
        if preferences.sending_paused {
            return Ok(Vec::new());
        }
        let hold = hold_after(&preferences);
        let mut sent = Vec::new();
        for id in self
            .core
            .store
            .outbox_due(jiff::Timestamp::now().as_second())?
        {
            match self.send_if_due(&id, retry, hold, progress).await {
                Ok(Some(row)) => sent.push(row),
                Ok(None) => {}
                Err(err) => tracing::warn!(
                    id,
                    code = err.code.as_str(),
                    "queue: a post could not be sent"
                ),
            }
        }
        Ok(sent)
    }

    /// Sends row `id` under a claim if, once claimed, it is still due and waiting.
    async fn send_if_due(
        &self,
        id: &str,
        retry: Retry,
        hold: jiff::SignedDuration,
        progress: Progress<'_>,
    ) -> Result<Option<Sent>> {
        // Read again under the claim: another sender may have finished it, or the person moved it
        // to a later time, since the list was read.
        let ready = |entry: &OutboxEntry| {
            let now = jiff::Timestamp::now();
            entry.due.as_ref().is_none_or(|due| due.at <= now)
                && self.waits(entry, retry, now)
                && !is_held(entry, now, hold)
        };
        if !self
            .core
            .store
            .outbox_entry(id)?
            .is_some_and(|row| ready(&row))
        {
            return Ok(None);
        }
        let holder = claim::new_holder();
        if !self.claim(id, &holder)? {
            return Ok(None);
        }
        match self.core.store.outbox_entry(id) {
            Ok(Some(entry)) if ready(&entry) => self
                .send_claimed(entry, None, progress, &holder, &Cancel::new())
                .await
                .map(Some),
            other => {
                self.core.store.release_outbox(id, &holder)?;
                other.map(|_| None)
            }
        }
    }

    /// How many scheduled posts go by themselves within `within` from now (held ones wait for the
    /// person): what quitting Hayon would keep from going.
    pub fn due_within(&self, within: std::time::Duration) -> Result<usize> {
        let within = jiff::SignedDuration::try_from(within).unwrap_or(jiff::SignedDuration::MAX);
        let soon = jiff::Timestamp::now()
            .saturating_add(within)
            .unwrap_or(jiff::Timestamp::MAX);
        Ok(self
            .scheduled()?
            .iter()
            .filter(|row| !matches!(row.state, QueueState::Held | QueueState::NeedsReconnection))
            .filter(|row| row.entry.due.as_ref().is_some_and(|due| due.at <= soon))
            .count())
    }

    /// Whether some account of `entry` waits for a send `retry` allows at `now`.
    fn waits(&self, entry: &OutboxEntry, retry: Retry, now: jiff::Timestamp) -> bool {
        entry.accounts.iter().any(|account| match &account.state {
            // Reconnecting is the person's act, and it is what the send waits for.
            Delivery::Pending => !self.needs_reconnecting(&account.did),
            Delivery::Failed { error } if error.code == ErrorCode::NeedsReconnection => {
                !self.needs_reconnecting(&account.did)
            }
            Delivery::Failed { error } => {
                retry == Retry::Temporary
                    && passes_by_itself(error)
                    && account.retry_at.is_none_or(|at| at <= now.as_second())
            }
            Delivery::Posted { .. } => false,
        })
    }

    /// Whether an account of `entry` that does not have it yet needs reconnecting.
    fn awaits_reconnection(&self, entry: &OutboxEntry) -> bool {
        entry.accounts.iter().any(|account| {
            !matches!(account.state, Delivery::Posted { .. })
                && self.needs_reconnecting(&account.did)
        })
    }

    /// Whether stored account `did` needs reconnecting (its session was ended or refused, or it
    /// was signed out). An account no longer stored is tried, and the send says what is wrong.
    fn needs_reconnecting(&self, did: &str) -> bool {
        match self.core.store.find_account(did) {
            Ok(account) => account
                .is_some_and(|account| !account.connected || account.health.needs_reconnection),
            Err(err) => {
                tracing::warn!(code = err.code.as_str(), "queue: could not read an account");
                false
            }
        }
    }

    /// Whether a post in the outbox waits only for its server to answer again (no connection, a
    /// rate limit): what [`Retry::Temporary`] sends.
    pub fn waiting_for_connection(&self) -> Result<bool> {
        // Asked on every wake of the window's sender: one query, no row read whole.
        let codes = PASSES_BY_ITSELF.map(ErrorCode::as_str);
        self.core.store.outbox_failed_with(&codes)
    }

    /// How long until the next scheduled post is due, by the wall clock, if one is waiting for a
    /// later time.
    pub fn until_next_due(&self) -> Result<Option<std::time::Duration>> {
        let now = jiff::Timestamp::now();
        let next = self.core.store.outbox_next_due(now.as_second())?;
        Ok(next.map(|seconds| until(now, seconds)))
    }

    /// How long until the soonest rate limit a failed account met ends, by the wall clock, if one
    /// is still running: [`Retry::Temporary`] tries it from then on.
    pub fn until_rate_limit_ends(&self) -> Result<Option<std::time::Duration>> {
        let now = jiff::Timestamp::now();
        let next = self.core.store.outbox_next_retry(now.as_second())?;
        Ok(next.map(|seconds| until(now, seconds)))
    }

    /// Sends `entry`, which `holder` has claimed, renewing the claim while it works and letting it
    /// go when done (or stopped by `cancel`).
    pub(super) async fn send_claimed(
        &self,
        entry: OutboxEntry,
        prepared: Option<PreparedThread>,
        progress: Progress<'_>,
        holder: &str,
        cancel: &Cancel,
    ) -> Result<Sent> {
        let id = entry.id.clone();
        let result = self
            .send_renewing(entry, prepared, progress, holder, cancel)
            .await;
        self.core.store.release_outbox(&id, holder)?;
        result
    }

    /// Sends `entry`, which `holder` has claimed, renewing the claim while it works; the claim is
    /// the caller's to let go.
    pub(super) async fn send_renewing(
        &self,
        entry: OutboxEntry,
        prepared: Option<PreparedThread>,
        progress: Progress<'_>,
        holder: &str,
        cancel: &Cancel,
    ) -> Result<Sent> {
        let id = entry.id.clone();
        let renewing = async {
            loop {
                tokio::time::sleep(claim::RENEW_EVERY).await;
                let renewed =
                    self.core
                        .store
                        .claim_outbox(&id, &claim::until_later(holder), claim::now_ms());
                match renewed {
                    Ok(true) => {}
                    // It lapsed (the machine slept, the clock jumped) and another sender took it:
                    // the record keys still keep the post from going twice.
                    Ok(false) => tracing::warn!(id, "outbox: the claim was lost while sending"),
                    Err(err) => {
                        tracing::warn!(code = err.code.as_str(), "outbox: claim not renewed")
                    }
                }
            }
        };
        let sending = std::pin::pin!(self.send(entry, prepared, progress, cancel));
        let renewing = std::pin::pin!(renewing);
        match futures_util::future::select(sending, renewing).await {
            futures_util::future::Either::Left((sent, _)) => sent,
            futures_util::future::Either::Right(((), sending)) => sending.await,
        }
    }

    /// Claims row `id` for `holder`: free, lapsed, or left by a process that has ended. False when
    /// a live sender has it (or the row is gone).
    pub(super) fn claim(&self, id: &str, holder: &str) -> Result<bool> {
        let store = &self.core.store;
        let wanted = claim::until_later(holder);
        if store.claim_outbox(id, &wanted, claim::now_ms())? {
            return Ok(true);
        }
        match store.outbox_claim_holder(id)? {
            Some(other) if claim::holder_is_gone(&other) => {
                tracing::info!(id, "outbox: taking over a post whose sender has ended");
                store.take_over_outbox(id, &other, &wanted)
            }
            _ => Ok(false),
        }
    }

    /// Claims row `id` for a new holder, or says why it cannot: a sender is sending it right now,
    /// or it is gone.
    pub(super) fn claim_or_busy(&self, id: &str) -> Result<String> {
        let holder = claim::new_holder();
        if self.claim(id, &holder)? {
            return Ok(holder);
        }
        Err(match self.core.store.outbox_entry(id)? {
            Some(_) => Error::validation(
                "This post is being sent right now. Wait a moment, then look at it again.",
            ),
            None => missing(id),
        })
    }

    /// Runs `change` on row `id` under a claim, when no account has been sent anything yet.
    fn while_unsent(&self, id: &str, change: impl FnOnce() -> Result<()>) -> Result<()> {
        let holder = self.claim_or_busy(id)?;
        let unsent = match self.core.store.outbox_entry(id) {
            Err(err) => Err(err),
            Ok(None) => Err(missing(id)),
            Ok(Some(entry)) if entry.tried() => Err(Error::validation(
                "This post has been sent to some of its accounts already, so it can no longer \
                     be changed or cancelled here. Use the outbox to finish or discard it.",
            )),
            Ok(Some(_)) => change(),
        };
        self.core.store.release_outbox(id, &holder)?;
        unsent
    }

    /// Prepares the images `composition` names, copies its videos and captions, and points it at
    /// the staged copies instead.
    pub(super) async fn stage_named_files(&self, composition: &mut Composition) -> Result<()> {
        for post in &mut composition.posts {
            // A video and its captions are copied as they are (the video service takes them so).
            if let Some(video) = &mut post.video {
                let attachments = &self.core.attachments;
                video.path = attachments.copy_video(Path::new(&video.path)).await?;
                for caption in &mut video.captions {
                    caption.path = attachments.copy_caption(Path::new(&caption.path)).await?;
                }
            }
            let paths: Vec<PathBuf> = post
                .images
                .iter()
                .map(|image| (&image.path).into())
                .collect();
            if paths.is_empty() {
                continue;
            }
            let prepared = tokio::task::spawn_blocking(move || {
                crate::media::prepare_images(&paths, crate::media::ImageLimits::POST)
            })
            .await
            .map_err(|err| Error::internal("preparing the images", &err))?;
            for (image, prepared) in post.images.iter_mut().zip(prepared) {
                image.path = self.core.attachments.keep_prepared(prepared?).await?.path;
            }
        }
        Ok(())
    }
}

/// A post in the queue and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    #[serde(flatten)]
    pub entry: OutboxEntry,
    pub state: QueueState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum QueueState {
    /// Waiting for its time.
    Scheduled,
    /// Its time has come and no sender has sent it yet (none is running, or one is about to).
    Due,
    /// Its time passed long ago (by the "hold late posts after" setting): it waits for the person.
    Held,
    /// An account that does not have it yet needs reconnecting (its session was ended or refused):
    /// it is not sent to that account, and goes by itself once the account is connected again.
    NeedsReconnection,
}

/// Whether `entry` is a scheduled post whose time passed more than `hold` before `now` and which
/// has not been sent anywhere yet.
fn is_held(entry: &OutboxEntry, now: jiff::Timestamp, hold: jiff::SignedDuration) -> bool {
    entry
        .due
        .as_ref()
        .is_some_and(|due| due.at.checked_add(hold).is_ok_and(|late| late < now))
        && !entry.tried()
}

/// From `now` to `seconds` (unix), none if it has passed.
fn until(now: jiff::Timestamp, seconds: i64) -> std::time::Duration {
    let millis = seconds.saturating_mul(1000) - now.as_millisecond();
    std::time::Duration::from_millis(u64::try_from(millis).unwrap_or_default())
}

/// Which failed accounts [`Posting::send_due`] tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// None: only accounts never sent to (or whose send a crash interrupted).
    Nothing,
    /// Those that failed for a reason that passes by itself (no connection, the server's rate
    /// limit). A refusal by the server waits for the person.
    Temporary,
}

/// Whether a send of `entry` failed on an account for want of reconnecting it.
fn failed_reconnecting(entry: &OutboxEntry) -> bool {
    entry.accounts.iter().any(|account| {
        matches!(&account.state, Delivery::Failed { error } if error.code == ErrorCode::NeedsReconnection)
    })
}

/// Failures that may be gone at the next try: no connection, the server's rate limit, or trouble on
/// the server (5xx). A write whose outcome such a failure left unknown is looked up before it is
/// written again, so trying again never makes a second copy.
pub const PASSES_BY_ITSELF: [ErrorCode; 3] = [
    ErrorCode::Network,
    ErrorCode::RateLimited,
    ErrorCode::ServerUnavailable,
];

fn passes_by_itself(error: &Error) -> bool {
    PASSES_BY_ITSELF.contains(&error.code)
}

/// How late a scheduled post may go by itself.
fn hold_after(preferences: &crate::settings::Preferences) -> jiff::SignedDuration {
    jiff::SignedDuration::from_mins(i64::from(preferences.hold_late_after_minutes))
}
