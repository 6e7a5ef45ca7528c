//! What can go wrong on the wire, before it is given a meaning for the user.

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
    Network { host: String, detail: String },
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
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            detail = format!("{detail}: {cause}");
            source = cause.source();
        }
        Self::Network {
            host: host.host_str().unwrap_or_default().to_owned(),
            detail,
        }
    }

    pub(super) async fn from_response(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body: ErrorBody = response
            .bytes()
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
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

    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the access token should be refreshed and the call retried: `ExpiredToken` (the PDS
    /// answers 400 for an expired token, not 401) or any 401.
    pub fn wants_refresh(&self) -> bool {
        self.name() == Some("ExpiredToken") || self.status() == Some(401)
    }

    pub fn is_network(&self) -> bool {
        matches!(self, Self::Network { .. })
    }
}

impl fmt::Display for XrpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network { host, detail } => write!(f, "{host}: {detail}"),
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
        }
    }
}

impl std::error::Error for XrpcError {}

/// `Retry-After` (seconds) wins; otherwise `RateLimit-Reset` (unix seconds) minus now.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number =
        |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    if let Some(seconds) = number("retry-after") {
        return Some(Duration::from_secs(seconds));
    }
    let reset = number("ratelimit-reset")?;
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
    fn expired_token_and_401_want_a_refresh() {
        assert!(api(400, "ExpiredToken").wants_refresh());
        assert!(api(401, "AuthenticationRequired").wants_refresh());
        assert!(!api(400, "InvalidToken").wants_refresh());
        assert!(!api(502, "UpstreamFailure").wants_refresh());
    }

    #[test]
    fn retry_after_prefers_retry_after_header() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("120"));
        headers.insert("ratelimit-reset", HeaderValue::from_static("1"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(120)));
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
