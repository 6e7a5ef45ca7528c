//! Scheduling commands: the composer's "Schedule…" and "Add to queue", and the Queue view's list,
//! Send now, Reschedule, Edit (saved from the composer), Cancel and the history of posts sent. Each
//! is a few lines over the core's queue (`publish/queue.rs`),
//! which checks the composition as Post does, stages its images and keeps its draft with the row.
//! A time comes from the page as the person picked it (`YYYY-MM-DDTHH:MM`, their local time) and is
//! read by the core in the system's time zone, refused unless at least a minute ahead. Every change
//! wakes the window's sender, which then sleeps until the new next due time.
//! Cancel's Undo is the page's: it hides the post for a few seconds and cancels only when Undo was
//! not pressed, so a window closed meanwhile leaves the post queued rather than lost.

use super::compose::{progress_to, window_options};
use crate::sender::Sender;
use crate::state::AppState;
use hayon_core::composition::Composition;
use hayon_core::publish::{Due, OutboxEntry, PostStage, Posted, Queued, Sent};
use hayon_core::Error;
use tauri::ipc::Channel;
use tauri::State;

/// Queues `composition` (from draft `draft`) to go at `at`, the person's local time. The time is
/// checked before the composition, so a time that cannot be used is refused before any work.
#[tauri::command]
pub async fn schedule_post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    composition: Composition,
    draft: Option<i64>,
    at: String,
) -> Result<OutboxEntry, Error> {
    let due = Due::parse_picked_here(&at)?;
    let core = state.core()?;
    let queued = core
        .posting()
        .schedule(composition, window_options(draft), due)
        .await;
    sender.wake();
    queued
}

/// "Add to queue": queues `composition` in the next posting slot none of its accounts holds yet.
#[tauri::command]
pub async fn queue_post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    composition: Composition,
    draft: Option<i64>,
) -> Result<OutboxEntry, Error> {
    let core = state.core()?;
    let queued = core
        .posting()
        .schedule_in_next_slot(composition, window_options(draft))
        .await;
    sender.wake();
    queued
}

/// The queue, soonest first, with where each post stands (scheduled, due, held).
#[tauri::command]
pub async fn scheduled_posts(state: State<'_, AppState>) -> Result<Vec<Queued>, Error> {
    state.core()?.posting().scheduled()
}

/// The posts that reached every account, the newest first, with the link to each account's post:
/// the Queue's history, kept in the database whichever process sent them.
#[tauri::command]
pub async fn posted_history(state: State<'_, AppState>) -> Result<Vec<Posted>, Error> {
    state.core()?.posting().history()
}

/// The zone picked times are read in (the system's; an IANA name like `Europe/Vienna`, or an
/// offset), for the picker to name it in the person's language.
#[tauri::command]
pub fn schedule_zone() -> String {
    Due::zone_here()
}

/// Sends scheduled post `id` now (a held one, or one not yet due), streaming progress as Post does.
/// `id` is only looked up, never trusted further.
#[tauri::command]
pub async fn send_scheduled_now(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    id: String,
    on_progress: Channel<PostStage>,
) -> Result<Sent, Error> {
    let report = progress_to(on_progress);
    let sent = state.core()?.posting().send_now(&id, &report).await;
    sender.wake();
    sent
}

/// Moves scheduled post `id` to `at`, the person's local time, while nothing of it has been sent.
#[tauri::command]
pub async fn reschedule_post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    id: String,
    at: String,
) -> Result<OutboxEntry, Error> {
    let due = Due::parse_picked_here(&at)?;
    let moved = state.core()?.posting().reschedule(&id, due);
    sender.wake();
    moved
}

/// Replaces what post `id` (scheduled, or failed on some accounts) sends with `composition`, checked
/// as Post checks it; its images must be staged copies. Accounts that have the post keep it.
#[tauri::command]
pub async fn edit_queued_post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    id: String,
    composition: Composition,
) -> Result<OutboxEntry, Error> {
    let core = state.core()?;
    let edited = core
        .posting()
        .edit(&id, composition, window_options(None))
        .await;
    sender.wake();
    edited
}

/// Takes scheduled post `id` off the queue, while nothing of it has been sent (its draft stays).
#[tauri::command]
pub async fn cancel_scheduled(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    id: String,
) -> Result<(), Error> {
    let cancelled = state.core()?.posting().cancel(&id);
    sender.wake();
    cancelled
}
