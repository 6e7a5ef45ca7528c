//! An update server on loopback, as a release pipeline would publish one: a package, its minisign
//! signature in Tauri's format (the base64 of the `.sig` file `tauri signer sign` writes), and a
//! static manifest naming both. The key pair is made by the test for the test; its private half
//! never leaves the process. A server can be told to spoil the signature or the package, to see
//! them refused.

use crate::web::{Reply, WebServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A minisign key pair, as `tauri signer generate` makes.
#[derive(Debug)]
pub struct SigningKey(minisign::KeyPair);

impl SigningKey {
    pub fn generate() -> Self {
        Self(minisign::KeyPair::generate_unencrypted_keypair().expect("key pair"))
    }

    /// The public key as tauri.conf.json's `plugins.updater.pubkey` takes it: the base64 of the
    /// minisign public key file.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.0.pk.to_box().expect("public key box").to_string())
    }

    /// The signature of `package` as a manifest carries it: the base64 of the minisign signature
    /// file, with the trusted comment the Tauri CLI writes (`version:` only when given: CLIs before
    /// `--app-version` wrote none). The trusted comment is covered by the signature.
    pub fn sign(&self, package: &[u8], file_name: &str, version: Option<&str>) -> String {
        let mut comment = format!("timestamp:1764547200\tfile:{file_name}");
        if let Some(version) = version {
            comment.push_str(&format!("\tversion:{version}"));
        }
        let signature = minisign::sign(
            None,
            &self.0.sk,
            package,
            Some(&comment),
            Some("signature from tauri secret key"),
        )
        .expect("sign");
        STANDARD.encode(signature.to_string())
    }
}

/// What the server publishes, and how it is spoiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// The package, signed by the key for the version the manifest announces.
    Signed,
    /// A validly signed package of an older release ([`OLDER_VERSION`]), announced as `version`.
    OlderRelease,
    /// A validly signed package whose signature names no version, announced as `version`: an old
    /// release signed before the CLI recorded versions, or a rollback that hides its version.
    SignedWithoutVersion,
    /// The manifest's signature is by another key.
    SignedByAnotherKey,
    /// The package served is not the one that was signed (one byte changed).
    AlteredPackage,
    /// A validly signed package one byte over `hayon_updates::PACKAGE_LIMIT`, its length announced.
    Oversized,
    /// The same, served without `Content-Length` (it ends when the connection closes).
    OversizedUnannounced,
    /// The manifest names a plain `http:` address on another machine ([`ELSEWHERE_PACKAGE`]).
    PlainHttpElsewhere,
    /// The package's address answers with a redirect to [`ELSEWHERE_PACKAGE`].
    RedirectToPlainHttp,
}

/// A plain-http address that is not this computer (`.invalid` never resolves): refused before any
/// connection, so nothing leaves the machine.
pub const ELSEWHERE_PACKAGE: &str = "http://updates.hayon.invalid/hayon_9.9.9_amd64.deb";

/// A loopback server with `/latest.json` announcing `version` and its package.
#[derive(Debug, Clone)]
pub struct UpdateServer {
    pub manifest_url: String,
    pub package: Vec<u8>,
    requests: Arc<Mutex<HashMap<String, usize>>>,
}

pub const PACKAGE_PATH: &str = "/hayon_9.9.9_amd64.deb";
/// The release [`Release::OlderRelease`]'s package was signed for.
pub const OLDER_VERSION: &str = "0.0.5";

impl UpdateServer {
    /// Publishes `version` for `linux-x86_64` (the target of an app not installed from a package).
    pub async fn start(key: &SigningKey, version: &str, release: Release) -> Self {
        let oversized = matches!(release, Release::Oversized | Release::OversizedUnannounced);
        let size = if oversized {
            hayon_updates::PACKAGE_LIMIT + 1
        } else {
            64 * 1024
        };
        let package: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let signature = match release {
            Release::SignedByAnotherKey => {
                SigningKey::generate().sign(&package, "hayon.deb", Some(version))
            }
            Release::OlderRelease => key.sign(&package, "hayon.deb", Some(OLDER_VERSION)),
            Release::SignedWithoutVersion => key.sign(&package, "hayon.deb", None),
            _ => key.sign(&package, "hayon.deb", Some(version)),
        };
        let mut served = package.clone();
        if release == Release::AlteredPackage {
            served[1000] ^= 1;
        }
        let requests = Arc::new(Mutex::new(HashMap::new()));
        let counted = requests.clone();
        let manifest = Arc::new(Mutex::new(String::new()));
        let manifest_body = manifest.clone();
        let server = WebServer::serve(move |request| {
            *counted
                .lock()
                .expect("requests")
                .entry(request.target.to_owned())
                .or_insert(0) += 1;
            match request.target {
                "/latest.json" => Reply::ok(
                    "application/json",
                    manifest_body.lock().expect("manifest").clone().into_bytes(),
                ),
                PACKAGE_PATH if release == Release::RedirectToPlainHttp => {
                    Reply::redirect(ELSEWHERE_PACKAGE)
                }
                PACKAGE_PATH => Reply {
                    announce_length: release != Release::OversizedUnannounced,
                    ..Reply::ok("application/vnd.debian.binary-package", served.clone())
                },
                _ => Reply::json("404 Not Found", &serde_json::json!({})),
            }
        })
        .await;
        *manifest.lock().expect("manifest") = serde_json::json!({
            "version": version,
            "notes": "Faster posting.",
            "pub_date": "2026-12-01T12:00:00Z",
            "platforms": {
                "linux-x86_64": {
                    "url": match release {
                        Release::PlainHttpElsewhere => ELSEWHERE_PACKAGE.to_owned(),
                        _ => format!("{}{PACKAGE_PATH}", server.url),
                    },
                    "signature": signature,
                }
            }
        })
        .to_string();
        Self {
            manifest_url: format!("{}/latest.json", server.url),
            package,
            requests,
        }
    }

    /// How many requests asked for `path`.
    pub fn requests(&self, path: &str) -> usize {
        self.requests
            .lock()
            .expect("requests")
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

/// A loopback address nothing listens on (port 9, "discard", is closed on any test machine): an
/// update check there meets a refused connection, as offline.
pub const CLOSED_MANIFEST: &str = "http://127.0.0.1:9/latest.json";
