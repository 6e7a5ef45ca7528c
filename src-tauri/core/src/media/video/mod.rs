//! Videos for a post: checked before anything is sent, never read whole into memory.
//!
//! Hayon does not transcode: like the official app it hands the file to Bluesky's video service,
//! which makes the MP4 that viewers stream (and turns an animated GIF into a looping video). What
//! Hayon must know first is whether the service will take it and what to write in the record: the
//! container (MP4, QuickTime MOV, WebM or GIF, sniffed from the first bytes, not the file name),
//! the size (≤ [`MAX_VIDEO_BYTES`]), the length (≤ [`MAX_VIDEO_DURATION`]) and the picture's shape
//! as shown (a phone's portrait video is often stored sideways with a rotation to apply), which is
//! the embed's `aspectRatio`. Each container is read by a parser made for it (`probe_mp4`,
//! `probe_webm`, `probe_gif`), reading headers and seeking past the frames.
//!
//! Captions are WebVTT files (≤ [`MAX_CAPTION_BYTES`], at most [`MAX_CAPTIONS`]), each in one
//! language; `captions` checks them.
//!
//! The work is blocking file I/O: call it from a blocking thread (`spawn_blocking`).

mod captions;
mod errors;
mod probe_gif;
mod probe_mp4;
mod probe_webm;
#[cfg(test)]
mod tests;

pub use captions::{check_caption, read_caption, CAPTION_MIME, MAX_CAPTIONS, MAX_CAPTION_BYTES};

use crate::error::Error;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest video the video service takes (`app.bsky.embed.video`'s blob `maxSize`).
pub const MAX_VIDEO_BYTES: u64 = 300_000_000;
/// The longest video the official app and the service take.
pub const MAX_VIDEO_DURATION: Duration = Duration::from_secs(10 * 60);

/// A video file that passed the checks: what the upload sends and the record says.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoFile {
    pub path: PathBuf,
    /// `video/mp4`, `video/quicktime`, `video/webm` or `image/gif`: the upload's Content-Type.
    pub mime_type: &'static str,
    pub size: u64,
    /// `None` when the file does not say (a WebM recorded live may not); the service decides.
    pub duration: Option<Duration>,
    /// The picture as shown (rotation applied), in pixels.
    pub width: u32,
    pub height: u32,
}

impl VideoFile {
    /// The file name extension the service is told (`name=<random>.<ext>`).
    pub fn extension(&self) -> &'static str {
        match self.mime_type {
            "video/quicktime" => "mov",
            "video/webm" => "webm",
            "image/gif" => "gif",
            _ => "mp4",
        }
    }
}

/// What a container parser found: the length and the shown size of the first video track.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Probed {
    duration: Option<Duration>,
    width: u32,
    height: u32,
}

/// The containers Hayon sends, told apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Mp4,
    QuickTime,
    WebM,
    Gif,
}

/// Checks the video at `path` (what it is, its size, its length, its shape), reading only its
/// headers.
pub fn probe(path: &Path) -> Result<VideoFile, Error> {
    let name = errors::file_name(path);
    let metadata = std::fs::metadata(path).map_err(|err| errors::unreadable(&name, &err))?;
    if !metadata.is_file() {
        return Err(errors::not_a_file(&name));
    }
    let size = metadata.len();
    if size == 0 {
        return Err(errors::empty(&name));
    }
    if size > MAX_VIDEO_BYTES {
        return Err(errors::too_large(&name, size));
    }
    let mut file = File::open(path).map_err(|err| errors::unreadable(&name, &err))?;
    let mut head = [0u8; 16];
    let read = read_up_to(&mut file, &mut head).map_err(|err| errors::unreadable(&name, &err))?;
    let container =
        sniff(&head[..read]).ok_or_else(|| errors::unsupported(&name, &head[..read]))?;
    let file = File::open(path).map_err(|err| errors::unreadable(&name, &err))?;
    let probed = match container {
        Container::Mp4 | Container::QuickTime => probe_mp4::probe(file),
        Container::WebM => probe_webm::probe(file),
        Container::Gif => probe_gif::probe(file),
    }
    .map_err(|detail| errors::damaged(&name, &detail))?;
    if let Some(duration) = probed
        .duration
        .filter(|length| *length > MAX_VIDEO_DURATION)
    {
        return Err(errors::too_long(&name, duration));
    }
    Ok(VideoFile {
        path: path.to_owned(),
        mime_type: match container {
            Container::Mp4 => "video/mp4",
            Container::QuickTime => "video/quicktime",
            Container::WebM => "video/webm",
            Container::Gif => "image/gif",
        },
        size,
        duration: probed.duration,
        width: probed.width,
        height: probed.height,
    })
}

/// A file that could not be read or copied, in the words of every other video failure.
pub fn unreadable_error(path: &Path, err: &std::io::Error) -> Error {
    errors::unreadable(&errors::file_name(path), err)
}

/// The container, from the file's first bytes; `None` for anything else (a photo, a document).
fn sniff(head: &[u8]) -> Option<Container> {
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(Container::Gif);
    }
    if head.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        return Some(Container::WebM);
    }
    if head.get(4..8) == Some(b"ftyp") {
        return match head.get(8..12)? {
            b"qt  " => Some(Container::QuickTime),
            // HEIF and AVIF photos are ISO media files too, but images.
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
            | b"avis" => None,
            _ => Some(Container::Mp4),
        };
    }
    None
}

/// Fills as much of `buffer` as the file has.
fn read_up_to(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            read => filled += read,
        }
    }
    Ok(filled)
}
