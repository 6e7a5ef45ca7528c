//! From an opened file to upright pixels no larger than the output needs.
//!
//! Every format's header is read first and its size checked against [`MAX_INPUT_SIDE`] and
//! [`MAX_INPUT_PIXELS`] before any pixel buffer is allocated, so a decompression bomb (a tiny file
//! that claims 30000×30000 pixels) is refused at once. Animated GIF, WebP and PNG files are
//! refused too: a post shows still images. The EXIF orientation (JPEG, PNG `eXIf`, WebP) is applied
//! after fitting, when turning the pixels costs least.

use super::errors;
use super::jpeg;
use super::pixels::Pixels;
use super::source::{Format, Input, Source};
use super::{MAX_INPUT_PIXELS, MAX_INPUT_SIDE};
use crate::error::Error;
use image::codecs::{gif::GifDecoder, jpeg::JpegDecoder, png::PngDecoder, webp::WebPDecoder};
use image::metadata::Orientation;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageError, Limits};
use std::io::{Seek, SeekFrom};

/// Decoders may allocate at most this much (the pixels of a 100 MP RGBA image, and then some).
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// The upright pixels of `source`, fitted within `max_edge`×`max_edge`.
pub(super) fn upright(mut source: Source<'_>, max_edge: u32) -> Result<Pixels, Error> {
    let path = source.name.clone();
    let (pixels, orientation) = match source.format {
        Format::Jpeg => match jpeg::decode(&mut source, max_edge, too_large)? {
            jpeg::Decoded::Pixels(rgb, orientation) => (Pixels::Rgb(rgb), orientation),
            jpeg::Decoded::TooLarge(width, height) => {
                return Err(errors::too_large(&path, width, height))
            }
            jpeg::Decoded::Cmyk => {
                source
                    .reader
                    .seek(SeekFrom::Start(0))
                    .map_err(|err| errors::unreadable(&path, &err))?;
                let decoder = JpegDecoder::new(source.reader)
                    .map_err(|err| image_error(&path, "JPEG", err))?;
                still(decoder, &path, "JPEG")?
            }
        },
        Format::Png => {
            let decoder = PngDecoder::with_limits(source.reader, limits())
                .map_err(|err| image_error(&path, "PNG", err))?;
            if decoder.is_apng().unwrap_or(false) {
                return Err(errors::animated(&path));
            }
            still(decoder, &path, "PNG")?
        }
        Format::Gif => first_of_still_gif(source.reader, &path)?,
        Format::WebP => {
            let decoder =
                WebPDecoder::new(source.reader).map_err(|err| image_error(&path, "WebP", err))?;
            if decoder.has_animation() {
                return Err(errors::animated(&path));
            }
            still(decoder, &path, "WebP")?
        }
    };
    let fitted = pixels
        .fit_within(max_edge, max_edge)
        .map_err(|detail| errors::internal(&path, detail))?;
    Ok(fitted.oriented(orientation))
}

fn too_large(width: u32, height: u32) -> bool {
    width > MAX_INPUT_SIDE
        || height > MAX_INPUT_SIDE
        || u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS
}

/// Limits for `image`'s decoders: allocation only. Sizes are checked by [`check_size`], which can
/// say what the size was.
fn limits() -> Limits {
    let mut limits = Limits::no_limits();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Refuses, from the header alone, images too large to decode.
fn check_size(decoder: &impl ImageDecoder, path: &str) -> Result<(), Error> {
    let (width, height) = decoder.dimensions();
    if too_large(width, height) || decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(errors::too_large(path, width, height));
    }
    Ok(())
}

/// A single-image decoder's pixels and orientation.
fn still(
    mut decoder: impl ImageDecoder,
    path: &str,
    format: &str,
) -> Result<(Pixels, Orientation), Error> {
    check_size(&decoder, path)?;
    let (width, height) = decoder.dimensions();
    let error = |err: ImageError| match err {
        ImageError::Limits(_) => errors::too_large(path, width, height),
        other => image_error(path, format, other),
    };
    decoder.set_limits(limits()).map_err(error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(error)?;
    Ok((Pixels::from_dynamic(image), orientation))
}

/// The one frame of a GIF; a second frame means it is animated.
fn first_of_still_gif(
    reader: Box<dyn Input + '_>,
    path: &str,
) -> Result<(Pixels, Orientation), Error> {
    let mut decoder = GifDecoder::new(reader).map_err(|err| image_error(path, "GIF", err))?;
    check_size(&decoder, path)?;
    decoder
        .set_limits(limits())
        .map_err(|err| image_error(path, "GIF", err))?;
    let mut frames = decoder.into_frames();
    let first = match frames.next() {
        Some(Ok(frame)) => frame,
        Some(Err(err)) => return Err(image_error(path, "GIF", err)),
        None => return Err(errors::damaged(path, "GIF", "the file has no image")),
    };
    match frames.next() {
        None => {}
        Some(Ok(_)) => return Err(errors::animated(path)),
        Some(Err(err)) => return Err(image_error(path, "GIF", err)),
    }
    let image = DynamicImage::ImageRgba8(first.into_buffer());
    Ok((Pixels::from_dynamic(image), Orientation::NoTransforms))
}

fn image_error(path: &str, format: &str, err: ImageError) -> Error {
    match err {
        ImageError::Unsupported(detail) => errors::unsupported_feature(path, format, detail),
        other => errors::damaged(path, format, other),
    }
}
