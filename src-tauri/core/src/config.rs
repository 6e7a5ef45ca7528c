//! Where the core keeps its data and what it may reach, read in one place for the window and the CLI,
//! so the two cannot drift: both call [`Config::from_env`]; the CLI then applies its flags on top. This
//! file is the only one that reads Hayon's environment variables (besides `HAYON_LOG`, the log filter,
//! read when logging starts).
//!
//! Precedence, for each setting: a CLI flag (`--data-dir`, `--keychain-service`), then the environment
//! variable, then the default:
//!
//! | setting | variable | default |
//! |---|---|---|
//! | data folder | `HAYON_DATA_DIR` | the app's data folder ([`paths::default_data_dir`]) |
//! | keychain service | `HAYON_KEYCHAIN_SERVICE` | the app identifier |
//! | link cards from private addresses | `HAYON_LINK_CARDS_ALLOW_PRIVATE=1` | refused |
//! | XRPC request timeout | `HAYON_HTTP_TIMEOUT_SECS` (1–600) | 30 s |
//! | PLC directory | `HAYON_PLC_DIRECTORY` (`https:`, or `http:` on loopback) | `https://plc.directory` |
//! | video service | `HAYON_VIDEO_SERVICE` (`https:`, or `http:` on loopback) and `HAYON_VIDEO_SERVICE_DID` | `https://video.bsky.app`, `did:web:video.bsky.app` |
//! | Sign in with Bluesky client | `HAYON_OAUTH_CLIENT_ID` (an `https:` client metadata address), else the same variable at build time | the loopback development client (`oauth/client.rs`) |
//! | time to approve in the browser | `HAYON_SIGN_IN_TIMEOUT_SECS` (1–600) | 5 minutes |
//! | browser for signing in | `HAYON_BROWSER` (a command, given the address as its one argument) | the system's default browser |
//! | update manifest (window only) | `HAYON_UPDATE_MANIFEST_URL` (`https:`, or `http:` on loopback) | the `plugins.updater.endpoints` of tauri.conf.json |
//!
//! A value that is empty or unusable counts as unset.

use crate::error::{Error, Result};
use crate::identity::{parse_service_url, PLC_DIRECTORY};
use crate::link_card::CardPolicy;
use crate::paths;
use crate::xrpc::{check_transport, DEFAULT_TIMEOUT};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Overrides the data folder (tests, a second profile).
pub const DATA_DIR_ENV: &str = "HAYON_DATA_DIR";
/// Overrides the keychain service name the tokens are stored under (tests).
pub const KEYCHAIN_SERVICE_ENV: &str = "HAYON_KEYCHAIN_SERVICE";
/// `1` lets link cards fetch loopback and private addresses (tests, intranets).
pub const LINK_CARDS_ALLOW_PRIVATE_ENV: &str = "HAYON_LINK_CARDS_ALLOW_PRIVATE";
/// Overrides the XRPC request timeout, in whole seconds (1 to 600): a knob for slow links.
pub const HTTP_TIMEOUT_ENV: &str = "HAYON_HTTP_TIMEOUT_SECS";
/// Names another PLC directory (a private network's, or a test's on loopback).
pub const PLC_DIRECTORY_ENV: &str = "HAYON_PLC_DIRECTORY";
/// Names another video service (a test's stand-in on loopback), with its DID (the audience of the
/// tokens it is given).
pub const VIDEO_SERVICE_ENV: &str = "HAYON_VIDEO_SERVICE";
pub const VIDEO_SERVICE_DID_ENV: &str = "HAYON_VIDEO_SERVICE_DID";
/// Bluesky's video service, as the official app uses it.
const VIDEO_SERVICE: &str = "https://video.bsky.app";
const VIDEO_SERVICE_DID: &str = "did:web:video.bsky.app";

/// Names the hosted client metadata document Sign in with Bluesky presents (`oauth/client.rs`).
pub const OAUTH_CLIENT_ID_ENV: &str = "HAYON_OAUTH_CLIENT_ID";
/// How long a sign-in waits for the browser, in whole seconds (1 to 600).
pub const SIGN_IN_TIMEOUT_ENV: &str = "HAYON_SIGN_IN_TIMEOUT_SECS";
/// A command that opens the sign-in page instead of the system's default browser (a person's
/// choice of browser, or a test playing one).
pub const BROWSER_ENV: &str = "HAYON_BROWSER";

/// Names another update manifest (a mirror, a staging channel, a test's server on loopback). Only the
/// manifest's address changes: updates must still be signed by the key the app was built with.
pub const UPDATE_MANIFEST_ENV: &str = "HAYON_UPDATE_MANIFEST_URL";

