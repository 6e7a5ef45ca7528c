//! Re-encoding under the byte limit while keeping as much quality as fits.
//!
//! Opaque images become JPEG. Encoding a 12 MP photo whole takes about 45 ms, so the quality is
//! first searched on a sample: an eighth of the rows, in evenly spaced bands of one MCU row (16
//! rows), whose encoded size times eight predicts the whole's within a fraction of a percent (with
//! libjpeg's standard Huffman tables a JPEG's size is the sum of its blocks'). The search starts at
//! [`MAX_QUALITY`] and takes its next guess from a model of how JPEG size follows quality (size ∝
//! scale^-k, where libjpeg's quantizer scale is `200 − 2q`), fitted to the sizes measured so far; on
//! the sample it aims just under the limit ([`SAMPLE_AIM_PERMILLE`]), a few encodes of 5 ms each.
//! Then the whole image is encoded once at the predicted quality. That encode, not the prediction,
//! decides: when it is over the limit, or more than [`WHOLE_CLOSE_PERCENT`] under, the same search
//! goes on with whole encodes from that measured point. Images too short for a sample are searched
//! with whole encodes from the start (they are cheap).
//!
//! Below [`MIN_QUALITY`] artefacts show more than a smaller picture does, so the image is scaled
//! down instead — straight from the sample's prediction, without encoding the whole at every
//! quality first. Transparent images stay PNG (lossless) and are scaled down until they fit.
//!
//! Encoding from pixels writes no metadata: no EXIF (so no GPS), no ICC profile, no text chunks.

use super::errors;
use super::jpeg;
use super::pixels::Pixels;
use super::upright::Upright;
use crate::error::Error;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::metadata::Orientation;
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

/// Beyond this the file grows quickly for no visible gain; phone cameras save at about 90–95.
pub(super) const MAX_QUALITY: u8 = 92;
/// Below this, scale down rather than lower the quality further.
pub(super) const MIN_QUALITY: u8 = 70;
/// Encodes tried per size before settling for the best that fitted.
const MAX_TRIALS: usize = 6;
/// Times an image is scaled down to fit before giving up (each step aims just under the limit).
const MAX_SHRINKS: usize = 8;
/// Images shorter than a sample of this many rows (512 rows) are searched with whole encodes,
/// which are cheap there.
const MIN_SAMPLE_ROWS: u32 = 64;
/// What the sample search aims at, in thousandths of the budget: under it by more than a sample's
/// error (its estimate came within 0.3% of the whole size on photos), so the one whole encode
/// fits, and close enough to keep the quality.
const SAMPLE_AIM_PERMILLE: usize = 985;
/// A whole encode at the predicted quality that fits and is at least this percentage of the budget
/// is kept (the next quality up was predicted over it); below, the search goes on.
const WHOLE_CLOSE_PERCENT: usize = 92;

/// An encoded image.
#[derive(Debug)]
pub(super) struct Encoded {
    pub bytes: Vec<u8>,
    pub mime_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The outcome of encoding at one size.
#[derive(Debug, PartialEq, Eq)]
enum Fit {
    Fits(Vec<u8>),
    /// The smallest encoding at this size was this many bytes.
    TooBig(usize),
}

/// `pixels`, seen through `orientation`, encoded in at most `budget` bytes, scaled down only if it
/// cannot fit otherwise.
pub(super) fn fit(
    pixels: Pixels,
    orientation: Orientation,
    budget: usize,
    name: &str,
) -> Result<Encoded, Error> {
    let internal = |detail: String| errors::internal(name, detail);
    let mut image = pixels;
    for _ in 0..MAX_SHRINKS {
        let (fit, mime_type, (width, height)) = match &image {
            Pixels::Rgb(rgb) => {
                let upright = Upright::new(rgb, orientation);
                (jpeg_fit(upright, budget), "image/jpeg", upright.size())
            }
            Pixels::Rgba(rgba) => (png(rgba, budget), "image/png", rgba.dimensions()),
        };
        match fit.map_err(internal)? {
            Fit::Fits(bytes) => {
                return Ok(Encoded {
                    bytes,
                    mime_type,
                    width,
                    height,
                })
            }
            Fit::TooBig(smallest) => {
                // Size follows the pixel count: aim at 90% of the budget. The pixels are resampled
                // over themselves (no second copy); a further step, rare, resamples them again.
                let factor = (0.9 * budget as f64 / smallest as f64).sqrt().min(0.95);
                let scaled = |side: u32| ((f64::from(side) * factor).floor() as u32).max(1);
                let (width, height) = (scaled(image.width()), scaled(image.height()));
                image = image.resized(width, height).map_err(internal)?;
            }
        }
    }
    Err(internal(format!(
        "it does not fit in {budget} bytes even scaled down"
    )))
}

/// Lossless PNG, which keeps the transparency.
fn png(image: &RgbaImage, budget: usize) -> Result<Fit, String> {
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Default, FilterType::Adaptive)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .map_err(|err| err.to_string())?;
    Ok(if bytes.len() <= budget {
        Fit::Fits(bytes)
    } else {
        Fit::TooBig(bytes.len())
    })
}

