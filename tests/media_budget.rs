//! Images have a budget (issue 10): every file of a hostile corpus made here — decompression bombs,
//! huge GIF screens, 100-megapixel PNGs with alpha, huge progressive JPEGs, scan bombs, files cut
//! short at many offsets — goes through the real `hayon-cli media prepare` and is either prepared
//! or refused with a clear message, within 512 MiB of peak memory and 5 s of CPU for the process;
//! four at once in one process stay within 1 GiB; 48 MP and 100 MP baseline photos are accepted.
//!
//! Each run is measured from outside: CPU is the child's user + system time and peak memory its
//! maximum resident set, both from `getrusage(RUSAGE_CHILDREN)` around its `wait` (runs are one at
//! a time, so the difference is that child's). A child's peak is known exactly when it is the
//! largest so far; otherwise its `VmHWM`, sampled from /proc while it runs, is reported, and the
//! largest of all (exact) is asserted too. The kernel counts a child's peak from its parent's
//! resident memory at the fork, so the corpus is written by a child (`hostile-corpus`) and this
//! process stays small. On a machine with fewer than four cores, "four at once" prepares as many
//! at once as there are cores, as the app does. Needs no account, database or keychain.

use harness::cli::CliEnv;
use harness::images::{self, Expect};
use nix::sys::resource::{getrusage, UsageWho};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;
/// Peak memory and CPU allowed for one `media prepare` process with one file.
const MAX_PEAK: u64 = 512 * MIB;
const MAX_CPU: Duration = Duration::from_secs(5);
/// Peak memory allowed for four files prepared at once.
const MAX_PEAK_FOUR: u64 = 1024 * MIB;

/// One measured `hayon-cli --json media prepare` run.
#[derive(Debug)]
struct Run {
    entries: Vec<Value>,
    code: i32,
    stderr: String,
    /// Peak resident memory in bytes (exact or sampled, see the module docs).
    peak: u64,
    cpu: Duration,
}

/// Runs are measured one at a time (the tests of this file run in parallel threads).
static MEASURING: Mutex<()> = Mutex::new(());

fn children_usage() -> (Duration, u64) {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let time = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    let cpu = time(usage.user_time()) + time(usage.system_time());
    (cpu, usage.max_rss() as u64 * 1024)
}

fn prepare(files: &[PathBuf], out: &Path) -> Run {
    let env = CliEnv::new();
    let mut args = vec!["media".to_owned(), "prepare".to_owned()];
    args.extend(files.iter().map(|file| file.display().to_string()));
    args.extend(["--out".to_owned(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut command = env.command(&args);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());

    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|err| err.into_inner());
    let (cpu_before, max_before) = children_usage();
    let mut child = command.spawn().expect("spawn hayon-cli");
    let pid = child.id();
    // Drain the pipes on threads so a large output cannot stall the child.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).expect("read stdout");
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).expect("read stderr");
        text
    });
    let mut sampled = 0;
    let started = Instant::now();
    let status = loop {
        if let Some(peak) = harness::measure::peak_memory(pid) {
            sampled = sampled.max(peak);
        }
        if let Some(status) = child.try_wait().expect("wait for hayon-cli") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "hayon-cli ran for 2 minutes: {files:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    let (cpu_after, max_after) = children_usage();
    let stdout = out_reader.join().expect("stdout thread");
    let stderr = err_reader.join().expect("stderr thread");
    // A new largest peak is this child's, exactly; otherwise the sample is the best known.
    let peak = if max_after > max_before {
        max_after
    } else {
        sampled.min(max_after)
    };
    let json: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
        panic!("stdout is not one JSON document ({err}): {stdout:?} {stderr}")
    });
    let entries = json.as_array().cloned().unwrap_or_else(|| vec![json]);
    Run {
        entries,
        code: status.code().unwrap_or(-1),
        stderr,
        peak,
        cpu: cpu_after - cpu_before,
    }
}

/// The largest peak of every `hayon-cli` run so far, exactly.
fn largest_peak_so_far() -> u64 {
    let _one_at_a_time = MEASURING.lock().unwrap_or_else(|err| err.into_inner());
    children_usage().1
}

/// The corpus, made once for all tests of this file.
struct Corpus {
    dir: tempfile::TempDir,
    hostile: Vec<(PathBuf, Expect)>,
    /// The largest peak of the processes that wrote it: `heif-enc`, run by the writer, takes
    /// over 600 MiB to encode the 48 MP HEIC, and the kernel counts that in the children's peak
    /// too. Only a larger peak is known to be a `hayon-cli` run's.
    writing_peak: u64,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        // Written by a child process, so that this one stays small: a child's peak as the kernel
        // counts it starts from its parent's resident memory at the fork. Not while a run is
        // measured: the writer's CPU time (and heif-enc's) would be counted as that run's.
        let one_at_a_time = MEASURING.lock().unwrap_or_else(|err| err.into_inner());
        let written = std::process::Command::new(env!("CARGO_BIN_EXE_hostile-corpus"))
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run hostile-corpus");
        assert!(written.success());
        let writing_peak = children_usage().1;
        drop(one_at_a_time);
        // Every file is there now: this only lists them with what should become of each.
        let hostile = images::hostile_corpus(dir.path());
        Corpus {
            dir,
            hostile,
            writing_peak,
        }
    })
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Asserts `entry` is what `expect` says for `path`.
fn check(entry: &Value, path: &Path, expect: Expect) {
    match expect {
        Expect::Prepared(mime_type, width, height) => {
            assert_eq!(entry["mimeType"], mime_type, "{}: {entry}", name(path));
            assert_eq!(
                (entry["width"].as_u64(), entry["height"].as_u64()),
                (Some(u64::from(width)), Some(u64::from(height))),
                "{}: {entry}",
                name(path)
            );
            assert!(entry["bytes"]
                .as_u64()
                .is_some_and(|bytes| bytes <= 2_000_000));
        }
        Expect::Refused(words) => {
            assert_eq!(
                entry["error"]["code"],
                "validation",
                "{}: {entry}",
                name(path)
            );
            let message = entry["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.starts_with(&name(path)) && message.contains(words),
                "{}: {message}",
                name(path)
            );
        }
    }
}

