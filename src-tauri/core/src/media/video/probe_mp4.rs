//! MP4 and QuickTime MOV through Mozilla's `mp4parse` (the parser Firefox runs on untrusted files,
//! with fallible allocations): the first video track's length and its size as shown. A phone keeps
//! a portrait video's frames sideways and says so in the track's display matrix; a quarter turn
//! swaps the shown width and height.

use super::Probed;
use mp4parse::{Matrix, TrackType};
use std::fs::File;
use std::io::BufReader;
use std::time::Duration;

pub(super) fn probe(file: File) -> Result<Probed, String> {
    let context =
        mp4parse::read_mp4(&mut BufReader::new(file)).map_err(|err| format!("mp4parse: {err}"))?;
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

fn seconds(units: u64, per_second: u64) -> Duration {
    Duration::from_secs_f64(units as f64 / per_second as f64)
}

/// Whether the display matrix turns the picture by 90° or 270°: then its diagonal is zero and its
/// off-diagonal is not.
fn quarter_turn(matrix: &Matrix) -> bool {
    matrix.a == 0 && matrix.d == 0 && matrix.b != 0 && matrix.c != 0
}
