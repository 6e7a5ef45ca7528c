//! The video benchmark (issue 20 › Measure), for scripts/bench-video.sh: a 100 MB video posted
//! with the release `hayon-cli` against the stand-in video service (the real one cannot run here;
//! `harness::video_service`) and the reference PDS, against a text-only post by the same CLI and
//! account in the same run: how long Hayon takes beyond the service's own processing, how fast it
//! uploads, and how much memory the video adds.
//!
//! `bench-video CLI`: one account connected; the video is `videos::noisy_mp4` 640×360 for
//! [`SECONDS`] s (lossless noise, so its size is real picture data, about 100 MB) with a 16-byte
//! `free` box appended, whose last 8 bytes are the round's number: every round uploads bytes the
//! service has not seen (it answers bytes it has seen from the account with the first job, which
//! would cost nothing). `ROUNDS` rounds (default 5), each a text-only post then the video
//! post, every `hayon-cli post` timed from spawn to exit (that is, to the record written) while
//! its `/proc/PID/status` (`VmHWM`, the peak resident memory) and `/proc/PID/io` (`rchar`, the
//! bytes it read from files) are sampled every [`SAMPLE`]. The stand-in gives its own time for the
//! round's job (from the upload's last byte read to the job completed, the blob put on the PDS
//! included: subtracted from the wall time, what is left is Hayon's overhead), when the upload's
//! body arrived (the upload rate) and when getJobStatus first told the job completed: the overhead
//! is split at those moments. For the last part (the record written), the PDS alone writes a post
//! with a new 100 MB blob as the reference. Prints medians as Markdown, and each round on stderr.

use harness::cli::CliEnv;
use harness::measure::{self, median};
use harness::pds::{pds, TestUser};
use harness::video_service::StandInVideoService;
use harness::{keychain, videos};
use serde_json::{json, Value};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The video's length: about 11 MB a second at 640×360.
const SECONDS: u32 = 9;
const SAMPLE: Duration = Duration::from_millis(5);
const MB: f64 = 1_000_000.0;
const MIB: f64 = 1024.0 * 1024.0;

struct Bench {
    cli: PathBuf,
    env: CliEnv,
    user: TestUser,
    service: StandInVideoService,
    dir: tempfile::TempDir,
    /// The padded copy posted each round, and its size.
    video: PathBuf,
    size: u64,
}

/// One `hayon-cli` run, as sampled from outside.
struct Run {
    started: Instant,
    wall: Duration,
    /// `VmHWM`, bytes.
    peak: u64,
    /// `rchar` at its last sample: the bytes it read (files, not sockets).
    read: u64,
    answer: Value,
}

#[derive(Default)]
struct Measures {
    text_wall: Vec<f64>,
    text_peak: Vec<f64>,
    video_wall: Vec<f64>,
    video_peak: Vec<f64>,
    processing: Vec<f64>,
    overhead: Vec<f64>,
    upload_rate: Vec<f64>,
    /// Hayon's part of the video post's wall time, in four parts (s): from spawn to the upload's
    /// start (the file checked, two tokens, the allowance), the upload, from the job completed to
    /// the getJobStatus that told it (the poll's lag), and from there to exit (the record written).
    before_upload: Vec<f64>,
    upload: Vec<f64>,
    poll_lag: Vec<f64>,
    after_told: Vec<f64>,
    /// The PDS alone: createRecord of a post with a new 100 MB blob (s).
    pds_write: Vec<f64>,
    /// MB read by the video post (`rchar`).
    read: Vec<f64>,
}

