//! PNG through the `png` crate directly (the decoder `image` wraps), row by row into the shrinker:
//! a 389 KB fully transparent 100-megapixel PNG inflates to 400 MB of rows, of which only a
//! downscaled copy (at most 64 MB) is ever held. Rows come out as 8-bit grey, grey+alpha, RGB or
//! RGBA (palettes and `tRNS` expanded, 16-bit reduced). An interlaced (Adam7) PNG delivers its
//! rows in seven passes, so it is decoded whole first and its bitmap counted in the budget.
//! Text and ICC chunks are skipped unread.

use super::decode::{self, Decoded};
use super::errors;
use super::pixels::Pixels;
use super::source::Source;
use crate::error::Error;
use hayon_pixels::{Layout, Shrinker};
use image::metadata::Orientation;
use png::{ColorType, DecodingError, Transformations};

/// The rows the `png` crate keeps (current and previous, raw and transformed), with room.
const ROW_BUFFERS: u64 = 4;

pub(super) fn read(source: Source<'_>, max_edge: u32) -> Result<Decoded, Error> {
    let name = source.name;
    let damaged = |err: DecodingError| errors::damaged(&name, "PNG", err);
    let mut decoder = png::Decoder::new(source.reader);
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_transformations(Transformations::normalize_to_color8());
    let header = decoder.read_header_info().map_err(damaged)?;
    let (width, height) = (header.width, header.height);
    if decode::too_large(width, height) {
        return Err(errors::too_large(&name, width, height));
    }
    let mut reader = decoder.read_info().map_err(damaged)?;
    let info = reader.info();
    if info.animation_control.is_some() {
        return Err(errors::animated(&name));
    }
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let interlaced = info.interlaced;
    let layout = match reader.output_color_type().0 {
        ColorType::Grayscale => Layout::Gray,
        ColorType::GrayscaleAlpha => Layout::GrayAlpha,
        ColorType::Rgba => Layout::Rgba,
        ColorType::Rgb | ColorType::Indexed => Layout::Rgb,
    };
    let mut shrinker = Shrinker::new(width, height, layout.has_alpha(), max_edge);
    let row_bytes = u64::from(width) * layout.channels() as u64;
    let bitmap = if interlaced {
        row_bytes * u64::from(height)
    } else {
        0
    };
    let (out_width, out_height) = shrinker.out_size();
    let kind = if interlaced { "interlaced PNG" } else { "PNG" };
    let reservation = decode::reserve(
        &name,
        (width, height, kind),
        bitmap + ROW_BUFFERS * row_bytes + shrinker.working_bytes(),
        (
            out_width,
            out_height,
            if layout.has_alpha() { 4 } else { 3 },
        ),
        max_edge,
    )?;
    let mut rows = 0;
    if interlaced {
        let mut bitmap = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let frame = reader.next_frame(&mut bitmap).map_err(damaged)?;
        for (y, row) in bitmap.chunks_exact(frame.line_size).enumerate() {
            shrinker.add_row(y, 0, row, layout);
            rows += 1;
        }
    } else {
        while let Some(row) = reader.next_row().map_err(damaged)? {
            shrinker.add_row(rows, 0, row.data(), layout);
            rows += 1;
        }
    }
    if rows < height as usize {
        return Err(errors::damaged(&name, "PNG", "rows are missing"));
    }
    Ok(Decoded {
        pixels: Pixels::from_shrunk(shrinker.finish())
            .map_err(|detail| errors::internal(&name, detail))?,
        orientation,
        reservation,
    })
}
