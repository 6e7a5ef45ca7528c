//! Videos through `hayon-cli post`, against the reference PDS and the stand-in video service (the
//! real one cannot run here; `harness::video_service`): an MP4, a phone's portrait MP4 (stored
//! sideways with a rotation), an upright portrait one, a MOV, a WebM and an animated GIF, each with
//! alt text and a caption, are posted as `app.bsky.embed.video` with the shape a viewer sees (the
//! service's MP4 in the record), and read back from the PDS; a file over 300 MB and one over 10
//! minutes are refused before anything is sent; the service's refusals (allowance spent, a failed
//! job, the service down) are passed on in its words and post nothing, and a post held by one goes
//! once when sent again; an upload whose answer is lost makes one post. Ctrl-C while the service
//! processes the video cancels the post: nothing posted, no row left, and posting again posts once. The upload streams: posting
//! a 290 MB video peaks within 64 MiB of a post without one. A scheduled video is kept as a copy
//! (the original may go) and goes at its time, its copies deleted once it has.

use harness::cli::{CliEnv, CliOutput};
use harness::keychain;
use harness::pds::{pds, TestUser};
use harness::video_service::StandInVideoService;
use harness::videos;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

const MIB: u64 = 1024 * 1024;

/// A connected account whose CLI sends videos to its own stand-in service.
struct Rig {
    env: CliEnv,
    user: TestUser,
    service: StandInVideoService,
    dir: tempfile::TempDir,
}

