//! GIF through the `gif` crate directly, as palette indices, row by row into the shrinker. The
//! logical screen is only a number here: `image`'s decoder allocates it as an RGBA canvas before
//! reading a pixel (388 MiB for a 43-byte file claiming 10000×10000), where this reads the frame's
//! own rows and places them on the screen, whose pixels outside the frame are transparent (they
//! cost nothing in the shrinker). An interlaced frame delivers its rows out of order, so its
//! indices (one byte per pixel) are read whole first. A second frame means the GIF is animated.

use super::decode::{self, Decoded};
use super::errors;
use super::pixels::Pixels;
use super::source::Source;
use crate::error::Error;
use gif::{ColorOutput, DecodeOptions, DecodingError};
use hayon_pixels::Shrinker;
use image::metadata::Orientation;

pub(super) fn read(source: Source<'_>, max_edge: u32) -> Result<Decoded, Error> {
    let name = source.name;
    let damaged = |err: DecodingError| errors::damaged(&name, "GIF", err);
    let mut options = DecodeOptions::new();
    options.set_color_output(ColorOutput::Indexed);
    let mut decoder = options.read_info(source.reader).map_err(damaged)?;
    let screen = (u32::from(decoder.width()), u32::from(decoder.height()));
    if decode::too_large(screen.0, screen.1) {
        return Err(errors::too_large(&name, screen.0, screen.1));
    }
    let Some(frame) = decoder.next_frame_info().map_err(damaged)? else {
        return Err(errors::damaged(&name, "GIF", "the file has no image"));
    };
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    let (frame_width, frame_height) = (usize::from(frame.width), usize::from(frame.height));
    let (transparent, interlaced) = (frame.transparent, frame.interlaced);
    // A frame reaching past the screen widens it, as browsers show it.
    let width = screen.0.max((left + frame_width) as u32);
    let height = screen.1.max((top + frame_height) as u32);
    if decode::too_large(width, height) {
        return Err(errors::too_large(&name, width, height));
    }
    let covers = (left, top, frame_width as u32, frame_height as u32) == (0, 0, width, height);
    let alpha = transparent.is_some() || !covers;
    let mut shrinker = Shrinker::new(width, height, alpha, max_edge);
    let indices = (frame_width * if interlaced { frame_height } else { 1 }) as u64;
    let (out_width, out_height) = shrinker.out_size();
    let reservation = decode::reserve(
        &name,
        (width, height, "GIF"),
        indices + frame_width as u64 * 4 + shrinker.working_bytes(),
        (out_width, out_height, if alpha { 4 } else { 3 }),
        max_edge,
    )?;
    let palette = decoder.palette().map_err(damaged)?.to_vec();
    if frame_width > 0 && frame_height > 0 {
        if interlaced {
            let mut all = vec![0u8; frame_width * frame_height];
            decoder.read_into_buffer(&mut all).map_err(damaged)?;
            for (y, row) in all.chunks_exact(frame_width).enumerate() {
                shrinker.add_indexed_row(top + y, left, row, &palette, transparent);
            }
        } else {
            let mut row = vec![0u8; frame_width];
            for y in 0..frame_height {
                if !decoder.fill_buffer(&mut row).map_err(damaged)? {
                    return Err(errors::damaged(&name, "GIF", "the image is cut short"));
                }
                shrinker.add_indexed_row(top + y, left, &row, &palette, transparent);
            }
        }
    }
    if decoder.next_frame_info().map_err(damaged)?.is_some() {
        return Err(errors::animated(&name));
    }
    Ok(Decoded {
        pixels: Pixels::from_shrunk(shrinker.finish())
            .map_err(|detail| errors::internal(&name, detail))?,
        orientation: Orientation::NoTransforms,
        reservation,
    })
}
