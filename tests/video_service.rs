//! The stand-in video service (harness/video_service.rs) against the real reference PDS, driven
//! with raw HTTP the way the official app drives video.bsky.app: tokens from the PDS's
//! getServiceAuth, getUploadLimits, uploadVideo, getJobStatus until the job ends, then a post
//! embedding the blob. Tests of the app's video posting lean on this stand-in, so its checks and
//! faults are tested here: a stand-in that let a bad token through or lost a video would make those
//! tests worthless.

use harness::pds::{pds, TestUser};
use harness::video_service::StandInVideoService;
use harness::{http_client, videos, wait};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LIMITS: &str = "app.bsky.video.getUploadLimits";
const UPLOAD_BLOB: &str = "com.atproto.repo.uploadBlob";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A service-auth token from the PDS for `user`, addressed to `aud` for method `lxm`.
async fn service_auth(user: &TestUser, aud: &str, lxm: &str, exp: Option<u64>) -> String {
    let exp = exp.map(|exp| exp.to_string());
    let mut query = vec![("aud", aud), ("lxm", lxm)];
    if let Some(exp) = &exp {
        query.push(("exp", exp));
    }
    let (status, body) = pds()
        .get(
            "com.atproto.server.getServiceAuth",
            Some(&user.access_jwt),
            &query,
        )
        .await;
    assert_eq!(status, 200, "getServiceAuth: {body}");
    body["token"].as_str().expect("token").to_owned()
}

/// The PDS's service DID, the audience of upload tokens.
async fn pds_did() -> String {
    let (status, body) = pds()
        .get("com.atproto.server.describeServer", None, &[])
        .await;
    assert_eq!(status, 200, "describeServer: {body}");
    body["did"].as_str().expect("did").to_owned()
}

/// The upload token the official app asks for: uploadBlob on the PDS, for 30 minutes.
async fn upload_token(user: &TestUser) -> String {
    service_auth(user, &pds_did().await, UPLOAD_BLOB, Some(now() + 1800)).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the video service answers");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn limits(service: &StandInVideoService, token: Option<&str>) -> (u16, Value) {
    let mut request = http_client().get(format!("{}/xrpc/{LIMITS}", service.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request).await
}

async fn upload(
    service: &StandInVideoService,
    token: Option<&str>,
    did: &str,
    file: &Path,
    content_type: &str,
) -> (u16, Value) {
    let bytes = std::fs::read(file).expect("read the test video");
    let mut request = http_client()
        .post(format!("{}/xrpc/app.bsky.video.uploadVideo", service.url))
        .query(&[("did", did), ("name", &harness::unique("v"))])
        .header("content-type", content_type)
        .body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request).await
}

async fn job_status(service: &StandInVideoService, job_id: &str) -> Value {
    let url = format!("{}/xrpc/app.bsky.video.getJobStatus", service.url);
    let (status, body) = answer(http_client().get(url).query(&[("jobId", job_id)])).await;
    assert_eq!(status, 200, "getJobStatus: {body}");
    body["jobStatus"].clone()
}

fn ended(status: &Value) -> bool {
    status["state"] == "JOB_STATE_COMPLETED" || status["state"] == "JOB_STATE_FAILED"
}

/// Polls getJobStatus until the job ends; its last status.
async fn finished(service: &StandInVideoService, job_id: &str) -> Value {
    let status = wait::poll_until(|| job_status(service, job_id), ended).await;
    assert!(ended(&status), "job {job_id} never ended: {status}");
    status
}

/// Uploads `file` as `user` with a fresh upload token; the job id of the 200 answer.
async fn upload_ok(service: &StandInVideoService, user: &TestUser, file: &Path) -> String {
    let token = upload_token(user).await;
    let (status, body) = upload(service, Some(&token), &user.did, file, "video/mp4").await;
    assert_eq!(status, 200, "uploadVideo: {body}");
    body["jobStatus"]["jobId"]
        .as_str()
        .expect("jobId")
        .to_owned()
}

