//! Video and caption commands. A video comes from the page in pieces (a 300 MB file is too much for
//! one IPC message): `begin_video` gives an id, `append_video` takes each piece as a raw body with
//! the id and its offset in headers, `finish_video` checks the whole file. The page names ids and
//! staged paths only, never a file of its own choosing (`hayon_core::attachments`).

use crate::state::AppState;
use hayon_core::attachments::{StagedCaption, StagedVideo};
use hayon_core::Error;
use tauri::ipc::{InvokeBody, Request};
use tauri::State;

/// Starts staging a video of `size` bytes; the id its pieces go under.
#[tauri::command]
pub async fn begin_video(state: State<'_, AppState>, size: u64) -> Result<String, Error> {
    state.core()?.attachments().begin_video(size).await
}

/// The raw body is the next piece; `x-video-id` and `x-offset` say where it goes. Answers how many
/// bytes the video now has.
#[tauri::command]
pub async fn append_video(state: State<'_, AppState>, request: Request<'_>) -> Result<u64, Error> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::validation("No video data was received."));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let id = header("x-video-id").unwrap_or_default();
    let offset = header("x-offset")
        .and_then(|offset| offset.parse::<u64>().ok())
        .ok_or_else(|| Error::validation("A piece of the video came without its place."))?;
    state
        .core()?
        .attachments()
        .append_video(&id, offset, bytes.clone())
        .await
}

/// Checks the video staged under `id` (called `name` in messages) and keeps it.
#[tauri::command]
pub async fn finish_video(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<StagedVideo, Error> {
    state.core()?.attachments().finish_video(&id, &name).await
}

#[tauri::command]
pub async fn discard_video(state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state.core()?.attachments().discard_video(&id).await
}

/// A staged video as the window shows it (a draft's, after a restart).
#[tauri::command]
pub async fn video_info(state: State<'_, AppState>, path: String) -> Result<StagedVideo, Error> {
    state.core()?.attachments().video_info(&path).await
}

/// The raw body is a caption file's bytes; `x-file-name` its (URI-encoded) name.
#[tauri::command]
pub async fn stage_caption(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<StagedCaption, Error> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::validation("No caption file was received."));
    };
    let name = super::file_name_of(&request, "captions");
    state
        .core()?
        .attachments()
        .stage_caption(&name, bytes.clone())
        .await
}
