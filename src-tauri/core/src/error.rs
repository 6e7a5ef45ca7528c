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
//!
//! Inside the core, a failure of the local data is a [`StorageError`] (a `thiserror` enum) that keeps
//! what went wrong underneath as its source, rather than flattening it to text where it happened. It
//! becomes an [`Error`] by `?`: the message is written once, in [`From<StorageError>`], the cause
//! chain goes to the log, and the `Error` keeps the cause as its [`std::error::Error::source`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Sign in with Bluesky did not finish: refused or cancelled in the browser, timed out, or the
    /// server's answers did not check out. Nothing was stored.
    SignInFailed,
    NotFound,
    Validation,
    /// The server refused the request, or answered what Hayon cannot use.
    ServerError,
    /// The server had trouble (HTTP 5xx): likely to pass, so a post that met it is tried again by
    /// itself, as one that met no connection is.
    ServerUnavailable,
    /// The local database could not be read or written (disk full, permissions, newer schema).
    Storage,
    /// A bug in Hayon (a task that stopped, a value that could not be encoded): nothing the person
    /// can fix by changing their input.
    Internal,
    /// The person cancelled a send before it was written (`publish::Cancel`): nothing was posted.
    Cancelled,
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
            Self::SignInFailed => "sign_in_failed",
            Self::NotFound => "not_found",
            Self::Validation => "validation",
            Self::ServerError => "server_error",
            Self::ServerUnavailable => "server_unavailable",
            Self::Storage => "storage",
            Self::Internal => "internal",
            Self::Cancelled => "cancelled",
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
/// last failure to show it after a restart. Its cause, when it has one, stays in memory as its
/// `source` (never serialized: it may name local paths or server text the message leaves out).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "IpcError"))]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub field: Option<ErrorField>,
    #[serde(skip)]
    cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Two errors are the same failure when they say the same thing; the cause behind it is not compared.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        (self.code, &self.message, self.field) == (other.code, &other.message, other.field)
    }
}

impl Eq for Error {}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            cause: None,
        }
    }

    /// The same error, keeping `cause` as its source.
    pub(crate) fn caused_by(self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self {
            cause: Some(Arc::new(cause)),
            ..self
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
        tracing::error!(doing, cause = %chain(cause), "internal error");
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

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

/// `error` and each of its sources, joined by ": ".
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// Why Hayon's own data (the database, the files of its data folder) could not be read or written,
/// with the failure underneath as its source. Files are named by their name alone: the chain goes to
/// `hayon.log`, which names no local path.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database refused the operation")]
    Database(#[from] rusqlite::Error),
    #[error("{} could not be created or written", file_name(.path))]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("a stored {what} could not be written or read back ({problem} at line {line}, column {column})")]
    Encoding {
        what: &'static str,
        /// What kind of problem JSON met; never the stored text, which may be a post's words.
        problem: &'static str,
        line: usize,
        column: usize,
    },
    #[error("no home folder could be found for Hayon's data")]
    NoHomeFolder,
    #[error("the stored server address is not an address")]
    ServerAddress(#[source] url::ParseError),
    #[error("{0} in the database is out of range")]
    OutOfRange(&'static str),
    #[error(
        "the database was written by a newer Hayon (schema {found}, this one knows up to {known})"
    )]
    NewerSchema { found: i64, known: i64 },
}

impl StorageError {
    /// `source` met on `path`.
    pub fn file(path: &Path, source: std::io::Error) -> Self {
        Self::File {
            path: path.to_owned(),
            source,
        }
    }

    /// A stored `what` (a draft, the settings, an outbox row) that JSON could not carry.
    pub fn encoding(what: &'static str) -> impl FnOnce(serde_json::Error) -> Self {
        move |error| Self::Encoding {
            what,
            problem: match error.classify() {
                serde_json::error::Category::Io => "an input or output error",
                serde_json::error::Category::Syntax => "broken JSON",
                serde_json::error::Category::Data => "an unexpected value",
                serde_json::error::Category::Eof => "an early end",
            },
            line: error.line(),
            column: error.column(),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

impl From<StorageError> for Error {
    fn from(failure: StorageError) -> Self {
        tracing::warn!(cause = %chain(&failure), "local data could not be read or written");
        let message = match &failure {
            StorageError::NewerSchema { found, known } => format!(
                "This Hayon database was written by a newer version of Hayon (schema {found}; \
                 this version knows up to {known}). Update Hayon to open it."
            ),
            StorageError::NoHomeFolder => "Hayon could not find your home folder to keep its \
                data in. Set HOME, or name a data folder in HAYON_DATA_DIR."
                .to_owned(),
            StorageError::Encoding { what, .. } => format!(
                "Hayon could not read back a stored {what}: it looks damaged ({}). If it keeps \
                 happening, please report it and attach hayon.log from Hayon's data folder.",
                chain(&failure)
            ),
            StorageError::ServerAddress(_) => "The stored server address of an account is not \
                an address. Disconnect the account and connect it again."
                .to_owned(),
            _ => format!(
                "Hayon could not read or write its data ({}). Check that the disk is not full and \
                 that the data folder is yours and writable.",
                chain(&failure)
            ),
        };
        Self::new(ErrorCode::Storage, message).caused_by(failure)
    }
}

/// SQLite's failures are always the local database's: `?` on one is a [`StorageError::Database`].
impl From<rusqlite::Error> for Error {
    fn from(failure: rusqlite::Error) -> Self {
        StorageError::Database(failure).into()
    }
}

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
    fn a_storage_failure_keeps_its_cause_and_names_no_folder() {
        let folder = Path::new("/home/someone/.local/share/social.hayon.desktop");
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let err = Error::from(StorageError::file(&folder.join("hayon.sqlite3"), denied));
        assert_eq!(err.code, ErrorCode::Storage);
        assert!(err.message.contains("hayon.sqlite3"), "{}", err.message);
        assert!(err.message.contains("permission denied"), "{}", err.message);
        assert!(!err.message.contains("/home/someone"), "{}", err.message);
        let cause = std::error::Error::source(&err).expect("the cause is kept");
        assert!(cause.to_string().contains("hayon.sqlite3"), "{cause}");
        let io = cause.source().expect("and what was underneath it");
        assert_eq!(io.to_string(), "permission denied");
        let json = serde_json::to_value(&err).expect("serializable");
        assert_eq!(
            json.as_object().map(|fields| fields.len()),
            Some(2),
            "{json}"
        );
    }

    #[test]
    fn a_damaged_stored_value_is_described_without_its_text() {
        let damaged =
            serde_json::from_str::<Vec<u8>>("\"words of a private post\"").expect_err("not a list");
        let err = Error::from(StorageError::encoding("draft")(damaged));
        assert!(err.message.contains("draft"), "{}", err.message);
        assert!(
            err.message.contains("an unexpected value"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("private post"), "{}", err.message);
        assert!(!chain(&err).contains("private post"));
    }

    #[test]
    fn an_error_read_back_is_the_same_failure_without_its_cause() {
        let err = Error::from(rusqlite::Error::InvalidQuery);
        let read: Error = serde_json::from_value(serde_json::to_value(&err).expect("serializable"))
            .expect("read");
        assert_eq!(read, err);
        assert!(std::error::Error::source(&read).is_none());
        assert!(std::error::Error::source(&err).is_some());
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