#[tokio::test]
async fn an_mp4_goes_through_the_service_onto_the_pds_and_into_a_valid_post() {
    let service = StandInVideoService::start(pds()).await;
    service.set_processing_delay(Duration::from_millis(150));
    let user = pds().create_user("vid").await;
    let file = videos::mp4(320, 180, 1);
    let size = std::fs::metadata(&file).expect("video").len();

    let token = service_auth(&user, &service.did, LIMITS, None).await;
    let (status, limits_before) = limits(&service, Some(&token)).await;
    assert_eq!(status, 200, "getUploadLimits: {limits_before}");
    assert_eq!(limits_before["canUpload"], true, "{limits_before}");

    let token = upload_token(&user).await;
    let (status, body) = upload(&service, Some(&token), &user.did, &file, "video/mp4").await;
    assert_eq!(status, 200, "uploadVideo: {body}");
    assert_eq!(body["jobStatus"]["did"], user.did.as_str(), "{body}");
    assert_eq!(body["jobStatus"]["state"], "JOB_STATE_CREATED", "{body}");
    let job_id = body["jobStatus"]["jobId"]
        .as_str()
        .expect("jobId")
        .to_owned();

    let seen = Mutex::new(Vec::new());
    let status = wait::poll_until(
        || async {
            let status = job_status(&service, &job_id).await;
            seen.lock().expect("states").push(status.clone());
            status
        },
        ended,
    )
    .await;
    assert_eq!(status["state"], "JOB_STATE_COMPLETED", "{status}");
    let seen = seen.into_inner().expect("states");
    assert!(
        seen.iter()
            .any(|s| s["state"] == "JOB_STATE_ENCODING" && s["progress"].is_u64()),
        "the job reported its encoding progress: {seen:?}"
    );
    let blob = &status["blob"];
    assert_eq!(blob["size"], size, "the blob is the file: {blob}");
    assert_eq!(blob["mimeType"], "video/mp4", "{blob}");
    assert!(service.processing_time(&job_id).is_some());
    let uploads = service.uploads();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0].bytes, size);
    assert_eq!(uploads[0].content_type, "video/mp4");

    let (status, limits_after) = limits(
        &service,
        Some(&service_auth(&user, &service.did, LIMITS, None).await),
    )
    .await;
    assert_eq!(status, 200, "{limits_after}");
    assert_eq!(
        limits_after["remainingDailyVideos"].as_u64(),
        limits_before["remainingDailyVideos"]
            .as_u64()
            .map(|left| left - 1),
        "one video less today: {limits_after}"
    );

    let record = json!({
        "$type": "app.bsky.feed.post",
        "text": "a video",
        "createdAt": "2026-12-07T12:00:00.000Z",
        "embed": {
            "$type": "app.bsky.embed.video",
            "video": blob,
            "alt": "the test pattern",
            "aspectRatio": {"width": 320, "height": 180},
        },
    });
    let (status, created) = pds()
        .post(
            "com.atproto.repo.createRecord",
            Some(&user.access_jwt),
            &json!({"repo": user.did, "collection": "app.bsky.feed.post", "record": record}),
        )
        .await;
    assert_eq!(status, 200, "createRecord: {created}");
    assert_eq!(created["validationStatus"], "valid", "{created}");
    // getBlob serves a blob once a record refers to it.
    let cid = blob["ref"]["$link"].as_str().expect("blob cid");
    assert_eq!(
        pds().blob(&user.did, cid).await,
        std::fs::read(&file).expect("video"),
        "the PDS holds the very bytes sent"
    );
    let claims = service.token_claims();
    assert!(
        claims
            .iter()
            .all(|claims| claims["iss"] == user.did.as_str()),
        "{claims:?}"
    );
}

