//! A stand-in for the desktop's tray host (the panel of KDE, or GNOME's AppIndicator extension),
//! which a bare Xvfb session does not have. It owns `org.kde.StatusNotifierWatcher` on the test's
//! session bus and answers the StatusNotifierWatcher interface as a real panel's does, so the app's
//! tray icon (libayatana-appindicator, under Tauri's tray) registers its StatusNotifierItem with
//! it. Then it reads the item's menu and clicks its entries the way the panel does, over the item's
//! `com.canonical.dbusmenu` interface (`GetLayout`, `Event "clicked"`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

/// One entry of the tray's menu, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    /// dbusmenu's id of the entry: what a click names.
    pub id: i32,
    /// Its text, without the `_` that marks a mnemonic.
    pub label: String,
    pub enabled: bool,
}

/// The running stand-in; dropping it frees the bus name.
#[derive(Debug)]
pub struct TrayHostStandIn {
    /// `(bus name, object path)` of each item registered.
    items: Arc<Mutex<Vec<(String, String)>>>,
    bus: zbus::blocking::Connection,
}

struct Watcher {
    items: Arc<Mutex<Vec<(String, String)>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    /// `service` is the item's object path on the caller's connection (AppIndicator's way) or a
    /// bus name (the item then sits at `/StatusNotifierItem`).
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        let sender = header
            .sender()
            .map(|name| name.to_string())
            .unwrap_or_default();
        let item = if service.starts_with('/') {
            (sender, service)
        } else {
            (service, "/StatusNotifierItem".to_owned())
        };
        self.items.lock().expect("the stand-in's items").push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        let items = self.items.lock().expect("the stand-in's items");
        items
            .iter()
            .map(|(name, path)| format!("{name}{path}"))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// dbusmenu's layout node: `(ia{sv}av)`, its children nodes in variants.
type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

impl TrayHostStandIn {
    /// Takes the watcher's name on the session bus (the test's own, from `dbus-run-session`).
    pub fn start() -> Self {
        let items = Arc::new(Mutex::new(Vec::new()));
        let bus = crate::own_on_session_bus(
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            Watcher {
                items: items.clone(),
            },
        );
        Self { items, bus }
    }

    /// The visible entries of the menu of the item process `pid` registered, in order (separators
    /// left out), as the panel reads them now; an error when it has no item (yet) or it does not
    /// answer. Several apps may register at once (tests run side by side): the pid tells them apart.
    pub fn menu(&self, pid: u32) -> Result<Vec<MenuEntry>, String> {
        let (name, path) = self.menu_address(pid)?;
        let menu = self.proxy(&name, &path, "com.canonical.dbusmenu")?;
        let (_revision, root): (u32, Node) = menu
            .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
            .map_err(|err| format!("GetLayout: {err}"))?;
        let mut entries = Vec::new();
        for child in root.2 {
            let node = Node::try_from(child).map_err(|err| format!("a menu node: {err}"))?;
            let text = |key: &str| {
                node.1
                    .get(key)
                    .and_then(|value| String::try_from(value.try_clone().ok()?).ok())
            };
            let flag = |key: &str| {
                node.1
                    .get(key)
                    .and_then(|value| bool::try_from(&**value).ok())
            };
            if text("type").as_deref() == Some("separator") || flag("visible") == Some(false) {
                continue;
            }
            entries.push(MenuEntry {
                id: node.0,
                label: text("label").unwrap_or_default().replace('_', ""),
                enabled: flag("enabled").unwrap_or(true),
            });
        }
        Ok(entries)
    }

    /// Clicks the entry labelled `label` of process `pid`'s menu as the panel does when a person
    /// picks it. An error when there is no such entry, or the app did not answer (as when the click
    /// ended it).
    pub fn click(&self, pid: u32, label: &str) -> Result<(), String> {
        let entries = self.menu(pid)?;
        let entry = entries
            .iter()
            .find(|entry| entry.label == label)
            .ok_or_else(|| format!("no {label:?} in the tray's menu: {entries:?}"))?;
        let (name, path) = self.menu_address(pid)?;
        let menu = self.proxy(&name, &path, "com.canonical.dbusmenu")?;
        menu.call_method("Event", &(entry.id, "clicked", Value::from(0i32), 0u32))
            .map(drop)
            .map_err(|err| format!("the click on {label:?}: {err}"))
    }

    /// The bus name and object path of the menu of the item process `pid` registered last.
    fn menu_address(&self, pid: u32) -> Result<(String, String), String> {
        let items = self.items.lock().expect("the stand-in's items").clone();
        let bus = zbus::blocking::fdo::DBusProxy::new(&self.bus).map_err(|err| err.to_string())?;
        let (name, path) = items
            .into_iter()
            .rev()
            .find(|(name, _)| {
                zbus::names::BusName::try_from(name.as_str())
                    .ok()
                    .and_then(|bus_name| bus.get_connection_unix_process_id(bus_name).ok())
                    == Some(pid)
            })
            .ok_or_else(|| format!("no tray item of process {pid} has registered"))?;
        let item = self.proxy(&name, &path, "org.kde.StatusNotifierItem")?;
        let menu: OwnedObjectPath = item
            .get_property("Menu")
            .map_err(|err| format!("the item's Menu: {err}"))?;
        Ok((name, menu.to_string()))
    }

    fn proxy(
        &self,
        name: &str,
        path: &str,
        interface: &str,
    ) -> Result<zbus::blocking::Proxy<'static>, String> {
        zbus::blocking::Proxy::new(
            &self.bus,
            name.to_owned(),
            path.to_owned(),
            interface.to_owned(),
        )
        .map_err(|err| format!("a proxy to {name}{path}: {err}"))
    }
}
