//! Which answers end a session, decided in one place, so that only a dead session is a logout.
//!
//! Only the session endpoints speak for the session: `refreshSession` (the refresh token) and
//! `getSession` asked with an access token fresh from a refresh. When they reject the tokens, the user
//! must reconnect. Any other call answers for itself: a 401 there may be relayed from another service
//! (the PDS proxies `getProfile` to the app view) or be about that one request. It earns one refresh
//! and one retry — the refresh, a session endpoint, then decides — and otherwise it is that call's
//! error. A failure that says nothing about the tokens (offline, 5xx, 429) never ends a session.

use crate::account::HealthStatus;
use crate::xrpc::XrpcError;

/// Who gave an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// `refreshSession`, or `getSession` after a refresh: their rejection is the session's end.
    Session,
    /// Every other call (profile, blobs, records, …).
    Other,
}

/// Whether a call made with the access token should refresh the session and retry once: the token
/// expired (`ExpiredToken`, which the PDS answers with 400), could not be verified (`InvalidToken`),
/// or the call was refused as unauthenticated (401) for a reason a new token could fix.
pub(super) fn wants_refresh(err: &XrpcError) -> bool {
    match err.name() {
        Some("ExpiredToken" | "InvalidToken") => true,
        // About the account or the login, not the token: a new token changes nothing.
        Some("AccountTakedown" | "AccountDeactivated" | "AuthFactorTokenRequired") => false,
        _ => err.status() == Some(401),
    }
}

/// How the session ended when `endpoint` answered `err`, or `None` when it lives on.
pub(super) fn session_end(endpoint: Endpoint, err: &XrpcError) -> Option<HealthStatus> {
    if endpoint != Endpoint::Session {
        return None;
    }
    let XrpcError::Api {
        status, message, ..
    } = err
    else {
        return None;
    };
    match err.name()? {
        // A revoked refresh token is also answered `ExpiredToken`, with "Token has been revoked".
        "ExpiredToken"
            if message
                .as_deref()
                .is_some_and(|text| text.contains("revoked")) =>
        {
            Some(HealthStatus::Revoked)
        }
        "ExpiredToken" => Some(HealthStatus::Expired),
        "InvalidToken" | "AccountTakedown" => Some(HealthStatus::Revoked),
        "AuthenticationRequired" if *status == 401 => Some(HealthStatus::Revoked),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::{Expired, Revoked};

    fn api(status: u16, name: Option<&str>, message: &str) -> XrpcError {
        XrpcError::Api {
            status,
            error: name.map(str::to_owned),
            message: Some(message.to_owned()),
            retry_after: None,
        }
    }

    fn network() -> XrpcError {
        XrpcError::Network {
            host: "localhost".into(),
            detail: "connection failed: connection reset by peer".into(),
            maybe_delivered: true,
        }
    }

    #[test]
    fn only_the_session_endpoints_rejecting_the_tokens_end_a_session() {
        let cases = [
            (
                api(400, Some("ExpiredToken"), "Token has expired"),
                Some(Expired),
            ),
            (
                api(400, Some("ExpiredToken"), "Token has been revoked"),
                Some(Revoked),
            ),
            (
                api(400, Some("InvalidToken"), "Token could not be verified"),
                Some(Revoked),
            ),
            (
                api(401, Some("AccountTakedown"), "Account has been taken down"),
                Some(Revoked),
            ),
            (
                api(
                    401,
                    Some("AuthenticationRequired"),
                    "Invalid identifier or password",
                ),
                Some(Revoked),
            ),
            // About the account, a bug of ours, or no verdict at all: the session is kept.
            (
                api(401, Some("AccountDeactivated"), "Account is deactivated"),
                None,
            ),
            (api(401, Some("AuthMissing"), ""), None),
            (api(401, None, "<html>proxy login</html>"), None),
            (
                api(429, Some("RateLimitExceeded"), "Rate Limit Exceeded"),
                None,
            ),
            (api(502, Some("UpstreamFailure"), "Upstream Failure"), None),
            (
                api(500, Some("InternalServerError"), "Internal Server Error"),
                None,
            ),
            (network(), None),
            // The transport refused the answer: nothing was said about the tokens.
            (
                XrpcError::Redirect {
                    status: 307,
                    to: Some("elsewhere.example".into()),
                },
                None,
            ),
            (
                XrpcError::TooLarge {
                    nsid: "com.atproto.server.refreshSession".into(),
                    limit: 4 << 20,
                },
                None,
            ),
            (
                XrpcError::Decode {
                    nsid: "com.atproto.server.refreshSession".into(),
                    detail: "EOF".into(),
                },
                None,
            ),
        ];
        for (err, expected) in cases {
            assert_eq!(session_end(Endpoint::Session, &err), expected, "{err}");
            // The same answer from any other call is that call's error, never a logout.
            assert_eq!(session_end(Endpoint::Other, &err), None, "{err}");
        }
    }

    #[test]
    fn rejected_tokens_earn_one_refresh_but_account_problems_do_not() {
        for err in [
            api(400, Some("ExpiredToken"), "Token has expired"),
            api(400, Some("InvalidToken"), "Token could not be verified"),
            api(
                401,
                Some("AuthenticationRequired"),
                "Authentication Required",
            ),
            api(401, None, ""),
        ] {
            assert!(wants_refresh(&err), "{err}");
        }
        for err in [
            api(401, Some("AccountTakedown"), "Account has been taken down"),
            api(401, Some("AccountDeactivated"), "Account is deactivated"),
            api(400, Some("InvalidRequest"), "bad record"),
            api(502, Some("UpstreamFailure"), "Upstream Failure"),
            network(),
        ] {
            assert!(!wants_refresh(&err), "{err}");
        }
    }
}
