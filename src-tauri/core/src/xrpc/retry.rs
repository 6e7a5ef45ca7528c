//! When a failed XRPC request is sent again, and after how long.
//!
//! A rate-limited request (429) was refused before any work was done, so any call may wait the time the
//! server names and go again, if that wait is short. Network failures and server errors (5xx) are
//! repeated only for calls that are safe to repeat: reads, and uploadBlob (a blob is addressed by its
//! content, so sending it twice stores it once). Writes are never repeated here; posting looks the
//! record up instead (see `publish/lookup.rs`). Everything together stays within [`RETRY_WINDOW`], so a
//! person is never left waiting: a server that asks for a longer pause gets an immediate
//! `rate_limited` answer naming the wait.

use super::XrpcError;
use std::time::Duration;

/// Whether a request may be sent again after a failure that may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repeat {
    /// Reads and content-addressed uploads: doing them twice changes nothing.
    Safe,
    /// Writes and session calls: sent again only after a 429, which proves nothing was done.
    OnlyWhenRateLimited,
}

/// At most this many sends of one request.
pub(super) const MAX_ATTEMPTS: u32 = 3;
/// No retry starts later than this after the first send (time spent waiting for answers included).
pub(super) const RETRY_WINDOW: Duration = Duration::from_secs(20);
/// The pause after the first and the second failed attempt when the server names none.
const BACKOFF: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

/// The pause before sending again after `failed` attempts that took `elapsed` so far, or `None` when
/// the error is final.
pub(super) fn next_wait(
    err: &XrpcError,
    repeat: Repeat,
    failed: u32,
    elapsed: Duration,
) -> Option<Duration> {
    if failed >= MAX_ATTEMPTS {
        return None;
    }
    let backoff = BACKOFF[(failed.max(1) as usize - 1).min(BACKOFF.len() - 1)];
    let wait = if err.status() == Some(429) {
        err.retry_after().unwrap_or(backoff)
    } else if repeat == Repeat::Safe && transient(err) {
        err.retry_after()
            .map_or(backoff, |asked| asked.max(backoff))
    } else {
        return None;
    };
    (elapsed + wait <= RETRY_WINDOW).then_some(wait)
}

/// Failures that another try may not meet: a broken or refused connection, a timeout, a server error.
/// Not `501 Not Implemented`, and not the PDS's `UpstreamFailure` (the PDS is fine, the app view it
/// relays to is not; the caller has a fallback for that, the profile record).
fn transient(err: &XrpcError) -> bool {
    match err {
        XrpcError::Network { .. } => true,
        XrpcError::Api { status, error, .. } => {
            matches!(status, 500 | 502 | 503 | 504) && error.as_deref() != Some("UpstreamFailure")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, name: Option<&str>, retry_after: Option<u64>) -> XrpcError {
        XrpcError::Api {
            status,
            error: name.map(str::to_owned),
            message: None,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn network() -> XrpcError {
        XrpcError::Network {
            host: "pds.example".into(),
            detail: "connection reset".into(),
            maybe_delivered: true,
        }
    }

    const NOW: Duration = Duration::ZERO;

    #[test]
    fn safe_calls_retry_network_errors_and_server_errors_with_backoff() {
        assert_eq!(
            next_wait(&network(), Repeat::Safe, 1, NOW),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            next_wait(&api(502, None, None), Repeat::Safe, 2, NOW),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(next_wait(&api(503, None, None), Repeat::Safe, 3, NOW), None);
    }

    #[test]
    fn writes_are_not_repeated_after_an_unclear_failure() {
        assert_eq!(
            next_wait(&network(), Repeat::OnlyWhenRateLimited, 1, NOW),
            None
        );
        assert_eq!(
            next_wait(
                &api(500, Some("InternalServerError"), None),
                Repeat::OnlyWhenRateLimited,
                1,
                NOW
            ),
            None
        );
    }

    #[test]
    fn client_errors_and_upstream_failures_are_final() {
        for err in [
            api(400, Some("InvalidRequest"), None),
            api(401, Some("AuthenticationRequired"), None),
            api(501, None, None),
            api(502, Some("UpstreamFailure"), None),
            XrpcError::Redirect {
                status: 307,
                to: None,
            },
        ] {
            assert_eq!(next_wait(&err, Repeat::Safe, 1, NOW), None, "{err}");
        }
    }

    #[test]
    fn a_short_rate_limit_is_waited_out_by_any_call() {
        let limited = api(429, Some("RateLimitExceeded"), Some(3));
        assert_eq!(
            next_wait(&limited, Repeat::OnlyWhenRateLimited, 1, NOW),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            next_wait(&api(429, None, None), Repeat::OnlyWhenRateLimited, 1, NOW),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn a_long_wait_fails_at_once() {
        let limited = api(429, Some("RateLimitExceeded"), Some(600));
        assert_eq!(next_wait(&limited, Repeat::Safe, 1, NOW), None);
        let unavailable = api(503, None, Some(600));
        assert_eq!(next_wait(&unavailable, Repeat::Safe, 1, NOW), None);
    }

    #[test]
    fn the_server_named_wait_counts_when_longer_than_the_backoff() {
        let unavailable = api(503, None, Some(4));
        assert_eq!(
            next_wait(&unavailable, Repeat::Safe, 1, NOW),
            Some(Duration::from_secs(4))
        );
    }

    #[test]
    fn no_retry_starts_after_the_window() {
        assert_eq!(
            next_wait(&network(), Repeat::Safe, 1, Duration::from_secs(30)),
            None
        );
        assert_eq!(
            next_wait(
                &api(429, None, Some(5)),
                Repeat::Safe,
                1,
                Duration::from_secs(16)
            ),
            None
        );
    }
}
