//! Posting as one account: mentions, blobs, record.

use super::{embed, PostResult, PreparedPost};
use crate::account::Account;
use crate::accounts::Accounts;
use crate::error::Result;
use serde_json::{json, Value};
use url::Url;

const COLLECTION: &str = "app.bsky.feed.post";
const MENTION: &str = "app.bsky.richtext.facet#mention";

impl Accounts {
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
                    match self.xrpc.resolve_handle(pds, &handle).await {
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
        let xrpc = self.xrpc.clone();
        let calls = uploads.into_iter().map(|(bytes, mime)| {
            let xrpc = xrpc.clone();
            async move {
                self.authed(did, move |pds, access| {
                    let xrpc = xrpc.clone();
                    let bytes = bytes.clone();
                    let mime = mime.clone();
                    async move { xrpc.upload_blob(&pds, &access, bytes, &mime).await }
                })
                .await
            }
        });
        futures_util::future::join_all(calls)
            .await
            .into_iter()
            .collect()
    }

    /// createRecord under `rkey`; after a lost answer, one retry with the same key. If the first
    /// attempt did land, the retry finds the record instead of making a second post.
    async fn create_once(
        &self,
        did: &str,
        pds: &Url,
        rkey: &str,
        record: &Value,
    ) -> Result<crate::xrpc::types::RecordRef> {
        let attempt = || {
            let xrpc = self.xrpc.clone();
            self.authed(did, move |pds, access| {
                let xrpc = xrpc.clone();
                async move {
                    xrpc.create_record(&pds, &access, did, COLLECTION, rkey, record)
                        .await
                }
            })
        };
        match attempt().await {
            Err(err) if err.code == crate::ErrorCode::Network => {
                tracing::warn!(did, "createRecord answer lost; retrying with the same rkey");
                match attempt().await {
                    Ok(created) => Ok(created),
                    Err(retry_err) => self
                        .find_existing(did, pds, rkey)
                        .await
                        .unwrap_or(Err(retry_err)),
                }
            }
            other => other,
        }
    }

    async fn find_existing(
        &self,
        did: &str,
        pds: &Url,
        rkey: &str,
    ) -> Option<Result<crate::xrpc::types::RecordRef>> {
        match self.xrpc.find_record(pds, did, COLLECTION, rkey).await {
            Ok(Some(found)) => Some(Ok(found)),
            Ok(None) => None,
            Err(err) => Some(Err(crate::accounts::describe_error(&err))),
        }
    }
}
