//! Repository calls used for posting: blobs, records, handle resolution.

use super::types::{Record, RecordRef, ResolveHandleOutput, UploadBlobOutput};
use super::{XrpcClient, XrpcError};
use crate::records::Blob;
use crate::secret::Secret;
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

#[derive(Serialize)]
struct CreateRecordInput<'a> {
    repo: &'a str,
    collection: &'a str,
    rkey: &'a str,
    record: &'a serde_json::Value,
}

impl XrpcClient {
    /// Uploads bytes; the answer is the blob reference to put in a record. Repeated after a lost
    /// answer or a server error: the blob is stored under its content's hash, so once.
    pub async fn upload_blob(
        &self,
        pds: &Url,
        access_jwt: &Secret,
        bytes: Vec<u8>,
        mime_type: &str,
    ) -> Result<Blob, XrpcError> {
        let output: UploadBlobOutput = self
            .idempotent_upload(
                pds,
                "com.atproto.repo.uploadBlob",
                bytes,
                mime_type,
                Some(access_jwt),
            )
            .await?;
        Ok(output.blob)
    }

    /// Creates `record` under the client-chosen `rkey`, so a retry can never make a second record.
    pub async fn create_record(
        &self,
        pds: &Url,
        access_jwt: &Secret,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &serde_json::Value,
    ) -> Result<RecordRef, XrpcError> {
        let input = CreateRecordInput {
            repo,
            collection,
            rkey,
            record,
        };
        self.procedure(
            pds,
            "com.atproto.repo.createRecord",
            Some(&input),
            Some(access_jwt),
        )
        .await
    }

    /// Where an existing record lives, or `None` when there is no such record.
    pub async fn find_record(
        &self,
        pds: &Url,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordRef>, XrpcError> {
        let found = self
            .get_record::<serde::de::IgnoredAny>(pds, repo, collection, rkey)
            .await?;
        Ok(found.map(|record| RecordRef {
            uri: record.uri,
            cid: record.cid,
        }))
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
