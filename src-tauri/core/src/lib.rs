//! Hayon's core: everything the window and the CLI do, with no Tauri dependency.
//!
//! - [`accounts::Accounts`]: connect / refresh / check / disconnect, and the one authenticated-request
//!   path (`Accounts::authed`) that all calls to a PDS go through.
//! - [`xrpc`]: the typed AT Protocol client. [`keychain`]: tokens in the OS keychain. [`store`]: the
//!   SQLite database. [`error::Error`]: `{code, message}` for the user.
//! - [`media`]: images prepared for upload (oriented, stripped, ≤ 1,000,000 bytes), in parallel.
//! - [`attachments`]: the window's staged images, and the confinement of paths from the web view.
//! - [`records`]: the typed records Hayon writes (post, threadgate, postgate) and their CIDs.

pub mod account;
pub mod accounts;
pub mod attachments;
pub mod compose;
pub mod composition;
pub mod draft;
pub mod error;
pub mod identity;
pub mod jwt;
pub mod keychain;
pub mod link_card;
pub mod logging;
pub mod media;
pub mod outbox;
pub mod paths;
pub mod posting;
pub mod records;
pub mod secret;
pub mod settings;
pub mod store;
pub mod tid;
pub mod xrpc;

pub use account::{Account, Health, HealthStatus};
pub use accounts::{Accounts, Config, ConnectRequest, Connected, Disconnected};
pub use error::{Error, ErrorCode, ErrorField, Result};
pub use secret::Secret;
