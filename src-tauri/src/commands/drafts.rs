//! Drafts commands: the list of saved drafts, opening, saving, discarding (with Undo) and deleting
//! one. The core keeps a staged image while any draft (a discarded one too, until its Undo has
//! expired) or any thread in the outbox still refers to it. Ids come from the web view and are only
//! looked up.

use crate::state::AppState;
use hayon_core::composition::Composition;
use hayon_core::draft::SavedDraft;
use hayon_core::{Error, ErrorCode};
use tauri::State;

/// The saved drafts that are not discarded, the most recently changed first.
#[tauri::command]
pub async fn list_drafts(state: State<'_, AppState>) -> Result<Vec<SavedDraft>, Error> {
    state.core()?.drafts().list()
}

/// Draft `id`; without an id, the most recently changed one (what the composer opens at start).
/// `None` when there is none.
#[tauri::command]
pub async fn load_draft(
    state: State<'_, AppState>,
    id: Option<i64>,
) -> Result<Option<SavedDraft>, Error> {
    let drafts = state.core()?.drafts().list()?;
    Ok(match id {
        Some(id) => drafts.into_iter().find(|draft| draft.id == id),
        None => drafts.into_iter().next(),
    })
}

/// Saves draft `id` (a new draft when absent) and returns its id. The staged copies of images it no
/// longer has are deleted, unless another draft or a thread still in the outbox uses them.
#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    id: Option<i64>,
    draft: Composition,
) -> Result<i64, Error> {
    let now = hayon_core::store::now_rfc3339();
    state.core()?.drafts().save(id, &draft, &now)
}

/// Discard: the draft leaves the list, but it and its images are kept until the window's Undo
/// expires ([`delete_draft`]) or the next start.
#[tauri::command]
pub async fn discard_draft(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    let now = hayon_core::store::now_rfc3339();
    state.core()?.drafts().discard(id, &now)
}

/// Undo of a discard: the draft as it was, listed again.
#[tauri::command]
pub async fn restore_draft(state: State<'_, AppState>, id: i64) -> Result<SavedDraft, Error> {
    state.core()?.drafts().restore(id).map_err(|err| {
        if err.code == ErrorCode::NotFound {
            Error::new(
                ErrorCode::NotFound,
                "That draft can no longer be brought back: it was deleted.",
            )
        } else {
            err
        }
    })
}

/// Deletes draft `id` for good (a discard whose Undo expired, or an empty draft left for another),
/// with the staged images nothing else uses.
#[tauri::command]
pub async fn delete_draft(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    state.core()?.drafts().delete(id)
}