impl Rig {
    async fn new(prefix: &str) -> Self {
        keychain::require_secret_service();
        let service = StandInVideoService::start(pds()).await;
        let env = CliEnv::new();
        let user = env.connect_new_user(prefix).await;
        Self {
            env,
            user,
            service,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn service_env(&self) -> [(&str, &str); 2] {
        [
            ("HAYON_VIDEO_SERVICE", self.service.url.as_str()),
            ("HAYON_VIDEO_SERVICE_DID", self.service.did.as_str()),
        ]
    }

    /// `hayon-cli post --account ME --text-file (text) ARGS…`.
    fn post(&self, text: &str, args: &[&str]) -> CliOutput {
        let text_file = self
            .dir
            .path()
            .join(format!("{}.txt", harness::unique("text")));
        std::fs::write(&text_file, text).expect("write the text");
        let mut all = vec![
            "post",
            "--account",
            self.user.did.as_str(),
            "--lang",
            "en",
            "--text-file",
            text_file.to_str().expect("utf-8 path"),
        ];
        all.extend_from_slice(args);
        self.env.run_with_env(&all, "", &self.service_env())
    }

    fn caption(&self, name: &str) -> PathBuf {
        videos::captions_vtt(self.dir.path(), name, &[(0.0, 1.5, "A test pattern")])
    }

    async fn posts_with_text(&self, text: &str) -> Vec<Value> {
        pds().posts_with_text(&self.user.did, text).await
    }

    /// Runs `hayon-cli --json ARGS`, presses Ctrl-C once the service has a new job (held by
    /// [`StandInVideoService::hold_jobs`]), and waits for it to end: its output (exit status 1
    /// asserted, and the word on stderr) and the job's id.
    async fn interrupted_while_processing(&self, args: &[&str]) -> (CliOutput, String) {
        let jobs = self.service.jobs_created();
        let mut command = self.env.command(args);
        command
            .envs(self.service_env())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().expect("spawn hayon-cli");
        let job = harness::wait::poll_until(
            || {
                let made = self.service.jobs_created() > jobs;
                let uploads = self.service.uploads();
                let job = uploads.last().and_then(|upload| upload.job_id.clone());
                async move { job.filter(|_| made) }
            },
            Option::is_some,
        )
        .await
        .expect("the video's job");
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("Ctrl-C");
        let exited = harness::wait::poll_until(
            || {
                let exited = child.try_wait().expect("hayon-cli's state");
                async move { exited }
            },
            Option::is_some,
        )
        .await;
        if exited.is_none() {
            let _ = child.kill();
            panic!("hayon-cli went on after Ctrl-C");
        }
        let ended = child.wait_with_output().expect("hayon-cli's output");
        let stderr = String::from_utf8_lossy(&ended.stderr).into_owned();
        assert_eq!(ended.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("Cancelling"), "{stderr}");
        let json = serde_json::from_slice(&ended.stdout).expect("one JSON answer");
        let output = CliOutput {
            code: 1,
            json,
            stderr,
        };
        (output, job)
    }

    /// Lets the held jobs go and waits until job `id` is complete (its blob on the PDS).
    async fn job_ends(&self, id: &str) {
        self.service.release_jobs();
        harness::wait::assert_becomes(
            "the job's end",
            Some("JOB_STATE_COMPLETED".to_owned()),
            || async {
                let status = self.service.job_status(id);
                status.and_then(|status| status["state"].as_str().map(str::to_owned))
            },
        )
        .await;
    }
}

fn path(file: &Path) -> &str {
    file.to_str().expect("utf-8 path")
}

// The stand-in serves on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_video_is_posted_with_its_alt_text_caption_and_shape_as_shown() {
    let rig = Rig::new("vid").await;
    let caption = rig.caption("en.vtt");
    let caption_bytes = std::fs::read(&caption).expect("caption");
    // (file, the Content-Type it is sent with, the extension of its name, the shape shown)
    let kinds = [
        (videos::mp4(320, 240, 2), "video/mp4", "mp4", (320, 240)),
        (
            videos::rotated_mp4(320, 180, 2),
            "video/mp4",
            "mp4",
            (180, 320),
        ),
        (
            videos::portrait_mp4(180, 320, 2),
            "video/mp4",
            "mp4",
            (180, 320),
        ),
        (
            videos::mov(320, 240, 2),
            "video/quicktime",
            "mov",
            (320, 240),
        ),
        (videos::webm(256, 144, 2), "video/webm", "webm", (256, 144)),
        (videos::gif(160, 120, 2), "image/gif", "gif", (160, 120)),
    ];
    for (index, (file, content_type, extension, (width, height))) in kinds.iter().enumerate() {
        let text = format!("Video {index} {}", harness::unique("v"));
        let alt = format!("A test pattern, number {index}");
        let answer = rig
            .post(
                &text,
                &[
                    "--video",
                    path(file),
                    "--alt",
                    &alt,
                    "--caption",
                    &format!("en={}", path(&caption)),
                ],
            )
            .expect_ok();
        assert_eq!(answer[0]["embed"], "app.bsky.embed.video", "{answer}");
        let uri = answer[0]["uri"].as_str().expect("uri");
        let record = pds().read_record(uri).await;
        let embed = &record["embed"];
        assert_eq!(embed["$type"], "app.bsky.embed.video", "{record}");
        assert_eq!(embed["alt"], alt.as_str());
        assert_eq!(embed["aspectRatio"]["width"], *width, "{file:?}: {embed}");
        assert_eq!(embed["aspectRatio"]["height"], *height, "{file:?}: {embed}");
        // What the service made is an MP4; the stand-in passes an MP4 through as it was.
        assert_eq!(embed["video"]["mimeType"], "video/mp4");
        let cid = embed["video"]["ref"]["$link"].as_str().expect("video cid");
        let posted = pds().blob(&rig.user.did, cid).await;
        assert_eq!(embed["video"]["size"], posted.len() as u64);
        if *content_type == "video/mp4" {
            assert!(
                posted == std::fs::read(file).expect("the video"),
                "{file:?}"
            );
        } else {
            assert_eq!(&posted[4..8], b"ftyp", "{file:?} made an MP4");
        }
        let captions = embed["captions"].as_array().expect("captions");
        assert_eq!(captions.len(), 1, "{embed}");
        assert_eq!(captions[0]["lang"], "en");
        assert_eq!(captions[0]["file"]["mimeType"], "text/vtt");
        let cid = captions[0]["file"]["ref"]["$link"]
            .as_str()
            .expect("caption cid");
        assert_eq!(pds().blob(&rig.user.did, cid).await, caption_bytes);

        let uploads = rig.service.uploads();
        let upload = uploads.last().expect("an upload");
        assert_eq!(uploads.len(), index + 1, "one upload per video");
        assert_eq!(upload.content_type, *content_type, "{file:?}");
        assert!(
            upload.name.ends_with(&format!(".{extension}")),
            "{upload:?}"
        );
        assert_eq!(upload.did, rig.user.did);
    }
    // The tokens: the allowance asked with one for the service, the upload with one for the PDS
    // (its own DID), for uploadBlob, for 30 minutes.
    let claims = rig.service.token_claims();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let limits: Vec<&Value> = claims
        .iter()
        .filter(|claim| claim["method"] == "app.bsky.video.getUploadLimits")
        .collect();
    assert_eq!(limits.len(), kinds.len(), "{claims:?}");
    assert!(limits
        .iter()
        .all(|claim| claim["aud"] == rig.service.did.as_str()));
    let uploads: Vec<&Value> = claims
        .iter()
        .filter(|claim| claim["method"] == "app.bsky.video.uploadVideo")
        .collect();
    assert_eq!(uploads.len(), kinds.len(), "{claims:?}");
    for claim in uploads {
        assert_eq!(claim["aud"], "did:web:localhost", "{claim}");
        assert_eq!(claim["lxm"], "com.atproto.repo.uploadBlob", "{claim}");
        let exp = claim["exp"].as_i64().expect("exp");
        assert!(
            (now + 1500..=now + 1860).contains(&exp),
            "exp {exp}, now {now}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_video_over_300_mb_or_10_minutes_is_refused_before_anything_is_sent() {
    let rig = Rig::new("vidlim").await;
    // 300,000,001 bytes that start as an MP4 (sparse: nothing is written beyond the header).
    let large = rig.dir.path().join("large.mp4");
    let mut file = std::fs::File::create(&large).expect("create");
    file.write_all(b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41")
        .expect("header");
    file.set_len(300_000_001).expect("set_len");
    let refused = rig.post("Too large", &["--video", path(&large)]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert_eq!(refused.error_code(), "validation", "{refused:?}");
    let message = refused.json["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("large.mp4 is 300 MB; Bluesky takes videos up to 300 MB"),
        "{message}"
    );

    let long = videos::mp4(64, 64, 11 * 60);
    let refused = rig.post("Too long", &["--video", path(&long)]);
    assert_eq!(refused.error_code(), "validation", "{refused:?}");
    let message = refused.json["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("is 11 min; Bluesky takes videos up to 10 minutes"),
        "{message}"
    );

    let not_a_video = rig.dir.path().join("notes.mp4");
    std::fs::write(&not_a_video, "just some text").expect("write");
    let refused = rig.post("Not a video", &["--video", path(&not_a_video)]);
    assert_eq!(refused.error_code(), "validation", "{refused:?}");

    assert_eq!(rig.service.upload_requests(), 0);
    assert!(rig.service.token_claims().is_empty(), "nothing was asked");
    let outbox = rig.env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(outbox, serde_json::json!([]), "no row was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_refusals_are_passed_on_and_a_held_post_goes_once_when_sent_again() {
    let rig = Rig::new("vidfail").await;
    let video = videos::mp4(320, 240, 2);
    let size = std::fs::metadata(&video).expect("size").len();

    // The day's allowance: spent, then too small for this video.
    rig.service.set_quota(0, 0);
    let text = harness::unique("Allowance spent");
    let refused = rig.post(&text, &["--video", path(&video)]);
    assert_eq!(refused.code, 1, "{refused:?}");
    let error = &refused.json[0]["error"];
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.contains("You have reached your daily upload limit")),
        "{refused:?}"
    );
    rig.service.set_quota(5, size - 1);
    let refused = rig.post(
        &harness::unique("Too little left"),
        &["--video", path(&video)],
    );
    let message = refused.json[0]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("more than what is left"), "{refused:?}");
    assert_eq!(
        rig.service.upload_requests(),
        0,
        "refused before the upload"
    );
    rig.service.set_quota(25, 10_000_000_000);

    // A job that fails: the service's message, no post.
    rig.service
        .fail_next_job("The video's frames could not be decoded");
    let text = harness::unique("Failed job");
    let refused = rig.post(&text, &["--video", path(&video)]);
    assert_eq!(
        refused.json[0]["error"]["code"], "server_error",
        "{refused:?}"
    );
    let message = refused.json[0]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("The video's frames could not be decoded"),
        "{message}"
    );
    assert!(rig.posts_with_text(&text).await.is_empty());

    // The service down: a network error, the post waits in the outbox; sent again, it goes once.
    rig.service.go_down();
    let text = harness::unique("Service down");
    let held = rig.post(&text, &["--video", path(&video)]);
    assert_eq!(held.json[0]["error"]["code"], "network", "{held:?}");
    assert!(rig.posts_with_text(&text).await.is_empty());
    let rows = rig.env.run(&["outbox", "list"], "").expect_ok();
    let id = rows
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|row| row["composition"]["posts"][0]["text"] == text.as_str())
        })
        .and_then(|row| row["id"].as_str())
        .expect("the held post's row")
        .to_owned();
    rig.service.come_back().await;
    let sent = rig
        .env
        .run_with_env(&["outbox", "retry", &id], "", &rig.service_env());
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(rig.posts_with_text(&text).await.len(), 1, "posted once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_whose_answer_is_lost_makes_one_post() {
    let rig = Rig::new("vidlost").await;
    let video = videos::mp4(320, 240, 3);
    rig.service.lose_next_upload_answer();
    let text = harness::unique("Lost answer");
    let answer = rig
        .post(&text, &["--video", path(&video), "--alt", "Lost"])
        .expect_ok();
    assert_eq!(answer[0]["embed"], "app.bsky.embed.video", "{answer}");
    assert_eq!(rig.posts_with_text(&text).await.len(), 1, "one post");
    assert_eq!(
        rig.service.upload_requests(),
        2,
        "sent again after the lost answer"
    );
    assert_eq!(
        rig.service.jobs_created(),
        1,
        "the second named the first job"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_while_the_video_is_processed_posts_nothing_and_leaves_no_row() {
    let rig = Rig::new("vidint").await;
    let video = videos::mp4(320, 240, 2);
    rig.service.hold_jobs();
    let text = harness::unique("Interrupted");
    let text_file = rig.dir.path().join("interrupted.txt");
    std::fs::write(&text_file, &text).expect("write the text");
    let (ended, job) = rig
        .interrupted_while_processing(&[
            "post",
            "--account",
            rig.user.did.as_str(),
            "--lang",
            "en",
            "--text-file",
            path(&text_file),
            "--video",
            path(&video),
        ])
        .await;
    let answer = &ended.json;
    assert_eq!(answer["error"]["code"], "cancelled", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|message| message.contains("Nothing was posted")),
        "{answer}"
    );
    let rows = rig.env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(rows, serde_json::json!([]), "no row left, claimed or not");

    // Once the service has finished the job hayon-cli gave up on, still no post.
    rig.job_ends(&job).await;
    assert!(
        rig.posts_with_text(&text).await.is_empty(),
        "nothing posted"
    );

    // Posted again, it goes once (the service names the same job for the same bytes).
    let posted = rig.post(&text, &["--video", path(&video)]).expect_ok();
    assert_eq!(posted[0]["embed"], "app.bsky.embed.video", "{posted}");
    assert_eq!(rig.posts_with_text(&text).await.len(), 1, "one post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_a_retry_keeps_the_row_unclaimed_and_failed_as_cancelled() {
    let rig = Rig::new("vidintr").await;
    let video = videos::mp4(320, 240, 2);
    // A post the service being down kept in the outbox.
    rig.service.go_down();
    let text = harness::unique("Retry interrupted");
    let held = rig.post(&text, &["--video", path(&video)]);
    assert_eq!(held.json[0]["error"]["code"], "network", "{held:?}");
    let rows = rig.env.run(&["outbox", "list"], "").expect_ok();
    let id = rows[0]["id"]
        .as_str()
        .expect("the held post's row")
        .to_owned();
    rig.service.come_back().await;
    rig.service.hold_jobs();

    let (ended, job) = rig
        .interrupted_while_processing(&["outbox", "retry", &id])
        .await;
    assert_eq!(ended.json[0]["error"]["code"], "cancelled", "{ended:?}");
    let rows = rig.env.run(&["outbox", "list"], "").expect_ok();
    assert_eq!(rows[0]["id"], id.as_str(), "the row stays: {rows}");
    assert_eq!(rows[0]["accounts"][0]["state"], "failed", "{rows}");
    assert_eq!(
        rows[0]["accounts"][0]["error"]["code"], "cancelled",
        "{rows}"
    );
    let holder: Option<String> = rusqlite::Connection::open(rig.env.path().join("hayon.sqlite3"))
        .and_then(|db| db.query_row("SELECT lease_holder FROM outbox", [], |row| row.get(0)))
        .expect("the row's claim");
    assert_eq!(holder, None, "the claim was let go");
    rig.job_ends(&job).await;
    assert!(
        rig.posts_with_text(&text).await.is_empty(),
        "nothing posted"
    );

    let sent = rig
        .env
        .run_with_env(&["outbox", "retry", &id], "", &rig.service_env());
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(rig.posts_with_text(&text).await.len(), 1, "posted once");
}

/// The peak resident memory of `hayon-cli ARGS` (its `VmHWM`, read while it runs: the high-water
/// mark only grows, so the last reading before it exits is its peak), and its output.
fn peak_of(rig: &Rig, args: &[&str]) -> (u64, std::process::Output) {
    let mut command = rig.env.command(args);
    command.envs(rig.service_env());
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn hayon-cli");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().expect("try_wait").is_none() {
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
        {
            peak = peak.max(kib * 1024);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (peak, child.wait_with_output().expect("output"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_290_mb_video_is_streamed_within_64_mib_of_a_post_without_one() {
    let rig = Rig::new("vidmem").await;
    // A real MP4 followed by a 290 MB `free` box (skipped by every reader): a file that big to
    // send, made in a moment.
    let big = rig.dir.path().join("big.mp4");
    let mut bytes = std::fs::read(videos::mp4(320, 240, 2)).expect("video");
    let padding: u32 = 290_000_000;
    bytes.extend_from_slice(&padding.to_be_bytes());
    bytes.extend_from_slice(b"free");
    let size = bytes.len() as u64 - 8 + u64::from(padding);
    std::fs::write(&big, &bytes).expect("write");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|file| file.set_len(size))
        .expect("pad");

    let text_file = rig.dir.path().join("text.txt");
    std::fs::write(&text_file, harness::unique("Without a video")).expect("text");
    let base = [
        "post",
        "--account",
        rig.user.did.as_str(),
        "--lang",
        "en",
        "--text-file",
        path(&text_file),
    ];
    let (without, output) = peak_of(&rig, &base);
    assert!(output.status.success(), "{output:?}");
    let text = harness::unique("With a 290 MB video");
    std::fs::write(&text_file, &text).expect("text");
    let with_video: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--video", path(&big)])
        .collect();
    let (with, output) = peak_of(&rig, &with_video);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(rig.posts_with_text(&text).await.len(), 1);
    let upload = rig.service.uploads().pop().expect("the upload");
    assert_eq!(upload.bytes, size);
    println!(
        "peak memory: {} MiB without a video, {} MiB with {} MB",
        without / MIB,
        with / MIB,
        size / 1_000_000
    );
    assert!(
        with < without + 64 * MIB,
        "{} MiB with the video, {} MiB without",
        with / MIB,
        without / MIB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_video_is_kept_as_a_copy_and_goes_at_its_time() {
    let rig = Rig::new("vidsched").await;
    // The original, and its captions, are gone by the time the post goes.
    let original = rig.dir.path().join("clip.mp4");
    std::fs::copy(videos::mp4(320, 240, 2), &original).expect("copy");
    let caption = rig.caption("de.vtt");
    let text = harness::unique("A scheduled video");
    let caption_arg = format!("de={}", path(&caption));
    let extra = [
        "--video",
        path(&original),
        "--alt",
        "Later",
        "--caption",
        &caption_arg,
    ];
    let at = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + 2).expect("time");
    rig.env.schedule_at(at, &[&rig.user.did], &text, &extra);
    let original_bytes = std::fs::read(&original).expect("original");
    std::fs::remove_file(&original).expect("remove the original");
    std::fs::remove_file(&caption).expect("remove the captions");

    let posted = harness::wait::poll_until(
        || async {
            rig.env
                .run_with_env(&["schedule", "send-due"], "", &rig.service_env());
            rig.posts_with_text(&text).await
        },
        |posts| !posts.is_empty(),
    )
    .await;
    assert_eq!(posted.len(), 1, "posted once");
    let embed = &posted[0]["value"]["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.video", "{embed}");
    assert_eq!(embed["alt"], "Later");
    assert_eq!(embed["captions"][0]["lang"], "de");
    assert_eq!(embed["video"]["size"], original_bytes.len() as u64);
    // Sent, its copies go.
    let staged = std::fs::read_dir(rig.env.path().join("attachments"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(staged, 0, "the staged copies are deleted once posted");
}
