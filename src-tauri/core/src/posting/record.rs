//! Posting as one account: mentions, blobs, record, and making sure the record's fate is known.

use super::{embed, PostResult, Posting, PreparedPost};
use crate::account::Account;
use crate::error::{Error, Result};
use crate::xrpc::types::RecordRef;
use crate::xrpc::XrpcError;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use url::Url;

const COLLECTION: &str = "app.bsky.feed.post";
const MENTION: &str = "app.bsky.richtext.facet#mention";

impl Posting<'_> {
    pub(super) async fn post_as(
        &self,
        account: &Account,
        post: &PreparedPost,
    ) -> Result<PostResult> {
        let pds = crate::accounts::parse_stored_url(&account.pds)?;
        let facets = self.resolve_mentions(&pds, &post.facets).await;
        let blobs = self.upload_blobs(&account.did, post).await?;
        let mut record = json!({
            "$type": COLLECTION,
            "text": post.text,
            "createdAt": crate::accounts::now_rfc3339(),
        });
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        if !post.langs.is_empty() {
            record["langs"] = json!(post.langs);
        }
        if let Some(embed) = embed::build(post, &blobs) {
            record["embed"] = embed;
        }
        let rkey = crate::tid::next_tid();
        let created = self.create_once(&account.did, &pds, &rkey, &record).await?;
        Ok(PostResult::Posted {
            url: format!("https://bsky.app/profile/{}/post/{rkey}", account.handle),
            uri: created.uri,
            cid: created.cid,
        })
    }

    /// Mentions become DIDs; a handle that does not resolve stays plain text (its facet is dropped).
    async fn resolve_mentions(&self, pds: &Url, facets: &[Value]) -> Vec<Value> {
        let mut resolved = Vec::with_capacity(facets.len());
        for facet in facets {
            let mut facet = facet.clone();
            let mut keep = true;
            if let Some(features) = facet["features"].as_array_mut() {
                for feature in features.iter_mut() {
                    if feature["$type"] != MENTION {
                        continue;
                    }
                    let handle = feature["handle"].as_str().unwrap_or_default().to_owned();
                    match self.core.xrpc.resolve_handle(pds, &handle).await {
                        Ok(Some(did)) => *feature = json!({"$type": MENTION, "did": did}),
                        _ => keep = false,
                    }
                }
            }
            if keep {
                resolved.push(facet);
            }
        }
        resolved
    }

    /// Uploads the images (or the card thumbnail) in parallel, in order.
    async fn upload_blobs(&self, did: &str, post: &PreparedPost) -> Result<Vec<Value>> {
        let uploads: Vec<(Vec<u8>, String)> = if post.images.is_empty() {
            post.card
                .iter()
                .filter_map(|(_, thumb)| thumb.as_ref())
                .map(|thumb| (thumb.bytes.clone(), thumb.mime_type.to_string()))
                .collect()
        } else {
            post.images
                .iter()
                .map(|(image, _)| (image.bytes.clone(), image.mime_type.to_string()))
                .collect()
        };
        let xrpc = self.core.xrpc.clone();
        let calls = uploads.into_iter().map(|(bytes, mime)| {
            let xrpc = xrpc.clone();
            async move {
                self.core
                    .accounts()
                    .authed(did, move |pds, access| {
                        let xrpc = xrpc.clone();
                        let bytes = bytes.clone();
                        let mime = mime.clone();
                        async move {
                            let blob = xrpc.upload_blob(&pds, &access, bytes, &mime).await?;
                            Ok(json!(blob))
                        }
                    })
                    .await
            }
        });
        futures_util::future::join_all(calls)
            .await
            .into_iter()
            .collect()
    }

    /// createRecord under `rkey`, with its outcome known before anything is reported. After a
    /// failure that may have reached the server (a broken connection or timeout after sending, a 5xx,
    /// a success answer that cannot be read; see [`XrpcError::outcome_unknown`]) the record is looked
    /// up under that key: there → it is posted; certainly absent → one more try under the same key,
    /// which can never make a second post (a key is taken once). When the lookup itself fails, the
    /// error says the post may exist.
    async fn create_once(
        &self,
        did: &str,
        pds: &Url,
        rkey: &str,
        record: &Value,
    ) -> Result<RecordRef> {
        let mut tries = 0;
        loop {
            tries += 1;
            let unknown = AtomicBool::new(false);
            let created = self
                .core
                .accounts()
                .authed(did, |pds, access| {
                    let xrpc = self.core.xrpc.clone();
                    let unknown = &unknown;
                    async move {
                        let result = xrpc
                            .create_record(&pds, &access, did, COLLECTION, rkey, record)
                            .await;
                        let unclear = result.as_ref().is_err_and(XrpcError::outcome_unknown);
                        unknown.store(unclear, Ordering::Relaxed);
                        result
                    }
                })
                .await;
            let err = match created {
                Ok(created) => return Ok(created),
                Err(err) if !unknown.load(Ordering::Relaxed) => return Err(err),
                Err(err) => err,
            };
            tracing::warn!(
                did,
                rkey,
                code = err.code.as_str(),
                "createRecord outcome unknown; looking the record up"
            );
            match self.core.xrpc.find_record(pds, did, COLLECTION, rkey).await {
                Ok(Some(found)) => {
                    tracing::info!(did, rkey, "the record was created after all");
                    return Ok(found);
                }
                Ok(None) if tries < 2 => {
                    tracing::warn!(
                        did,
                        rkey,
                        "the record is not there; trying once more under the same key"
                    );
                }
                Ok(None) => return Err(err),
                Err(lookup) => return Err(unconfirmed(&err, &lookup)),
            }
        }
    }
}

/// A write whose outcome could not be checked: the person must know the post may exist.
fn unconfirmed(err: &Error, lookup: &XrpcError) -> Error {
    Error::new(
        err.code,
        format!(
            "{} Hayon could not check whether the post was published ({lookup}); look at the \
             account's profile before posting it again.",
            err.message
        ),
    )
}
