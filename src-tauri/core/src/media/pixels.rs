//! Decoded pixels in the two layouts the encoders take (RGB for JPEG, RGBA for PNG), and the two
//! things done to them: fitting within a size (`hayon_pixels::resample`, over the decoded buffer
//! itself, so a 12 MP photo fitted to 4000 px never has a second 36 MB copy) and turning them
//! upright (`image`'s orientation transforms, for RGBA; RGB is read upright by the JPEG encoder
//! instead, see `upright`).

use hayon_pixels::{premultiply, resample, unpremultiply, Shrunk};
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage, RgbaImage};

#[derive(Debug, Clone)]
pub(super) enum Pixels {
    Rgb(RgbImage),
    /// Only for images with at least one pixel that is not fully opaque.
    Rgba(RgbaImage),
}

impl Pixels {
    /// What a shrinker made while decoding.
    pub fn from_shrunk(shrunk: Shrunk) -> Result<Self, String> {
        let Shrunk {
            width,
            height,
            alpha,
            raw,
        } = shrunk;
        let pixels = if alpha {
            RgbaImage::from_raw(width, height, raw).map(Self::Rgba)
        } else {
            RgbImage::from_raw(width, height, raw).map(Self::Rgb)
        };
        pixels.ok_or_else(wrong_size)
    }

    pub fn width(&self) -> u32 {
        match self {
            Self::Rgb(image) => image.width(),
            Self::Rgba(image) => image.width(),
        }
    }

    pub fn height(&self) -> u32 {
        match self {
            Self::Rgb(image) => image.height(),
            Self::Rgba(image) => image.height(),
        }
    }

    /// Scaled down (never up) to fit within `max_width`×`max_height`, keeping the aspect ratio.
    pub fn fit_within(self, max_width: u32, max_height: u32) -> Result<Self, String> {
        let (width, height) = fitted_size(self.width(), self.height(), max_width, max_height);
        if (width, height) == (self.width(), self.height()) {
            return Ok(self);
        }
        self.resized(width, height)
    }

    /// Resampled to exactly `width`×`height` (Lanczos3, downscaling only), over its own buffer.
    /// Transparent images are resampled premultiplied, so the colour of invisible pixels does not
    /// bleed into their neighbours.
    pub fn resized(self, width: u32, height: u32) -> Result<Self, String> {
        let from = (self.width() as usize, self.height() as usize);
        let to = (width as usize, height as usize);
        match self {
            Self::Rgb(image) => {
                let raw = resample(image.into_raw(), from, 3, to);
                RgbImage::from_raw(width, height, raw)
                    .map(Self::Rgb)
                    .ok_or_else(wrong_size)
            }
            Self::Rgba(image) => {
                let mut raw = image.into_raw();
                premultiply(&mut raw);
                rgba_from_premultiplied(raw, from, (width, height))
            }
        }
    }

    /// The pixels as they are meant to be seen (a turned copy: used for RGBA, which is encoded
    /// whole as PNG).
    pub fn oriented(self, orientation: Orientation) -> Self {
        if orientation == Orientation::NoTransforms {
            return self;
        }
        let mut image = match self {
            Self::Rgb(image) => DynamicImage::ImageRgb8(image),
            Self::Rgba(image) => DynamicImage::ImageRgba8(image),
        };
        image.apply_orientation(orientation);
        match image {
            DynamicImage::ImageRgba8(image) => Self::Rgba(image),
            other => Self::Rgb(other.into_rgb8()),
        }
    }
}

/// Premultiplied RGBA `raw` resampled over itself, then unpremultiplied.
fn rgba_from_premultiplied(
    raw: Vec<u8>,
    from: (usize, usize),
    (width, height): (u32, u32),
) -> Result<Pixels, String> {
    let mut raw = resample(raw, from, 4, (width as usize, height as usize));
    unpremultiply(&mut raw);
    RgbaImage::from_raw(width, height, raw)
        .map(Pixels::Rgba)
        .ok_or_else(wrong_size)
}

fn wrong_size() -> String {
    "the resized buffer has the wrong size".to_owned()
}

/// The largest size within `max_width`×`max_height` with the aspect ratio of `width`×`height`
/// (never larger than it, never 0).
pub(super) fn fitted_size(width: u32, height: u32, max_width: u32, max_height: u32) -> (u32, u32) {
    if width <= max_width && height <= max_height {
        return (width, height);
    }
    let scale = f64::min(
        f64::from(max_width) / f64::from(width),
        f64::from(max_height) / f64::from(height),
    );
    let side = |length: u32, max: u32| ((f64::from(length) * scale).round() as u32).clamp(1, max);
    (side(width, max_width), side(height, max_height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_keeping_the_aspect_ratio() {
        assert_eq!(fitted_size(4000, 3000, 2000, 2000), (2000, 1500));
        assert_eq!(fitted_size(3024, 4032, 2000, 2000), (1500, 2000));
        assert_eq!(fitted_size(1200, 800, 2000, 2000), (1200, 800));
        assert_eq!(fitted_size(20000, 3, 2000, 2000), (2000, 1));
    }

    #[test]
    fn invisible_colour_does_not_bleed_when_resizing() {
        // Left half: fully transparent red (invisible); right half: opaque green.
        let image = RgbaImage::from_fn(400, 100, |x, _| {
            if x < 200 {
                image::Rgba([255, 0, 0, 0])
            } else {
                image::Rgba([0, 200, 0, 255])
            }
        });
        let Ok(Pixels::Rgba(small)) = Pixels::Rgba(image).resized(100, 25) else {
            panic!("resized RGBA")
        };
        for x in 45..100 {
            let pixel = small.get_pixel(x, 12).0;
            if pixel[3] > 0 {
                assert!(pixel[0] < 8 && pixel[1] > 150, "x {x}: {pixel:?}");
            }
        }
    }
}
