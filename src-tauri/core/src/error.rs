//! The one error type that leaves the core: a stable machine `code` the UI and scripts branch on, and a
//! `message` written for the person reading it (what happened and what to do next).
//!
//! It crosses the IPC boundary and the CLI as `{"code": "...", "message": "..."}`; a unit test pins that
//! shape. Messages never contain tokens or passwords: nothing secret is ever formatted into one.

use serde::Serialize;
use std::fmt;

/// Codes of the CLI contract (architecture.md). Serialized in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
        }
    }
}

/// A user-facing failure: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
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

    pub fn not_found(what: impl fmt::Display) -> Self {
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
    fn as_str_matches_serde_name() {
        for code in [
            ErrorCode::InvalidCredentials,
            ErrorCode::KeychainUnavailable,
            ErrorCode::NeedsReconnection,
            ErrorCode::ServerError,
            ErrorCode::Storage,
        ] {
            let json = serde_json::to_value(code).expect("serializable");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