/// JPEG at the highest quality that fits: predicted from a sample when the image is tall enough to
/// have one, then one whole encode, or the search on whole encodes when that misses.
fn jpeg_fit(image: Upright<'_>, budget: usize) -> Result<Fit, String> {
    let whole = |quality| jpeg::encode(image, quality, false).map(|bytes| (bytes.len(), bytes));
    let (_, height) = image.size();
    let sampled = jpeg::sample_rows(height);
    if sampled < MIN_SAMPLE_ROWS {
        return search_quality(budget, budget / 100 * 95, Search::default(), whole)
            .map(Search::into_fit);
    }
    let estimate = |quality| {
        let sample = jpeg::encode(image, quality, true)?;
        let size = sample.len() as u64 * u64::from(height) / u64::from(sampled);
        Ok((usize::try_from(size).unwrap_or(usize::MAX), ()))
    };
    let aim = budget / 1000 * SAMPLE_AIM_PERMILLE;
    let predicted = search_quality(aim, aim / 100 * 97, Search::default(), estimate)?;
    let Some((quality, ..)) = predicted.fitted else {
        // Even the lowest quality is predicted too big: scale down without a whole encode.
        let smallest = predicted.too_big.map_or(usize::MAX, |(_, size)| size);
        return Ok(Fit::TooBig(smallest));
    };
    let (size, bytes) = whole(quality)?;
    let seed = if size > budget {
        Search {
            fitted: None,
            too_big: Some((quality, size)),
        }
    } else if quality == MAX_QUALITY || size >= budget / 100 * WHOLE_CLOSE_PERCENT {
        return Ok(Fit::Fits(bytes));
    } else {
        Search {
            fitted: Some((quality, size, bytes)),
            too_big: None,
        }
    };
    search_quality(budget, budget / 100 * 95, seed, whole).map(Search::into_fit)
}

/// What a quality search has measured: the best quality that fitted (with its size and what was
/// encoded) and the lowest that did not.
struct Search<T> {
    fitted: Option<(u8, usize, T)>,
    too_big: Option<(u8, usize)>,
}

impl<T> Default for Search<T> {
    fn default() -> Self {
        Self {
            fitted: None,
            too_big: None,
        }
    }
}

impl Search<Vec<u8>> {
    fn into_fit(self) -> Fit {
        match self {
            Self {
                fitted: Some((_, _, bytes)),
                ..
            } => Fit::Fits(bytes),
            Self {
                too_big: Some((_, smallest)),
                ..
            } => Fit::TooBig(smallest),
            _ => Fit::TooBig(usize::MAX),
        }
    }
}

/// Searches the highest quality in `MIN_QUALITY..=MAX_QUALITY` whose size (from `encode`) fits
/// `budget`, from what `search` has measured already (from [`MAX_QUALITY`] when nothing): it stops
/// at one within `close_enough..=budget`, at [`MAX_QUALITY`] fitting, when the qualities that fit
/// and those that do not are next to each other, or at `MIN_QUALITY` too big.
fn search_quality<T>(
    budget: usize,
    close_enough: usize,
    mut search: Search<T>,
    mut encode: impl FnMut(u8) -> Result<(usize, T), String>,
) -> Result<Search<T>, String> {
    for _ in 0..MAX_TRIALS {
        let low = search.fitted.as_ref().map_or(MIN_QUALITY, |(q, ..)| q + 1);
        let high = search.too_big.map_or(MAX_QUALITY, |(q, _)| q - 1);
        let close = search
            .fitted
            .as_ref()
            .is_some_and(|(_, size, _)| *size >= close_enough);
        if low > high || close {
            break;
        }
        let measured = [
            search.fitted.as_ref().map(|(q, size, _)| (*q, *size)),
            search.too_big,
        ];
        let quality = if measured.iter().all(Option::is_none) {
            MAX_QUALITY
        } else {
            predict_quality(&measured, budget).clamp(low, high)
        };
        let (size, encoded) = encode(quality)?;
        if size <= budget {
            search.fitted = Some((quality, size, encoded));
        } else {
            search.too_big = Some((quality, size));
        }
    }
    Ok(search)
}

/// libjpeg's quantizer scale (percent) for a quality of 50 or more.
fn quantizer_scale(quality: u8) -> f64 {
    200.0 - 2.0 * f64::from(quality.clamp(50, 100))
}

