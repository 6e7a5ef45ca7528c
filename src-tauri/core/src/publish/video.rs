//! A post's video, sent to one account the way the official app sends it (protocol.md, "Media in
//! 2026"): the account's daily allowance asked first, then the file streamed to the video service
//! with a token from the account's PDS that lets the service put the processed video on that PDS
//! (`uploadBlob`, for 30 minutes), then the service's job followed until it names the blob. The
//! captions go to the PDS directly, like images.
//!
//! Uploaded when the post is sent, never before (the PDS deletes a blob no record uses). Sending
//! again is safe: the record keys are the row's, and the service answers bytes it has seen from the
//! account with the first job, so a lost answer costs an upload, never a second post.

use super::embed::VideoBlobs;
use super::outbox::Progress;
use super::prepare::PreparedVideo;
use super::{PostStage, Posting};
use crate::error::{Error, ErrorCode, Result};
use crate::media::video::CAPTION_MIME;
use crate::records::Blob;
use crate::secret::Secret;
use crate::xrpc::video::{JobStatus, UploadLimits, VideoUpload, UPLOAD_LIMITS};
use crate::xrpc::XrpcError;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the upload token lets the service put the video on the PDS (the official app's).
const UPLOAD_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How often the job is asked about while the service processes the video.
const JOB_POLL_INTERVAL: Duration = Duration::from_millis(500);

impl Posting<'_> {
    /// Sends `video` and its captions to the account `did`; their blobs on its PDS.
    pub(super) async fn upload_video(
        &self,
        did: &str,
        video: &PreparedVideo,
        progress: Progress<'_>,
    ) -> Result<VideoBlobs> {
        let service = &self.core.video_service;
        let accounts = self.core.accounts();
        let xrpc = &self.core.xrpc;
        let limits_token = accounts
            .authed(did, |pds, access| async move {
                xrpc.service_auth(&pds, &access, &service.did, UPLOAD_LIMITS, None)
                    .await
            })
            .await?;
        let limits = xrpc
            .video_upload_limits(&service.url, &limits_token)
            .await
            .map_err(|err| video_service_error(&err))?;
        check_allowance(&limits, video.file.size)?;

        let expires = time::OffsetDateTime::now_utc().unix_timestamp()
            + UPLOAD_TOKEN_LIFETIME.as_secs() as i64;
        let upload_token = accounts
            .authed(did, |pds, access| async move {
                let audience = xrpc.server_did(&pds).await?;
                xrpc.service_auth(
                    &pds,
                    &access,
                    &audience,
                    "com.atproto.repo.uploadBlob",
                    Some(expires),
                )
                .await
            })
            .await?;
        let job = self.send_file(did, video, &upload_token, progress).await?;
        let blob = self.follow(&job, progress).await?;

        let mut captions = Vec::with_capacity(video.captions.len());
        for (_, bytes) in &video.captions {
            let caption: Blob = accounts
                .authed(did, |pds, access| async move {
                    xrpc.upload_blob(&pds, &access, bytes.clone(), CAPTION_MIME)
                        .await
                })
                .await?;
            captions.push(caption);
        }
        Ok(VideoBlobs {
            video: blob,
            captions,
        })
    }

    /// Streams the file to the service; its job. An answer lost on the way (the bytes may have
    /// arrived) is settled by sending once more: the service names the first job for the same
    /// bytes.
    async fn send_file(
        &self,
        did: &str,
        video: &PreparedVideo,
        token: &Secret,
        progress: Progress<'_>,
    ) -> Result<JobStatus> {
        let size = video.file.size.max(1);
        let mut tries = 0;
        loop {
            tries += 1;
            let (sender, mut percents) = tokio::sync::watch::channel(0u8);
            let sent: Arc<dyn Fn(u64) + Send + Sync> = Arc::new(move |bytes| {
                sender.send_if_modified(|last| {
                    let percent = (bytes.saturating_mul(100) / size).min(100) as u8;
                    std::mem::replace(last, percent) != percent
                });
            });
            let upload = VideoUpload {
                path: &video.file.path,
                size: video.file.size,
                mime_type: video.file.mime_type,
                name: format!("{}.{}", crate::tid::next_tid(), video.file.extension()),
                did,
            };
            let sending =
                self.core
                    .xrpc
                    .upload_video(&self.core.video_service.url, token, upload, sent);
            tokio::pin!(sending);
            // The percentages are reported from here, where `progress` may be used.
            let answer = loop {
                tokio::select! {
                    answer = &mut sending => break answer,
                    Ok(()) = percents.changed() => {
                        let percent = *percents.borrow_and_update();
                        progress(PostStage::UploadingVideo { percent });
                    }
                }
            };
            match answer {
                Ok(job) => return Ok(job),
                Err(err) if tries < 2 && err.outcome_unknown() => {
                    tracing::warn!(error = %err, "the video upload's answer was lost; sending again");
                }
                Err(err) => return Err(video_service_error(&err)),
            }
        }
    }

    /// Asks about the job until the service is done with the video; the blob it put on the PDS.
    async fn follow(&self, job: &JobStatus, progress: Progress<'_>) -> Result<Blob> {
        let started = Instant::now();
        let mut status = job.clone();
        loop {
            if let Some(blob) = status.blob.clone() {
                return Ok(blob);
            }
            match status.state.as_str() {
                JobStatus::FAILED => return Err(job_failed(&status)),
                JobStatus::COMPLETED => {
                    return Err(Error::new(
                        ErrorCode::ServerError,
                        "The video service finished the video but did not say where it is. Try \
                         posting again.",
                    ))
                }
                _ => {}
            }
            if started.elapsed() > UPLOAD_TOKEN_LIFETIME {
                return Err(Error::new(
                    ErrorCode::ServerUnavailable,
                    "The video service has been processing the video for 30 minutes without \
                     finishing. Try posting again later.",
                ));
            }
            progress(PostStage::ProcessingVideo {
                percent: status.progress.unwrap_or(0).min(100),
            });
            tokio::time::sleep(JOB_POLL_INTERVAL).await;
            status = self
                .core
                .xrpc
                .video_job_status(&self.core.video_service.url, &status.job_id)
                .await
                .map_err(|err| video_service_error(&err))?;
        }
    }
}

