//! Settling a write whose outcome is unknown: the thread's root is looked up under its record key
//! (`getRecord`, no authentication needed). applyWrites is atomic, so a root that is there means the
//! whole thread is; then every post is read for its URI, CID and embed kind. Nothing is ever
//! written here.

use super::entry::{AccountDelivery, Delivery, PublishedPost};
use super::Posting;
use crate::error::{Error, ErrorCode, Result};
use crate::records::{StrongRef, POST};
use crate::xrpc::XrpcError;
use url::Url;

impl Posting<'_> {
    /// Looks `account`'s thread up and records it as posted when it is there. Answers the DID and
    /// the account as recorded then, or `None` when the thread is not there (an error: it could not
    /// be told).
    pub(super) async fn settle(
        &self,
        id: &str,
        account: &AccountDelivery,
    ) -> (String, Result<Option<AccountDelivery>>) {
        let did = account.did.clone();
        let found = async {
            let stored = self.core.accounts().find(&did)?;
            let pds = crate::accounts::parse_stored_url(&stored.pds)?;
            match self.find_thread(&pds, &did, &account.rkeys).await {
                Ok(Some(found)) => {
                    let state = Delivery::Posted {
                        posts: posted(found, &stored.handle),
                    };
                    let now = crate::store::now_rfc3339();
                    self.core
                        .store
                        .outbox_set_delivery(id, &did, &state, &now)?;
                    tracing::info!(did, "outbox: the thread was found on the server");
                    // As outbox_set_delivery stored it: posted, with no rate limit to wait for.
                    Ok(Some(AccountDelivery {
                        state,
                        retry_at: None,
                        ..account.clone()
                    }))
                }
                Ok(None) => Ok(None),
                Err(err) => Err(unconfirmed(&err)),
            }
        }
        .await;
        (did, found)
    }

    /// Every post of the thread under `rkeys`, or `None` when its root is not there.
    pub(super) async fn find_thread(
        &self,
        pds: &Url,
        did: &str,
        rkeys: &[String],
    ) -> Result<Option<Vec<WrittenPost>>, XrpcError> {
        let Some((root_key, rest)) = rkeys.split_first() else {
            return Ok(None);
        };
        let Some(root) = self.find_post(pds, did, root_key).await? else {
            return Ok(None);
        };
        let others = rest.iter().map(|rkey| self.find_post(pds, did, rkey));
        let mut posts = vec![root];
        for found in futures_util::future::join_all(others).await {
            match found? {
                Some(post) => posts.push(post),
                // Written in one atomic batch with the root: only a later deletion removes one.
                None => {
                    return Err(XrpcError::Decode {
                        nsid: "com.atproto.repo.getRecord".to_owned(),
                        detail: "a post of the thread is missing beside its root".to_owned(),
                    })
                }
            }
        }
        Ok(Some(posts))
    }

    async fn find_post(
        &self,
        pds: &Url,
        did: &str,
        rkey: &str,
    ) -> Result<Option<WrittenPost>, XrpcError> {
        let found = self
            .core
            .xrpc
            .get_record::<EmbedOnly>(pds, did, POST, rkey)
            .await?;
        Ok(found.map(|record| WrittenPost {
            at: StrongRef {
                uri: record.uri,
                cid: record.cid,
            },
            embed: record.value.embed.map(|embed| embed.kind),
        }))
    }
}

/// A post on the server: where it is, and its embed's `$type`.
pub(super) struct WrittenPost {
    pub at: StrongRef,
    pub embed: Option<String>,
}

/// What a post record read back is looked at for.
#[derive(serde::Deserialize)]
struct EmbedOnly {
    embed: Option<TypeOnly>,
}

#[derive(serde::Deserialize)]
struct TypeOnly {
    #[serde(rename = "$type")]
    kind: String,
}

/// The posts' places, with their bsky.app links and their embeds' kinds.
pub(super) fn posted(posts: Vec<WrittenPost>, handle: &str) -> Vec<PublishedPost> {
    posts
        .into_iter()
        .map(|post| PublishedPost::new(post.at, handle).with_embed(post.embed))
        .collect()
}

/// A thread whose write may have arrived and could not be checked: the person must know.
pub(super) fn unconfirmed(lookup: &XrpcError) -> Error {
    Error::new(
        if lookup.is_network() {
            ErrorCode::Network
        } else {
            ErrorCode::ServerError
        },
        format!(
            "Hayon could not check whether the post was published ({lookup}). Retry it when the \
             server answers again: Hayon looks it up first and never publishes it twice."
        ),
    )
}
