//! Composer commands: analysis on every edit, link cards, images, settings, posting and the outbox
//! (the drafts are in `drafts.rs`).
//! Image bytes come in as a raw IPC body (no JSON number arrays) and are staged, prepared, in the data
//! folder, so a draft can refer to them by path after a restart. Every path the web view sends back
//! (previews, drafts, posts, a card's thumbnail) must name one of those staged copies
//! (`hayon_core::attachments`).

use crate::sender::Sender;
use crate::state::AppState;
use hayon_core::attachments::StagedImage;
use hayon_core::compose::Analysis;
use hayon_core::composition::Composition;
use hayon_core::link_card::CardPreview;
use hayon_core::publish::quote::QuotedPost;
use hayon_core::publish::{
    ImageFiles, Limits, OutboxEntry, PostOptions, PostStage, Sent, UnsetLangs, LIMITS,
};
use hayon_core::settings::Preferences;
use hayon_core::Error;
use tauri::ipc::{Channel, InvokeBody, Request};
use tauri::{AppHandle, Runtime, State};

/// What a composition may hold (posts in a thread, images, languages, alt text length).
#[tauri::command]
pub fn limits() -> Limits {
    LIMITS
}

#[tauri::command]
pub async fn analyze_text(text: String) -> Analysis {
    hayon_core::compose::analyze(&text)
}

#[tauri::command]
pub async fn fetch_link_card(
    state: State<'_, AppState>,
    uri: String,
) -> Result<CardPreview, Error> {
    let made = hayon_core::link_card::make_card(state.core()?.card_fetcher(), &uri).await?;
    let thumb = match made.thumb {
        Some(thumb) => state
            .core()?
            .attachments()
            .keep_prepared(thumb)
            .await
            .inspect_err(|err| {
                tracing::warn!(code = err.code.as_str(), "could not stage a card thumbnail")
            })
            .ok(),
        None => None,
    };
    Ok(CardPreview {
        card: made.card,
        thumb,
    })
}

/// The raw body is the file's bytes; the `x-file-name` header its (URI-encoded) name.
#[tauri::command]
pub async fn stage_image(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<StagedImage, Error> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Error::validation("No image data was received."));
    };
    let name = super::file_name_of(&request, "image");
    state.core()?.attachments().stage(&name, bytes).await
}

#[tauri::command]
pub async fn preview_image(state: State<'_, AppState>, path: String) -> Result<StagedImage, Error> {
    state.core()?.attachments().preview(&path).await
}

/// The post a pasted bsky.app link or at:// URI names, looked up with the chosen account `account`,
/// for the composer's quote preview. The paste is parsed (and its length bounded) by the core; an
/// account that is not connected is refused.
#[tauri::command]
pub async fn preview_quote(
    state: State<'_, AppState>,
    quote: String,
    account: String,
) -> Result<QuotedPost, Error> {
    state.core()?.posting().quoted(&account, &quote).await
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Preferences, Error> {
    state.core()?.settings().load()
}

#[tauri::command]
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Preferences,
) -> Result<(), Error> {
    state.core()?.settings().save(&settings)?;
    crate::lifecycle::settings_changed(&app);
    Ok(())
}

/// Streams a send's stages to the page (a page that went away meanwhile misses them, nothing more).
pub(crate) fn progress_to(channel: Channel<PostStage>) -> impl Fn(PostStage) + Send + Sync {
    move |stage| {
        let _ = channel.send(stage);
    }
}

/// What the window's Post, Schedule… and Add to queue send with: staged images only (the web view is
/// untrusted), the stored alt-text setting (the core reads it; the window adds nothing), `draft` kept
/// with the row until every account has the post, and an empty language choice taken as the
/// person's (they removed every language).
pub(crate) fn window_options(draft: Option<i64>) -> PostOptions {
    PostOptions {
        images: ImageFiles::Staged,
        require_alt_text: false,
        draft,
        unset_langs: UnsetLangs::NoLanguage,
    }
}

/// Posts the composition to every chosen account through the outbox, streaming progress stages. Its
/// images must be staged copies (only those are read); they are deleted once every account has the
/// thread, and only then is its draft `draft` deleted: until then it keeps them, to try again. The
/// queue's sender is woken after: an account the network kept out is tried again by itself.
/// `cancel_posting` with the page's `ticket` stops it before it is written (a `cancelled` error:
/// nothing posted, nothing left in the outbox).
#[tauri::command]
pub async fn post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    composition: Composition,
    draft: Option<i64>,
    ticket: String,
    on_progress: Channel<PostStage>,
) -> Result<Sent, Error> {
    let core = state.core()?;
    let sending = state.in_flight().start(&ticket)?;
    let options = window_options(draft);
    let report = progress_to(on_progress);
    let sent = core
        .posting()
        .post(composition, options, &report, &sending.cancel)
        .await;
    sender.wake();
    sent
}

/// Cancels the page's Post or Retry under `ticket`, up to its write (a write under way is let
/// finish, and its outcome is what that call answers). Whether such a send was under way.
#[tauri::command]
pub async fn cancel_posting(state: State<'_, AppState>, ticket: String) -> Result<bool, Error> {
    state.in_flight().cancel(&ticket)
}

/// "Retry failed": sends outbox entry `id` again to the accounts that do not have its thread (the
/// same record keys, so nothing is posted twice); once every account has it, the draft it was posted
/// from is deleted. `id` is only looked up, never trusted further. Cancelled under `ticket`, the
/// accounts it stopped stay in the outbox, failed as cancelled.
#[tauri::command]
pub async fn retry_post(
    state: State<'_, AppState>,
    sender: State<'_, Sender>,
    id: String,
    ticket: String,
    on_progress: Channel<PostStage>,
) -> Result<Sent, Error> {
    let sending = state.in_flight().start(&ticket)?;
    let report = progress_to(on_progress);
    let sent = state
        .core()?
        .posting()
        .retry(&id, &report, &sending.cancel)
        .await;
    sender.wake();
    sent
}

/// Gives up on outbox entry `id` (what is posted stays posted). Its staged images go unless a draft
/// still uses them: the draft of a thread that failed is kept, to post it again.
#[tauri::command]
pub async fn discard_post(state: State<'_, AppState>, id: String) -> Result<(), Error> {
    state.core()?.posting().discard(&id)
}

/// The outbox as stored (nothing is looked up or sent): cheap enough to re-read whenever the
/// database changed, to drop a thread another window or the CLI has sent or discarded.
#[tauri::command]
pub async fn outbox_entries(state: State<'_, AppState>) -> Result<Vec<OutboxEntry>, Error> {
    state.core()?.posting().outbox()
}

/// The threads not yet on every account, after settling what a crash left unknown by looking the
/// records up (nothing is written): what the window shows at start, with Retry.
#[tauri::command]
pub async fn pending_posts(state: State<'_, AppState>) -> Result<Vec<OutboxEntry>, Error> {
    state.core()?.posting().reconcile().await
}