/// Refuses a video the account's daily allowance would not take, in the service's words when it
/// gives them.
fn check_allowance(limits: &UploadLimits, size: u64) -> Result<()> {
    if !limits.can_upload {
        let reason = limits
            .message
            .clone()
            .or_else(|| limits.error.clone())
            .unwrap_or_else(|| "no reason given".to_owned());
        return Err(Error::new(
            ErrorCode::ServerError,
            format!(
                "Bluesky's video service will not take a video from this account now: {reason}"
            ),
        ));
    }
    if limits.remaining_daily_videos == Some(0) {
        return Err(Error::new(
            ErrorCode::ServerError,
            "This account has posted as many videos today as Bluesky allows. Try again tomorrow.",
        ));
    }
    if let Some(left) = limits.remaining_daily_bytes {
        let left = u64::try_from(left).unwrap_or(0);
        if left < size {
            return Err(Error::new(
                ErrorCode::ServerError,
                format!(
                    "This video ({} MB) is more than what is left of this account's video \
                     allowance today ({} MB). Post a shorter video, or try again tomorrow.",
                    size.div_ceil(1_000_000),
                    left / 1_000_000
                ),
            ));
        }
    }
    Ok(())
}

fn job_failed(status: &JobStatus) -> Error {
    let reason = status
        .message
        .clone()
        .or_else(|| status.error.clone())
        .unwrap_or_else(|| "no reason given".to_owned());
    Error::new(
        ErrorCode::ServerError,
        format!("Bluesky's video service could not process the video: {reason}"),
    )
}

/// A video service failure in the person's words, with the service's own message when it gave one.
fn video_service_error(err: &XrpcError) -> Error {
    let meaning = match err {
        XrpcError::Network { detail, .. } => Error::new(
            ErrorCode::Network,
            format!(
                "Couldn't reach Bluesky's video service ({detail}). Check your internet \
                 connection; the post waits and can be sent again."
            ),
        ),
        XrpcError::Api {
            status, message, ..
        } if *status < 500 => Error::new(
            ErrorCode::ServerError,
            format!(
                "Bluesky's video service refused the video: {}",
                message.as_deref().unwrap_or("no reason given")
            ),
        ),
        XrpcError::Api { status, .. } => Error::new(
            ErrorCode::ServerUnavailable,
            format!(
                "Bluesky's video service had a problem (HTTP {status}). Try again in a few \
                 minutes."
            ),
        ),
        other => crate::accounts::describe_xrpc_error(other),
    };
    meaning.caused_by(err.clone())
}
