//! System notifications for what happens while nobody watches the window: a scheduled or waiting post
//! went out (with its link) or failed (with the reason). Through Tauri's notification plugin, which
//! on Linux speaks the freedesktop Notifications D-Bus interface; with no notification service
//! running, nothing is shown and the failure is only logged.

use hayon_core::publish::{Delivery, Sent};
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// Shows one notification.
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(err) = shown {
        tracing::warn!(error = %err, "could not show a notification");
    }
}

/// Tells the person what the sender did with a post: one notification per account.
pub fn tell_sent<R: Runtime>(app: &AppHandle<R>, sent: &Sent) {
    for account in &sent.accounts {
        match &account.state {
            Delivery::Posted { posts } => {
                let link = posts.first().map(|post| post.url.as_str()).unwrap_or("");
                show(app, &format!("Posted to @{}", account.handle), link);
            }
            Delivery::Failed { error } => show(
                app,
                &format!("Could not post to @{}", account.handle),
                &format!("{} Open Hayon's Queue to try again.", error.message),
            ),
            Delivery::Pending => {}
        }
    }
}
