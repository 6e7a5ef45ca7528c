//! System notifications for what happens while nobody watches the window: a scheduled or waiting post
//! went out (with its link) or failed (with the reason), a sign-in with Bluesky ends in two days, and
//! where Hayon went when its window closed. Through Tauri's notification plugin, which on Linux speaks the freedesktop Notifications
//! D-Bus interface; with no notification service running, nothing is shown and the failure is only
//! logged.
//!
//! A click on a notification brings the window back, on the view the notification is about: the
//! Queue for a post (its link under Posted, or the post with Retry). The plugin reports the click
//! (`tap`) to the handler [`listen_for_clicks`] registers at start, which must come before the first
//! notification; which view is named in the notification's `extra` data, read back from the click.

use hayon_core::accounts::EndingSignIn;
use hayon_core::publish::{Delivery, Sent};
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The event that tells the page which view to show (payload: the view's name, as [`Opens`]).
pub const OPEN_VIEW: &str = "open-view";
/// The `extra` key a notification's view is kept under.
const OPENS: &str = "opens";

/// Where a click on a notification leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opens {
    /// The window, as it was.
    Window,
    /// The Queue view.
    Queue,
    /// Settings › Connected accounts.
    Accounts,
}

impl Opens {
    fn name(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Queue => "queue",
            Self::Accounts => "accounts",
        }
    }
}

/// Shows one notification, whose click leads to `opens`.
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str, opens: Opens) {
    let shown = app
        .notification()
        .builder()
        .title(title)
        .body(body)
        .extra(OPENS, opens.name())
        .show();
    if let Err(err) = shown {
        tracing::warn!(error = %err, "could not show a notification");
    }
}

/// Hears clicks on Hayon's notifications from now on: the window comes back, and the page is told
/// which view to show.
pub fn listen_for_clicks<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        crate::lifecycle::bring_back(&handle);
        let opens = performed
            .notification()
            .and_then(|notification| notification.extra().get(OPENS))
            .and_then(|opens| opens.as_str());
        if let Some(view) = opens.filter(|view| *view != Opens::Window.name()) {
            if let Err(err) = handle.emit(OPEN_VIEW, view) {
                tracing::warn!(error = %err, "could not tell the window which view to show");
            }
        }
    });
    if let Err(err) = registered {
        tracing::warn!(error = %err, "clicks on notifications will not be heard");
    }
}

/// Tells the person what the sender did with a post: one notification per account.
pub fn tell_sent<R: Runtime>(app: &AppHandle<R>, sent: &Sent) {
    for account in &sent.accounts {
        match &account.state {
            Delivery::Posted { posts } => {
                let link = posts.first().map(|post| post.url.as_str()).unwrap_or("");
                show(
                    app,
                    &format!("Posted to @{}", account.handle),
                    link,
                    Opens::Queue,
                );
            }
            Delivery::Failed { error } => show(
                app,
                &format!("Could not post to @{}", account.handle),
                &format!("{} Click to open it in Hayon's Queue.", error.message),
                Opens::Queue,
            ),
            Delivery::Pending => {}
        }
    }
}

/// Reminds the person, once per sign-in, that a sign-in with Bluesky ends within two days.
pub fn remind_sign_ins<R: Runtime>(app: &AppHandle<R>, core: &hayon_core::Core) {
    match core.accounts().sign_ins_to_remind() {
        Ok(ending) => ending.iter().for_each(|sign_in| tell_ending(app, sign_in)),
        Err(err) => tracing::warn!(code = err.code.as_str(), "could not read the sign-ins"),
    }
}

fn tell_ending<R: Runtime>(app: &AppHandle<R>, sign_in: &EndingSignIn) {
    let waiting = match sign_in.scheduled_after {
        0 => String::new(),
        1 => " One scheduled post is due after that: it waits until you sign in again.".to_owned(),
        n => format!(" {n} scheduled posts are due after that: they wait until you sign in again."),
    };
    show(
        app,
        &format!("Sign in to @{} again soon", sign_in.handle),
        &format!(
            "Hayon's sign-in with Bluesky for @{} ends on {}.{waiting} Click to sign in again.",
            sign_in.handle,
            sign_in.ends_locally()
        ),
        Opens::Accounts,
    );
}
