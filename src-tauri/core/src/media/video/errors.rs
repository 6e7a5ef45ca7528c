//! The words of every video and caption failure: each names the file as the person saw it and says
//! what to do next. All are `validation` (the file is what needs changing); parser detail goes to
//! the log only.

use super::{MAX_VIDEO_BYTES, MAX_VIDEO_DURATION};
use crate::error::Error;
use std::path::Path;
use std::time::Duration;

const ACCEPTED: &str = "MP4, MOV, WebM or animated GIF";

/// `clip.mp4`, or the whole path when it has no file name.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

pub(super) fn unreadable(name: &str, err: &std::io::Error) -> Error {
    Error::validation(match err.kind() {
        std::io::ErrorKind::NotFound => {
            format!("{name} was not found. It may have been moved or deleted; choose it again.")
        }
        std::io::ErrorKind::PermissionDenied => format!(
            "Hayon is not allowed to read {name}. Check the file's permissions, or copy it \
             somewhere you own and choose the copy."
        ),
        _ => format!(
            "Hayon could not read {name} ({err}). Check that the disk is available and choose it \
             again."
        ),
    })
}

pub(super) fn not_a_file(name: &str) -> Error {
    Error::validation(format!(
        "{name} is not a file. Choose a video file saved on a disk."
    ))
}

pub(super) fn empty(name: &str) -> Error {
    Error::validation(format!(
        "{name} is empty (0 bytes). Export the video again from the app that made it."
    ))
}

pub(super) fn too_large(name: &str, size: u64) -> Error {
    Error::validation(format!(
        "{name} is {} MB; Bluesky takes videos up to {} MB. Trim it or export it at a lower \
         quality — nothing was posted.",
        megabytes(size),
        megabytes(MAX_VIDEO_BYTES)
    ))
}

pub(super) fn too_long(name: &str, length: Duration) -> Error {
    Error::validation(format!(
        "{name} is {}; Bluesky takes videos up to {} minutes. Trim it — nothing was posted.",
        minutes_and_seconds(length),
        MAX_VIDEO_DURATION.as_secs() / 60
    ))
}

/// Not a video Hayon sends; a photo gets a pointer to where photos go.
pub(super) fn unsupported(name: &str, head: &[u8]) -> Error {
    let photo = head.starts_with(&[0xff, 0xd8, 0xff])
        || head.starts_with(b"\x89PNG")
        || (head.get(4..8) == Some(b"ftyp"));
    Error::validation(if photo {
        format!("{name} is a photo, not a video. Add it as an image instead.")
    } else {
        format!("{name} is not a video Hayon can post. Choose an {ACCEPTED} file.")
    })
}

pub(super) fn damaged(name: &str, detail: &str) -> Error {
    tracing::warn!(file = name, detail, "a video could not be read");
    Error::validation(format!(
        "{name} could not be read as a video: it may be damaged or cut short. Play it to check, \
         or export it again as {ACCEPTED}."
    ))
}

fn megabytes(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / 1_000_000.0)
}

/// `10 min 5 s`.
pub(super) fn minutes_and_seconds(length: Duration) -> String {
    let seconds = length.as_secs();
    match (seconds / 60, seconds % 60) {
        (0, seconds) => format!("{seconds} s"),
        (minutes, 0) => format!("{minutes} min"),
        (minutes, seconds) => format!("{minutes} min {seconds} s"),
    }
}
