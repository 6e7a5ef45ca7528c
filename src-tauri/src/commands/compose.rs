//! Composer commands: analysis on every edit, link cards, images, drafts, settings and posting.
//! Image bytes come in as a raw IPC body (no JSON number arrays) and are staged in the data folder, so
//! a draft can refer to them by path after a restart.

use crate::state::AppState;
use hayon_core::compose::Analysis;
use hayon_core::draft::Draft;
use hayon_core::link_card::LinkCard;
use hayon_core::posting::{PostOutcome, PostRequest, PostResult, PostStage};
use hayon_core::settings::Settings;
use hayon_core::Error;
use serde::Deserialize;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::State;

#[tauri::command]
pub async fn analyze_text(text: String) -> Analysis {
    hayon_core::compose::analyze(&text)
}

#[tauri::command]
pub async fn fetch_link_card(state: State<'_, AppState>, uri: String) -> Result<LinkCard, Error> {
    hayon_core::link_card::fetch_card(state.card_fetcher()?, &uri).await
}

/// The raw body is the file's bytes; the `x-file-name` header its (URI-encoded) name.
#[tauri::command]
pub async fn stage_image(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<crate::staging::StagedImage, Error> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::validation("No image data was received."));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|value| value.to_str().ok())
        .map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_else(|| "image".to_owned());
    crate::staging::stage(state.staging_dir()?, &name, bytes.clone()).await
}

#[tauri::command]
pub async fn preview_image(path: String) -> Result<crate::staging::StagedImage, Error> {
    crate::staging::preview(path.into()).await
}

#[tauri::command]
pub async fn load_draft(state: State<'_, AppState>) -> Result<Option<Draft>, Error> {
    state.accounts()?.store().load_composer_draft()
}

#[tauri::command]
pub async fn save_draft(state: State<'_, AppState>, draft: Draft) -> Result<(), Error> {
    let now = hayon_core::store::now_rfc3339();
    state.accounts()?.store().save_composer_draft(&draft, &now)
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, Error> {
    state.accounts()?.store().load_settings()
}

#[tauri::command]
pub async fn set_settings(state: State<'_, AppState>, settings: Settings) -> Result<(), Error> {
    state.accounts()?.store().save_settings(&settings)
}

#[tauri::command]
pub async fn default_langs() -> Vec<String> {
    hayon_core::settings::default_langs()
}

/// The composer's post request (JSON from the window).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostInput {
    text: String,
    #[serde(default)]
    images: Vec<ImageInput>,
    accounts: Vec<String>,
    #[serde(default)]
    langs: Vec<String>,
    #[serde(default = "yes")]
    link_card: bool,
}

#[derive(Debug, Deserialize)]
pub struct ImageInput {
    path: String,
    #[serde(default)]
    alt: String,
}

fn yes() -> bool {
    true
}

/// Posts to every chosen account, streaming progress stages; clears the draft when all succeeded.
#[tauri::command]
pub async fn post(
    state: State<'_, AppState>,
    request: PostInput,
    on_progress: Channel<PostStage>,
) -> Result<Vec<PostOutcome>, Error> {
    let accounts = state.accounts()?;
    let request = PostRequest {
        text: request.text,
        images: request
            .images
            .into_iter()
            .map(|image| hayon_core::posting::ImageAttachment {
                source: hayon_core::posting::ImageSource::File(image.path.into()),
                alt: image.alt,
            })
            .collect(),
        accounts: request.accounts,
        langs: request.langs,
        link_card: request.link_card,
        // The stored setting applies (Accounts::post reads it); the window adds nothing.
        require_alt_text: false,
    };
    let attached: Vec<std::path::PathBuf> = request
        .images
        .iter()
        .filter_map(|image| match &image.source {
            hayon_core::posting::ImageSource::File(path) => Some(path.clone()),
            hayon_core::posting::ImageSource::Prepared(_) => None,
        })
        .collect();
    let report = move |stage: PostStage| {
        let _ = on_progress.send(stage);
    };
    let outcomes = accounts.post(request, &report).await?;
    if outcomes
        .iter()
        .all(|outcome| matches!(outcome.result, PostResult::Posted { .. }))
    {
        accounts.store().clear_draft()?;
        crate::staging::discard(state.staging_dir()?, &attached).await;
    }
    Ok(outcomes)
}
