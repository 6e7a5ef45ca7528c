//! Hayon's pixel loops, on interleaved 8-bit pixels: [`Shrinker`] averages rows into a smaller copy
//! while an image is being decoded, [`resample`] fits pixels to an exact size (Lanczos3, over their
//! own buffer), and
//! [`premultiply`] / [`unpremultiply`] weight colour by alpha so that invisible pixels do not bleed
//! into visible ones when averaging or filtering.
//!
//! A crate of its own so that it is optimised even in debug builds (see Cargo.toml); it knows
//! nothing of files, formats or errors.

mod resample;
mod shrink;

pub use resample::resample;
pub use shrink::{shrink_factor, Layout, Shrinker, Shrunk};

/// Colour × alpha / 255, in place, on RGBA.
pub fn premultiply(rgba: &mut [u8]) {
    for pixel in rgba.chunks_exact_mut(4) {
        let alpha = u32::from(pixel[3]);
        for channel in &mut pixel[..3] {
            *channel = ((u32::from(*channel) * alpha + 127) / 255) as u8;
        }
    }
}

/// The inverse of [`premultiply`] (colour 0 where alpha is 0).
pub fn unpremultiply(rgba: &mut [u8]) {
    for pixel in rgba.chunks_exact_mut(4) {
        let alpha = u32::from(pixel[3]);
        if alpha == 0 {
            pixel[..3].fill(0);
            continue;
        }
        for channel in &mut pixel[..3] {
            *channel = ((u32::from(*channel) * 255 + alpha / 2) / alpha).min(255) as u8;
        }
    }
}
