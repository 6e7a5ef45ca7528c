//! The tray icon: while posts are scheduled Hayon can go on with its window closed, and the tray is
//! where it still shows and is reached. Its menu opens the window, pauses or resumes sending, tells
//! when the next post goes, and quits (asking first when a post is due soon; see `lifecycle.rs`).
//!
//! On Linux the icon is a StatusNotifierItem (AppIndicator). A desktop without a tray host (a bare X
//! server, some GNOME setups) shows nothing, and Hayon works the same: the window's own Queue view
//! has every action the menu has.

use crate::lifecycle;
use crate::state::AppState;
use hayon_core::publish::QueueState;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const OPEN: &str = "open";
const PAUSE: &str = "pause";
const NEXT: &str = "next";
const QUIT: &str = "quit";

/// The menu entries whose text follows the queue.
struct TrayMenu<R: Runtime> {
    pause: MenuItem<R>,
    next: MenuItem<R>,
}

/// Puts Hayon's icon in the tray. A failure is logged: Hayon is whole without it.
pub fn create<R: Runtime>(app: &AppHandle<R>) {
    if let Err(err) = build(app) {
        tracing::warn!(error = %err, "no tray icon: Hayon keeps its window open instead");
    }
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Hayon", true, None::<&str>)?;
    let next = MenuItem::with_id(app, NEXT, "Nothing scheduled", false, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE, "Pause sending", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit Hayon", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &separator, &next, &pause, &separator, &quit])?;
    let mut tray = TrayIconBuilder::with_id("hayon")
        .tooltip("Hayon")
        .menu(&menu)
        .on_menu_event(on_menu_event);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.manage(TrayMenu { pause, next });
    refresh(app);
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => lifecycle::bring_back(app),
        PAUSE => {
            let paused = app
                .state::<AppState>()
                .core()
                .and_then(|core| core.settings().load())
                .is_ok_and(|preferences| preferences.sending_paused);
            lifecycle::set_sending_paused(app, !paused);
        }
        QUIT => lifecycle::quit_or_ask(app),
        _ => {}
    }
}

/// Brings the menu's texts up to date with the queue and the pause (after any change to either).
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let Some(menu) = app.try_state::<TrayMenu<R>>() else {
        return;
    };
    let Ok(core) = app.state::<AppState>().core() else {
        return;
    };
    let paused = core
        .settings()
        .load()
        .is_ok_and(|preferences| preferences.sending_paused);
    let next = match core.posting().scheduled() {
        Ok(queued) => next_line(&queued, paused),
        Err(err) => {
            tracing::warn!(code = err.code.as_str(), "tray: could not read the queue");
            "The queue could not be read".to_owned()
        }
    };
    let pause = if paused {
        "Resume sending"
    } else {
        "Pause sending"
    };
    if let Err(err) = menu.next.set_text(next).and(menu.pause.set_text(pause)) {
        tracing::warn!(error = %err, "tray: could not update the menu");
    }
}

/// "Next post: Tue 09:00", in the person's zone; or why nothing goes.
fn next_line(queued: &[hayon_core::publish::Queued], paused: bool) -> String {
    if paused {
        return "Sending is paused".to_owned();
    }
    let waiting = queued
        .iter()
        .filter(|row| row.state != QueueState::Held)
        .filter_map(|row| row.entry.due.as_ref())
        .min_by_key(|due| due.at);
    match waiting {
        Some(due) => format!("Next post: {}", due.local_here()),
        None if queued.is_empty() => "Nothing scheduled".to_owned(),
        None => "Scheduled posts wait for you".to_owned(),
    }
}
