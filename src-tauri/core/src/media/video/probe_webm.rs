//! WebM through `matroska-demuxer` (no dependencies of its own; reads the segment's headers and
//! seeks past the clusters): the length from the segment info (absent in a live recording) and the
//! first video track's size, its display size when it has one.

use super::Probed;
use std::fs::File;
use std::io::BufReader;
use std::time::Duration;

pub(super) fn probe(file: File) -> Result<Probed, String> {
    let matroska = matroska_demuxer::MatroskaFile::open(BufReader::new(file))
        .map_err(|err| format!("matroska: {err}"))?;
    let video = matroska
        .tracks()
        .iter()
        .find_map(|track| track.video())
        .ok_or("no video track")?;
    let width = video
        .display_width()
        .unwrap_or_else(|| video.pixel_width())
        .get();
    let height = video
        .display_height()
        .unwrap_or_else(|| video.pixel_height())
        .get();
    let info = matroska.info();
    // Duration counts in units of the timestamp scale, which is in nanoseconds.
    let duration = info
        .duration()
        .filter(|units| units.is_finite() && *units >= 0.0)
        .map(|units| units * info.timestamp_scale().get() as f64 / 1e9)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok());
    Ok(Probed {
        duration,
        width: u32::try_from(width).map_err(|_| "too wide")?,
        height: u32::try_from(height).map_err(|_| "too tall")?,
    })
}