/// The quality expected to give 97% of `budget`, from the measured `(quality, size)` points:
/// `ln size` is taken as linear in `ln scale`, with the slope of two points or, from one, the
/// typical slope of photos.
fn predict_quality(measured: &[Option<(u8, usize)>], budget: usize) -> u8 {
    const TYPICAL_SLOPE: f64 = 0.5;
    let points: Vec<(f64, f64)> = measured
        .iter()
        .flatten()
        .map(|&(quality, size)| (quantizer_scale(quality).ln(), (size.max(1) as f64).ln()))
        .collect();
    let Some(&(ln_scale, ln_size)) = points.last() else {
        return MAX_QUALITY;
    };
    let slope = match points.as_slice() {
        [(scale_a, size_a), (scale_b, size_b)] if scale_a != scale_b => {
            let slope = (size_a - size_b) / (scale_b - scale_a);
            if slope.is_finite() && slope > 0.05 {
                slope
            } else {
                TYPICAL_SLOPE
            }
        }
        _ => TYPICAL_SLOPE,
    };
    let target = (0.97 * budget as f64).ln();
    let scale = (ln_scale + (ln_size - target) / slope).exp();
    let quality = ((200.0 - scale) / 2.0).floor();
    quality.clamp(f64::from(MIN_QUALITY), f64::from(MAX_QUALITY)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in encoder whose size follows the model with a given slope.
    fn synthetic(size_at_max: f64, slope: f64) -> impl FnMut(u8) -> Result<Vec<u8>, String> {
        move |quality| {
            let ratio = quantizer_scale(MAX_QUALITY) / quantizer_scale(quality);
            Ok(vec![0; (size_at_max * ratio.powf(slope)) as usize])
        }
    }

    fn run(size_at_max: f64, slope: f64) -> (Fit, Vec<u8>) {
        let mut tried = Vec::new();
        let mut encode = synthetic(size_at_max, slope);
        let fit = search_quality(1_000_000, 950_000, Search::default(), |quality| {
            tried.push(quality);
            encode(quality).map(|bytes| (bytes.len(), bytes))
        })
        .map(Search::into_fit)
        .expect("encodes");
        (fit, tried)
    }

    /// A photo-like picture: gradients with grain.
    fn photo(width: u32, height: u32) -> image::RgbImage {
        image::RgbImage::from_fn(width, height, |x, y| {
            let grain =
                (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761) >> 24;
            image::Rgb([
                (x / 6 + grain % 40) as u8,
                (y / 5 + grain % 30) as u8,
                ((x + y) / 12 + grain % 50) as u8,
            ])
        })
    }

    #[test]
    fn the_sample_predicts_the_whole_and_one_search_lands_close_under() {
        let image = photo(1200, 900);
        let upright = Upright::new(&image, Orientation::NoTransforms);
        let whole = jpeg::encode(upright, 85, false).expect("encodes").len();
        let sample = jpeg::encode(upright, 85, true).expect("encodes").len();
        let estimate = sample * 900 / jpeg::sample_rows(900) as usize;
        let error = estimate as f64 / whole as f64 - 1.0;
        assert!(error.abs() < 0.03, "{estimate} for {whole}");
        for budget in [whole * 9 / 10, whole * 6 / 10] {
            let Ok(Fit::Fits(bytes)) = jpeg_fit(upright, budget) else {
                panic!("{budget} did not fit")
            };
            assert!(
                bytes.len() <= budget && bytes.len() >= budget / 100 * 90,
                "{} for {budget}",
                bytes.len()
            );
        }
    }

    #[test]
    fn a_turned_image_encodes_as_if_turned_first() {
        let image = photo(300, 700);
        let mut turned = image::DynamicImage::ImageRgb8(image.clone());
        turned.apply_orientation(Orientation::Rotate90);
        let turned = turned.into_rgb8();
        for sample in [false, true] {
            let read_turned = jpeg::encode(Upright::new(&image, Orientation::Rotate90), 80, sample);
            let already =
                jpeg::encode(Upright::new(&turned, Orientation::NoTransforms), 80, sample);
            assert_eq!(read_turned, already, "sample {sample}");
        }
    }

    #[test]
    fn one_encode_when_the_best_quality_fits() {
        let (fit, tried) = run(600_000.0, 0.5);
        assert!(matches!(fit, Fit::Fits(bytes) if bytes.len() == 600_000));
        assert_eq!(tried, [MAX_QUALITY]);
    }

    #[test]
    fn lands_close_under_the_limit_in_few_encodes() {
        for (size, slope) in [(1_200_000.0, 0.5), (1_600_000.0, 0.45), (1_100_000.0, 0.7)] {
            let (fit, tried) = run(size, slope);
            let Fit::Fits(bytes) = fit else {
                panic!("{size} did not fit: {tried:?}")
            };
            assert!(
                bytes.len() <= 1_000_000 && bytes.len() >= 900_000,
                "{size}/{slope}: {} after {tried:?}",
                bytes.len()
            );
            assert!(tried.len() <= 4, "{size}/{slope}: {tried:?}");
        }
    }

    #[test]
    fn too_big_at_the_lowest_quality_asks_for_scaling() {
        let (fit, tried) = run(5_000_000.0, 0.5);
        assert!(
            matches!(fit, Fit::TooBig(size) if size > 1_000_000),
            "{tried:?}"
        );
        assert_eq!(tried.last(), Some(&MIN_QUALITY));
    }
}
