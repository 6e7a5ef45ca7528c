//! JPEG in and out through libjpeg-turbo (the `mozjpeg` crate), for speed and memory: the decoder
//! downscales in the DCT domain (a 6000×4000 photo decodes straight to 4500×3000, never holding the
//! 36 MB full-size bitmap), and the encoder is libjpeg-turbo's baseline one (mozjpeg's trellis
//! quantisation and progressive scans are off: several times slower for a few percent), fed upright
//! rows a band at a time (`upright`), the whole image or an evenly spaced eighth of its rows whose
//! size predicts the whole's (`encode`'s quality search).
//!
//! Before libjpeg sees a file, `jpeg_markers` walks it: too many scans (a "scan bomb") are refused,
//! and the memory of a progressive JPEG's coefficient buffer is reserved from the budget, or the
//! file refused when it needs more than one image may take.
//!
//! libjpeg reports errors by unwinding; every call into it runs inside `catch_unwind`. It treats a
//! file that ends early as a warning and pads the picture with grey, so the reader below notes
//! whether the data ran out before the end-of-image marker, and such a file is refused. CMYK and
//! YCCK files (print workflows) come out of libjpeg as CMYK and are turned into RGB here.

use super::decode::{self, Decoded};
use super::errors;
use super::jpeg_markers;
use super::pixels::Pixels;
use super::source::Source;
use super::upright::Upright;
use crate::error::Error;
use image::metadata::Orientation;
use image::RgbImage;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// libjpeg's own buffers besides the coefficients (row groups, Huffman tables), with room.
const LIBJPEG_BYTES: u64 = 8 * 1024 * 1024;

/// Reads the JPEG of `source`, downscaled by `n/8` (libjpeg's DCT scaling) to the smallest size
/// whose long edge is still ≥ `max_edge`.
pub(super) fn read(source: &mut Source<'_>, max_edge: u32) -> Result<Decoded, Error> {
    let name = source.name.clone();
    let unreadable = |err: io::Error| errors::unreadable(&name, &err);
    let survey = jpeg_markers::survey(&mut source.reader).map_err(unreadable)?;
    source.reader.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    if survey.too_much_work() {
        return Err(errors::too_many_scans(&name, survey.scans));
    }
    let reader = EofWatch {
        inner: &mut source.reader,
        ran_out: false,
    };
    let outcome = catch_unwind(AssertUnwindSafe(
        || -> io::Result<Result<Decoded, Error>> {
            let mut decompress = mozjpeg::Decompress::with_markers(&[mozjpeg::Marker::APP(1)])
                .from_reader(reader)?;
            let (width, height) = (
                u32::try_from(decompress.width()).unwrap_or(u32::MAX),
                u32::try_from(decompress.height()).unwrap_or(u32::MAX),
            );
            if decode::too_large(width, height) {
                return Ok(Err(errors::too_large(&name, width, height)));
            }
            let cmyk = matches!(
                decompress.color_space(),
                mozjpeg::ColorSpace::JCS_CMYK | mozjpeg::ColorSpace::JCS_YCCK
            );
            let orientation = decompress
                .markers()
                .find_map(|marker| exif_orientation(marker.data))
                .unwrap_or(Orientation::NoTransforms);
            let numerator = scale_numerator(width.max(height), max_edge);
            decompress.scale(numerator);
            let scaled = |side: u32| (u64::from(side) * u64::from(numerator)).div_ceil(8) as u32;
            let (out_width, out_height) = (scaled(width), scaled(height));
            // CMYK rows are turned into a second, RGB, buffer.
            let rows = u64::from(out_width) * u64::from(out_height) * if cmyk { 7 } else { 0 };
            let what = if survey.buffered {
                "progressive JPEG"
            } else {
                "JPEG"
            };
            let reservation = match decode::reserve(
                &name,
                (width, height, what),
                survey.coefficient_bytes() + LIBJPEG_BYTES + rows,
                (out_width, out_height, 3),
                max_edge,
            ) {
                Ok(reservation) => reservation,
                Err(err) => return Ok(Err(err)),
            };
            let mut started = if cmyk {
                decompress.to_colorspace(mozjpeg::ColorSpace::JCS_CMYK)?
            } else {
                decompress.rgb()?
            };
            let (out_width, out_height) = (
                u32::try_from(started.width()).map_err(io::Error::other)?,
                u32::try_from(started.height()).map_err(io::Error::other)?,
            );
            let samples: Vec<u8> = started.read_scanlines()?;
            let reader = started.finish_into_inner()?;
            if reader.ran_out {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let rgb = if cmyk { cmyk_to_rgb(&samples) } else { samples };
            let image = RgbImage::from_raw(out_width, out_height, rgb).ok_or_else(|| {
                io::Error::other("libjpeg returned fewer rows than the image has")
            })?;
            Ok(Ok(Decoded {
                pixels: Pixels::Rgb(image),
                orientation,
                reservation,
            }))
        },
    ));
    match outcome {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(err)) if err.kind() == io::ErrorKind::UnexpectedEof => Err(errors::damaged(
            &name,
            "JPEG",
            "the file ends before the image does",
        )),
        Ok(Err(err)) => Err(errors::damaged(&name, "JPEG", err)),
        Err(panic) => Err(errors::damaged(&name, "JPEG", panic_message(&*panic))),
    }
}

