//! JPEG in and out through libjpeg-turbo (the `mozjpeg` crate), for speed and memory: the decoder
//! downscales in the DCT domain (a 4000×3000 photo decodes straight to 2000×1500, never holding the
//! 36 MB full-size bitmap), and the baseline encoder is fast enough to try several qualities.
//!
//! libjpeg reports errors by unwinding; every call into it runs inside `catch_unwind`. It treats a
//! file that ends early as a warning and pads the picture with grey, so the reader below notes
//! whether the data ran out before the end-of-image marker, and such a file is refused.

use super::source::Source;
use crate::error::Error;
use image::metadata::Orientation;
use image::RgbImage;
use std::io::{self, BufRead, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What reading a JPEG gave.
#[derive(Debug)]
pub(super) enum Decoded {
    /// RGB pixels, downscaled so the long edge is at least the requested one (or full size), and
    /// the EXIF orientation still to apply.
    Pixels(RgbImage, Orientation),
    /// The header's size, refused before decoding.
    TooLarge(u32, u32),
    /// CMYK/YCCK (print-workflow files), which libjpeg does not convert to RGB: decode elsewhere.
    Cmyk,
}

/// Reads the JPEG of `source`, downscaled by `n/8` (libjpeg's DCT scaling) to the smallest size
/// whose long edge is still ≥ `min_long_edge`. `too_large(width, height)` is asked with the header.
pub(super) fn decode(
    source: &mut Source<'_>,
    min_long_edge: u32,
    too_large: impl Fn(u32, u32) -> bool,
) -> Result<Decoded, Error> {
    let path = source.name.as_str();
    let reader = EofWatch {
        inner: &mut source.reader,
        ran_out: false,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> io::Result<Decoded> {
        let mut decompress =
            mozjpeg::Decompress::with_markers(&[mozjpeg::Marker::APP(1)]).from_reader(reader)?;
        let (width, height) = (
            u32::try_from(decompress.width()).unwrap_or(u32::MAX),
            u32::try_from(decompress.height()).unwrap_or(u32::MAX),
        );
        if too_large(width, height) {
            return Ok(Decoded::TooLarge(width, height));
        }
        if matches!(
            decompress.color_space(),
            mozjpeg::ColorSpace::JCS_CMYK | mozjpeg::ColorSpace::JCS_YCCK
        ) {
            return Ok(Decoded::Cmyk);
        }
        let orientation = decompress
            .markers()
            .find_map(|marker| exif_orientation(marker.data))
            .unwrap_or(Orientation::NoTransforms);
        decompress.scale(scale_numerator(width.max(height), min_long_edge));
        let mut started = decompress.rgb()?;
        let (out_width, out_height) = (
            u32::try_from(started.width()).map_err(io::Error::other)?,
            u32::try_from(started.height()).map_err(io::Error::other)?,
        );
        let rgb: Vec<u8> = started.read_scanlines()?;
        let reader = started.finish_into_inner()?;
        if reader.ran_out {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let image = RgbImage::from_raw(out_width, out_height, rgb)
            .ok_or_else(|| io::Error::other("libjpeg returned fewer rows than the image has"))?;
        Ok(Decoded::Pixels(image, orientation))
    }));
    match outcome {
        Ok(Ok(decoded)) => Ok(decoded),
        Ok(Err(err)) if err.kind() == io::ErrorKind::UnexpectedEof => Err(super::errors::damaged(
            path,
            "JPEG",
            "the file ends before the image does",
        )),
        Ok(Err(err)) => Err(super::errors::damaged(path, "JPEG", err)),
        Err(panic) => Err(super::errors::damaged(path, "JPEG", panic_message(&*panic))),
    }
}

/// Baseline JPEG (libjpeg-turbo's defaults: 4:2:0, standard Huffman tables) at `quality` 1–100.
/// Only a JFIF header precedes the pixels: no EXIF, no ICC profile.
pub(super) fn encode(image: &RgbImage, quality: u8) -> Result<Vec<u8>, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> io::Result<Vec<u8>> {
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        compress.set_fastest_defaults();
        compress.set_size(image.width() as usize, image.height() as usize);
        compress.set_quality(f32::from(quality.clamp(1, 100)));
        let mut started = compress.start_compress(Vec::with_capacity(1 << 20))?;
        started.write_scanlines(image.as_raw())?;
        started.finish()
    }));
    match outcome {
        Ok(result) => result.map_err(|err| err.to_string()),
        Err(panic) => Err(panic_message(&*panic)),
    }
}

/// The smallest `n` (1–8) such that `long_edge × n / 8` is still ≥ `min_long_edge`.
fn scale_numerator(long_edge: u32, min_long_edge: u32) -> u8 {
    (1..8u8)
        .find(|&n| u64::from(long_edge) * u64::from(n) >= u64::from(min_long_edge) * 8)
        .unwrap_or(8)
}

/// The orientation in an APP1 segment, if it is EXIF and has one.
fn exif_orientation(app1: &[u8]) -> Option<Orientation> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    Orientation::from_exif_chunk(tiff)
}

/// libjpeg's messages arrive as the unwinding payload (a `String`).
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_else(|| "libjpeg failed".to_owned())
}

/// A reader that remembers whether libjpeg asked for data past the end of the file.
struct EofWatch<R> {
    inner: R,
    ran_out: bool,
}

impl<R: BufRead> Read for EofWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        if read == 0 && !buf.is_empty() {
            self.ran_out = true;
        }
        Ok(read)
    }
}

impl<R: BufRead> BufRead for EofWatch<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            self.ran_out = true;
        }
        Ok(buf)
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_keeps_the_long_edge_at_least_the_target() {
        assert_eq!(scale_numerator(4000, 2000), 4);
        assert_eq!(scale_numerator(4032, 2000), 4);
        assert_eq!(scale_numerator(3000, 2000), 6);
        assert_eq!(scale_numerator(16000, 2000), 1);
        assert_eq!(scale_numerator(1500, 2000), 8);
    }
}
