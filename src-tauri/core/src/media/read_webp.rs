//! WebP through `image-webp` directly (the decoder `image` wraps), which decodes only whole
//! images: the bitmap and the decoder's own planes are counted in the budget from the header
//! before anything is decoded, then the rows go through the shrinker like any other format's.

use super::decode::{self, Decoded};
use super::errors;
use super::pixels::Pixels;
use super::source::Source;
use crate::error::Error;
use hayon_pixels::{Layout, Shrinker};
use image::metadata::Orientation;
use image_webp::{DecodingError, WebPDecoder};

pub(super) fn read(source: Source<'_>, max_edge: u32) -> Result<Decoded, Error> {
    let name = source.name;
    let damaged = |err: DecodingError| match err {
        DecodingError::UnsupportedFeature(detail) => {
            errors::unsupported_feature(&name, "WebP", detail)
        }
        other => errors::damaged(&name, "WebP", other),
    };
    let mut decoder = WebPDecoder::new(source.reader).map_err(damaged)?;
    if decoder.is_animated() {
        return Err(errors::animated(&name));
    }
    let (width, height) = decoder.dimensions();
    if decode::too_large(width, height) {
        return Err(errors::too_large(&name, width, height));
    }
    let alpha = decoder.has_alpha();
    let layout = if alpha { Layout::Rgba } else { Layout::Rgb };
    let pixels = u64::from(width) * u64::from(height);
    let bitmap = pixels * layout.channels() as u64;
    // Besides the bitmap (image-webp 0.2, decoder.rs and extended.rs): a lossy image's Y, U and V
    // planes (1.5 bytes a pixel) and, for its alpha, a lossless RGBA plane and its green copy (5);
    // a lossless opaque image is decoded as RGBA first (4).
    let planes = match (decoder.is_lossy(), alpha) {
        (true, false) => pixels * 3 / 2,
        (true, true) => pixels * 3 / 2 + pixels * 5,
        (false, false) => pixels * 4,
        (false, true) => 0,
    };
    let mut shrinker = Shrinker::new(width, height, alpha, max_edge);
    let (out_width, out_height) = shrinker.out_size();
    let reservation = decode::reserve(
        &name,
        (width, height, "WebP"),
        bitmap + planes + shrinker.working_bytes(),
        (out_width, out_height, layout.channels() as u32),
        max_edge,
    )?;
    let orientation = decoder
        .exif_metadata()
        .ok()
        .flatten()
        .and_then(|exif| Orientation::from_exif_chunk(&exif))
        .unwrap_or(Orientation::NoTransforms);
    let mut buffer = vec![0u8; bitmap as usize];
    decoder.read_image(&mut buffer).map_err(damaged)?;
    let stride = width as usize * layout.channels();
    for (y, row) in buffer.chunks_exact(stride.max(1)).enumerate() {
        shrinker.add_row(y, 0, row, layout);
    }
    Ok(Decoded {
        pixels: Pixels::from_shrunk(shrinker.finish())
            .map_err(|detail| errors::internal(&name, detail))?,
        orientation,
        reservation,
    })
}