impl Bench {
    /// `hayon-cli --json ARGS` with `stdin`, in this data folder, sent to the stand-in service.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cli);
        command
            .arg("--json")
            .args(args)
            .env("HAYON_DATA_DIR", self.env.path())
            .env("HAYON_KEYCHAIN_SERVICE", &self.env.keychain_service)
            .env("HAYON_VIDEO_SERVICE", &self.service.url)
            .env("HAYON_VIDEO_SERVICE_DID", &self.service.did)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// `hayon-cli post` of `text` (and ARGS), timed and sampled; it must succeed.
    fn post(&self, text: &str, args: &[&str]) -> Run {
        let text_file = self.dir.path().join("text.txt");
        std::fs::write(&text_file, text).expect("write the text");
        let mut all = vec![
            "post",
            "--account",
            &self.user.did,
            "--lang",
            "en",
            "--text-file",
        ];
        all.push(text_file.to_str().expect("utf-8 path"));
        all.extend_from_slice(args);
        let started = Instant::now();
        let mut child = self
            .command(&all)
            .stdin(Stdio::null())
            .spawn()
            .expect("hayon-cli runs");
        let pid = child.id();
        let (mut peak, mut read) = (0, 0);
        while child.try_wait().expect("try_wait").is_none() {
            if let Some(bytes) = measure::peak_memory(pid) {
                peak = peak.max(bytes);
            }
            read = measure::proc_field(pid, "io", "rchar:").unwrap_or(read);
            std::thread::sleep(SAMPLE);
        }
        let output = child.wait_with_output().expect("hayon-cli ends");
        let wall = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "hayon-cli post: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Run {
            started,
            wall,
            peak,
            read,
            answer: serde_json::from_str(&stdout).expect("one JSON document"),
        }
    }

    /// The round's bytes: its number in the last 8 bytes (inside the `free` box).
    fn mark_round(&self, round: u64) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.video)
            .expect("open the video");
        file.seek(SeekFrom::End(-8)).expect("seek");
        file.write_all(&round.to_be_bytes())
            .expect("mark the round");
    }

    /// The PDS alone, for the part after the job: seconds `createRecord` takes for a post that
    /// embeds a 100 MB blob just uploaded (the round's bytes marked apart from the video's), as the
    /// record Hayon writes does (the PDS makes the blob permanent then).
    async fn pds_write(&self, round: u64) -> f64 {
        self.mark_round(round | 1 << 63);
        let bytes = std::fs::read(&self.video).expect("the video");
        let user = &self.user;
        let upload = harness::http_client()
            .post(pds().xrpc("com.atproto.repo.uploadBlob"))
            .bearer_auth(&user.access_jwt)
            .header("content-type", "video/mp4")
            .body(bytes)
            .send()
            .await
            .expect("uploadBlob");
        assert_eq!(upload.status(), 200, "uploadBlob");
        let blob: Value = upload.json().await.expect("uploadBlob's answer");
        let record = json!({
            "$type": "app.bsky.feed.post",
            "text": harness::unique("The PDS alone "),
            "createdAt": jiff::Timestamp::now().to_string(),
            "embed": {"$type": "app.bsky.embed.video", "video": blob["blob"]},
        });
        let body = json!({"repo": user.did, "collection": "app.bsky.feed.post", "record": record});
        let started = Instant::now();
        let (status, answer) = pds()
            .post(
                "com.atproto.repo.createRecord",
                Some(&user.access_jwt),
                &body,
            )
            .await;
        let took = started.elapsed().as_secs_f64();
        assert_eq!(status, 200, "createRecord: {answer}");
        took
    }

    async fn round(&self, round: u64, into: &mut Measures) {
        let text = self.post(&harness::unique("A text-only post "), &[]);
        assert!(text.answer[0].get("embed").is_none(), "{}", text.answer);

        self.mark_round(round);
        let video = self.video.to_str().expect("utf-8 path");
        let posted = self.post(
            &harness::unique("A 100 MB video "),
            &["--video", video, "--alt", "Noise over a test pattern"],
        );
        assert_eq!(
            posted.answer[0]["embed"], "app.bsky.embed.video",
            "{}",
            posted.answer
        );
        let record = pds()
            .read_record(posted.answer[0]["uri"].as_str().expect("uri"))
            .await;
        assert_eq!(record["embed"]["video"]["size"], self.size);
        let uploads = self.service.uploads();
        assert_eq!(uploads.len() as u64, round, "one new upload a round");
        let upload = uploads.last().expect("this round's upload");
        assert_eq!(upload.bytes, self.size);
        let job = upload.job_id.as_deref().expect("a job");
        let processing = self
            .service
            .processing_time(job)
            .expect("the job completed");
        let upload_start = upload.received - upload.arrival;
        let before_upload = upload_start.duration_since(posted.started).as_secs_f64();
        let poll_lag = self.service.completion_lag(job).expect("completion told");
        let after_told = (posted.started + posted.wall)
            .duration_since(upload.received + processing + poll_lag)
            .as_secs_f64();
        let poll_lag = poll_lag.as_secs_f64();
        let processing = processing.as_secs_f64();
        let wall = posted.wall.as_secs_f64();
        let rate = upload.bytes as f64 / upload.arrival.as_secs_f64();
        let arrival = upload.arrival.as_secs_f64();
        eprintln!(
            "round {round}: text {:.3} s {:.1} MiB; video {wall:.3} s = {before_upload:.3} + \
             upload {arrival:.3} + service {processing:.3} + poll {poll_lag:.3} + \
             {after_told:.3}; {:.1} MiB, read \
             {:.1} MB, {:.0} MB/s",
            text.wall.as_secs_f64(),
            text.peak as f64 / MIB,
            posted.peak as f64 / MIB,
            posted.read as f64 / MB,
            rate / MB,
        );
        into.text_wall.push(text.wall.as_secs_f64());
        into.text_peak.push(text.peak as f64 / MIB);
        into.video_wall.push(wall);
        into.video_peak.push(posted.peak as f64 / MIB);
        into.processing.push(processing);
        into.overhead.push(wall - processing);
        into.upload_rate.push(rate / MB);
        into.before_upload.push(before_upload);
        into.upload.push(arrival);
        into.poll_lag.push(poll_lag);
        into.after_told.push(after_told);
        into.pds_write.push(self.pds_write(round).await);
        into.read.push(posted.read as f64 / MB);
    }
}

