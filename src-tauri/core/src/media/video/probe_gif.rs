//! Animated GIF through the `gif` crate the image path already uses, with frame decoding skipped:
//! the screen's size and the sum of the frames' delays, which is how long one loop plays.

use super::Probed;
use std::fs::File;
use std::io::BufReader;
use std::time::Duration;

pub(super) fn probe(file: File) -> Result<Probed, String> {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options
        .read_info(BufReader::new(file))
        .map_err(|err| format!("gif: {err}"))?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    if width == 0 || height == 0 {
        return Err(format!("a GIF of {width}×{height}"));
    }
    // Delays are in hundredths of a second.
    let mut hundredths: u64 = 0;
    while let Some(frame) = decoder
        .read_next_frame()
        .map_err(|err| format!("gif: {err}"))?
    {
        hundredths += u64::from(frame.delay);
    }
    Ok(Probed {
        duration: Some(Duration::from_millis(hundredths * 10)),
        width,
        height,
    })
}