#[tokio::test]
async fn a_video_larger_than_the_pds_default_blob_limit_reaches_the_pds_whole() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidbig").await;
    let file = videos::noisy_mp4(640, 360, 1);
    let size = std::fs::metadata(&file).expect("video").len();
    assert!(
        size > 5 * 1024 * 1024,
        "bigger than the PDS's default limit: {size}"
    );
    let job = upload_ok(&service, &user, &file).await;
    let status = finished(&service, &job).await;
    assert_eq!(status["state"], "JOB_STATE_COMPLETED", "{status}");
    assert_eq!(status["blob"]["size"], size, "{status}");
    assert_eq!(service.uploads()[0].bytes, size);
}

/// Sends `head` (request line and headers, without the blank line) and `body` over a new
/// connection; the status code of the answer.
async fn raw_status(service: &StandInVideoService, head: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = service.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect to the video service");
    stream
        .write_all(format!("{head}\r\n\r\n").as_bytes())
        .await
        .expect("send");
    stream.write_all(body).await.expect("send the body");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .expect("read the answer");
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
}

#[tokio::test]
async fn an_upload_without_length_or_of_another_type_is_refused_before_any_job() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidhead").await;
    let token = upload_token(&user).await;
    let target = format!(
        "/xrpc/app.bsky.video.uploadVideo?did={}&name=a.mp4",
        user.did
    );
    let chunked = format!(
        "POST {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: video/mp4\r\nTransfer-Encoding: chunked"
    );
    assert_eq!(
        raw_status(&service, &chunked, b"5\r\nhello\r\n0\r\n\r\n").await,
        400
    );
    let (status, body) = upload(
        &service,
        Some(&token),
        &user.did,
        &videos::mp4(160, 90, 1),
        "application/octet-stream",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(service.upload_requests(), 2);
    assert_eq!(service.jobs_created(), 0);
}

/// A copy of `token` whose signature's first byte changed.
fn tampered(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a JWS");
    let first = if signature.starts_with('A') { "B" } else { "A" };
    format!("{signed}.{first}{}", &signature[1..])
}

#[tokio::test]
async fn tokens_for_another_audience_method_or_user_or_with_a_broken_signature_are_refused() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidauth").await;
    let other = pds().create_user("vidother").await;
    let file = videos::mp4(160, 90, 1);
    let pds_did = pds_did().await;

    let right = service_auth(&user, &service.did, LIMITS, None).await;
    assert_eq!(limits(&service, Some(&right)).await.0, 200);
    // (what, token, a word of the refusal's message, which names the check that refused it)
    let refused_limits = [
        ("no token", None, "Authentication Required"),
        ("garbage", Some("not.a.jwt".to_owned()), "poorly formatted"),
        (
            "the PDS's audience",
            Some(service_auth(&user, &pds_did, LIMITS, None).await),
            "audience",
        ),
        (
            "another method",
            Some(service_auth(&user, &service.did, UPLOAD_BLOB, None).await),
            "lxm",
        ),
        ("a tampered signature", Some(tampered(&right)), "signature"),
    ];
    for (what, token, why) in refused_limits {
        let (status, body) = limits(&service, token.as_deref()).await;
        assert_eq!(status, 401, "getUploadLimits with {what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(why)),
            "{what}: {body}"
        );
    }

    let right = upload_token(&user).await;
    let refused_uploads = [
        ("no token", None, "Authentication Required"),
        (
            "the service's audience",
            Some(service_auth(&user, &service.did, UPLOAD_BLOB, None).await),
            "audience",
        ),
        (
            "another method",
            Some(service_auth(&user, &pds_did, LIMITS, None).await),
            "lxm",
        ),
        (
            "another user's token",
            Some(upload_token(&other).await),
            "issuer",
        ),
        ("a tampered signature", Some(tampered(&right)), "signature"),
    ];
    for (what, token, why) in refused_uploads {
        let (status, body) =
            upload(&service, token.as_deref(), &user.did, &file, "video/mp4").await;
        assert_eq!(status, 401, "uploadVideo with {what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| m.contains(why)),
            "{what}: {body}"
        );
    }
    assert_eq!(service.upload_requests(), 5);
    assert_eq!(service.jobs_created(), 0, "no refused upload made a job");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("videxp").await;
    let exp = now() + 2;
    let token = service_auth(&user, &service.did, LIMITS, Some(exp)).await;
    let (status, body) = wait::poll_until(
        || limits(&service, Some(&token)),
        |(status, _)| *status == 401,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["message"], "jwt expired", "{body}");
    assert!(now() >= exp, "refused only once its exp had passed");
}

