//! The video service's calls (`app.bsky.video.*`, at video.bsky.app unless configured) and the
//! service-auth tokens from the account's PDS that they take (protocol.md, "Media in 2026").
//!
//! The upload sends the file as it is read, a chunk at a time, with its length announced: the
//! body is a stream, so the request is sent once and never copied for a retry (a lost answer is
//! settled by uploading again: the service knows the same bytes from the same account and answers
//! with the first job).

use super::transport::{read_capped, Body, JSON_ANSWER_LIMIT};
use super::{Credential, XrpcClient, XrpcError};
use crate::records::Blob;
use crate::secret::Secret;
use futures_util::StreamExt;
use reqwest::{header, Method};
use serde::Deserialize;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use url::Url;

pub const UPLOAD_LIMITS: &str = "app.bsky.video.getUploadLimits";
pub const UPLOAD_VIDEO: &str = "app.bsky.video.uploadVideo";
const JOB_STATUS: &str = "app.bsky.video.getJobStatus";

/// How much of the file one chunk of the upload carries.
const CHUNK_BYTES: usize = 256 * 1024;

/// `app.bsky.video.getUploadLimits` output: whether the account may upload now, and what is left
/// of its daily allowance.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadLimits {
    pub can_upload: bool,
    #[serde(default)]
    pub remaining_daily_videos: Option<i64>,
    #[serde(default)]
    pub remaining_daily_bytes: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

/// `app.bsky.video.defs#jobStatus`: where the service is with a video.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    pub job_id: String,
    pub state: String,
    /// Progress within the current state, 0–100.
    #[serde(default)]
    pub progress: Option<u8>,
    #[serde(default)]
    pub blob: Option<Blob>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl JobStatus {
    pub const COMPLETED: &'static str = "JOB_STATE_COMPLETED";
    pub const FAILED: &'static str = "JOB_STATE_FAILED";
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobStatusOutput {
    job_status: JobStatus,
}

/// A 409's body: for bytes this account sent before, `already_exists` and the first job.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Conflict {
    error: Option<String>,
    message: Option<String>,
    job_id: Option<String>,
}

#[derive(Deserialize)]
struct ServiceAuthOutput {
    token: Secret,
}

#[derive(Deserialize)]
struct DescribeServerOutput {
    did: String,
}

/// What one upload sends: the file, how it is called and what it is.
#[derive(Debug)]
pub struct VideoUpload<'a> {
    pub path: &'a std::path::Path,
    pub size: u64,
    pub mime_type: &'a str,
    /// `name=`: a random name with the file's extension, as the official app sends.
    pub name: String,
    pub did: &'a str,
}

impl XrpcClient {
    /// `com.atproto.server.getServiceAuth`: a token the PDS signs for the service `aud`, good for
    /// the one method `lxm` and, when given, until `exp` (unix seconds).
    pub async fn service_auth(
        &self,
        pds: &Url,
        credential: &Credential,
        aud: &str,
        lxm: &str,
        exp: Option<i64>,
    ) -> Result<Secret, XrpcError> {
        let exp = exp.map(|seconds| seconds.to_string());
        let mut params = vec![("aud", aud), ("lxm", lxm)];
        if let Some(exp) = &exp {
            params.push(("exp", exp));
        }
        let output: ServiceAuthOutput = self
            .query(
                pds,
                "com.atproto.server.getServiceAuth",
                &params,
                Some(credential),
            )
            .await?;
        Ok(output.token)
    }

    /// The PDS's own service DID (`com.atproto.server.describeServer`): the audience of a token
    /// the video service uses to put the processed video on it.
    pub async fn server_did(&self, pds: &Url) -> Result<String, XrpcError> {
        let output: DescribeServerOutput = self
            .query(pds, "com.atproto.server.describeServer", &[], None)
            .await?;
        Ok(output.did)
    }

    pub async fn video_upload_limits(
        &self,
        service: &Url,
        token: &Secret,
    ) -> Result<UploadLimits, XrpcError> {
        let token = Credential::Bearer(token.clone());
        self.query(service, UPLOAD_LIMITS, &[], Some(&token)).await
    }

    pub async fn video_job_status(
        &self,
        service: &Url,
        job_id: &str,
    ) -> Result<JobStatus, XrpcError> {
        let output: JobStatusOutput = self
            .query(service, JOB_STATUS, &[("jobId", job_id)], None)
            .await?;
        Ok(output.job_status)
    }

    /// Sends the video file to the service, which answers with its processing job; `sent` hears
    /// how many bytes have gone. Bytes this account sent before answer with the first job.
    pub async fn upload_video(
        &self,
        service: &Url,
        token: &Secret,
        upload: VideoUpload<'_>,
        sent: Arc<dyn Fn(u64) + Send + Sync>,
    ) -> Result<JobStatus, XrpcError> {
        let file = tokio::fs::File::open(upload.path)
            .await
            .map_err(|err| XrpcError::Network {
                host: String::new(),
                detail: format!("could not read the video: {err}"),
                maybe_delivered: false,
            })?;
        let timeout = super::transport::upload_timeout(
            self.timeout,
            usize::try_from(upload.size).unwrap_or(usize::MAX),
        );
        let chunks = futures_util::stream::unfold((file, 0u64), move |(mut file, done)| {
            let sent = sent.clone();
            async move {
                let mut chunk = vec![0u8; CHUNK_BYTES];
                match file.read(&mut chunk).await {
                    Ok(0) => None,
                    Ok(read) => {
                        chunk.truncate(read);
                        let done = done + read as u64;
                        sent(done);
                        Some((Ok::<_, std::io::Error>(chunk), (file, done)))
                    }
                    Err(err) => Some((Err(err), (file, done))),
                }
            }
        });
        let token = Credential::Bearer(token.clone());
        let builder = self
            .request(Method::POST, service, UPLOAD_VIDEO, Some(&token))?
            .query(&[("did", upload.did), ("name", upload.name.as_str())])
            .timeout(timeout)
            .header(header::CONTENT_TYPE, upload.mime_type)
            .header(header::CONTENT_LENGTH, upload.size)
            .body(reqwest::Body::wrap_stream(chunks.boxed()));
        let response = builder
            .send()
            .await
            .map_err(|err| XrpcError::network(service, &err))?;
        if response.status() == reqwest::StatusCode::CONFLICT {
            return already_exists(response).await;
        }
        let bytes = Self::answer(service, UPLOAD_VIDEO, response, JSON_ANSWER_LIMIT).await?;
        let output: JobStatusOutput = Self::decode(UPLOAD_VIDEO, &bytes)?;
        Ok(output.job_status)
    }
}

/// A 409: `already_exists` names the job of the same bytes sent before; another is an error.
async fn already_exists(response: reqwest::Response) -> Result<JobStatus, XrpcError> {
    let conflict: Conflict = match read_capped(response, super::transport::ERROR_ANSWER_LIMIT).await
    {
        Ok(Body::Complete(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => Conflict::default(),
    };
    match conflict {
        Conflict {
            error: Some(error),
            job_id: Some(job_id),
            ..
        } if error == "already_exists" => Ok(JobStatus {
            job_id,
            state: "JOB_STATE_CREATED".to_owned(),
            progress: None,
            blob: None,
            error: None,
            message: None,
        }),
        Conflict { error, message, .. } => Err(XrpcError::Api {
            status: 409,
            error,
            message,
            retry_after: None,
        }),
    }
}
