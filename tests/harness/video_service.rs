//! A STAND-IN for Bluesky's video service (video.bsky.app) — not the real one, which is Bluesky's
//! own closed service and cannot run here. Toward a client it behaves as the real one does
//! (/work/shared/protocol.md › Media): `app.bsky.video.getUploadLimits`, `uploadVideo` and
//! `getJobStatus` over XRPC, service-auth tokens verified against the issuer's DID document in the
//! test's PLC directory, a daily quota, a job that goes through its states in the background and
//! ends with the blob put on the user's PDS (`com.atproto.repo.uploadBlob` with the user's own
//! token), and `409 already_exists` for bytes the user already uploaded. Its output is an MP4, as
//! the real one's: a MOV, WebM or GIF is made one with ffmpeg, an MP4 reaches the PDS as it came.
//!
//! Assumed where the real service's behaviour is not known: an upload without `Content-Length` is
//! refused (400), over-quota uploads answer 400 `upload_limit_exceeded`, the quota is one for the
//! whole stand-in (each test starts its own), a failed job does not count for `already_exists`,
//! getJobStatus needs no token (the official app calls it without one) and answers 404 `NotFound`
//! for an unknown job, and only ES256K tokens are accepted (what PDSes sign with today).
//!
//! Tests switch faults on at run time ([`StandInVideoService::fail_next_job`],
//! [`StandInVideoService::lose_next_upload_answer`], [`StandInVideoService::go_down`], …) and read
//! what it received ([`StandInVideoService::uploads`], [`StandInVideoService::token_claims`], …).
//! Two holds are stand-in behaviour only, so a test can act while an upload or a job is under way
//! (a client's Cancel): [`StandInVideoService::hold_upload_answers`] keeps a read upload waiting
//! for its answer, and [`StandInVideoService::hold_jobs`] keeps a job at the start of its encoding,
//! each until released.

mod http;
mod processing;
mod service_auth;
mod xrpc;

use crate::pds::TestPds;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The DID the stand-in has: the audience of getUploadLimits tokens.
const DID: &str = "did:web:video.stand-in.test";

#[derive(Debug)]
pub struct StandInVideoService {
    /// `http://127.0.0.1:PORT` (the same after [`StandInVideoService::come_back`]).
    pub url: String,
    /// Its service DID (`did:web:video.stand-in.test`): the `aud` of getUploadLimits tokens.
    pub did: String,
    address: SocketAddr,
    shared: Arc<Shared>,
    /// The accept loop; `None` while the service is down.
    accepting: Mutex<Option<JoinHandle<()>>>,
}

/// One uploadVideo request whose body was read to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The `did` query parameter.
    pub did: String,
    /// The `name` query parameter.
    pub name: String,
    pub content_type: String,
    /// The body's length.
    pub bytes: u64,
    /// From the token accepted to the body's last byte read: how long the upload took to arrive
    /// (for a benchmark's upload rate).
    pub arrival: Duration,
    /// When its last byte was read (where [`StandInVideoService::processing_time`] starts).
    pub received: Instant,
    /// The body's SHA-256, hex.
    pub sha256: String,
    /// The job it made or named (409), `None` when it was refused.
    pub job_id: Option<String>,
}

#[derive(Debug)]
struct Shared {
    plc_url: String,
    /// The PDS's service DID (its describeServer `did`): the `aud` of upload tokens.
    pds_did: String,
    state: Mutex<State>,
    /// True while uploads wait for their answer ([`StandInVideoService::hold_upload_answers`]).
    holding_uploads: tokio::sync::watch::Sender<bool>,
    /// True while jobs wait at the start of encoding ([`StandInVideoService::hold_jobs`]).
    holding_jobs: tokio::sync::watch::Sender<bool>,
}

#[derive(Debug)]
struct State {
    remaining_videos: u64,
    remaining_bytes: u64,
    fail_next: Option<String>,
    lose_next_answer: bool,
    step_delay: Duration,
    upload_requests: usize,
    /// Uploads read whole whose client hung up while their answer was held.
    abandoned_uploads: usize,
    uploads: Vec<Upload>,
    tokens: Vec<Value>,
    jobs: Vec<Job>,
}

#[derive(Debug)]
struct Job {
    id: String,
    did: String,
    sha256: String,
    state: &'static str,
    progress: Option<u8>,
    blob: Option<Value>,
    /// The error name and message of a failed job.
    failure: Option<(String, String)>,
    /// Set by [`StandInVideoService::fail_next_job`] for this job.
    planned_failure: Option<String>,
    /// When its upload had been read.
    received: Instant,
    /// From `received` to `JOB_STATE_COMPLETED`.
    processing: Option<Duration>,
    /// When getJobStatus first answered `JOB_STATE_COMPLETED`.
    completion_told: Option<Instant>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("video service state")
    }

    fn with_job<T>(&self, id: &str, change: impl FnOnce(&mut Job) -> T) -> Option<T> {
        self.state()
            .jobs
            .iter_mut()
            .find(|job| job.id == id)
            .map(change)
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut Job)) {
        self.with_job(id, change);
    }
}

