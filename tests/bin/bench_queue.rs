//! The queue benchmark (issue 19 › Measure), for scripts/bench-queue.sh: the release window with
//! 1,000 scheduled posts against the same window with an empty queue, same run, same account.
//!
//! `bench-queue APP CLI`: for each of the two data folders (one account on the reference PDS; one
//! with 1,000 posts queued through `hayon-cli schedule add` for the coming days, one with none), in
//! turn, `BENCH_ROUNDS` times (default 1): the app is launched, and after its page has loaded and
//! 5 s have passed the PSS of it and its descendants (WebKit's processes) is read; then the CPU
//! time they use over the next 60 s with nobody touching them (all of them, and the app's own
//! process alone); then five posts are queued 4–12 s
//! ahead and the delay from each due time to the `createdAt` of its record on the PDS (stamped when
//! the sender builds it) is taken. Last, with the app closed, it is started again under
//! tauri-driver (a WebDriver session: the harness's, as the window tests use) and the Queue view is
//! opened [`OPENS`] times from Compose, timed inside the page (see [`OPEN_QUEUE`]) so WebDriver's
//! round trips are not counted. Prints medians (and the slowest open) and the ratios queued / empty
//! as Markdown.

use harness::cli::CliEnv;
use harness::measure::median;
use harness::pds::{pds, TestUser};
use harness::window::{start_session, wait_for_composer};
use jiff::Timestamp;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const QUEUED: usize = 1000;
const IDLE: Duration = Duration::from_secs(60);
const SETTLE: Duration = Duration::from_secs(5);
const DELAY_POSTS: i64 = 5;
const OPENS: usize = 10;

/// One open of the Queue view, in the page, as `execute_async`: from the click on the sidebar's
/// Queue link to the first frame painted after the view has shown the list this open read. The
/// loading line is shown first, as at the first open (app.js re-reads the queue on each open and
/// leaves the previous list up meanwhile): only the end of this open's read hides it, right after
/// the list (`.queue-item`s, or the empty state) is rendered. Resolves with milliseconds, or
/// `{ error }`.
const OPEN_QUEUE: &str = r#"
const done = arguments[arguments.length - 1];
const byId = (id) => document.getElementById(id);
const [view, loading, empty, error] = ['view-queue', 'queue-loading', 'queue-empty', 'queue-error'].map(byId);
if (!view.hidden) return done({ error: 'the Queue view is already open' });
loading.hidden = false;
const listed = () => !view.hidden && loading.hidden
  && (document.querySelector('#queue-groups .queue-item') !== null || !empty.hidden);
const timeout = setTimeout(() => done({ error: 'the list was not shown within 20 s' }), 20000);
const start = performance.now();
new MutationObserver((_, observer) => {
  if (!listed()) return;
  observer.disconnect();
  clearTimeout(timeout);
  if (error.textContent) return done({ error: error.textContent });
  // A task queued from an animation frame callback runs once that frame is painted.
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - start)));
}).observe(loading, { attributes: true, attributeFilter: ['hidden'] });
byId('nav-queue').click();
"#;

/// Back to Compose, in the page: resolves once its view is shown and two frames have passed.
const OPEN_COMPOSE: &str = r#"
const done = arguments[arguments.length - 1];
const compose = document.getElementById('view-compose');
document.getElementById('nav-compose').click();
const shown = () => compose.hidden
  ? requestAnimationFrame(shown)
  : requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
shown();
"#;

struct Bench {
    app: PathBuf,
    cli: PathBuf,
}

/// One data folder with one connected account.
struct Folder {
    env: CliEnv,
    user: TestUser,
}

#[derive(Debug, Default)]
struct Measures {
    pss_kib: Vec<f64>,
    cpu_seconds: Vec<f64>,
    /// The app's own process alone (the sender, the database watch, Tauri): WebKit's excluded.
    main_cpu_seconds: Vec<f64>,
    delays_ms: Vec<f64>,
    /// From the click on Queue to the list shown, [`OPENS`] a round.
    opens_ms: Vec<f64>,
}

