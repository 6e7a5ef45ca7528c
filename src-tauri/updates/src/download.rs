//! Downloading the package, done here rather than by the plugin's `Update::download`: that one keeps
//! every chunk in memory with no limit for as long as the download lasts (a server can send
//! gigabytes), its progress callback cannot stop it, and it follows whatever URL the manifest names
//! (plain `http:` only gets a warning in its log). Here the package's address must be `https:`, and
//! so must every redirect; plain `http:` is accepted only to this computer and only when the
//! manifest itself came from this computer over `http:` (a test's server, `HAYON_UPDATE_MANIFEST_URL`).
//! A length announced above [`PACKAGE_LIMIT`] is refused before the body is read, and the read stops
//! as soon as more arrives. The bytes are then checked by the plugin's own `Update::verify`: the
//! minisign signature with the configured key, and the version the signature names.

use crate::Cause;
use std::net::IpAddr;
use std::time::Duration;
use tauri_plugin_updater::Update;
use url::{Host, Url};

/// The largest package downloaded: Hayon's .deb is about 5 MiB (BENCHMARKS.md › Linux packages,
/// target ≤ 10 MiB), so this leaves room to grow while bounding what a hostile server can make the
/// app hold in memory.
pub const PACKAGE_LIMIT: u64 = 32 * 1024 * 1024;
/// More redirects than a mirror or a CDN needs.
const MAX_REDIRECTS: usize = 10;

/// Why a download was refused before or while reading it (the plugin's errors cover the rest).
#[derive(Debug)]
pub enum Refusal {
    /// The package's address, or a redirect, is not `https:` (`scheme://host` kept for the log).
    NotHttps(String),
    /// More than [`PACKAGE_LIMIT`] bytes announced (`Some`) or arriving (`None`).
    TooLarge(Option<u64>),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limit = PACKAGE_LIMIT / (1024 * 1024);
        match self {
            Self::NotHttps(address) => write!(
                f,
                "the package's address {address} is not https; updates are downloaded over https only"
            ),
            Self::TooLarge(Some(bytes)) => write!(
                f,
                "the package is {bytes} bytes, more than the {limit} MiB an update may be; not downloaded"
            ),
            Self::TooLarge(None) => write!(
                f,
                "the package is more than the {limit} MiB an update may be; the download was stopped"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<reqwest::Error> for Cause {
    fn from(error: reqwest::Error) -> Self {
        // A redirect refused by the policy below comes back inside reqwest's error.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(cause) = source {
            if let Some(Refusal::NotHttps(address)) = cause.downcast_ref::<Refusal>() {
                return Self::Refused(Refusal::NotHttps(address.clone()));
            }
            source = cause.source();
        }
        Self::Plugin(error.into())
    }
}

/// Downloads `update`'s package within the limits above and verifies it. `local_manifest`: the
/// manifest was read over plain `http:` from this computer.
pub(crate) async fn download(
    update: &Update,
    local_manifest: bool,
    timeout: Duration,
) -> Result<Vec<u8>, Cause> {
    let url = &update.download_url;
    check_address(url, local_manifest).map_err(Cause::Refused)?;
    let mut client = reqwest::Client::builder()
        .user_agent(concat!("Hayon/", env!("CARGO_PKG_VERSION"), " (updater)"))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.stop();
            }
            match check_address(attempt.url(), local_manifest) {
                Ok(()) => attempt.follow(),
                Err(refusal) => attempt.error(refusal),
            }
        }));
    if local_manifest {
        // Plain http is allowed to this computer only (a first address or a redirect): a proxy
        // would carry the request off it.
        client = client.no_proxy();
    }
    // The rustls crypto provider is installed by the plugin's `check`, which always runs first.
    let mut response = client
        .build()?
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/octet-stream")
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(Cause::Plugin(tauri_plugin_updater::Error::Network(
            format!("the package's server answered {}", response.status()),
        )));
    }
    if let Some(announced) = response.content_length().filter(|&n| n > PACKAGE_LIMIT) {
        return Err(Cause::Refused(Refusal::TooLarge(Some(announced))));
    }
    let mut package = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if (package.len() + chunk.len()) as u64 > PACKAGE_LIMIT {
            return Err(Cause::Refused(Refusal::TooLarge(None)));
        }
        package.extend_from_slice(&chunk);
    }
    update.verify(&package).map_err(Cause::Plugin)?;
    Ok(package)
}

/// `https:` anywhere; plain `http:` only to a loopback address, after a local manifest.
fn check_address(url: &Url, local_manifest: bool) -> Result<(), Refusal> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if local_manifest && is_loopback(url) => Ok(()),
        scheme => Err(Refusal::NotHttps(format!(
            "{scheme}://{}",
            url.host_str().unwrap_or_default()
        ))),
    }
}

/// Is `url` to this computer: 127.0.0.0/8 or `[::1]`, written as numbers (a name is only a claim
/// until resolved, and a test's server has no need of one).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::from(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::from(ip).is_loopback(),
        Some(Host::Domain(_)) | None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::check_address;
    use url::Url;

    fn allowed(url: &str, local_manifest: bool) -> bool {
        let url = Url::parse(url).expect("URL");
        check_address(&url, local_manifest).is_ok()
    }

    #[test]
    fn https_anywhere_plain_http_only_here_after_a_local_manifest() {
        assert!(allowed("https://hayon.app/hayon.deb", false));
        assert!(allowed("https://hayon.app/hayon.deb", true));
        assert!(allowed("http://127.0.0.1:8080/hayon.deb", true));
        assert!(allowed("http://[::1]:8080/hayon.deb", true));
        // The app's own https manifest never leads to plain http, not even on this computer.
        assert!(!allowed("http://127.0.0.1:8080/hayon.deb", false));
        // A name is not trusted to mean this computer; another machine never.
        assert!(!allowed("http://localhost:8080/hayon.deb", true));
        assert!(!allowed("http://192.168.1.2/hayon.deb", true));
        assert!(!allowed("ftp://127.0.0.1/hayon.deb", true));
        assert!(!allowed("file:///tmp/hayon.deb", true));
    }
}
