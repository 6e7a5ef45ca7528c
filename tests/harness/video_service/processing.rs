//! A job's life after its upload was received, as the real service reports it through
//! getJobStatus: `JOB_STATE_CREATED`, `JOB_STATE_ENCODING` with its progress,
//! `JOB_STATE_UPLOADING`, then `JOB_STATE_COMPLETED` with the blob the user's PDS answered, or
//! `JOB_STATE_FAILED`.
//!
//! The real service's output is always an MP4 (`app.bsky.embed.video` takes nothing else). The
//! stand-in makes one with ffmpeg from what is not (a MOV, a WebM, a GIF); an MP4 goes to the PDS
//! as it came, so a test can compare the blob with the file it sent.

use super::{Job, Shared};
use serde_json::Value;
use std::sync::Arc;

/// What a job needs to run: the received bytes (moved, never copied) and the caller's upload token,
/// which the stand-in presents to the user's PDS as the real service does.
pub struct Work {
    pub job_id: String,
    pub did: String,
    pub bytes: Vec<u8>,
    /// The upload's Content-Type.
    pub content_type: String,
    pub token: String,
}

/// Runs the job in the background.
pub fn spawn(shared: Arc<Shared>, work: Work) {
    tokio::spawn(run(shared, work));
}

async fn run(shared: Arc<Shared>, work: Work) {
    let job_id = work.job_id.clone();
    let step = shared.state().step_delay;
    tokio::time::sleep(step).await;
    for progress in [0, 25, 50, 75, 100] {
        shared.update(&job_id, |job| {
            job.state = "JOB_STATE_ENCODING";
            job.progress = Some(progress);
        });
        if progress == 0 {
            // The sender lives in `shared`: the wait ends only when the hold is released.
            let _ = shared.holding_jobs.subscribe().wait_for(|held| !held).await;
        }
        tokio::time::sleep(step).await;
    }
    shared.update(&job_id, |job| {
        job.state = "JOB_STATE_UPLOADING";
        job.progress = None;
    });
    let planned_failure = shared.with_job(&job_id, |job| job.planned_failure.take());
    let outcome = match planned_failure.flatten() {
        Some(message) => Err(("processing_failed".to_owned(), message)),
        None => match as_mp4(work).await {
            Ok(work) => put_on_pds(&shared, work).await,
            Err(failure) => Err(failure),
        },
    };
    shared.update(&job_id, |job| match outcome {
        Ok(blob) => {
            job.state = "JOB_STATE_COMPLETED";
            job.blob = Some(blob);
            job.processing = Some(job.received.elapsed());
        }
        Err(failure) => {
            job.state = "JOB_STATE_FAILED";
            job.failure = Some(failure);
        }
    });
}

/// The work with its bytes made an MP4 (H.264, AAC), unless they are one already.
async fn as_mp4(mut work: Work) -> Result<Work, (String, String)> {
    if work.content_type == "video/mp4" {
        return Ok(work);
    }
    let input = std::mem::take(&mut work.bytes);
    let encoded = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
        let (source, output) = (dir.path().join("upload"), dir.path().join("encoded.mp4"));
        std::fs::write(&source, input).map_err(|err| err.to_string())?;
        crate::videos::encode_mp4(&source, &output)?;
        std::fs::read(&output).map_err(|err| err.to_string())
    })
    .await
    .map_err(|err| err.to_string())
    .and_then(|result| result);
    match encoded {
        Ok(bytes) => {
            work.bytes = bytes;
            Ok(work)
        }
        Err(detail) => Err((
            "encoding_failure".to_owned(),
            format!("the video could not be encoded: {detail}"),
        )),
    }
}

/// `com.atproto.repo.uploadBlob` on the PDS of the user's DID document, with the user's token:
/// the blob, or the PDS's error name and message.
async fn put_on_pds(shared: &Shared, work: Work) -> Result<Value, (String, String)> {
    let Work {
        did, bytes, token, ..
    } = work;
    let pds = super::service_auth::pds_of(&did, &shared.plc_url)
        .await
        .ok_or_else(|| ("pds_unknown".to_owned(), format!("no PDS for {did}")))?;
    let response = crate::http_client()
        .post(format!("{pds}/xrpc/com.atproto.repo.uploadBlob"))
        .bearer_auth(token)
        .header("content-type", "video/mp4")
        .body(bytes)
        .send()
        .await
        .map_err(|err| {
            (
                "upload_failed".to_owned(),
                format!("the PDS did not answer: {err}"),
            )
        })?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() && body["blob"].is_object() {
        return Ok(body["blob"].clone());
    }
    let text =
        |key: &str, fallback: String| body[key].as_str().map(str::to_owned).unwrap_or(fallback);
    Err((
        text("error", "upload_failed".to_owned()),
        text("message", format!("the PDS answered {status}")),
    ))
}

impl Job {
    /// The job as getJobStatus and uploadVideo answer it (`app.bsky.video.defs#jobStatus`).
    pub fn status(&self) -> Value {
        let mut status =
            serde_json::json!({"jobId": self.id, "did": self.did, "state": self.state});
        if let Some(progress) = self.progress {
            status["progress"] = progress.into();
        }
        if let Some(blob) = &self.blob {
            status["blob"] = blob.clone();
        }
        if let Some((error, message)) = &self.failure {
            status["error"] = error.as_str().into();
            status["message"] = message.as_str().into();
        }
        status
    }
}