impl Bench {
    /// `hayon-cli --json ARGS` in `env`, which must succeed.
    fn cli(&self, env: &CliEnv, args: &[&str], stdin: &str) -> Value {
        let mut child = Command::new(&self.cli)
            .arg("--json")
            .args(args)
            .env("HAYON_DATA_DIR", env.path())
            .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hayon-cli runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin written");
        let output = child.wait_with_output().expect("hayon-cli ends");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "hayon-cli {args:?}: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(&stdout).expect("one JSON document")
    }

    async fn folder(&self, queued: usize) -> Folder {
        let env = CliEnv::new();
        let user = pds().create_user("bq").await;
        let password = pds().create_app_password(&user, "hayon").await;
        self.cli(
            &env,
            &[
                "account",
                "connect",
                "--identifier",
                &user.handle,
                "--service",
                &pds().url,
                "--password-stdin",
            ],
            &format!("{password}\n"),
        );
        // Two days ahead, a minute apart: none falls due while measuring.
        let first = Timestamp::now().as_second() + 2 * 24 * 3600;
        for n in 0..queued {
            let at = Timestamp::from_second(first + 60 * n as i64).expect("a time");
            self.cli(
                &env,
                &[
                    "schedule",
                    "add",
                    "--at",
                    &at.to_string(),
                    "--account",
                    &user.did,
                ],
                &format!("Queued post number {n}, waiting for its time."),
            );
        }
        Folder { env, user }
    }

    fn launch(&self, env: &CliEnv) -> Child {
        let mut app = Command::new(&self.app)
            .env("HAYON_DATA_DIR", env.path())
            .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
            // The update check meets a closed loopback port: nothing leaves the machine.
            .env(
                "HAYON_UPDATE_MANIFEST_URL",
                "http://127.0.0.1:9/latest.json",
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the app starts");
        let (loaded, seen) = std::sync::mpsc::channel();
        let stderr = app.stderr.take().expect("stderr");
        // Read to the end, so the app never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("launch-marker: page-loaded") {
                    let _ = loaded.send(());
                }
            }
        });
        seen.recv_timeout(Duration::from_secs(120))
            .expect("the app reports its page loaded");
        app
    }

    async fn measure(&self, folder: &Folder, into: &mut Measures) {
        let mut app = self.launch(&folder.env);
        let started = Instant::now();
        std::thread::sleep(SETTLE.saturating_sub(started.elapsed()));
        let pids = descendants(app.id());
        into.pss_kib
            .push(pids.iter().map(|pid| pss_kib(*pid)).sum::<u64>() as f64);
        let (before, main_before) = (cpu_ticks(&descendants(app.id())), cpu_ticks(&[app.id()]));
        std::thread::sleep(IDLE);
        let (after, main_after) = (cpu_ticks(&descendants(app.id())), cpu_ticks(&[app.id()]));
        let per_second = ticks_per_second();
        into.cpu_seconds
            .push(after.saturating_sub(before) as f64 / per_second);
        into.main_cpu_seconds
            .push(main_after.saturating_sub(main_before) as f64 / per_second);

        let now = Timestamp::now().as_second();
        let mut due = Vec::new();
        for n in 0..DELAY_POSTS {
            let at = Timestamp::from_second(now + 4 + 2 * n).expect("a time");
            let text = format!("Delay {} {n}", harness::unique("d"));
            self.cli(
                &folder.env,
                &[
                    "schedule",
                    "add",
                    "--at",
                    &at.to_string(),
                    "--account",
                    &folder.user.did,
                ],
                &text,
            );
            due.push((text, at));
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut delays = Vec::new();
        while delays.len() < due.len() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let records = pds()
                .list_records(&folder.user.did, "app.bsky.feed.post")
                .await;
            delays = due
                .iter()
                .filter_map(|(text, at)| {
                    let record = records.iter().find(|r| r["value"]["text"] == *text)?;
                    let created: Timestamp = record["value"]["createdAt"].as_str()?.parse().ok()?;
                    Some(at.duration_until(created).as_secs_f64() * 1000.0)
                })
                .collect();
        }
        assert_eq!(delays.len(), due.len(), "the window sent every post");
        into.delays_ms.extend(delays);
        let _ = app.kill();
        let _ = app.wait();
        into.opens_ms.extend(open_queue(folder).await);
    }
}

