//! Recognising an image that is already prepared (a staged copy Hayon wrote itself), so it can be
//! uploaded as it is instead of being decoded and re-encoded, which would cost a JPEG a second
//! generation of loss and make the posted bytes differ from the preview.
//!
//! Only the header is read, with the same readers the decoders use (the JPEG marker walk, the PNG
//! decoder's header), so this works with exactly the codecs the app ships.

use super::{jpeg_markers, source, ImageLimits, PreparedImage};
use image::codecs::png::PngDecoder;
use image::ImageDecoder;
use std::io::Cursor;

/// `bytes` as an image ready to upload, if they are a JPEG or PNG within the limits of a prepared
/// image (`limits`: size, longest edge); `None` means "prepare it".
pub fn already_prepared(bytes: Vec<u8>, limits: ImageLimits) -> Option<PreparedImage> {
    let (mime_type, (width, height)) = match source::sniff(&bytes).ok()? {
        source::Format::Jpeg => ("image/jpeg", jpeg_size(&bytes)?),
        source::Format::Png => ("image/png", png_size(&bytes)?),
        source::Format::Gif
        | source::Format::WebP
        | source::Format::Heic
        | source::Format::Avif => return None,
    };
    let image = PreparedImage {
        bytes,
        mime_type,
        width,
        height,
    };
    (limits.holds(&image) && width.min(height) > 0).then_some(image)
}

fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let survey = jpeg_markers::survey(&mut Cursor::new(bytes)).ok()?;
    if survey.too_much_work() {
        return None;
    }
    let frame = survey.frame?;
    Some((frame.width, frame.height))
}

fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    Some(PngDecoder::new(Cursor::new(bytes)).ok()?.dimensions())
}