/// RGB from CMYK as Adobe applications store it (inverted: 255 is no ink), which is what nearly
/// every CMYK JPEG is: each colour is its inverted ink times the inverted black.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|pixel| {
            let black = u32::from(pixel[3]);
            let channel = |ink: u8| ((u32::from(ink) * black + 127) / 255) as u8;
            [channel(pixel[0]), channel(pixel[1]), channel(pixel[2])]
        })
        .collect()
}

/// Rows per band of a size sample: one MCU row at 4:2:0, so a band encodes as it would within the
/// whole image (the standard Huffman tables make a JPEG's size the sum of its blocks').
const SAMPLE_BAND: u32 = 16;
/// One band in this many is sampled.
const SAMPLE_EVERY: u32 = 8;
/// Rows of a whole image handed to the encoder at a time (turned first when the image needs it).
const TURN_BAND: u32 = 64;

/// How many rows a size sample of an image `height` rows tall holds: evenly spaced bands, an
/// eighth of the rows.
pub(super) fn sample_rows(height: u32) -> u32 {
    height / (SAMPLE_BAND * SAMPLE_EVERY) * SAMPLE_BAND
}

/// Baseline JPEG (libjpeg-turbo's defaults: 4:2:0, standard Huffman tables, no trellis, no
/// progressive scans) of `image` upright at `quality` 1–100, or, with `sample`, of its
/// [`sample_rows`] only (a picture of the bands stacked, whose size predicts the whole's).
/// Only a JFIF header precedes the pixels: no EXIF, no ICC profile.
pub(super) fn encode(image: Upright<'_>, quality: u8, sample: bool) -> Result<Vec<u8>, String> {
    let (width, height) = image.size();
    let (band, step, rows) = if sample {
        let rows = sample_rows(height);
        (SAMPLE_BAND, SAMPLE_BAND * SAMPLE_EVERY, rows)
    } else {
        (TURN_BAND, TURN_BAND, height)
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> io::Result<Vec<u8>> {
        let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        compress.set_fastest_defaults();
        compress.set_size(width as usize, rows as usize);
        compress.set_quality(f32::from(quality.clamp(1, 100)));
        let mut started = compress.start_compress(Vec::with_capacity(1 << 20))?;
        let mut turned = Vec::new();
        let bands = (0..height).step_by(step as usize);
        for first in bands.take(rows.div_ceil(band) as usize) {
            let count = band.min(height - first);
            match image.stored_rows(first, count) {
                Some(stored) => started.write_scanlines(stored)?,
                None => {
                    image.copy_rows(first, count, &mut turned);
                    started.write_scanlines(&turned)?;
                }
            }
        }
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