/// The app started for `folder` under tauri-driver: the Queue view opened [`OPENS`] times from
/// Compose, each timed in the page ([`OPEN_QUEUE`]); milliseconds.
async fn open_queue(folder: &Folder) -> Vec<f64> {
    let (_driver, client) = start_session(&folder.env).await;
    wait_for_composer(&client).await;
    let mut opens = Vec::new();
    for _ in 0..OPENS {
        let open = client
            .execute_async(OPEN_QUEUE, vec![])
            .await
            .expect("open the Queue view");
        let Some(ms) = open.as_f64() else {
            panic!("the Queue view did not open: {open}");
        };
        opens.push(ms);
        client
            .execute_async(OPEN_COMPOSE, vec![])
            .await
            .expect("back to Compose");
        // A pause, as between a person's clicks: what the switch started (focus, scroll) settles.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    eprintln!("Queue view opens (ms): {opens:.1?}");
    let _ = client.close().await;
    opens
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

/// `root` and every process below it.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if let Some(parent) = stat_fields(pid).and_then(|fields| fields.get(1)?.parse().ok()) {
            children.entry(parent).or_default().push(pid);
        }
    }
    let (mut found, mut pending) = (Vec::new(), vec![root]);
    while let Some(pid) = pending.pop() {
        found.push(pid);
        pending.extend(children.get(&pid).into_iter().flatten());
    }
    found
}

/// The fields of `/proc/PID/stat` after the command name (the first is the state, field 3).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// User and system time of `pids`, in clock ticks (fields 14 and 15).
fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| stat_fields(*pid))
        .map(|fields| {
            let tick = |index: usize| fields.get(index).and_then(|f| f.parse::<u64>().ok());
            tick(11).unwrap_or(0) + tick(12).unwrap_or(0)
        })
        .sum()
}

fn ticks_per_second() -> f64 {
    let output = Command::new("getconf").arg("CLK_TCK").output();
    output
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|rollup| {
            rollup
                .lines()
                .find_map(|line| line.strip_prefix("Pss:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [app, cli] = args.as_slice() else {
        eprintln!("usage: bench-queue APP CLI");
        std::process::exit(2);
    };
    let bench = Bench {
        app: absolute(app),
        cli: absolute(cli),
    };
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(1);
    let setup = Instant::now();
    let empty = bench.folder(0).await;
    let queued = bench.folder(QUEUED).await;
    eprintln!(
        "queued {QUEUED} posts in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let (mut base, mut ours) = (Measures::default(), Measures::default());
    for _ in 0..rounds {
        bench.measure(&empty, &mut base).await;
        bench.measure(&queued, &mut ours).await;
    }
    println!(
        "rounds: {rounds} each, alternating; medians (send delay: {DELAY_POSTS} posts a round; \
         Queue view: {OPENS} opens a round)"
    );
    println!("| measure | empty queue | 1,000 queued | ratio | target |");
    println!("|---|---|---|---|---|");
    let rows = [
        (
            "PSS 5 s after launch (MiB)",
            median(&base.pss_kib) / 1024.0,
            median(&ours.pss_kib) / 1024.0,
            "≤ 1.05×",
        ),
        (
            "CPU over 60 s idle (s)",
            median(&base.cpu_seconds),
            median(&ours.cpu_seconds),
            "≈ 0",
        ),
        (
            "CPU over 60 s idle, the app's own process (s)",
            median(&base.main_cpu_seconds),
            median(&ours.main_cpu_seconds),
            "≈ 0",
        ),
        (
            "send delay after the due time (ms)",
            median(&base.delays_ms),
            median(&ours.delays_ms),
            "< 1000 ms",
        ),
        (
            "Queue view open time (ms)",
            median(&base.opens_ms),
            median(&ours.opens_ms),
            "< 100 ms",
        ),
        (
            "Queue view open time, the slowest (ms)",
            max(&base.opens_ms),
            max(&ours.opens_ms),
            "< 100 ms",
        ),
    ];
    for (name, base, ours, target) in rows {
        println!(
            "| {name} | {base:.3} | {ours:.3} | {:.2}× | {target} |",
            ours / base
        );
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}