#[tokio::test]
async fn the_daily_quota_stops_uploads_with_a_message() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidquota").await;
    service.set_quota(1, 50_000_000);
    let limits_token = service_auth(&user, &service.did, LIMITS, None).await;
    let (_, body) = limits(&service, Some(&limits_token)).await;
    assert_eq!(body["canUpload"], true, "{body}");
    assert_eq!(body["remainingDailyVideos"], 1, "{body}");

    let job = upload_ok(&service, &user, &videos::mp4(160, 90, 1)).await;
    assert_eq!(
        finished(&service, &job).await["state"],
        "JOB_STATE_COMPLETED"
    );
    let (status, body) = limits(&service, Some(&limits_token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["canUpload"], false, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );

    let token = upload_token(&user).await;
    let second = videos::mp4(160, 90, 2);
    let (status, body) = upload(&service, Some(&token), &user.did, &second, "video/mp4").await;
    assert_eq!(status, 400, "over the video count: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{body}"
    );

    service.set_quota(5, 1000);
    let (status, body) = upload(&service, Some(&token), &user.did, &second, "video/mp4").await;
    assert_eq!(status, 400, "over the byte count: {body}");
    assert_eq!(service.jobs_created(), 1);
}

#[tokio::test]
async fn a_failed_job_says_why_and_the_same_video_can_be_sent_again() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidfail").await;
    let file = videos::mp4(160, 90, 1);
    service.fail_next_job("The video could not be decoded");
    let job = upload_ok(&service, &user, &file).await;
    let status = finished(&service, &job).await;
    assert_eq!(status["state"], "JOB_STATE_FAILED", "{status}");
    assert_eq!(
        status["message"], "The video could not be decoded",
        "{status}"
    );
    assert!(
        status["error"].is_string() && status["blob"].is_null(),
        "{status}"
    );

    let again = upload_ok(&service, &user, &file).await;
    assert_ne!(again, job);
    assert_eq!(
        finished(&service, &again).await["state"],
        "JOB_STATE_COMPLETED"
    );
}

#[tokio::test]
async fn a_pds_refusing_the_blob_fails_the_job_with_the_pds_message() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidpdsno").await;
    // The upload token expires while the job encodes: the PDS refuses it when the blob arrives.
    service.set_processing_delay(Duration::from_millis(700));
    let exp = now() + 2;
    let token = service_auth(&user, &pds_did().await, UPLOAD_BLOB, Some(exp)).await;
    let file = videos::mp4(160, 90, 1);
    let (status, body) = upload(&service, Some(&token), &user.did, &file, "video/mp4").await;
    assert_eq!(status, 200, "{body}");
    let job = body["jobStatus"]["jobId"].as_str().expect("jobId");
    let status = finished(&service, job).await;
    assert_eq!(status["state"], "JOB_STATE_FAILED", "{status}");
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.to_lowercase().contains("expired")),
        "the PDS's own message: {status}"
    );
}