/// Everything [`crate::Core`] is opened with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database, the log and the staged images.
    pub data_dir: PathBuf,
    /// The OS keychain service the tokens are stored under.
    pub keychain_service: String,
    /// Where link cards may be fetched from.
    pub card_policy: CardPolicy,
    /// How long one XRPC request may take (uploads get more for their size).
    pub http_timeout: Duration,
    /// Where `did:plc` documents are read from.
    pub plc_directory: Url,
    /// Where the window looks for updates instead of its built-in manifest, when set.
    pub update_manifest: Option<Url>,
    /// Where videos are uploaded and processed.
    pub video_service: VideoService,
    /// How Sign in with Bluesky goes.
    pub sign_in: SignInSettings,
}

/// How Sign in with Bluesky goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInSettings {
    /// The hosted client metadata address, when Hayon presents one (else the loopback client).
    pub hosted_client: Option<Url>,
    /// How long the person has to approve Hayon in the browser.
    pub timeout: Duration,
    /// The command that opens the sign-in page, when not the system's default browser.
    pub browser: Option<String>,
}

/// The service that takes a post's video, turns it into what viewers stream and puts it on the
/// account's PDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoService {
    pub url: Url,
    /// Its DID: the audience of the service-auth token for its own calls.
    pub did: String,
}

impl Config {
    /// The defaults with the environment's overrides applied.
    pub fn from_env() -> Result<Self> {
        let data_dir = match var(DATA_DIR_ENV) {
            Some(dir) => dir.into(),
            None => paths::default_data_dir()?,
        };
        Self::in_dir(data_dir)
    }

    /// `data_dir` (a CLI flag's), with the environment's other overrides or the defaults.
    pub fn in_dir(data_dir: PathBuf) -> Result<Self> {
        Ok(Self {
            data_dir,
            keychain_service: var(KEYCHAIN_SERVICE_ENV)
                .unwrap_or_else(|| paths::APP_IDENTIFIER.to_owned()),
            card_policy: card_policy(var(LINK_CARDS_ALLOW_PRIVATE_ENV).as_deref()),
            http_timeout: http_timeout(var(HTTP_TIMEOUT_ENV).as_deref()),
            plc_directory: plc_directory(var(PLC_DIRECTORY_ENV).as_deref())?,
            update_manifest: update_manifest(var(UPDATE_MANIFEST_ENV).as_deref()),
            video_service: video_service(
                var(VIDEO_SERVICE_ENV).as_deref(),
                var(VIDEO_SERVICE_DID_ENV).as_deref(),
            )?,
            sign_in: SignInSettings {
                hosted_client: hosted_client(
                    var(OAUTH_CLIENT_ID_ENV)
                        .as_deref()
                        .or(option_env!("HAYON_OAUTH_CLIENT_ID")),
                ),
                timeout: var(SIGN_IN_TIMEOUT_ENV)
                    .and_then(|text| text.trim().parse::<u64>().ok())
                    .filter(|seconds| (1..=600).contains(seconds))
                    .map_or(crate::oauth::APPROVAL_TIMEOUT, Duration::from_secs),
                browser: var(BROWSER_ENV),
            },
        })
    }
}

/// A variable's value; unset, empty or not Unicode are all `None`.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn card_policy(setting: Option<&str>) -> CardPolicy {
    if setting == Some("1") {
        CardPolicy::allow_private()
    } else {
        CardPolicy::public_only()
    }
}

fn http_timeout(setting: Option<&str>) -> Duration {
    setting
        .and_then(|text| text.trim().parse::<u64>().ok())
        .filter(|seconds| (1..=600).contains(seconds))
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}

/// A PLC directory address, under the rule of every XRPC address ([`check_transport`]): `https:`,
/// or plain `http:` to loopback only; anything else is unusable, so the public directory is asked.
fn plc_directory(setting: Option<&str>) -> Result<Url> {
    let usable = setting
        .and_then(parse_service_url)
        .filter(|url| check_transport(url).is_ok());
    match usable {
        Some(url) => Ok(url),
        None => Url::parse(PLC_DIRECTORY)
            .map_err(|err| Error::internal("the PLC directory's address", &err)),
    }
}

/// The video service: its address under the rule of every XRPC address ([`check_transport`]) and
/// a `did:` for it; an unusable address means Bluesky's service, and its DID with it (a token for
/// one service must not go to another).
fn video_service(url: Option<&str>, did: Option<&str>) -> Result<VideoService> {
    let usable = url
        .and_then(parse_service_url)
        .filter(|url| check_transport(url).is_ok());
    match usable {
        Some(url) => Ok(VideoService {
            url,
            did: did
                .map(str::trim)
                .filter(|did| did.starts_with("did:"))
                .unwrap_or(VIDEO_SERVICE_DID)
                .to_owned(),
        }),
        None => Ok(VideoService {
            url: Url::parse(VIDEO_SERVICE)
                .map_err(|err| Error::internal("the video service's address", &err))?,
            did: VIDEO_SERVICE_DID.to_owned(),
        }),
    }
}

