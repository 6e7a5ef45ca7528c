//! Finding an update: Tauri's official updater plugin asks the manifest; the package it names is
//! downloaded within limits ([`download`]: https only, at most [`PACKAGE_LIMIT`] bytes) and its
//! minisign signature verified by the plugin against the public key in tauri.conf.json
//! (`plugins.updater.pubkey`) before anything is offered. Only a verified package becomes [`Ready`];
//! installing it verifies it once more and hands it to root through a pipe ([`install`]).
//!
//! Why the key cannot be changed at run time: an update is installed with the administrator's
//! consent (pkexec), so a key taken from the environment or the data folder would let anything that
//! can write there have Hayon vouch for its package. Only the manifest's address can change
//! ([`configure`], from `HAYON_UPDATE_MANIFEST_URL`): a mirror, a staging channel, or a test's server
//! on loopback. Tests of the verified path (tests/updates.rs) therefore run this code in a Tauri test
//! app configured with a key pair of their own, exactly as the app is configured with its own.
//!
//! The manifest is Tauri's static format: `{"version", "notes", "pub_date", "platforms": {"linux-x86_64-deb":
//! {"url", "signature"}, …}}`, `signature` being the base64 of the minisign signature file that
//! `tauri signer sign` (or the bundler with `createUpdaterArtifacts`) writes beside the package.

mod download;
mod install;

pub use download::{Refusal, PACKAGE_LIMIT};
pub use install::{InstallError, Package};
use std::time::Duration;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};
use url::Url;

/// The manifest is small: an unanswered request is given up on after this long.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// A package of a few MiB on a slow link; a stalled download is given up on after this long.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Points the updater at `manifest` instead of the manifest in tauri.conf.json. A plain `http:`
/// manifest (hayon-core's `Config` lets only loopback addresses through) is accepted by the plugin
/// only when told so; it carries no more trust than any other, the package's signature is what
/// counts. Call before the app is built, on its context's configuration.
pub fn configure(config: &mut tauri::Config, manifest: Option<&Url>) {
    let Some(manifest) = manifest else { return };
    if let Some(updater) = config
        .plugins
        .0
        .get_mut("updater")
        .and_then(|value| value.as_object_mut())
    {
        updater.insert("endpoints".into(), vec![manifest.as_str()].into());
        if manifest.scheme() == "http" {
            updater.insert("dangerousInsecureTransportProtocol".into(), true.into());
        }
    }
}

/// An update whose package was downloaded and matched its signature.
pub struct Ready {
    update: Update,
    package: Vec<u8>,
}

impl std::fmt::Debug for Ready {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ready")
            .field("version", &self.update.version)
            .field("bytes", &self.package.len())
            .finish()
    }
}

impl Ready {
    /// The version the update installs.
    pub fn version(&self) -> &str {
        &self.update.version
    }

    /// The release notes of the manifest, if any.
    pub fn notes(&self) -> Option<&str> {
        self.update.body.as_deref()
    }

    /// The verified package's size in bytes.
    pub fn size(&self) -> usize {
        self.package.len()
    }

    /// Installs the package (verified again first) as `package` with the system's package tool,
    /// through a pipe to a root-owned copy ([`install`]); the app must then restart to run the new
    /// version.
    pub fn install(&self, package: Package) -> Result<(), Failure> {
        let failed = |error| Failure::new(Stage::Install, error);
        self.update
            .verify(&self.package)
            .map_err(|error| failed(Cause::Plugin(error)))?;
        install::install(package, &self.package).map_err(|error| failed(Cause::Install(error)))
    }
}

/// Which step an update failed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Asking the manifest (offline, server down, not a manifest).
    Check,
    /// Downloading the package or verifying its signature.
    Download,
    /// Installing the package.
    Install,
}

/// Why no update was found or installed, kept for the log.
#[derive(Debug)]
pub struct Failure {
    pub stage: Stage,
    pub error: Cause,
}

/// The plugin's own error, a download refused by [`download`], or an install that failed.
#[derive(Debug)]
pub enum Cause {
    Plugin(tauri_plugin_updater::Error),
    Refused(Refusal),
    Install(InstallError),
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plugin(error) => error.fmt(f),
            Self::Refused(refusal) => refusal.fmt(f),
            Self::Install(error) => error.fmt(f),
        }
    }
}

