//! The harness of Hayon's integration suite: starts and drives the real peers.
//!
//! - [`pds`]: the reference PDS (npm `@atproto/pds` on Node 22, with an in-memory PLC) on loopback,
//!   one per test binary, plus the admin calls tests use to make accounts and app passwords.
//! - [`cli`]: runs the real `hayon-cli` binary against a fresh data folder and keychain service.
//! - [`keychain`]: reads what the Secret Service holds, through `secret-tool`.
//! - [`scan`]: looks for secrets in every file the app wrote.
//! - [`proxy`]: a counting relay in front of the PDS (bytes pass unchanged); [`fault_proxy`]: an
//!   HTTP proxy the PDS names as its public address, which injects faults per XRPC method.
//! - [`updates`]: an update server (manifest, package, minisign signature by a key of the test).
//! - [`wait`]: waiting that polls the condition the test then asserts (never a fixed sleep).
//! - [`web`]: a loopback web server (link-card pages), and [`app_view`]: a clearly named stand-in
//!   for the Bluesky app view, which cannot run here.
//! - [`video_service`]: a clearly named stand-in for Bluesky's video service (video.bsky.app),
//!   which is Bluesky's own and cannot run here; it puts the videos on the real PDS. [`videos`]:
//!   test videos made with ffmpeg.
//! - [`notifications`] and [`tray`]: clearly named stand-ins for the desktop's notification service
//!   and its tray host (the panel), which a bare Xvfb session lacks.
//!
//! Apart from the stand-ins, nothing here fakes a peer. A missing tool or peer makes the test fail
//! with a message saying how to install it (`scripts/test.sh` does all of it).

pub mod app_view;
pub mod cli;
pub mod fault_proxy;
pub mod images;
pub mod keychain;
pub mod measure;
pub mod notifications;
pub mod oauth_browser;
pub mod pds;
pub mod proxy;
pub mod scan;
pub mod tray;
pub mod updates;
pub mod video_service;
pub mod videos;
pub mod wait;
pub mod web;
pub mod window;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::sync::atomic::{AtomicU32, Ordering};

/// A connection to the test's session bus (from `dbus-run-session`) that owns `name` and serves
/// `object` at `path`: how the desktop stand-ins ([`notifications`], [`tray`]) appear to the app.
pub(crate) fn own_on_session_bus(
    name: &str,
    path: &str,
    object: impl zbus::object_server::Interface,
) -> zbus::blocking::Connection {
    zbus::blocking::connection::Builder::session()
        .and_then(|builder| builder.name(name))
        .and_then(|builder| builder.serve_at(path, object))
        .and_then(|builder| builder.build())
        .unwrap_or_else(|err| {
            panic!(
                "the stand-in takes {name} on the session bus (run under dbus-run-session, as \
                 scripts/test.sh does): {err}"
            )
        })
}

/// A client for the tests' own calls to the peers. reqwest is built without a crypto provider, as
/// the core uses it, so the core's is installed first.
pub fn http_client() -> reqwest::Client {
    hayon_core::tls::install_crypto_provider();
    reqwest::Client::new()
}

/// The claims of a JWT, unverified (tests read what a token says; the servers check signatures).
pub fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// A short name unique to this process and call, for handles, app-password names and keychain
/// services, so tests never see each other's data.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    let mixed = (std::process::id() as u64) << 20
        ^ u64::from(nanos)
        ^ (u64::from(COUNTER.fetch_add(1, Ordering::Relaxed)) << 40);
    format!("{prefix}{}", base36(mixed % 36u64.pow(7)))
}

fn base36(mut value: u64) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(digits[(value % 36) as usize]);
        value /= 36;
        if value == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