#[tokio::test]
async fn the_same_bytes_again_answer_already_exists_with_the_first_job() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("viddup").await;
    let other = pds().create_user("viddup2").await;
    let file = videos::webm(160, 90, 1);
    let token = upload_token(&user).await;
    let (status, first) = upload(&service, Some(&token), &user.did, &file, "video/webm").await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = upload(&service, Some(&token), &user.did, &file, "video/webm").await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"], "already_exists", "{again}");
    assert_eq!(again["jobId"], first["jobStatus"]["jobId"], "{again}");
    assert_eq!(service.jobs_created(), 1);

    let job = upload_ok(&service, &other, &file).await;
    assert_ne!(
        json!(job),
        first["jobStatus"]["jobId"],
        "another user's job is their own"
    );
}

#[tokio::test]
async fn a_lost_answer_still_runs_the_job_and_a_service_that_went_down_comes_back() {
    let service = StandInVideoService::start(pds()).await;
    let user = pds().create_user("vidlost").await;
    let file = videos::mp4(160, 90, 1);
    service.lose_next_upload_answer();
    let token = upload_token(&user).await;
    let lost = http_client()
        .post(format!("{}/xrpc/app.bsky.video.uploadVideo", service.url))
        .query(&[("did", user.did.as_str()), ("name", "lost.mp4")])
        .header("content-type", "video/mp4")
        .bearer_auth(&token)
        .body(std::fs::read(&file).expect("video"))
        .send()
        .await;
    assert!(lost.is_err(), "no answer came: {lost:?}");
    let job = service.uploads()[0].job_id.clone().expect("a job was made");
    assert_eq!(
        finished(&service, &job).await["state"],
        "JOB_STATE_COMPLETED"
    );

    service.go_down();
    let down = http_client()
        .get(format!("{}/xrpc/{LIMITS}", service.url))
        .send()
        .await;
    assert!(
        down.is_err(),
        "a service that is down refuses connections: {down:?}"
    );
    service.come_back().await;
    let limits_token = service_auth(&user, &service.did, LIMITS, None).await;
    assert_eq!(limits(&service, Some(&limits_token)).await.0, 200);
}

/// What ffprobe says of a file: `stream=…` entries of its first video stream, as JSON.
fn probe(file: &Path) -> Value {
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-of",
            "json",
            "-show_entries",
        ])
        .arg("stream=codec_name,width,height:stream_side_data=rotation")
        .arg(file)
        .output()
        .expect("ffprobe (package ffmpeg) runs");
    assert!(output.status.success(), "ffprobe {}", file.display());
    serde_json::from_slice::<Value>(&output.stdout).expect("ffprobe json")["streams"][0].clone()
}

#[test]
fn the_test_videos_are_what_they_say() {
    let cases = [
        (videos::mp4(320, 180, 1), "h264", 320, 180),
        (videos::portrait_mp4(180, 320, 1), "h264", 180, 320),
        (videos::rotated_mp4(320, 180, 1), "h264", 320, 180),
        (videos::mov(320, 180, 1), "h264", 320, 180),
        (videos::webm(320, 180, 1), "vp9", 320, 180),
        (videos::gif(160, 90, 1), "gif", 160, 90),
    ];
    for (file, codec, width, height) in cases {
        let stream = probe(&file);
        assert_eq!(stream["codec_name"], codec, "{}: {stream}", file.display());
        assert_eq!(
            (stream["width"].clone(), stream["height"].clone()),
            (json!(width), json!(height))
        );
    }
    let rotation =
        probe(&videos::rotated_mp4(320, 180, 1))["side_data_list"][0]["rotation"].clone();
    assert!(
        rotation.as_i64().is_some_and(|degrees| degrees.abs() == 90),
        "the phone-like MP4 turns a quarter: {rotation}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let vtt = videos::captions_vtt(
        dir.path(),
        "en.vtt",
        &[(0.0, 1.5, "Hello"), (61.25, 62.0, "Bye")],
    );
    assert_eq!(
        std::fs::read_to_string(vtt).expect("vtt"),
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello\n\n00:01:01.250 --> 00:01:02.000\nBye\n"
    );
}
