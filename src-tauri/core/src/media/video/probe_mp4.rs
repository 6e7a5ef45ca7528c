//! MP4 and QuickTime MOV through Mozilla's `mp4parse` (the parser Firefox runs on untrusted files,
//! with fallible allocations): the first video track's length and its size as shown. A phone keeps
//! a portrait video's frames sideways and says so in the track's display matrix; a quarter turn
//! swaps the shown width and height.
//!
//! mp4parse reads a file front to back, through the frames (`mdat`) too, which cameras and ffmpeg
//! write before the index (`moov`): 300 MB read to find a few kilobytes. So the top-level boxes are
//! stepped over here by their sizes (8 or 16 bytes of header each, seeking past the rest), and
//! mp4parse is given only the file type and the index.

use super::Probed;
use mp4parse::{Matrix, TrackType};
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::time::Duration;

/// The most top-level boxes stepped over (a camera's file has fewer than ten; a hostile one of tiny
/// boxes must not cost millions of reads).
const MAX_BOXES: usize = 10_000;
/// The largest index read (a 10-minute video's is well under a megabyte; a hostile file's could
/// claim gigabytes).
const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;

pub(super) fn probe(file: File) -> Result<Probed, String> {
    let boxes = type_and_index(file).map_err(|err| format!("reading the boxes: {err}"))?;
    let context =
        mp4parse::read_mp4(&mut Cursor::new(boxes)).map_err(|err| format!("mp4parse: {err}"))?;
    let track = context
        .tracks
        .iter()
        .find(|track| track.track_type == TrackType::Video)
        .ok_or("no video track")?;
    let header = track.tkhd.as_ref().ok_or("no track header")?;
    // Track header sizes are 16.16 fixed point.
    let (width, height) = (header.width >> 16, header.height >> 16);
    if width == 0 || height == 0 {
        return Err(format!("a video track of {width}×{height}"));
    }
    let (width, height) = if quarter_turn(&header.matrix) {
        (height, width)
    } else {
        (width, height)
    };
    let in_track_time = match (track.duration, track.timescale) {
        (Some(duration), Some(scale)) if scale.0 > 0 => Some(seconds(duration.0, scale.0)),
        _ => None,
    };
    let in_movie_time = context
        .timescale
        .filter(|scale| scale.0 > 0)
        .map(|scale| seconds(header.duration, scale.0));
    Ok(Probed {
        duration: in_track_time.or(in_movie_time),
        width,
        height,
    })
}

/// The `ftyp` and `moov` boxes of the file, whole, one after the other; every other top-level box
/// is seeked over.
fn type_and_index(mut file: File) -> std::io::Result<Vec<u8>> {
    let length = file.metadata()?.len();
    let mut kept = Vec::new();
    let mut at = 0u64;
    let mut boxes = 0;
    while at + 8 <= length {
        boxes += 1;
        if boxes > MAX_BOXES {
            return Err(std::io::Error::other("too many boxes"));
        }
        file.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        file.read_exact(&mut header[..8])?;
        let kind = [header[4], header[5], header[6], header[7]];
        let (size, header_length) =
            match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
                // To the end of the file.
                0 => (length - at, 8),
                // The size follows as 64 bits.
                1 => {
                    file.read_exact(&mut header[8..16])?;
                    let large = u64::from_be_bytes(header[8..16].try_into().unwrap_or([0; 8]));
                    (large, 16)
                }
                size => (u64::from(size), 8),
            };
        if size < header_length || at + size > length {
            return Err(std::io::Error::other("a box runs past the end of the file"));
        }
        if &kind == b"ftyp" || &kind == b"moov" {
            if kept.len() as u64 + size > MAX_INDEX_BYTES {
                return Err(std::io::Error::other("an index too large to read"));
            }
            file.seek(SeekFrom::Start(at))?;
            let start = kept.len();
            kept.resize(start + size as usize, 0);
            file.read_exact(&mut kept[start..])?;
        }
        at += size;
    }
    Ok(kept)
}

fn seconds(units: u64, per_second: u64) -> Duration {
    Duration::from_secs_f64(units as f64 / per_second as f64)
}

/// Whether the display matrix turns the picture by 90° or 270°: then its diagonal is zero and its
/// off-diagonal is not.
fn quarter_turn(matrix: &Matrix) -> bool {
    matrix.a == 0 && matrix.d == 0 && matrix.b != 0 && matrix.c != 0
}
