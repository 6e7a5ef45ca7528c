//! Turns wire errors into messages a person can act on (product.md, "Troubleshooting").

use crate::error::{Error, ErrorCode, ErrorField};
use crate::xrpc::XrpcError;
use std::time::Duration;

pub(crate) const APP_PASSWORD_HOW_TO: &str = "Create one in Bluesky under Settings › Privacy and \
     security › App passwords › Add app password, and paste it here.";

/// The meaning of an error from any call; `connect_error` refines the login-specific ones.
pub(crate) fn describe(err: &XrpcError) -> Error {
    meaning(err).caused_by(err.clone())
}

fn meaning(err: &XrpcError) -> Error {
    match err {
        XrpcError::Network { host, detail, .. } => Error::new(
            ErrorCode::Network,
            format!(
                "Couldn't reach {host} ({detail}). Check your internet connection and the hosting \
                 provider address; your accounts stay connected."
            ),
        ),
        XrpcError::Api {
            status: 429,
            retry_after,
            ..
        } => Error::new(
            ErrorCode::RateLimited,
            format!(
                "The server is rate-limiting requests. Wait {} and try again.",
                wait_text(*retry_after)
            ),
        ),
        XrpcError::Api { error, .. } if error.as_deref() == Some("AccountTakedown") => Error::new(
            ErrorCode::AccountInactive,
            "This account has been taken down by its hosting provider, so Hayon cannot use it.",
        ),
        XrpcError::Api { error, .. } if error.as_deref() == Some("AccountDeactivated") => {
            deactivated("deactivated")
        }
        XrpcError::Api {
            status,
            error,
            message,
            ..
        } if *status < 500 => Error::new(
            ErrorCode::ServerError,
            format!(
                "The server refused the request ({}): {}",
                error.as_deref().unwrap_or("error"),
                message.as_deref().unwrap_or("no reason given")
            ),
        ),
        XrpcError::Api { status, .. } => Error::new(
            ErrorCode::ServerUnavailable,
            format!("The server had a problem (HTTP {status}). Try again in a few minutes."),
        ),
        XrpcError::Decode { nsid, .. } => Error::new(
            ErrorCode::ServerError,
            format!(
                "The server gave an answer Hayon doesn't understand to {nsid}. Check the hosting \
                 provider address."
            ),
        ),
        XrpcError::InvalidHost(detail) => Error::validation(format!(
            "The hosting provider address is not usable: {detail}"
        )),
        XrpcError::Insecure { .. } => Error::validation(err.to_string()),
        XrpcError::Redirect { .. } | XrpcError::TooLarge { .. } => Error::new(
            ErrorCode::ServerError,
            format!("The server's answer was refused: {err}. Check the hosting provider address."),
        ),
    }
}

/// Errors of `createSession`, each placed on the connect form's input it is about: the password
/// for a refused login (the server does not say whether the identifier or the password was wrong,
/// and the password is what must be typed again), the hosting provider when its address leads
/// nowhere usable.
pub(crate) fn connect_error(err: &XrpcError) -> Error {
    match err.name() {
        Some("AuthFactorTokenRequired") => Error::new(
            ErrorCode::AuthFactorRequired,
            format!(
                "This login asks for a code from your email, which means it used your main password. \
                 Hayon only accepts app passwords. {APP_PASSWORD_HOW_TO}"
            ),
        )
        .with_field(ErrorField::Password),
        _ if err.status() == Some(401) || err.name() == Some("AuthenticationRequired") => {
            Error::new(
                ErrorCode::InvalidCredentials,
                "Wrong handle, email or app password. App passwords are case-sensitive and include \
                 the dashes (xxxx-xxxx-xxxx-xxxx); check that the handle is the full one, like \
                 name.bsky.social.",
            )
            .with_field(ErrorField::Password)
        }
        // Nothing answering, or no PDS at that address.
        _ if matches!(
            err,
            XrpcError::Network { .. }
                | XrpcError::Decode { .. }
                | XrpcError::InvalidHost(_)
                | XrpcError::Insecure { .. }
                | XrpcError::Redirect { .. }
                | XrpcError::Api {
                    status: 404 | 405,
                    ..
                }
        ) =>
        {
            describe(err).with_field(ErrorField::Service)
        }
        _ => describe(err),
    }
}

