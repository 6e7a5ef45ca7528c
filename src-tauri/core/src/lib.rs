//! Hayon's core: everything the window and the CLI do, with no Tauri dependency.
//!
//! - [`Core`] (`context.rs`): the one context the window and the CLI open, from one [`Config`]
//!   (`config.rs`: data folder, keychain service, environment overrides). It owns the store, the token
//!   store, the XRPC client, the sessions and the link-card fetcher, and hands out the per-domain
//!   services: [`Core::accounts`] (connect / refresh / check / disconnect, and the one
//!   authenticated-request path, `Accounts::authed`, that all calls to a PDS go through),
//!   [`Core::posting`] ([`publish`]: the one path from a composition to the server, through the
//!   outbox), [`Core::drafts`], [`Core::settings`].
//! - [`xrpc`]: the typed AT Protocol client, Bearer or DPoP ([`dpop`]) per request. [`oauth`]: Sign
//!   in with Bluesky. [`keychain`]: tokens (and DPoP keys) in the OS keychain. [`store`]: the
//!   SQLite database. [`error::Error`]: `{code, message}` for the user.
//! - [`media`]: images prepared for upload (oriented, stripped, ≤ 1,000,000 bytes), in parallel.
//! - [`attachments`]: the window's staged images, and the confinement of paths from the web view.
//! - [`records`]: the typed records Hayon writes (post, threadgate, postgate) and their CIDs.

pub mod about;
pub mod account;
pub mod accounts;
pub mod attachments;
pub mod compose;
pub mod composition;
pub mod config;
pub mod context;
pub mod dpop;
pub mod draft;
pub mod error;
#[cfg(test)]
mod fakes;
pub mod identity;
#[cfg(test)]
mod ipc_contract;
pub mod jwt;
pub mod keychain;
pub mod link_card;
pub mod logging;
pub mod media;
pub mod mentions;
pub mod oauth;
pub mod paths;
pub mod publish;
pub mod records;
pub mod secret;
pub mod settings;
pub mod store;
pub mod tid;
pub mod tls;
pub mod xrpc;

pub use about::{About, UpdateOffer};
pub use account::{Account, Health, HealthStatus, SignIn, SignInKind};
pub use accounts::{Accounts, ConnectRequest, Connected, Disconnected};
pub use config::Config;
pub use context::Core;
pub use error::{Error, ErrorCode, ErrorField, Result};
pub use secret::Secret;