/// The noisy MP4 with a 16-byte `free` box after it, copied into `dir`.
fn padded_video(dir: &Path) -> PathBuf {
    let source = videos::noisy_mp4(640, 360, SECONDS);
    let target = dir.join("video.mp4");
    std::fs::copy(&source, &target).expect("copy the video");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&target)
        .expect("open the copy");
    file.write_all(&16u32.to_be_bytes())
        .and_then(|()| file.write_all(b"free"))
        .and_then(|()| file.write_all(&[0; 8]))
        .expect("append the free box");
    target
}

/// `account connect` of the bench's user with an app password.
fn connect(bench: &Bench, password: &str) {
    let user = &bench.user;
    let mut child = bench
        .command(&[
            "account",
            "connect",
            "--identifier",
            &user.handle,
            "--service",
            &pds().url,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .expect("hayon-cli runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("stdin written");
    let output = child.wait_with_output().expect("hayon-cli ends");
    assert!(output.status.success(), "account connect failed");
}

// The stand-in serves on this runtime's workers while the main task blocks on each CLI run.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [cli] = args.as_slice() else {
        panic!("usage: bench-video PATH/TO/hayon-cli");
    };
    let rounds: u64 = std::env::var("ROUNDS")
        .ok()
        .map(|n| n.parse().expect("ROUNDS is a number"))
        .unwrap_or(5);
    keychain::require_secret_service();
    let service = StandInVideoService::start(pds()).await;
    // Enough allowance for any number of rounds (25 videos a day otherwise).
    service.set_quota(1000, 1_000_000_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let video = padded_video(dir.path());
    let size = std::fs::metadata(&video).expect("the video").len();
    eprintln!("video: {size} bytes, {}", video.display());
    let user = pds().create_user("bv").await;
    let password = pds().create_app_password(&user, "hayon").await;
    let bench = Bench {
        cli: std::fs::canonicalize(cli).expect("the CLI binary"),
        env: CliEnv::new(),
        user,
        service,
        dir,
        video,
        size,
    };
    connect(&bench, &password);
    let mut measures = Measures::default();
    for round in 1..=rounds {
        bench.round(round, &mut measures).await;
    }
    print_table(&measures, size, rounds);
}

fn print_table(m: &Measures, size: u64, rounds: u64) {
    let text_wall = median(&m.text_wall);
    println!(
        "video: {size} bytes ({:.1} MB); {rounds} rounds, medians (each row its own median)",
        size as f64 / MB
    );
    println!("| measure | text-only post | video post | ratio |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, text: Option<f64>, video: f64| match text {
        Some(text) => println!("| {name} | {text:.3} | {video:.3} | {:.2}× |", video / text),
        None => println!("| {name} | | {video:.3} | |"),
    };
    row(
        "wall time, spawn to exit (s)",
        Some(text_wall),
        median(&m.video_wall),
    );
    row("the stand-in's processing (s)", None, median(&m.processing));
    row(
        "**Hayon's overhead**: wall − processing (s)",
        Some(text_wall),
        median(&m.overhead),
    );
    row(
        "… before the upload: file checked, 2 tokens, allowance (s)",
        None,
        median(&m.before_upload),
    );
    row("… the upload (s)", None, median(&m.upload));
    row(
        "… the completed job waiting for the next poll (s)",
        None,
        median(&m.poll_lag),
    );
    row(
        "… then the record written, exit (s)",
        None,
        median(&m.after_told),
    );
    row(
        "reference: the PDS alone writing a post with a new 100 MB blob (s)",
        None,
        median(&m.pds_write),
    );
    row(
        "upload rate, as the stand-in received it (MB/s)",
        None,
        median(&m.upload_rate),
    );
    row("bytes read from files (MB)", None, median(&m.read));
    row(
        "peak memory, VmHWM (MiB)",
        Some(median(&m.text_peak)),
        median(&m.video_peak),
    );
}
