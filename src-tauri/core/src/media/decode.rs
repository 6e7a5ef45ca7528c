//! From an opened image to upright pixels no larger than the output needs, within the memory
//! budget.
//!
//! Every format's header is read first and its size checked against [`MAX_INPUT_SIDE`] and
//! [`MAX_INPUT_PIXELS`] before any pixel buffer is allocated, so a decompression bomb (a tiny file
//! that claims 30000×30000 pixels) is refused at once. Then the image's peak memory is estimated
//! and reserved (`budget`): what the decoder needs (nothing large for a baseline JPEG or a PNG read
//! row by row; the bitmap of a WebP or an interlaced PNG; the coefficients of a progressive JPEG)
//! plus the downscaled copy and what fitting and encoding it take. Animated GIF, WebP and PNG files
//! are refused: a post shows still images. The EXIF orientation (JPEG, PNG `eXIf`, WebP) is applied
//! after fitting, when turning the pixels costs least, and for RGB not as a turned copy at all: the
//! JPEG encoder reads the rows upright.
//!
//! Files: `jpeg` (libjpeg-turbo), `read_png`, `read_gif`, `read_webp` and `read_heif` (libheif:
//! HEIC and AVIF, upright from libheif itself) decode, each into a `hayon_pixels::Shrinker` (JPEG
//! shrinks in the DCT domain instead).

use super::budget::{self, Reservation};
use super::pixels::{fitted_size, Pixels};
use super::source::{Format, Source};
use super::{errors, jpeg, read_gif, read_heif, read_png, read_webp};
use super::{MAX_INPUT_PIXELS, MAX_INPUT_SIDE};
use crate::error::Error;
use image::metadata::Orientation;

/// Pixels as decoded, at most about twice the longest edge asked for, with the memory reserved for
/// them until the image is encoded.
#[derive(Debug)]
pub(super) struct Decoded {
    pub pixels: Pixels,
    pub orientation: Orientation,
    pub reservation: Reservation,
}

/// What fitting, turning and encoding the decoded pixels may hold besides them, beyond the
/// buffers counted (the encoder's output, `image`'s small buffers).
const ENCODE_BYTES: u64 = 8 * 1024 * 1024;

/// The pixels of `source` fitted within `max_edge`×`max_edge`, the orientation still to apply to
/// them (RGBA is turned here, for the PNG encoder; RGB is read upright by the JPEG encoder, see
/// `upright`), and their reservation.
pub(super) fn fitted(
    mut source: Source<'_>,
    max_edge: u32,
) -> Result<(Pixels, Orientation, Reservation), Error> {
    let name = source.name.clone();
    let decoded = match source.format {
        Format::Jpeg => jpeg::read(&mut source, max_edge)?,
        Format::Png => read_png::read(source, max_edge)?,
        Format::Gif => read_gif::read(source, max_edge)?,
        Format::WebP => read_webp::read(source, max_edge)?,
        Format::Heic | Format::Avif => read_heif::read(source, max_edge)?,
    };
    let fitted = decoded
        .pixels
        .fit_within(max_edge, max_edge)
        .map_err(|detail| errors::internal(&name, detail))?;
    Ok(match fitted {
        Pixels::Rgba(_) => (
            fitted.oriented(decoded.orientation),
            Orientation::NoTransforms,
            decoded.reservation,
        ),
        rgb => (rgb, decoded.orientation, decoded.reservation),
    })
}

pub(super) fn too_large(width: u32, height: u32) -> bool {
    width > MAX_INPUT_SIDE
        || height > MAX_INPUT_SIDE
        || u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS
}

/// Reserves the memory of one image: `decoding` bytes held by the decoder, then a decoded copy of
/// `kept` (width, height, channels) and what fitting it within `max_edge` and encoding take.
/// The image's width, height and kind (e.g. "progressive JPEG") word the refusal.
pub(super) fn reserve(
    name: &str,
    (width, height, kind): (u32, u32, &str),
    decoding: u64,
    kept: (u32, u32, u32),
    max_edge: u32,
) -> Result<Reservation, Error> {
    budget::reserve(decoding.saturating_add(fit_bytes(kept, max_edge)))
        .map_err(|_| errors::needs_too_much_memory(name, width, height, kind))
}

/// Reserves the memory of one image whose decoder lets go of everything once it has handed over its
/// pixels (libheif decodes whole, then gives one interleaved buffer), so its steps never overlap:
/// the decoder's own peak (`decoding`), then its output (`handover`, with anything else held while
/// the copy is made) beside the decoded copy of `kept` being filled from it, then fitting that copy.
/// The most of the three is reserved; the refusal is worded like [`reserve`]'s.
pub(super) fn reserve_in_turn(
    name: &str,
    (width, height, kind): (u32, u32, &str),
    decoding: u64,
    handover: u64,
    kept: (u32, u32, u32),
    max_edge: u32,
) -> Result<Reservation, Error> {
    let (kept_width, kept_height, channels) = kept;
    let copy = u64::from(kept_width) * u64::from(kept_height) * u64::from(channels);
    let peak = decoding.max(handover + copy).max(fit_bytes(kept, max_edge));
    budget::reserve(peak).map_err(|_| errors::needs_too_much_memory(name, width, height, kind))
}

/// The decoded copy with a resampler's vertical intermediate and output, or, once fitted, the
/// fitted pixels with their turned copy or the encoder's trial and output. An upper bound since
/// issue 20: `hayon_pixels::resample` writes over the decoded copy a strip at a time, and RGB is read
/// upright without a turned copy (`upright`); the estimate is kept as it was (room for the
/// allocator, and the limits tests measure against it).
fn fit_bytes((width, height, channels): (u32, u32, u32), max_edge: u32) -> u64 {
    let (fit_width, fit_height) = fitted_size(width, height, max_edge, max_edge);
    let bytes = |w: u32, h: u32| u64::from(w) * u64::from(h) * u64::from(channels);
    let fitted = bytes(fit_width, fit_height);
    let resizing = if (fit_width, fit_height) == (width, height) {
        fitted
    } else {
        bytes(width, height) + bytes(width, fit_height) + fitted
    };
    resizing.max(3 * fitted) + ENCODE_BYTES
}
