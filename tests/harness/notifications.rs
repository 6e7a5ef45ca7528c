//! A stand-in for the desktop's notification service (the one GNOME Shell or a notification daemon
//! provides), which a bare Xvfb session does not have: it owns `org.freedesktop.Notifications` on the
//! test's session bus and answers the freedesktop Notifications interface as a real one does, keeping
//! what it was asked to show, and clicks one as a person would (the `ActionInvoked` signal of its
//! `default` action). The app's notification plugin talks to it as it would to the desktop's.

use std::sync::{Arc, Mutex};

/// One notification the app asked to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The id the service gave it.
    pub id: u32,
    pub summary: String,
    pub body: String,
    /// Its actions' keys (`default` is a click on the notification itself).
    pub actions: Vec<String>,
}

/// The running stand-in; dropping it frees the bus name.
#[derive(Debug)]
pub struct NotificationServiceStandIn {
    shown: Arc<Mutex<Vec<Shown>>>,
    bus: zbus::blocking::Connection,
}

struct Service {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments)] // the interface's signature
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().expect("the stand-in's list");
        let id = u32::try_from(shown.len() + 1).unwrap_or(u32::MAX);
        // The list is key, label, key, label …
        let actions = actions.into_iter().step_by(2).collect();
        shown.push(Shown {
            id,
            summary,
            body,
            actions,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "body-hyperlinks".into(), "actions".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "hayon-tests-notification-stand-in".into(),
            "Hayon tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

impl NotificationServiceStandIn {
    /// Takes the service's name on the session bus (the test's own, from `dbus-run-session`).
    pub fn start() -> Self {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let bus = crate::own_on_session_bus(
            "org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            Service {
                shown: shown.clone(),
            },
        );
        Self { shown, bus }
    }

    /// Clicks notification `id` as a person would: its `default` action is invoked.
    pub fn click(&self, id: u32) {
        self.bus
            .emit_signal(
                None::<()>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &(id, "default"),
            )
            .expect("the stand-in sends ActionInvoked");
    }

    /// What the app asked to show so far.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().expect("the stand-in's list").clone()
    }
}