/// A hosted client id: an `https:` address, or unset (with a warning: the person asked for it).
fn hosted_client(setting: Option<&str>) -> Option<Url> {
    let text = setting?.trim();
    if text.is_empty() {
        return None;
    }
    crate::oauth::parse_hosted(text)
        .map_err(|err| tracing::warn!(error = %err.message, "using the loopback client instead"))
        .ok()
}

/// An update manifest address: `https:`, or plain `http:` to a loopback address only (nothing can
/// listen in on those); anything else is unusable, so the built-in manifest is asked.
fn update_manifest(setting: Option<&str>) -> Option<Url> {
    let url = Url::parse(setting?.trim()).ok()?;
    let loopback = match url.host()? {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    (url.scheme() == "https" || (url.scheme() == "http" && loopback)).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_setting_is_whole_seconds_within_reason() {
        assert_eq!(http_timeout(None), DEFAULT_TIMEOUT);
        assert_eq!(http_timeout(Some(" 5 ")), Duration::from_secs(5));
        assert_eq!(http_timeout(Some("0")), DEFAULT_TIMEOUT);
        assert_eq!(http_timeout(Some("100000")), DEFAULT_TIMEOUT);
        assert_eq!(http_timeout(Some("soon")), DEFAULT_TIMEOUT);
    }

    #[test]
    fn only_1_allows_private_link_card_addresses() {
        assert_eq!(card_policy(Some("1")), CardPolicy::allow_private());
        for other in [None, Some("0"), Some("yes"), Some("true")] {
            assert_eq!(card_policy(other), CardPolicy::public_only(), "{other:?}");
        }
    }

    #[test]
    fn an_unusable_plc_directory_means_the_public_one() {
        let plc = |setting| plc_directory(setting).expect("an address").to_string();
        assert_eq!(plc(None), PLC_DIRECTORY);
        assert_eq!(plc(Some("not a url")), PLC_DIRECTORY);
        assert_eq!(plc(Some("http://127.0.0.1:2582")), "http://127.0.0.1:2582/");
        assert_eq!(plc(Some("https://plc.example/")), "https://plc.example/");
    }

    #[test]
    fn a_plc_directory_is_https_or_plain_http_on_loopback_only() {
        let plc = |setting| {
            plc_directory(Some(setting))
                .expect("an address")
                .to_string()
        };
        for refused in [
            "http://plc.example",
            "http://192.168.1.2:2582",
            "ftp://plc.example",
        ] {
            assert_eq!(plc(refused), PLC_DIRECTORY, "{refused}");
        }
        assert_eq!(plc("http://[::1]:2582"), "http://[::1]:2582/");
    }

    #[test]
    fn a_video_service_is_https_or_loopback_and_keeps_its_did_only_then() {
        let bluesky = video_service(None, None).expect("the default");
        assert_eq!(bluesky.url.as_str(), "https://video.bsky.app/");
        assert_eq!(bluesky.did, "did:web:video.bsky.app");
        let local = video_service(Some("http://127.0.0.1:9000"), Some("did:web:video.test"))
            .expect("loopback");
        assert_eq!(local.url.as_str(), "http://127.0.0.1:9000/");
        assert_eq!(local.did, "did:web:video.test");
        let refused = video_service(Some("http://video.example"), Some("did:web:video.example"))
            .expect("falls back");
        assert_eq!(refused, bluesky);
    }

    #[test]
    fn an_update_manifest_is_https_or_plain_http_on_loopback_only() {
        let manifest = |setting| update_manifest(Some(setting)).map(|url| url.to_string());
        assert_eq!(update_manifest(None), None);
        assert_eq!(
            manifest("https://updates.example/hayon/latest.json").as_deref(),
            Some("https://updates.example/hayon/latest.json")
        );
        for loopback in [
            "http://127.0.0.1:8123/latest.json",
            "http://localhost:8123/latest.json",
            "http://[::1]:8123/latest.json",
        ] {
            assert!(manifest(loopback).is_some(), "{loopback}");
        }
        for refused in [
            "http://updates.example/latest.json",
            "http://192.168.1.2/latest.json",
            "file:///tmp/latest.json",
            "not a url",
        ] {
            assert_eq!(manifest(refused), None, "{refused}");
        }
    }
}
