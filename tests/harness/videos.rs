//! Test videos made in the test by `ffmpeg` from its built-in test pattern (no binary fixtures in
//! the repo): an H.264 MP4 with AAC sound, a large noisy one, a portrait one stored upright and one
//! stored landscape with a quarter-turn in its display matrix (as phones write them), a QuickTime
//! MOV, a VP9 WebM, an animated GIF, and WebVTT captions.
//!
//! Each file is made once per parameters and kept in a cache folder shared by the test processes
//! (`$TMPDIR/hayon-test-videos`, written under a temporary name and renamed, so a process never
//! sees a half-written file): tests of many processes reuse it instead of encoding again, and the
//! folder stays as small as the set of distinct videos.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An MP4 (H.264, yuv420p, AAC sound) of `width`×`height` (even numbers) lasting `seconds`.
pub fn mp4(width: u32, height: u32, seconds: u32) -> PathBuf {
    cached(&format!("testsrc-{width}x{height}-{seconds}s.mp4"), |out| {
        encode(width, height, seconds, &h264(), "mp4", out)
    })
}

/// A large MP4: the test pattern under moving noise, encoded losslessly (H.264 `-qp 0`, no sound),
/// so that its size grows with the pixels (about 11 MB a second at 640×360): for size limits and
/// streamed uploads.
pub fn noisy_mp4(width: u32, height: u32, seconds: u32) -> PathBuf {
    cached(&format!("noise-{width}x{height}-{seconds}s.mp4"), |out| {
        let mut command = test_pattern(width, height, 30, seconds);
        command.args([
            "-vf",
            "noise=alls=60:allf=t+u",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ]);
        command.args(["-qp", "0", "-pix_fmt", "yuv420p", "-f", "mp4"]);
        run(command.arg(out))
    })
}

/// A portrait MP4 stored upright: `width` < `height` in its frames, no rotation.
pub fn portrait_mp4(width: u32, height: u32, seconds: u32) -> PathBuf {
    assert!(width < height, "a portrait frame is taller than wide");
    mp4(width, height, seconds)
}

/// A phone's portrait MP4: frames stored landscape (`width` > `height`) with a 90° rotation in the
/// track's display matrix, so a player shows it `height` wide and `width` tall. ffmpeg 5.1 writes
/// the matrix from the `rotate` stream tag only when copying a stream, hence the second step.
pub fn rotated_mp4(width: u32, height: u32, seconds: u32) -> PathBuf {
    assert!(width > height, "the stored frame is landscape");
    let source = mp4(width, height, seconds);
    cached(
        &format!("testsrc-{width}x{height}-{seconds}s-rotate90.mp4"),
        |out| {
            let mut command = Command::new("ffmpeg");
            command.args(["-hide_banner", "-loglevel", "error", "-y", "-i"]);
            command.arg(&source);
            command.args(["-c", "copy", "-metadata:s:v:0", "rotate=90", "-f", "mp4"]);
            run(command.arg(out))
        },
    )
}

/// A QuickTime MOV (H.264 + AAC, as iPhones and cameras write).
pub fn mov(width: u32, height: u32, seconds: u32) -> PathBuf {
    cached(&format!("testsrc-{width}x{height}-{seconds}s.mov"), |out| {
        encode(width, height, seconds, &h264(), "mov", out)
    })
}

/// A WebM: VP9 video with Opus sound.
pub fn webm(width: u32, height: u32, seconds: u32) -> PathBuf {
    cached(
        &format!("testsrc-{width}x{height}-{seconds}s.webm"),
        |out| {
            let args = [
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-b:v",
                "400k",
                "-c:a",
                "libopus",
            ];
            encode(width, height, seconds, &args, "webm", out)
        },
    )
}

