//! Repository calls used for posting: blobs, records (read one; write a thread in one batch),
//! handle resolution.

use super::types::{Record, ResolveHandleOutput, UploadBlobOutput};
use super::{Credential, XrpcClient, XrpcError};
use crate::records::Blob;
use crate::records::StrongRef;
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

impl XrpcClient {
    /// Uploads bytes; the answer is the blob reference to put in a record. Repeated after a lost
    /// answer or a server error: the blob is stored under its content's hash, so once.
    pub async fn upload_blob(
        &self,
        pds: &Url,
        credential: &Credential,
        bytes: Vec<u8>,
        mime_type: &str,
    ) -> Result<Blob, XrpcError> {
        let output: UploadBlobOutput = self
            .idempotent_upload(
                pds,
                "com.atproto.repo.uploadBlob",
                bytes,
                mime_type,
                Some(credential),
            )
            .await?;
        Ok(output.blob)
    }

    /// A record with its location, or `None` when there is no such record (no sign-in: records
    /// are public). `repo` is a DID or a handle.
    pub async fn get_record<T: DeserializeOwned>(
        &self,
        pds: &Url,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<Record<T>>, XrpcError> {
        let params = [("repo", repo), ("collection", collection), ("rkey", rkey)];
        match self
            .query(pds, "com.atproto.repo.getRecord", &params, None)
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(err) if err.name() == Some("RecordNotFound") => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The DID behind a handle, or `None` when the handle does not resolve.
    pub async fn resolve_handle(
        &self,
        pds: &Url,
        handle: &str,
    ) -> Result<Option<String>, XrpcError> {
        match self
            .query::<ResolveHandleOutput>(
                pds,
                "com.atproto.identity.resolveHandle",
                &[("handle", handle)],
                None,
            )
            .await
        {
            Ok(output) => Ok(Some(output.did)),
            Err(XrpcError::Api { status: 400, .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }
}

/// One `com.atproto.repo.applyWrites#create`: `value` is a typed record carrying its own `$type`.
#[derive(Debug, Serialize)]
#[serde(tag = "$type", rename = "com.atproto.repo.applyWrites#create")]
pub struct CreateWrite<R> {
    pub collection: &'static str,
    pub rkey: String,
    pub value: R,
}

#[derive(Serialize)]
struct ApplyWritesInput<'a, R> {
    repo: &'a str,
    writes: &'a [CreateWrite<R>],
}

#[derive(serde::Deserialize)]
struct ApplyWritesOutput {
    #[serde(default)]
    results: Vec<StrongRef>,
}

impl XrpcClient {
    /// Creates every record of `writes` in one commit, or none of them (the server applies the batch
    /// atomically). The answer holds each record's `{uri, cid}`, in order. Never repeated here: a
    /// record key is taken once, so after an unknown outcome the caller looks the records up.
    pub async fn apply_writes<R: Serialize>(
        &self,
        pds: &Url,
        credential: &Credential,
        repo: &str,
        writes: &[CreateWrite<R>],
    ) -> Result<Vec<StrongRef>, XrpcError> {
        let input = ApplyWritesInput { repo, writes };
        let output: ApplyWritesOutput = self
            .procedure(
                pds,
                "com.atproto.repo.applyWrites",
                Some(&input),
                Some(credential),
            )
            .await?;
        if output.results.len() != writes.len() {
            // The writes went through, but the answer does not say where: look them up.
            return Err(XrpcError::Decode {
                nsid: "com.atproto.repo.applyWrites".to_owned(),
                detail: format!(
                    "{} results for {} writes",
                    output.results.len(),
                    writes.len()
                ),
            });
        }
        Ok(output.results)
    }
}
