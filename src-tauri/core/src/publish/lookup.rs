//! Settling a write whose outcome is unknown: the thread's root is looked up under its record key
//! (`getRecord`, no authentication needed). applyWrites is atomic, so a root that is there means the
//! whole thread is; then every post is read for its URI and CID. Nothing is ever written here.

use super::entry::{AccountDelivery, Delivery, PublishedPost};
use super::Posting;
use crate::error::{Error, ErrorCode, Result};
use crate::records::{StrongRef, POST};
use crate::xrpc::XrpcError;
use url::Url;

impl Posting<'_> {
    /// Looks `account`'s thread up and records it as posted when it is there. Answers the DID and
    /// whether the thread is there (an error: it could not be told).
    pub(super) async fn settle(
        &self,
        id: &str,
        account: &AccountDelivery,
    ) -> (String, Result<bool>) {
        let did = account.did.clone();
        let found = async {
            let stored = self.core.accounts().find(&did)?;
            let pds = crate::accounts::parse_stored_url(&stored.pds)?;
            match self.find_thread(&pds, &did, &account.rkeys).await {
                Ok(Some(records)) => {
                    let posts = posted(records, &stored.handle);
                    let now = crate::store::now_rfc3339();
                    self.core.store.outbox_set_delivery(
                        id,
                        &did,
                        &Delivery::Posted { posts },
                        &now,
                    )?;
                    tracing::info!(did, "outbox: the thread was found on the server");
                    Ok(true)
                }
                Ok(None) => Ok(false),
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
    ) -> Result<Option<Vec<StrongRef>>, XrpcError> {
        let Some((root_key, rest)) = rkeys.split_first() else {
            return Ok(None);
        };
        let Some(root) = self.core.xrpc.find_record(pds, did, POST, root_key).await? else {
            return Ok(None);
        };
        let others = rest
            .iter()
            .map(|rkey| self.core.xrpc.find_record(pds, did, POST, rkey));
        let mut records = vec![root];
        for found in futures_util::future::join_all(others).await {
            match found? {
                Some(record) => records.push(record),
                // Written in one atomic batch with the root: only a later deletion removes one.
                None => {
                    return Err(XrpcError::Decode {
                        nsid: "com.atproto.repo.getRecord".to_owned(),
                        detail: "a post of the thread is missing beside its root".to_owned(),
                    })
                }
            }
        }
        Ok(Some(records))
    }
}

/// The posts' places, with their bsky.app links.
pub(super) fn posted(records: Vec<StrongRef>, handle: &str) -> Vec<PublishedPost> {
    records
        .into_iter()
        .map(|record| PublishedPost::new(record, handle))
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
