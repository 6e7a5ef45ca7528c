//! Re-encoding under the byte limit while keeping as much quality as fits.
//!
//! Opaque images become JPEG. The quality is searched from [`MAX_QUALITY`] down: one encode when
//! it fits (small photos, screenshots), otherwise the next guess comes from a model of how JPEG size
//! follows quality (size ∝ scale^-k, where libjpeg's quantizer scale is `200 − 2q`), fitted to the
//! sizes already measured, so two or three encodes land within 5% under the limit. Below
//! [`MIN_QUALITY`] artefacts show more than a smaller picture does, so the image is scaled down
//! instead. Transparent images stay PNG (lossless) and are scaled down until they fit.
//!
//! Encoding from pixels writes no metadata: no EXIF (so no GPS), no ICC profile, no text chunks.

use super::errors;
use super::jpeg;
use super::pixels::Pixels;
use crate::error::Error;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

/// Beyond this the file grows quickly for no visible gain; phone cameras save at about 90–95.
pub(super) const MAX_QUALITY: u8 = 92;
/// Below this, scale down rather than lower the quality further.
pub(super) const MIN_QUALITY: u8 = 70;
/// Encodes tried per size before settling for the best that fitted.
const MAX_TRIALS: usize = 6;
/// Times an image is scaled down to fit before giving up (each step aims just under the limit).
const MAX_SHRINKS: usize = 8;

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

/// `pixels` encoded in at most `budget` bytes, scaled down only if it cannot fit otherwise.
pub(super) fn fit(pixels: Pixels, budget: usize, name: &str) -> Result<Encoded, Error> {
    let internal = |detail: String| errors::internal(name, detail);
    let mut current = None::<Pixels>;
    for _ in 0..MAX_SHRINKS {
        let image = current.as_ref().unwrap_or(&pixels);
        let (fit, mime_type) = match image {
            Pixels::Rgb(rgb) => (
                search_quality(budget, |quality| jpeg::encode(rgb, quality)),
                "image/jpeg",
            ),
            Pixels::Rgba(rgba) => (png(rgba, budget), "image/png"),
        };
        match fit.map_err(internal)? {
            Fit::Fits(bytes) => {
                return Ok(Encoded {
                    bytes,
                    mime_type,
                    width: image.width(),
                    height: image.height(),
                })
            }
            Fit::TooBig(smallest) => {
                // Size follows the pixel count: aim at 90% of the budget.
                let factor = (0.9 * budget as f64 / smallest as f64).sqrt().min(0.95);
                let scaled = |side: u32| ((f64::from(side) * factor).floor() as u32).max(1);
                let (width, height) = (scaled(image.width()), scaled(image.height()));
                current = Some(pixels.resized(width, height).map_err(internal)?);
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

/// The highest quality in `MIN_QUALITY..=MAX_QUALITY` whose encoding fits `budget`, or one within
/// 5% under it; `TooBig` with the smallest size seen when even `MIN_QUALITY` does not fit.
fn search_quality(
    budget: usize,
    mut encode: impl FnMut(u8) -> Result<Vec<u8>, String>,
) -> Result<Fit, String> {
    let close_enough = budget / 100 * 95;
    let mut fits: Option<(u8, Vec<u8>)> = None;
    let mut too_big: Option<(u8, usize)> = None;
    let mut quality = MAX_QUALITY;
    for _ in 0..MAX_TRIALS {
        let bytes = encode(quality)?;
        if bytes.len() <= budget {
            let done = quality == MAX_QUALITY || bytes.len() >= close_enough;
            fits = Some((quality, bytes));
            if done {
                break;
            }
        } else {
            too_big = Some((quality, bytes.len()));
            if quality == MIN_QUALITY {
                break;
            }
        }
        let low = fits.as_ref().map_or(MIN_QUALITY, |(fitted, _)| fitted + 1);
        let high = too_big.map_or(MAX_QUALITY, |(refused, _)| refused - 1);
        if low > high {
            break;
        }
        let measured = [fits.as_ref().map(|(q, bytes)| (*q, bytes.len())), too_big];
        quality = predict_quality(&measured, budget).clamp(low, high);
    }
    Ok(match (fits, too_big) {
        (Some((_, bytes)), _) => Fit::Fits(bytes),
        (None, Some((_, smallest))) => Fit::TooBig(smallest),
        (None, None) => Fit::TooBig(usize::MAX),
    })
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
        let fit = search_quality(1_000_000, |quality| {
            tried.push(quality);
            encode(quality)
        })
        .expect("encodes");
        (fit, tried)
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
