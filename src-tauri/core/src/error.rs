//! The one error type that leaves the core: a stable machine `code` the UI and scripts branch on, and a
//! `message` written for the person reading it (what happened and what to do next).
//!
//! It crosses the IPC boundary and the CLI as `{"code": "...", "message": "...", "field"?: "..."}`; a unit
//! test pins that shape. `field` is there only when the error is about one input of a form (the connect
//! form places it beside that input, so no program ever parses message text). Messages never contain
//! tokens or passwords: nothing secret is ever formatted into one.
//!
//! A bug is [`ErrorCode::Internal`], made with [`Error::internal`]: its cause chain goes to the log, and
//! the person gets a short message saying what Hayon was doing, not a Rust error text.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Codes of the CLI contract (architecture.md). Serialized in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCredentials,
    MainPasswordRefused,
    AuthFactorRequired,
    AccountInactive,
    RateLimited,
    Network,
    KeychainUnavailable,
    NeedsReconnection,
    NotFound,
    Validation,
    ServerError,
    /// The local database could not be read or written (disk full, permissions, newer schema).
    Storage,
    /// A bug in Hayon (a task that stopped, a value that could not be encoded): nothing the person
    /// can fix by changing their input.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidCredentials => "invalid_credentials",
            Self::MainPasswordRefused => "main_password_refused",
            Self::AuthFactorRequired => "auth_factor_required",
            Self::AccountInactive => "account_inactive",
            Self::RateLimited => "rate_limited",
            Self::Network => "network",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::NeedsReconnection => "needs_reconnection",
            Self::NotFound => "not_found",
            Self::Validation => "validation",
            Self::ServerError => "server_error",
            Self::Storage => "storage",
            Self::Internal => "internal",
        }
    }
}

/// The input of a form an error is about. Serialized in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorField {
    /// The handle, email or DID of the account to connect.
    Identifier,
    /// The app password.
    Password,
    /// The hosting provider's address.
    Service,
}

/// A user-facing failure: `{code, message, field?}`. Also read back: the outbox keeps an account's
/// last failure to show it after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "IpcError"))]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub field: Option<ErrorField>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error, placed on one input of the form it came from.
    pub fn with_field(self, field: ErrorField) -> Self {
        Self {
            field: Some(field),
            ..self
        }
    }

    /// A bug met while `doing` something (e.g. "preparing the images"): the cause and its sources go
    /// to the log; the person reads what Hayon was doing and what to do about it.
    pub fn internal(doing: &str, cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(inner) = source {
            chain.push_str(": ");
            chain.push_str(&inner.to_string());
            source = inner.source();
        }
        tracing::error!(doing, cause = %chain, "internal error");
        Self::new(
            ErrorCode::Internal,
            format!(
                "Hayon ran into a problem of its own while {doing}. Try again; if it keeps \
                 happening, please report it and attach hayon.log from Hayon's data folder."
            ),
        )
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }

    pub fn storage(detail: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::Storage,
            format!(
                "Hayon could not update its local database ({detail}). Check that the disk is not \
                 full and that the data folder is writable."
            ),
        )
    }

    /// No stored account has this DID or handle.
    pub fn no_account(what: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("No connected account matches {what}."),
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let err = Error::new(ErrorCode::MainPasswordRefused, "Use an app password.");
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"code": "main_password_refused", "message": "Use an app password."})
        );
    }

    #[test]
    fn a_field_is_serialized_only_when_present() {
        let err = Error::validation("Enter an app password.").with_field(ErrorField::Password);
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "validation",
                "message": "Enter an app password.",
                "field": "password"
            })
        );
        for (field, name) in [
            (ErrorField::Identifier, "identifier"),
            (ErrorField::Service, "service"),
        ] {
            let json = serde_json::to_value(Error::validation("x").with_field(field))
                .expect("serializable");
            assert_eq!(json["field"], name);
        }
    }

    #[test]
    fn internal_errors_keep_their_cause_out_of_the_message() {
        let cause = std::io::Error::other("task 7 panicked at src/secret/place.rs:12");
        let err = Error::internal("preparing the images", &cause);
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(
            err.message.contains("preparing the images"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("panicked"), "{}", err.message);
        assert!(!err.message.contains("place.rs"), "{}", err.message);
        assert_eq!(
            serde_json::to_value(&err).expect("serializable")["code"],
            "internal"
        );
    }

    #[test]
    fn as_str_matches_serde_name() {
        for code in [
            ErrorCode::InvalidCredentials,
            ErrorCode::KeychainUnavailable,
            ErrorCode::NeedsReconnection,
            ErrorCode::ServerError,
            ErrorCode::Storage,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).expect("serializable");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
