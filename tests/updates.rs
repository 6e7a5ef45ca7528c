//! The updater against a loopback server: hayon-updates, the code the window runs, with the real
//! Tauri updater plugin, in a Tauri test app (mock runtime: no window needed) configured as the app
//! is — `plugins.updater.pubkey` in its configuration, the manifest's address through
//! `hayon_updates::configure` — except that the key pair is the test's own (the app's private key is
//! never in the repository, so only the test can sign with its pair). Log lines go to `hayon.log`
//! through the app's own logging set-up, and are read back.
//!
//! The window's side (nothing shown when a check fails; the manifest refused with the app's real
//! key) is in window_desktop.rs.

use harness::updates::{
    Release, SigningKey, UpdateServer, CLOSED_MANIFEST, ELSEWHERE_PACKAGE, PACKAGE_PATH,
};
use hayon_updates::{Failure, Ready, Refusal, Stage, PACKAGE_LIMIT};
use std::path::PathBuf;
use std::sync::OnceLock;
use tauri::test::{mock_builder, mock_context, noop_assets};

/// The test app's version (Tauri's mock context says 0.1.0).
const RUNNING: &str = "0.1.0";

/// The app's own `plugins.updater` (tauri.conf.json), so its settings (`requireSignedVersion` …)
/// are the ones tested.
fn app_updater_config() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tauri.conf.json");
    let text = std::fs::read_to_string(path).expect("tauri.conf.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("tauri.conf.json is JSON");
    config["plugins"]["updater"].clone()
}

/// Runs one check, as the window does, with the app's updater configuration except that `pubkey`
/// is trusted, and `manifest` asked.
async fn find(pubkey: &str, manifest: &str) -> Result<Option<Ready>, Failure> {
    let mut context = mock_context(noop_assets());
    assert_eq!(context.package_info().version.to_string(), RUNNING);
    let mut updater = app_updater_config();
    updater["pubkey"] = pubkey.into();
    context
        .config_mut()
        .plugins
        .0
        .insert("updater".into(), updater);
    let manifest = manifest.parse().expect("manifest URL");
    hayon_updates::configure(context.config_mut(), Some(&manifest));
    let app = mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .expect("test app");
    hayon_updates::find(app.handle()).await
}

/// The log of this test binary (the app's logging, in a folder of its own).
fn log() -> &'static PathBuf {
    static LOG: OnceLock<PathBuf> = OnceLock::new();
    LOG.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        hayon_core::logging::init(&dir).expect("logging");
        dir.join(hayon_core::logging::LOG_FILE)
    })
}

fn logged() -> String {
    std::fs::read_to_string(log()).unwrap_or_default()
}

#[tokio::test]
async fn a_signed_newer_version_is_found_downloaded_and_verified() {
    let key = SigningKey::generate();
    let server = UpdateServer::start(&key, "9.9.9", Release::Signed).await;
    let ready = find(&key.public_key(), &server.manifest_url)
        .await
        .expect("no failure")
        .expect("an update");
    assert_eq!(ready.version(), "9.9.9");
    assert_eq!(ready.notes(), Some("Faster posting."));
    assert_eq!(ready.size(), server.package.len(), "the whole package");
    assert_eq!(server.requests("/latest.json"), 1);
    assert_eq!(server.requests(PACKAGE_PATH), 1, "downloaded once");
}

#[tokio::test]
async fn the_same_version_is_no_update_and_nothing_is_downloaded() {
    let key = SigningKey::generate();
    let server = UpdateServer::start(&key, RUNNING, Release::Signed).await;
    let found = find(&key.public_key(), &server.manifest_url)
        .await
        .expect("no failure");
    assert!(found.is_none(), "up to date");
    assert_eq!(server.requests(PACKAGE_PATH), 0);
}