pub(crate) fn deactivated(status: &str) -> Error {
    Error::new(
        ErrorCode::AccountInactive,
        format!(
            "This account is {status}. Reactivate it in Bluesky (or ask your hosting provider), then \
             connect again."
        ),
    )
}

pub(crate) fn main_password_refused() -> Error {
    Error::new(
        ErrorCode::MainPasswordRefused,
        format!(
            "That is your main Bluesky password. For your safety Hayon only accepts app passwords, \
             which you can revoke at any time; the session it opened was ended and nothing was \
             saved. {APP_PASSWORD_HOW_TO}"
        ),
    )
}

pub(crate) fn needs_reconnection(handle: &str) -> Error {
    Error::new(
        ErrorCode::NeedsReconnection,
        format!(
            "The session for @{handle} has ended (the app password may have been revoked or the \
             sign-in expired). Reconnect the account with an app password."
        ),
    )
}

/// "about 3 minutes", "12 seconds", or "a moment" when the server did not say.
fn wait_text(wait: Option<Duration>) -> String {
    match wait.map(|wait| wait.as_secs()) {
        None => "a moment".to_owned(),
        Some(0..=1) => "1 second".to_owned(),
        Some(seconds @ 2..=90) => format!("{seconds} seconds"),
        Some(seconds @ 91..=5400) => format!("about {} minutes", seconds.div_ceil(60)),
        Some(seconds) => format!("about {} hours", seconds.div_ceil(3600)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, name: &str, retry: Option<u64>) -> XrpcError {
        XrpcError::Api {
            status,
            error: Some(name.to_owned()),
            message: Some("Invalid identifier or password".to_owned()),
            retry_after: retry.map(Duration::from_secs),
        }
    }

    #[test]
    fn login_errors_get_their_codes() {
        let cases = [
            (
                api(401, "AuthenticationRequired", None),
                ErrorCode::InvalidCredentials,
            ),
            (
                api(401, "AuthFactorTokenRequired", None),
                ErrorCode::AuthFactorRequired,
            ),
            (
                api(400, "AccountTakedown", None),
                ErrorCode::AccountInactive,
            ),
            (
                api(429, "RateLimitExceeded", Some(200)),
                ErrorCode::RateLimited,
            ),
            (
                api(502, "UpstreamFailure", None),
                ErrorCode::ServerUnavailable,
            ),
        ];
        for (err, code) in cases {
            assert_eq!(connect_error(&err).code, code, "{err}");
        }
    }

    #[test]
    fn login_errors_name_the_input_they_are_about() {
        let network = XrpcError::Network {
            host: "bsky.socal".to_owned(),
            detail: "could not connect".to_owned(),
            maybe_delivered: false,
        };
        let cases = [
            (
                api(401, "AuthenticationRequired", None),
                Some(ErrorField::Password),
            ),
            (
                api(401, "AuthFactorTokenRequired", None),
                Some(ErrorField::Password),
            ),
            (network, Some(ErrorField::Service)),
            (
                XrpcError::Insecure {
                    host: "pds.example.com".to_owned(),
                },
                Some(ErrorField::Service),
            ),
            (api(404, "", None), Some(ErrorField::Service)),
            (api(429, "RateLimitExceeded", Some(5)), None),
            (api(400, "AccountTakedown", None), None),
        ];
        for (err, field) in cases {
            assert_eq!(connect_error(&err).field, field, "{err}");
        }
    }

    #[test]
    fn rate_limit_message_says_how_long_to_wait() {
        let err = describe(&api(429, "RateLimitExceeded", Some(200)));
        assert!(err.message.contains("about 4 minutes"), "{}", err.message);
        let err = describe(&api(429, "RateLimitExceeded", Some(30)));
        assert!(err.message.contains("30 seconds"), "{}", err.message);
    }

    #[test]
    fn wrong_password_mentions_case_and_dashes() {
        let err = connect_error(&api(401, "AuthenticationRequired", None));
        assert!(err.message.contains("case-sensitive"));
        assert!(err.message.contains("dashes"));
    }
}
