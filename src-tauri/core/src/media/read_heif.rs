//! HEIC/HEIF (what iPhones save) and AVIF through libheif (`libheif-rs`), the reference decoder,
//! with the system's codec plugins (HEVC: libde265; AV1: dav1d or aom).
//!
//! libheif decodes whole images only, so the primary image's size is read from its handle and
//! checked first ([`decode::too_large`]), and what libheif will hold is reserved in the budget
//! before anything is decoded: the compressed bytes it reads, the YCbCr and alpha planes (at the
//! coded bit depth, twice: the codec's picture and libheif's copy of it), and the interleaved
//! 8-bit RGB or RGBA they are converted to. Its rows then go through the shrinker like any other
//! format's. As libheif frees all but the interleaved pixels before it returns, and those are
//! dropped before fitting, the reservation is the largest of those steps, not their sum
//! ([`decode::reserve_in_turn`]): a 48 MP photo (8064×6048, as iPhones take at "HEIF Max") fits.
//! libheif's own security limits (a 32768² image, 512 MiB memory blocks, …) stay at their
//! defaults: the bindings set a context's limits only from libheif 1.19 on, and Ubuntu 24.04 has
//! 1.17; the checks here are tighter than those limits anyway.
//!
//! Orientation: libheif applies the file's transform properties (`irot`, `imir`, and the crop,
//! `clap`) while decoding, so the pixels come out upright, and the handle's size is the upright
//! one. The EXIF orientation a HEIC carries as well is NOT applied on top: HEIF makes the
//! properties the ones that count, and iPhones and heif-enc (given a JPEG with EXIF orientation 6:
//! it writes `irot` 270° anticlockwise and leaves the EXIF tag at 6) write both, so applying the
//! tag too would turn the photo twice. The EXIF (GPS), XMP and other metadata items are never
//! read: only the pixels go on, re-encoded.

use super::decode::{self, Decoded};
use super::errors;
use super::pixels::Pixels;
use super::source::Source;
use crate::error::Error;
use hayon_pixels::{Layout, Shrinker};
use image::metadata::Orientation;
use libheif_rs::{
    Chroma, ColorSpace, DecodingOptions, HeifContext, HeifError, HeifErrorCode, HeifErrorSubCode,
    LibHeif, RgbChroma, StreamReader,
};
use std::io::SeekFrom;
use std::sync::OnceLock;

/// libheif, initialised once (it loads its codec plugins then) and kept for the process.
fn libheif() -> &'static LibHeif {
    static LIBHEIF: OnceLock<LibHeif> = OnceLock::new();
    LIBHEIF.get_or_init(LibHeif::new)
}

pub(super) fn read(mut source: Source<'_>, max_edge: u32) -> Result<Decoded, Error> {
    let name = source.name;
    let kind = source.format.name();
    let refused = |err: HeifError| refusal(&name, kind, &err);
    let unreadable = |err: std::io::Error| errors::unreadable(&name, &err);
    let file_bytes = source.reader.seek(SeekFrom::End(0)).map_err(unreadable)?;
    source.reader.rewind().map_err(unreadable)?;
    let context =
        HeifContext::read_from_reader(Box::new(StreamReader::new(source.reader, file_bytes)))
            .map_err(refused)?;
    let handle = context.primary_image_handle().map_err(refused)?;
    let (width, height) = (handle.width(), handle.height());
    if decode::too_large(width, height) {
        return Err(errors::too_large(&name, width, height));
    }
    let alpha = handle.has_alpha_channel();
    let layout = if alpha { Layout::Rgba } else { Layout::Rgb };
    let pixels = u64::from(width) * u64::from(height);
    let sample_bytes = if handle.luma_bits_per_pixel() > 8 {
        2
    } else {
        1
    };
    // Samples of the colour planes: Cb and Cr are a quarter of Y each in 4:2:0, half in 4:2:2.
    let colour_samples = match handle.preferred_decoding_colorspace() {
        Ok(ColorSpace::YCbCr(Chroma::C420)) => pixels * 3 / 2,
        Ok(ColorSpace::YCbCr(Chroma::C422)) => pixels * 2,
        Ok(ColorSpace::Monochrome) => pixels,
        _ => pixels * 3,
    };
    let planes = (colour_samples + if alpha { pixels } else { 0 }) * sample_bytes;
    let interleaved = pixels * layout.channels() as u64;
    let mut shrinker = Shrinker::new(width, height, alpha, max_edge);
    let (out_width, out_height) = shrinker.out_size();
    // Inside libheif, the planes are copied once from the codec's picture, then converted to the
    // interleaved pixels; only those are left when it returns, and they go once the rows are in
    // the shrinker, before fitting (measured: an 8000×6000 HEIC peaks at about 325 MiB in all).
    let reservation = decode::reserve_in_turn(
        &name,
        (width, height, kind),
        file_bytes + (2 * planes).max(planes + interleaved),
        file_bytes + interleaved + shrinker.working_bytes(),
        (out_width, out_height, layout.channels() as u32),
        max_edge,
    )?;
    let mut options = DecodingOptions::new()
        .ok_or_else(|| errors::internal(&name, "libheif gave no decoding options"))?;
    // A 10-bit photo (HDR) becomes 8-bit interleaved RGB like any other.
    options.set_convert_hdr_to_8bit(true);
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let image = libheif()
        .decode(&handle, ColorSpace::Rgb(chroma), Some(options))
        .map_err(refused)?;
    let planes = image.planes();
    let plane = planes
        .interleaved
        .ok_or_else(|| errors::internal(&name, "libheif gave no interleaved pixels"))?;
    if (plane.width, plane.height) != (width, height)
        || plane.storage_bits_per_pixel != 8 * layout.channels() as u8
    {
        return Err(errors::internal(
            &name,
            format!(
                "libheif decoded {}×{} at {} bits a pixel, not {width}×{height}",
                plane.width, plane.height, plane.storage_bits_per_pixel
            ),
        ));
    }
    let row_bytes = width as usize * layout.channels();
    for (y, row) in plane
        .data
        .chunks(plane.stride.max(1))
        .take(height as usize)
        .enumerate()
    {
        let row = row
            .get(..row_bytes)
            .ok_or_else(|| errors::internal(&name, "libheif's rows are short"))?;
        shrinker.add_row(y, 0, row, layout);
    }
    drop(image);
    Ok(Decoded {
        pixels: Pixels::from_shrunk(shrinker.finish())
            .map_err(|detail| errors::internal(&name, detail))?,
        orientation: Orientation::NoTransforms,
        reservation,
    })
}

/// libheif's refusal in words: a missing codec plugin is the system's to fix, anything else the
/// file's, with libheif's own reason.
fn refusal(name: &str, kind: &str, err: &HeifError) -> Error {
    let reason = if err.message.is_empty() {
        format!("{:?}", err.sub_code)
    } else {
        err.message.clone()
    };
    match (err.code, err.sub_code) {
        (HeifErrorCode::UnsupportedFeature, HeifErrorSubCode::UnsupportedCodec)
        | (HeifErrorCode::PluginLoadingError, _) => errors::no_heif_decoder(name, kind, reason),
        _ => errors::heif(name, kind, reason),
    }
}
