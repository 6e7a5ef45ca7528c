//! The commands the web view may call (and, by the capability in tauri.conf.json, only these). Each
//! is a few lines over the core; errors cross as the core's `{code, message}`. They are generic
//! over Tauri's `Runtime`, so [`handler`] serves the real window and, in `tests.rs`, Tauri's mock
//! runtime, which runs the commands over IPC without a window.

pub mod about;
pub mod accounts;
pub mod compose;
#[cfg(test)]
mod contract_tests;
pub mod drafts;
pub mod langs;
pub mod mentions;
pub mod running;
pub mod schedule;
#[cfg(test)]
mod tests;
pub mod video;

use crate::updates;
use tauri::ipc::Invoke;
use tauri::{AppHandle, Emitter, Runtime};

/// Answers the page's calls: every command, by name.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        accounts::list_accounts,
        accounts::account_avatar,
        accounts::connect_account,
        accounts::sign_in_with_bluesky,
        accounts::cancel_sign_in,
        accounts::open_sign_in_page,
        accounts::refresh_account,
        accounts::disconnect_account,
        compose::limits,
        compose::analyze_text,
        compose::fetch_link_card,
        compose::stage_image,
        compose::preview_image,
        video::begin_video,
        video::append_video,
        video::finish_video,
        video::discard_video,
        video::video_info,
        video::stage_caption,
        drafts::list_drafts,
        drafts::load_draft,
        drafts::save_draft,
        drafts::discard_draft,
        drafts::restore_draft,
        drafts::delete_draft,
        compose::get_settings,
        compose::set_settings,
        langs::default_langs,
        langs::suggest_langs,
        langs::detectable_langs,
        compose::post,
        compose::retry_post,
        compose::cancel_posting,
        compose::pending_posts,
        compose::discard_post,
        compose::outbox_entries,
        compose::preview_quote,
        schedule::schedule_post,
        schedule::queue_post,
        schedule::scheduled_posts,
        schedule::posted_history,
        schedule::schedule_zone,
        schedule::send_scheduled_now,
        schedule::reschedule_post,
        schedule::edit_queued_post,
        schedule::cancel_scheduled,
        mentions::suggest_mentions,
        mentions::check_mentions,
        about::about,
        updates::update_status,
        updates::install_update,
        running::quit,
        running::close_window,
        running::start_at_login,
        running::set_start_at_login,
    ]
}

/// The name of a file sent as a raw body, from its (URI-encoded) `x-file-name` header, for
/// messages; `fallback` without one.
fn file_name_of(request: &tauri::ipc::Request<'_>, fallback: &str) -> String {
    request
        .headers()
        .get("x-file-name")
        .and_then(|value| value.to_str().ok())
        .map(|encoded| {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_else(|| fallback.to_owned())
}

/// Tells every window to reload the account list.
pub const ACCOUNTS_CHANGED: &str = "accounts-changed";

/// After an account was connected, checked or disconnected: the page reloads its list, and the
/// queue's sender looks again (posts waiting for a reconnected account go at once).
pub fn notify_accounts_changed<R: Runtime>(app: &AppHandle<R>) {
    if let Some(sender) = tauri::Manager::try_state::<crate::sender::Sender>(app) {
        sender.wake();
    }
    if let Err(err) = app.emit(ACCOUNTS_CHANGED, ()) {
        tracing::warn!(error = %err, "could not notify the window");
    }
}
