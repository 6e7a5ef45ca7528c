//! What can go wrong on the wire, before it is given a meaning for the user.

use super::transport::{read_capped, Body, ERROR_ANSWER_LIMIT};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// The error body of an XRPC call: `{"error": Name, "message": text}`, both optional in practice.
#[derive(Debug, Clone, Default, serde::Deserialize)]
struct ErrorBody {
    error: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XrpcError {
    /// The server could not be reached (DNS, refused, TLS, timeout) or the connection broke.
    Network {
        host: String,
        detail: String,
        /// False only when no connection was made, so the request certainly never arrived; true when
        /// it may have been received (and acted on) before the connection broke or timed out.
        maybe_delivered: bool,
    },
    /// The server answered with an error status.
    Api {
        status: u16,
        error: Option<String>,
        message: Option<String>,
        /// How long to wait before trying again, from `Retry-After` or `RateLimit-Reset`.
        retry_after: Option<Duration>,
    },
    /// A success answer whose body was not what the lexicon promises.
    Decode { nsid: String, detail: String },
    /// The configured host is not a usable base URL.
    InvalidHost(String),
    /// A plain `http://` address on another machine: the sign-in would travel in clear text.
    Insecure { host: String },
    /// The server answered with a redirect, which XRPC never follows (it would re-send the request,
    /// sign-in included, to wherever the answer points).
    Redirect { status: u16, to: Option<String> },
    /// A success answer larger than Hayon reads for this call.
    TooLarge { nsid: String, limit: u64 },
}

impl XrpcError {
    pub(super) fn network(host: &Url, err: &reqwest::Error) -> Self {
        // reqwest's Display includes the URL; keep only the host and the underlying cause, so no query
        // string ever reaches a message.
        let mut detail = if err.is_timeout() {
            "timed out".to_owned()
        } else if err.is_connect() {
            "could not connect".to_owned()
        } else {
            "connection failed".to_owned()
        };
        // reqwest reports a connect timeout as both; only a connect failure proves nothing was sent.
        let maybe_delivered = !err.is_connect();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            detail = format!("{detail}: {cause}");
            source = cause.source();
        }
        Self::Network {
            host: host.host_str().unwrap_or_default().to_owned(),
            detail,
            maybe_delivered,
        }
    }

    /// The error of a non-success answer. Its body is read only up to [`ERROR_ANSWER_LIMIT`]; a
    /// bigger or unreadable one leaves the error unnamed.
    pub(super) async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        if response.status().is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|location| location.to_str().ok())
                .and_then(|location| response.url().join(location).ok())
                .and_then(|url| url.host_str().map(str::to_owned));
            return Self::Redirect { status, to };
        }
        let retry_after = retry_after(response.headers());
        let body: ErrorBody = match read_capped(response, ERROR_ANSWER_LIMIT).await {
            Ok(Body::Complete(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            _ => ErrorBody::default(),
        };
        Self::Api {
            status,
            error: body.error,
            message: body.message,
            retry_after,
        }
    }

    /// The XRPC error name (`ExpiredToken`, `AuthenticationRequired`, …), if the server gave one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Api { error, .. } => error.as_deref(),
            _ => None,
        }
    }

    /// Whether the server refused a blob as too large: `413` (the request body over its upload
    /// limit), the `BlobTooLarge` error an older PDS gives when an image is over its lexicon's
    /// `maxSize`, or a `400` that says so (the reference PDS's record validation: "blob too big
    /// (maximum …, got …)"; "This file is too large"). A certain refusal: nothing was stored.
    pub fn blob_too_large(&self) -> bool {
        match self {
            Self::Api { status: 413, .. } => true,
            Self::Api {
                status: 400,
                error,
                message,
                ..
            } => {
                let message = message.as_deref().unwrap_or_default().to_lowercase();
                error.as_deref() == Some("BlobTooLarge")
                    || message.contains("too large")
                    || message.contains("blob too big")
            }
            _ => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_network(&self) -> bool {
        matches!(self, Self::Network { .. })
    }

    /// True when the request may have been carried out although no clear answer came back: the
    /// connection broke or timed out after sending, the server failed (5xx; the reference PDS even
    /// answers 500 to a create under an existing key), or a success answer could not be read. A write
    /// that fails like this must be looked up before it is reported or repeated.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Network {
                maybe_delivered, ..
            } => *maybe_delivered,
            Self::Api { status, .. } => *status >= 500,
            Self::Decode { .. } | Self::TooLarge { .. } => true,
            Self::InvalidHost(_) | Self::Insecure { .. } | Self::Redirect { .. } => false,
        }
    }

    /// The wait the server asked for (`Retry-After` / `RateLimit-Reset`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for XrpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network { host, detail, .. } => write!(f, "{host}: {detail}"),
            Self::Api {
                status,
                error,
                message,
                ..
            } => write!(
                f,
                "HTTP {status} {}: {}",
                error.as_deref().unwrap_or("error"),
                message.as_deref().unwrap_or("no message")
            ),
            Self::Decode { nsid, detail } => write!(f, "unexpected answer to {nsid}: {detail}"),
            Self::InvalidHost(detail) => write!(f, "invalid server address: {detail}"),
            Self::Insecure { host } => write!(
                f,
                "Hayon only talks to hosting providers over https, so your sign-in is never sent \
                 in clear text; http:// is accepted only for this computer (localhost). Use \
                 https://{host} instead."
            ),
            Self::Redirect { status, to } => write!(
                f,
                "the server answered with a redirect (HTTP {status}) to {}, which Hayon does not \
                 follow",
                to.as_deref().unwrap_or("another address")
            ),
            Self::TooLarge { nsid, limit } => write!(
                f,
                "the answer to {nsid} is larger than the {} KiB Hayon reads",
                limit / 1024
            ),
        }
    }
}