impl Failure {
    fn new(stage: Stage, error: Cause) -> Self {
        Self { stage, error }
    }

    /// The download was refused: not over https, or too large.
    pub fn refusal(&self) -> Option<&Refusal> {
        match &self.error {
            Cause::Refused(refusal) => Some(refusal),
            Cause::Plugin(_) | Cause::Install(_) => None,
        }
    }

    /// True when the package (or the manifest's signature for it) did not verify: a package signed
    /// by another key, a damaged or altered package, a signature that is not one, or a valid
    /// signature for another version than the one offered ([`Self::is_wrong_version`]).
    pub fn is_bad_signature(&self) -> bool {
        use tauri_plugin_updater::Error;
        self.is_wrong_version()
            || matches!(
                self.error,
                Cause::Plugin(Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_))
            )
    }

    /// True when the package's signature is valid but was not made for the version the manifest
    /// offers, or names no version (`requireSignedVersion` in tauri.conf.json): the manifest is not
    /// signed, so this is how an older release offered as a newer one — a downgrade, installed as
    /// root — is told apart.
    pub fn is_wrong_version(&self) -> bool {
        use tauri_plugin_updater::Error;
        matches!(
            self.error,
            Cause::Plugin(Error::SignedVersionMismatch { .. } | Error::MissingSignedVersion)
        )
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let step = match self.stage {
            Stage::Check => "checking for an update",
            Stage::Download if self.is_bad_signature() => "verifying the update's signature",
            Stage::Download => "downloading the update",
            Stage::Install => "installing the update",
        };
        write!(f, "{step} failed: {}", self.error)
    }
}

/// Asks the configured manifest for a newer version and, if there is one, downloads its package and
/// verifies it. `Ok(None)`: up to date. The outcome is logged, a failure with its reason (the
/// window shows none of them).
pub async fn find<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Ready>, Failure> {
    let found = fetch(app).await;
    match &found {
        Ok(None) => tracing::info!("Hayon is up to date"),
        Ok(Some(ready)) => tracing::info!(
            version = ready.version(),
            bytes = ready.size(),
            "update downloaded and its signature verified"
        ),
        Err(failure) if failure.is_wrong_version() => tracing::warn!(
            reason = %failure,
            "update refused: its package was not signed for the version offered"
        ),
        Err(failure) if failure.refusal().is_some() => {
            tracing::warn!(reason = %failure, "update refused: its download is not acceptable")
        }
        Err(failure) if failure.is_bad_signature() => {
            tracing::warn!(reason = %failure, "update refused: its signature does not verify")
        }
        Err(failure) => tracing::warn!(reason = %failure, "no update this time"),
    }
    found
}

async fn fetch<R: Runtime>(app: &AppHandle<R>) -> Result<Option<Ready>, Failure> {
    let check = |error| Failure::new(Stage::Check, Cause::Plugin(error));
    let updater = app
        .updater_builder()
        .timeout(CHECK_TIMEOUT)
        .build()
        .map_err(check)?;
    let Some(update) = updater.check().await.map_err(check)? else {
        return Ok(None);
    };
    let package = download::download(&update, local_manifest(app), DOWNLOAD_TIMEOUT)
        .await
        .map_err(|error| Failure::new(Stage::Download, error))?;
    Ok(Some(Ready { update, package }))
}

/// Whether the manifest is read over plain `http:` from this computer ([`configure`] with a
/// loopback address): only then may the package come the same way.
fn local_manifest<R: Runtime>(app: &AppHandle<R>) -> bool {
    let endpoints = app
        .config()
        .plugins
        .0
        .get("updater")
        .and_then(|updater| updater.get("endpoints"))
        .and_then(|endpoints| endpoints.as_array());
    endpoints.is_some_and(|endpoints| {
        !endpoints.is_empty()
            && endpoints.iter().all(|endpoint| {
                endpoint
                    .as_str()
                    .and_then(|endpoint| Url::parse(endpoint).ok())
                    .is_some_and(|url| url.scheme() == "http" && download::is_loopback(&url))
            })
    })
}
