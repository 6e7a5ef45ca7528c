//! The stand-in's three XRPC methods, as the official app sees them: getUploadLimits and
//! uploadVideo behind service-auth tokens, getJobStatus open to anyone with the job's id.

use super::http::{self, Connection, Request};
use super::{processing, service_auth, Job, Shared, Upload, DID};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;

/// The content types the official app uploads.
const VIDEO_TYPES: [&str; 5] = [
    "video/mp4",
    "video/mpeg",
    "video/quicktime",
    "video/webm",
    "image/gif",
];

/// Answers the one request of `connection` (or closes it without an answer, for a lost answer).
pub async fn serve(mut connection: Connection, shared: Arc<Shared>) {
    let Some(request) = http::read_head(&mut connection).await else {
        return;
    };
    let (status, body) = match (request.method.as_str(), request.path()) {
        ("GET", "/xrpc/app.bsky.video.getUploadLimits") => upload_limits(&shared, &request).await,
        ("GET", "/xrpc/app.bsky.video.getJobStatus") => job_status(&shared, &request),
        ("POST", "/xrpc/app.bsky.video.uploadVideo") => {
            match upload(&shared, &request, &mut connection).await {
                Some(answer) => answer,
                None => return,
            }
        }
        _ => xrpc_error(
            "501 Not Implemented",
            "MethodNotImplemented",
            "Method Not Implemented",
        ),
    };
    http::answer(&mut connection, status, &body).await;
}

fn xrpc_error(status: &'static str, error: &str, message: &str) -> (&'static str, Value) {
    (status, json!({"error": error, "message": message}))
}

/// Checks the request's token for `lxm` and `aud`, recording its claims; the caller's claims, or
/// the 401 answer.
async fn authorize(
    shared: &Shared,
    request: &Request,
    aud: &str,
    lxm: &str,
) -> Result<(String, Value), (&'static str, Value)> {
    let refused = |refusal: service_auth::Refusal| {
        xrpc_error("401 Unauthorized", refusal.error, &refusal.message)
    };
    let token = service_auth::bearer(request.header("authorization")).map_err(refused)?;
    if let Some(mut claims) = crate::jwt_claims(token) {
        claims["method"] = json!(request.path().trim_start_matches("/xrpc/"));
        shared.state().tokens.push(claims);
    }
    let claims = service_auth::verify(token, aud, lxm, &shared.plc_url)
        .await
        .map_err(refused)?;
    Ok((token.to_owned(), claims))
}

async fn upload_limits(shared: &Shared, request: &Request) -> (&'static str, Value) {
    let lxm = "app.bsky.video.getUploadLimits";
    if let Err(refusal) = authorize(shared, request, DID, lxm).await {
        return refusal;
    }
    let state = shared.state();
    let mut limits = json!({
        "canUpload": state.remaining_videos > 0 && state.remaining_bytes > 0,
        "remainingDailyVideos": state.remaining_videos,
        "remainingDailyBytes": state.remaining_bytes,
    });
    if limits["canUpload"] == false {
        limits["message"] = json!("You have reached your daily upload limit for videos.");
        limits["error"] = json!("upload_limit_exceeded");
    }
    ("200 OK", limits)
}

fn job_status(shared: &Shared, request: &Request) -> (&'static str, Value) {
    let id = request.query("jobId").unwrap_or_default();
    let told = |job: &mut Job| {
        if job.state == "JOB_STATE_COMPLETED" && job.completion_told.is_none() {
            job.completion_told = Some(Instant::now());
        }
        job.status()
    };
    match shared.with_job(&id, told) {
        Some(status) => ("200 OK", json!({ "jobStatus": status })),
        None => xrpc_error("404 Not Found", "NotFound", "job not found"),
    }
}