#[tokio::test]
async fn bad_signatures_are_refused_with_a_logged_reason() {
    log();
    let key = SigningKey::generate();
    for release in [Release::SignedByAnotherKey, Release::AlteredPackage] {
        let server = UpdateServer::start(&key, "9.9.9", release).await;
        let failure = find(&key.public_key(), &server.manifest_url)
            .await
            .expect_err("refused");
        assert_eq!(failure.stage, Stage::Download, "{release:?}: {failure}");
        assert!(failure.is_bad_signature(), "{release:?}: {failure}");
        assert_eq!(server.requests(PACKAGE_PATH), 1, "{release:?}: downloaded");
    }
    let log = logged();
    let refusals: Vec<_> = log
        .lines()
        .filter(|line| line.contains("update refused: its signature does not verify"))
        .collect();
    assert_eq!(refusals.len(), 2, "{log}");
}

/// The manifest is not signed, only the package is: a manifest announcing 9.9.9 with an older
/// release's package and valid signature must not install that release as root. The signature's
/// trusted comment (covered by the signature) says which version it was made for; a signature that
/// names none proves nothing and is refused too (`requireSignedVersion`).
#[tokio::test]
async fn an_older_release_offered_as_a_newer_version_is_refused() {
    log();
    let key = SigningKey::generate();
    for release in [Release::OlderRelease, Release::SignedWithoutVersion] {
        let server = UpdateServer::start(&key, "9.9.9", release).await;
        let failure = find(&key.public_key(), &server.manifest_url)
            .await
            .expect_err("refused");
        assert_eq!(failure.stage, Stage::Download, "{release:?}: {failure}");
        assert!(failure.is_wrong_version(), "{release:?}: {failure}");
    }
    let log = logged();
    let refusals: Vec<_> = log
        .lines()
        .filter(|line| line.contains("not signed for the version offered"))
        .collect();
    assert_eq!(refusals.len(), 2, "{log}");
    assert!(
        refusals
            .iter()
            .any(|line| line.contains("does not specify the version")),
        "{log}"
    );
}

/// A validly signed package over the limit is not downloaded (its length announced) or not kept
/// (its length not announced: the read stops past the limit), so a server cannot make the app hold
/// gigabytes in memory.
#[tokio::test]
async fn a_package_over_the_size_limit_is_refused() {
    log();
    let key = SigningKey::generate();
    for (release, announced) in [
        (Release::Oversized, Some(PACKAGE_LIMIT + 1)),
        (Release::OversizedUnannounced, None),
    ] {
        let server = UpdateServer::start(&key, "9.9.9", release).await;
        let failure = find(&key.public_key(), &server.manifest_url)
            .await
            .expect_err("refused");
        assert_eq!(failure.stage, Stage::Download, "{release:?}: {failure}");
        assert!(
            matches!(failure.refusal(), Some(Refusal::TooLarge(length)) if *length == announced),
            "{release:?}: {failure}"
        );
    }
    let log = logged();
    assert!(
        log.lines()
            .any(|line| line.contains("update refused") && line.contains("MiB")),
        "{log}"
    );
}

/// The package travels over https only: a plain-http address elsewhere, named by the manifest or
/// reached by a redirect, is refused before any connection to it (plain http is accepted only on
/// this computer after a manifest from this computer, as here).
#[tokio::test]
async fn a_plain_http_package_address_is_refused() {
    let key = SigningKey::generate();
    for release in [Release::PlainHttpElsewhere, Release::RedirectToPlainHttp] {
        let server = UpdateServer::start(&key, "9.9.9", release).await;
        let failure = find(&key.public_key(), &server.manifest_url)
            .await
            .expect_err("refused");
        assert_eq!(failure.stage, Stage::Download, "{release:?}: {failure}");
        assert!(
            matches!(failure.refusal(), Some(Refusal::NotHttps(address))
                if ELSEWHERE_PACKAGE.starts_with(address.as_str())),
            "{release:?}: {failure}"
        );
        assert!(failure.to_string().contains("https only"), "{failure}");
    }
}

#[tokio::test]
async fn no_network_is_a_check_failure_not_a_signature_problem() {
    let key = SigningKey::generate();
    let failure = find(&key.public_key(), CLOSED_MANIFEST)
        .await
        .expect_err("nothing answers");
    assert_eq!(failure.stage, Stage::Check, "{failure}");
    assert!(!failure.is_bad_signature());
    assert!(failure
        .to_string()
        .starts_with("checking for an update failed"));
}
