//! Mentions while a post is being written, so that what is posted is what the person meant:
//! - [`Mentions::suggest`]: accounts for a handle being typed (`@han…`), from the app view's
//!   `app.bsky.actor.searchActorsTypeahead` (asked through the chosen account's PDS, which proxies
//!   app.bsky.* to its app view). When the app view does not answer (none configured, down, the
//!   account needs reconnecting), from what is known here: the connected accounts and the handles
//!   mentioned in earlier posts ([`Mentions::remember`], kept in the store).
//! - [`Mentions::check`]: whether each mentioned handle resolves, asked exactly as posting asks
//!   ([`resolve_handles`], used by `publish::thread` too), so the composer can say "@nobody.test will
//!   be posted as plain text" before posting instead of the post silently dropping the mention.
//!
//! Input comes from the web view: every handle is checked for length and characters first
//! ([`typed`]), and a check is bounded in how many handles it asks about.

#[cfg(test)]
mod tests;
mod typed;

use crate::context::Core;
use crate::error::{Error, Result};
use crate::xrpc::XrpcClient;
use serde::Serialize;
use std::collections::HashMap;
use url::Url;

pub use typed::{typed_handle, MAX_HANDLE_LEN};

/// The most suggestions shown for one prefix.
pub const MAX_SUGGESTIONS: usize = 8;
/// The most handles one check asks about (a 300-grapheme post holds far fewer mentions).
pub const MAX_CHECKED: usize = 50;

/// The mentions service ([`Core::mentions`]).
#[derive(Debug, Clone, Copy)]
pub struct Mentions<'a> {
    pub(crate) core: &'a Core,
}

/// An account the person may mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub handle: String,
    pub did: String,
    pub display_name: Option<String>,
    /// An image URL.
    pub avatar: Option<String>,
}

/// Where the suggestions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SuggestionSource {
    /// The app view answered.
    AppView,
    /// The app view did not answer: connected accounts and handles mentioned before.
    Known,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Suggestions {
    pub source: SuggestionSource,
    pub actors: Vec<Suggestion>,
}

/// What a mentioned handle will become when posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum HandleStatus {
    /// It resolves: the post links the account.
    Resolves,
    /// The server says no account has it: posted as plain text.
    Unresolved,
    /// The server could not be asked (offline, server trouble): nothing to say yet.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct HandleCheck {
    pub handle: String,
    pub status: HandleStatus,
}

impl Mentions<'_> {
    /// Accounts whose handle starts like `typed` (with or without its `@`), asked through the
    /// connected account `account` (DID or handle).
    pub async fn suggest(&self, account: &str, typed: &str) -> Result<Suggestions> {
        let prefix = typed_handle(typed)?;
        let did = self.core.accounts().find(account)?.did;
        let xrpc = self.core.xrpc.clone();
        let searched = self
            .core
            .accounts()
            .authed(&did, |pds, access| {
                let xrpc = xrpc.clone();
                let prefix = prefix.clone();
                async move {
                    xrpc.search_actors_typeahead(&pds, &access, &prefix, MAX_SUGGESTIONS as u8)
                        .await
                }
            })
            .await;
        match searched {
            Ok(actors) => Ok(Suggestions {
                source: SuggestionSource::AppView,
                actors: actors
                    .into_iter()
                    .take(MAX_SUGGESTIONS)
                    .map(|actor| Suggestion {
                        handle: actor.handle,
                        did: actor.did,
                        display_name: actor.display_name.filter(|name| !name.trim().is_empty()),
                        avatar: actor.avatar,
                    })
                    .collect(),
            }),
            Err(err) => {
                tracing::info!(
                    code = err.code.as_str(),
                    "searchActorsTypeahead failed; suggesting known handles"
                );
                Ok(Suggestions {
                    source: SuggestionSource::Known,
                    actors: self.known(&prefix)?,
                })
            }
        }
    }

    /// Connected accounts first (their handle or name starting with `prefix`), then the handles
    /// mentioned before, most recent first; each account once.
    fn known(&self, prefix: &str) -> Result<Vec<Suggestion>> {
        let mut found: Vec<Suggestion> = self
            .core
            .accounts()
            .list()?
            .into_iter()
            .filter(|account| account.connected && !account.handle.is_empty())
            .filter(|account| {
                account.handle.to_lowercase().starts_with(prefix)
                    || account.display_name.as_deref().is_some_and(|name| {
                        name.split_whitespace()
                            .any(|word| word.to_lowercase().starts_with(prefix))
                    })
            })
            .map(|account| Suggestion {
                handle: account.handle,
                did: account.did,
                display_name: account.display_name,
                avatar: account.avatar,
            })
            .collect();
        for (handle, did) in self.core.store.mentioned_handles(prefix, MAX_SUGGESTIONS)? {
            if !found.iter().any(|s| s.did == did || s.handle == handle) {
                found.push(Suggestion {
                    handle,
                    did,
                    display_name: None,
                    avatar: None,
                });
            }
        }
        found.truncate(MAX_SUGGESTIONS);
        Ok(found)
    }

    /// Whether each of `handles` resolves, asked through the PDS of the connected account
    /// `account`, as posting will ask it.
    pub async fn check(&self, account: &str, handles: &[String]) -> Result<Vec<HandleCheck>> {
        if handles.len() > MAX_CHECKED {
            return Err(Error::validation(format!(
                "At most {MAX_CHECKED} mentions can be checked at once."
            )));
        }
        let handles: Vec<String> = handles
            .iter()
            .map(|handle| typed_handle(handle))
            .collect::<Result<_>>()?;
        let pds = crate::accounts::parse_stored_url(&self.core.accounts().find(account)?.pds)?;
        let resolved = resolve_handles(&self.core.xrpc, &pds, handles.iter()).await;
        Ok(handles
            .into_iter()
            .map(|handle| {
                let status = match resolved.get(&handle) {
                    Some(Ok(Some(_))) => HandleStatus::Resolves,
                    Some(Ok(None)) => HandleStatus::Unresolved,
                    _ => HandleStatus::Unknown,
                };
                HandleCheck { handle, status }
            })
            .collect())
    }

    /// Remembers handles that went out in a post, with their DIDs, for later suggestions. A failure
    /// here must not fail the post that was made: it is logged.
    pub(crate) fn remember(&self, mentioned: &[(String, String)]) {
        if let Err(err) = self
            .core
            .store
            .remember_mentions(mentioned, &crate::store::now_rfc3339())
        {
            tracing::warn!(
                code = err.code.as_str(),
                "could not remember mentioned handles"
            );
        }
    }
}

/// The DID behind each distinct handle (`Ok(None)`: no account has it; `Err`: the server could
/// not be asked), looked up through `pds` with `com.atproto.identity.resolveHandle`, all at once.
pub(crate) async fn resolve_handles<'h>(
    xrpc: &XrpcClient,
    pds: &Url,
    handles: impl Iterator<Item = &'h String>,
) -> HashMap<String, Result<Option<String>>> {
    let mut distinct: Vec<&String> = handles.collect();
    distinct.sort();
    distinct.dedup();
    let asked = distinct.iter().map(|handle| async move {
        let did = xrpc
            .resolve_handle(pds, handle)
            .await
            .map_err(|err| crate::accounts::describe_xrpc_error(&err));
        ((*handle).clone(), did)
    });
    futures_util::future::join_all(asked)
        .await
        .into_iter()
        .collect()
}