/// uploadVideo: the answer, or `None` when the connection is to close without one.
async fn upload(
    shared: &Arc<Shared>,
    request: &Request,
    connection: &mut Connection,
) -> Option<(&'static str, Value)> {
    shared.state().upload_requests += 1;
    let length = request
        .header("content-length")
        .and_then(|length| length.parse::<u64>().ok());
    let refusal = check_upload(shared, request, length).await;
    let (token, did) = match refusal {
        Ok(caller) => caller,
        Err(answer) => {
            http::skip_body(connection, length.unwrap_or(0)).await;
            return Some(answer);
        }
    };
    let length = length.unwrap_or(0);
    let reading = Instant::now();
    let bytes = http::read_body(connection, length).await?;
    if !http::answer_awaited(connection, &shared.holding_uploads).await {
        shared.state().abandoned_uploads += 1;
        return None;
    }
    let received = Instant::now();
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let mut state = shared.state();
    let mut record = Upload {
        did: did.clone(),
        name: request.query("name").unwrap_or_default(),
        content_type: request
            .header("content-type")
            .unwrap_or_default()
            .to_owned(),
        bytes: length,
        arrival: received - reading,
        received,
        sha256: sha256.clone(),
        job_id: None,
    };
    let already = state
        .jobs
        .iter()
        .find(|job| job.did == did && job.sha256 == sha256 && job.state != "JOB_STATE_FAILED");
    if let Some(job) = already {
        let id = job.id.clone();
        record.job_id = Some(id.clone());
        state.uploads.push(record);
        let message = "This video has already been uploaded";
        return Some((
            "409 Conflict",
            json!({"error": "already_exists", "message": message, "jobId": id}),
        ));
    }
    if state.remaining_videos == 0 || length > state.remaining_bytes {
        state.uploads.push(record);
        let message = "You have reached your daily upload limit for videos.";
        return Some(xrpc_error(
            "400 Bad Request",
            "upload_limit_exceeded",
            message,
        ));
    }
    state.remaining_videos -= 1;
    state.remaining_bytes -= length;
    let job = Job {
        id: crate::unique("job"),
        did: did.clone(),
        sha256,
        state: "JOB_STATE_CREATED",
        progress: None,
        blob: None,
        failure: None,
        planned_failure: state.fail_next.take(),
        received,
        processing: None,
        completion_told: None,
    };
    let status = job.status();
    record.job_id = Some(job.id.clone());
    let work = processing::Work {
        job_id: job.id.clone(),
        did,
        bytes,
        content_type: record.content_type.clone(),
        token,
    };
    state.jobs.push(job);
    state.uploads.push(record);
    let lose_answer = std::mem::take(&mut state.lose_next_answer);
    drop(state);
    processing::spawn(shared.clone(), work);
    (!lose_answer).then(|| ("200 OK", json!({ "jobStatus": status })))
}

/// The checks made before the body is read: the token (for uploadBlob on the user's PDS, issued
/// by the `did` of the query), the content type and the length. The caller's token and DID.
async fn check_upload(
    shared: &Shared,
    request: &Request,
    length: Option<u64>,
) -> Result<(String, String), (&'static str, Value)> {
    let lxm = "com.atproto.repo.uploadBlob";
    let (token, claims) = authorize(shared, request, &shared.pds_did, lxm).await?;
    let did = claims["iss"].as_str().unwrap_or_default().to_owned();
    if request.query("did").as_deref() != Some(did.as_str()) {
        let message = "the did parameter is not the token's issuer";
        return Err(xrpc_error("401 Unauthorized", "InvalidToken", message));
    }
    let content_type = request.header("content-type").unwrap_or_default();
    if !VIDEO_TYPES.contains(&content_type) {
        let message = format!("unsupported content type {content_type:?}");
        return Err(xrpc_error("400 Bad Request", "InvalidRequest", &message));
    }
    if length.is_none() {
        let message = "Content-Length is required";
        return Err(xrpc_error("400 Bad Request", "InvalidRequest", message));
    }
    Ok((token, did))
}