impl std::error::Error for XrpcError {}

/// `Retry-After` (seconds, or an HTTP date) wins; otherwise `RateLimit-Reset` (unix seconds) minus now.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = |name: &str| -> Option<&str> { Some(headers.get(name)?.to_str().ok()?.trim()) };
    if let Some(value) = text("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = httpdate::parse_http_date(value) {
            // A date in the past means "now".
            return Some(date.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    let reset: u64 = text("ratelimit-reset")?.parse().ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn api(status: u16, name: &str) -> XrpcError {
        XrpcError::Api {
            status,
            error: Some(name.to_owned()),
            message: None,
            retry_after: None,
        }
    }

    #[test]
    fn retry_after_prefers_retry_after_header() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("120"));
        headers.insert("ratelimit-reset", HeaderValue::from_static("1"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(120)));
    }

    #[test]
    fn retry_after_as_an_http_date() {
        let in_two_minutes = SystemTime::now() + Duration::from_secs(120);
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(in_two_minutes)).expect("ascii"),
        );
        let wait = retry_after(&headers).expect("a wait");
        assert!((118..=120).contains(&wait.as_secs()), "{wait:?}");

        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
    }

    #[test]
    fn an_unreadable_retry_after_falls_back_to_the_reset_time() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        headers.insert(
            "ratelimit-reset",
            HeaderValue::from_str(&(now + 60).to_string()).expect("ascii"),
        );
        let wait = retry_after(&headers).expect("a wait");
        assert!((58..=60).contains(&wait.as_secs()), "{wait:?}");
    }

    #[test]
    fn only_answers_that_may_hide_a_done_write_are_unknown_outcomes() {
        let network = |maybe_delivered| XrpcError::Network {
            host: "pds".into(),
            detail: "x".into(),
            maybe_delivered,
        };
        assert!(network(true).outcome_unknown());
        assert!(!network(false).outcome_unknown());
        assert!(api(500, "InternalServerError").outcome_unknown());
        assert!(api(502, "UpstreamFailure").outcome_unknown());
        assert!(!api(400, "InvalidRequest").outcome_unknown());
        assert!(!api(429, "RateLimitExceeded").outcome_unknown());
        assert!(XrpcError::Decode {
            nsid: "n".into(),
            detail: "html".into()
        }
        .outcome_unknown());
        assert!(!XrpcError::Redirect {
            status: 307,
            to: None
        }
        .outcome_unknown());
    }

    #[test]
    fn a_blob_refused_as_too_large_is_told_from_other_refusals() {
        let with_message = |status: u16, message: &str| XrpcError::Api {
            status,
            error: Some("InvalidRequest".to_owned()),
            message: Some(message.to_owned()),
            retry_after: None,
        };
        assert!(api(413, "PayloadTooLarge").blob_too_large());
        assert!(api(400, "BlobTooLarge").blob_too_large());
        assert!(with_message(400, "This file is too large. It is 1.5MB").blob_too_large());
        let validation =
            "Invalid app.bsky.feed.post record: blob too big (maximum 1000000, got 1953210)";
        assert!(with_message(400, validation).blob_too_large());
        assert!(!with_message(400, "array too big (maximum 4, got 5)").blob_too_large());
        assert!(!api(400, "InvalidRequest").blob_too_large());
        assert!(!api(500, "BlobTooLarge").blob_too_large());
        assert!(!with_message(401, "too large").blob_too_large());
    }

    #[test]
    fn retry_after_from_reset_timestamp() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let mut headers = HeaderMap::new();
        headers.insert(
            "ratelimit-reset",
            HeaderValue::from_str(&(now + 300).to_string()).expect("ascii"),
        );
        let wait = retry_after(&headers).expect("a wait");
        assert!((295..=300).contains(&wait.as_secs()), "{wait:?}");
    }
}