/// An animated GIF of `width`×`height`, 10 frames a second, looping, with its own palette.
pub fn gif(width: u32, height: u32, seconds: u32) -> PathBuf {
    cached(&format!("testsrc-{width}x{height}-{seconds}s.gif"), |out| {
        let mut command = test_pattern(width, height, 10, seconds);
        command.args(["-vf", "split[a][b];[a]palettegen[p];[b][p]paletteuse"]);
        command.args(["-loop", "0", "-f", "gif"]);
        run(command.arg(out))
    })
}

/// A WebVTT caption file in `dir` with one cue per `(start, end, text)` (seconds).
pub fn captions_vtt(dir: &Path, name: &str, cues: &[(f64, f64, &str)]) -> PathBuf {
    let timestamp = |seconds: f64| {
        let millis = (seconds * 1000.0).round() as u64;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            millis / 3_600_000,
            millis / 60_000 % 60,
            millis / 1000 % 60,
            millis % 1000
        )
    };
    let mut vtt = String::from("WEBVTT\n");
    for (start, end, text) in cues {
        vtt.push_str(&format!(
            "\n{} --> {}\n{text}\n",
            timestamp(*start),
            timestamp(*end)
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, vtt).expect("write the captions");
    path
}

fn h264() -> Vec<&'static str> {
    vec![
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
    ]
}

/// Encodes ffmpeg's test pattern (moving, with a counter) and a 440 Hz tone with `codec` options
/// into `out`, in container `format`.
fn encode(width: u32, height: u32, seconds: u32, codec: &[&str], format: &str, out: &Path) {
    let mut command = test_pattern(width, height, 30, seconds);
    command.args(["-f", "lavfi", "-i"]);
    command.arg(format!("sine=frequency=440:duration={seconds}"));
    command.args(codec).args(["-shortest", "-f", format]);
    run(command.arg(out));
}

/// An ffmpeg command whose first input is its test pattern (moving, with a counter) at `rate`
/// frames a second.
fn test_pattern(width: u32, height: u32, rate: u32, seconds: u32) -> Command {
    let mut command = Command::new("ffmpeg");
    command.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
    ]);
    command.arg(format!(
        "testsrc=size={width}x{height}:rate={rate}:duration={seconds}"
    ));
    command
}

/// The cached file `name`, made by `make` (given the path to write) when it is not there yet.
fn cached(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = std::env::temp_dir().join("hayon-test-videos");
    std::fs::create_dir_all(&dir).expect("the test video folder");
    let path = dir.join(name);
    if !path.exists() {
        let partial = dir.join(format!(".{}.{name}", crate::unique("part")));
        make(&partial);
        std::fs::rename(&partial, &path).expect("keep the test video");
    }
    path
}

/// Runs an ffmpeg command, failing the test with its error output, or saying how to install it.
fn run(command: &mut Command) {
    if let Err(err) = ffmpeg(command) {
        panic!("{err}");
    }
}

/// Makes `output` an MP4 (H.264, AAC) of the video `input`, as a video service's output is; its
/// sides made even (H.264 in 4:2:0 needs that; a GIF may have odd ones).
pub fn encode_mp4(input: &Path, output: &Path) -> Result<(), String> {
    let mut command = Command::new("ffmpeg");
    command.args(["-hide_banner", "-loglevel", "error", "-y", "-i"]);
    command.arg(input).args(h264());
    command.args(["-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-f", "mp4"]);
    ffmpeg(command.arg(output))
}

/// Runs an ffmpeg command: its error output when it fails, or how to install it when it is missing.
fn ffmpeg(command: &mut Command) -> Result<(), String> {
    let result = command.output().map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            "ffmpeg is not installed, and the video tests make and convert videos with it: install \
             the Debian package ffmpeg (scripts/test.sh does)"
                .to_owned()
        } else {
            format!("ffmpeg could not be started: {err}")
        }
    })?;
    if result.status.success() {
        return Ok(());
    }
    Err(format!(
        "ffmpeg {:?} failed: {}",
        command.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&result.stderr)
    ))
}