#[test]
fn each_hostile_file_is_prepared_or_refused_within_512_mib_and_5_s() {
    let corpus = corpus();
    let out = corpus.dir.path().join("out-each");
    let mut report = String::new();
    for (path, expect) in &corpus.hostile {
        let run = prepare(std::slice::from_ref(path), &out);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(run.entries.len(), 1, "{:?}", run.entries);
        check(&run.entries[0], path, *expect);
        assert_eq!(run.code, i32::from(matches!(expect, Expect::Refused(_))));
        report.push_str(&format!(
            "{:<24} {:>10} bytes  peak {:>6.1} MiB  cpu {:>5.2} s  {}\n",
            name(path),
            std::fs::metadata(path).map_or(0, |meta| meta.len()),
            run.peak as f64 / MIB as f64,
            run.cpu.as_secs_f64(),
            match expect {
                Expect::Prepared(..) => "prepared".to_owned(),
                Expect::Refused(_) => run.entries[0]["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(60)
                    .collect(),
            }
        ));
        assert!(
            run.peak <= MAX_PEAK,
            "{}: {} bytes at peak",
            name(path),
            run.peak
        );
        assert!(run.cpu <= MAX_CPU, "{}: {:?} of CPU", name(path), run.cpu);
    }
    eprintln!("{report}");
    // Every run's peak was checked above (exactly, or from its sampled high-water mark); the
    // largest of all is known exactly unless it was the corpus writer's.
    let largest = largest_peak_so_far();
    assert!(
        largest <= MAX_PEAK || largest == corpus.writing_peak,
        "largest peak of any run: {largest} bytes"
    );
}

#[test]
fn four_heavy_files_at_once_stay_within_1_gib() {
    let corpus = corpus();
    let heavy = [
        "clear-100mp.png",
        "photo-100mp.jpg",
        "progressive-24mp.jpg",
        "interlaced-6000.gif",
    ];
    let chosen: Vec<&(PathBuf, Expect)> = heavy
        .iter()
        .map(|wanted| {
            corpus
                .hostile
                .iter()
                .find(|(path, _)| name(path) == *wanted)
                .expect("in the corpus")
        })
        .collect();
    let files: Vec<PathBuf> = chosen.iter().map(|(path, _)| path.clone()).collect();
    let run = prepare(&files, &corpus.dir.path().join("out-four"));
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.entries.len(), 4);
    for (entry, (path, expect)) in run.entries.iter().zip(chosen) {
        check(entry, path, *expect);
    }
    eprintln!(
        "four at once: peak {:.1} MiB, cpu {:.2} s",
        run.peak as f64 / MIB as f64,
        run.cpu.as_secs_f64()
    );
    assert!(run.peak <= MAX_PEAK_FOUR, "{} bytes at peak", run.peak);
}

#[test]
fn files_cut_short_anywhere_are_prepared_or_refused_never_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    // heif-enc makes the HEIC and AVIF ones: not while a run is measured (as for the corpus).
    let small = {
        let _one_at_a_time = MEASURING.lock().unwrap_or_else(|err| err.into_inner());
        images::small_images()
    };
    for (name, bytes) in small {
        let len = bytes.len();
        // Every byte of the headers, then about 40 cuts through the data, then the whole file.
        let mut cuts: Vec<usize> = (1..64.min(len)).collect();
        cuts.extend((1..40).map(|step| len * step / 40));
        cuts.push(len);
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts {
            let path = dir.path().join(format!("{cut:06}-{name}"));
            std::fs::write(&path, &bytes[..cut]).expect("write cut file");
            files.push((path, cut == len));
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
    let run = prepare(&paths, &dir.path().join("out"));
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.entries.len(), files.len());
    let mut prepared = 0;
    for (entry, (path, whole)) in run.entries.iter().zip(&files) {
        if entry.get("error").is_some() {
            assert!(!whole, "{}: the whole file is refused: {entry}", name(path));
            assert_eq!(entry["error"]["code"], "validation", "{entry}");
            let message = entry["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains(&name(path)), "{message}");
        } else {
            assert!(
                entry["bytes"].as_u64().is_some_and(|bytes| bytes > 0),
                "{entry}"
            );
            prepared += 1;
        }
    }
    assert!(
        prepared >= 5,
        "at least the whole files are prepared: {prepared}"
    );
    eprintln!(
        "{} cut files in one process: {prepared} prepared, peak {:.1} MiB, cpu {:.2} s",
        files.len(),
        run.peak as f64 / MIB as f64,
        run.cpu.as_secs_f64()
    );
    assert!(run.peak <= MAX_PEAK, "{run:?}");
}
