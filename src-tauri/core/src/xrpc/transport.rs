//! What Hayon accepts on the wire, decided in one place: which server addresses it talks to (https, or
//! plain http only to this computer), how long it waits, and how much of an answer it reads.
//!
//! The sign-in (app password, tokens) travels in every XRPC request, so a plain `http://` address on
//! another machine would send it in clear text; answers come from servers we do not control, so none is
//! read without a size limit or a deadline.

use super::XrpcError;
use std::time::Duration;
use url::{Host, Url};

/// How long one request may take, from connecting to the last byte of the answer, unless
/// `HAYON_HTTP_TIMEOUT_SECS` says otherwise ([`crate::Config::http_timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The slowest upload rate still worth waiting for: an upload gets `bytes / UPLOAD_RATE` seconds on
/// top of the base timeout, so a 1,000,000-byte image on a 50 kB/s link is not cut off at 30 s.
const UPLOAD_BYTES_PER_SECOND: u64 = 50_000;

/// The largest JSON answer Hayon reads (records, sessions with a DID document, profiles are a few KB).
pub const JSON_ANSWER_LIMIT: u64 = 4 * 1024 * 1024;
/// The largest error answer read for its `{"error","message"}`; a bigger one is reported by status only.
pub const ERROR_ANSWER_LIMIT: u64 = 64 * 1024;

/// Refuses addresses that would carry the sign-in in clear text over a network: `https://` always,
/// `http://` only to loopback (`localhost`, 127.0.0.0/8, `[::1]`; a name must then resolve to
/// loopback addresses too, `loopback.rs`), nothing else. Called for every
/// request, and by whoever takes a server address from the user or a DID document, to fail early.
pub fn check_transport(url: &Url) -> Result<(), XrpcError> {
    let host = url
        .host()
        .ok_or_else(|| XrpcError::InvalidHost(format!("{url} has no host name")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&host) => Ok(()),
        "http" => Err(XrpcError::Insecure {
            host: host.to_string(),
        }),
        other => Err(XrpcError::InvalidHost(format!(
            "{other}:// is not a web address; use https://"
        ))),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        // RFC 6761: `localhost` and names under it always mean this computer.
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Host::Ipv4(ip) => super::loopback::is_loopback((*ip).into()),
        Host::Ipv6(ip) => super::loopback::is_loopback((*ip).into()),
    }
}

/// The timeout for sending `bytes` of body: the base plus the time a slow link needs for them.
pub fn upload_timeout(base: Duration, bytes: usize) -> Duration {
    let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
    base + Duration::from_secs(bytes.div_ceil(UPLOAD_BYTES_PER_SECOND))
}

/// How a read of an answer ended.
pub(super) enum Body {
    Complete(Vec<u8>),
    /// More than the limit was announced or arrived; nothing beyond the limit was kept.
    TooLarge,
}

/// Reads the answer in chunks, stopping as soon as it passes `limit` bytes, so an endless or huge
/// answer costs at most `limit` bytes of memory (the request's timeout bounds the time).
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Body, reqwest::Error> {
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Ok(Body::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Ok(Body::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Body::Complete(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), XrpcError> {
        check_transport(&Url::parse(text).expect("url"))
    }

    #[test]
    fn https_is_always_accepted() {
        assert_eq!(check("https://bsky.social/"), Ok(()));
        assert_eq!(check("https://192.168.1.20:2583/"), Ok(()));
    }

    #[test]
    fn plain_http_only_to_this_computer() {
        for ok in [
            "http://localhost:2583/",
            "http://LOCALHOST./",
            "http://pds.localhost:80/",
            "http://127.0.0.1:2583/",
            "http://127.9.9.9/",
            "http://[::1]:2583/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for refused in [
            "http://bsky.social/",
            "http://192.168.1.20:2583/",
            "http://10.0.0.1/",
            "http://[fe80::1]/",
            "http://localhost.example.com/",
            "http://0.0.0.0/",
        ] {
            assert!(
                matches!(check(refused), Err(XrpcError::Insecure { .. })),
                "{refused}"
            );
        }
    }

    #[test]
    fn other_schemes_are_not_hosting_providers() {
        assert!(matches!(
            check("ftp://bsky.social/"),
            Err(XrpcError::InvalidHost(_))
        ));
    }

    #[test]
    fn insecure_message_says_what_to_do() {
        let err = check("http://pds.example.com/").expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("https"), "{text}");
        assert!(text.contains("pds.example.com"), "{text}");
    }

    #[test]
    fn uploads_get_time_for_their_size() {
        let base = Duration::from_secs(30);
        assert_eq!(upload_timeout(base, 0), base);
        assert_eq!(upload_timeout(base, 1_000_000), Duration::from_secs(50));
        assert_eq!(upload_timeout(base, 1), Duration::from_secs(31));
    }
}