impl StandInVideoService {
    /// Starts the stand-in on loopback for accounts of `pds`: it learns the PDS's service DID from
    /// its describeServer and resolves DIDs in its PLC directory. Quota: 25 videos and 10 GB a day.
    pub async fn start(pds: &TestPds) -> Self {
        let (status, described) = pds
            .get("com.atproto.server.describeServer", None, &[])
            .await;
        assert_eq!(status, 200, "describeServer: {described}");
        let shared = Arc::new(Shared {
            plc_url: pds.plc_url.clone(),
            pds_did: described["did"].as_str().expect("the PDS's did").to_owned(),
            state: Mutex::new(State {
                remaining_videos: 25,
                remaining_bytes: 10_000_000_000,
                fail_next: None,
                lose_next_answer: false,
                step_delay: Duration::from_millis(40),
                upload_requests: 0,
                abandoned_uploads: 0,
                uploads: Vec::new(),
                tokens: Vec::new(),
                jobs: Vec::new(),
            }),
            holding_uploads: tokio::sync::watch::Sender::new(false),
            holding_jobs: tokio::sync::watch::Sender::new(false),
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the video service");
        let address = listener.local_addr().expect("video service address");
        Self {
            url: format!("http://{address}"),
            did: DID.to_owned(),
            address,
            accepting: Mutex::new(Some(accept(listener, shared.clone()))),
            shared,
        }
    }

    /// Stops listening: connections are refused until [`StandInVideoService::come_back`]. Jobs
    /// already running go on.
    pub fn go_down(&self) {
        if let Some(task) = self.accepting.lock().expect("accept task").take() {
            task.abort();
        }
    }

    /// Listens again on the same address after [`StandInVideoService::go_down`].
    pub async fn come_back(&self) {
        let listener = TcpListener::bind(self.address)
            .await
            .expect("bind the video service's address again");
        let mut accepting = self.accepting.lock().expect("accept task");
        *accepting = Some(accept(listener, self.shared.clone()));
    }

    /// The next job made ends `JOB_STATE_FAILED` with error `processing_failed` and `message`
    /// (instead of reaching the PDS).
    pub fn fail_next_job(&self, message: &str) {
        self.shared.state().fail_next = Some(message.to_owned());
    }

    /// What is left of today's quota from now on: `videos` uploads, `bytes` in all.
    pub fn set_quota(&self, videos: u64, bytes: u64) {
        let mut state = self.shared.state();
        state.remaining_videos = videos;
        state.remaining_bytes = bytes;
    }

    /// The next upload is read, and its job made and run, but the connection closes without an
    /// answer (an answer lost on the way): a client must not upload or post twice.
    pub fn lose_next_upload_answer(&self) {
        self.shared.state().lose_next_answer = true;
    }

    /// How long each processing step lasts (created, five encoding steps; 40 ms unless set).
    pub fn set_processing_delay(&self, step: Duration) {
        self.shared.state().step_delay = step;
    }

    /// From now on an upload, once its body is read, waits for its answer (no job is made yet)
    /// until [`StandInVideoService::release_upload_answers`]; a client that hangs up meanwhile
    /// leaves no job and counts in [`StandInVideoService::abandoned_uploads`].
    pub fn hold_upload_answers(&self) {
        self.shared.holding_uploads.send_replace(true);
    }

    /// Lets held uploads (and those to come) be answered.
    pub fn release_upload_answers(&self) {
        self.shared.holding_uploads.send_replace(false);
    }

    /// How many uploads were read whole but abandoned by their client while held.
    pub fn abandoned_uploads(&self) -> usize {
        self.shared.state().abandoned_uploads
    }

    /// From now on a job stays `JOB_STATE_ENCODING` at 0% until [`StandInVideoService::release_jobs`].
    pub fn hold_jobs(&self) {
        self.shared.holding_jobs.send_replace(true);
    }

    /// Lets held jobs (and those to come) run to their end.
    pub fn release_jobs(&self) {
        self.shared.holding_jobs.send_replace(false);
    }

    /// How many uploadVideo requests arrived (refused ones too).
    pub fn upload_requests(&self) -> usize {
        self.shared.state().upload_requests
    }

    /// How many jobs were made.
    pub fn jobs_created(&self) -> usize {
        self.shared.state().jobs.len()
    }

    /// The uploads whose body was read, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.state().uploads.clone()
    }

    /// The claims (unverified, as sent) of every token presented, each with `"method"` added: the
    /// XRPC method it came with. The raw tokens are not kept.
    pub fn token_claims(&self) -> Vec<Value> {
        self.shared.state().tokens.clone()
    }

    /// The job's status as getJobStatus answers it.
    pub fn job_status(&self, job_id: &str) -> Option<Value> {
        self.shared.with_job(job_id, |job| job.status())
    }

    /// The stand-in's own time for a completed job, from its upload read to completion (a
    /// benchmark subtracts it from the client's total to see the client's overhead).
    pub fn processing_time(&self, job_id: &str) -> Option<Duration> {
        self.shared.with_job(job_id, |job| job.processing).flatten()
    }

    /// How late the client learnt of the job's completion: from `JOB_STATE_COMPLETED` to the first
    /// getJobStatus that answered it (how long its polling let the finished job wait).
    pub fn completion_lag(&self, job_id: &str) -> Option<Duration> {
        self.shared
            .with_job(job_id, |job| {
                Some(job.completion_told? - (job.received + job.processing?))
            })
            .flatten()
    }
}

impl Drop for StandInVideoService {
    fn drop(&mut self) {
        self.go_down();
    }
}

fn accept(listener: TcpListener, shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(xrpc::serve(
                tokio::io::BufReader::new(stream),
                shared.clone(),
            ));
        }
    })
}
