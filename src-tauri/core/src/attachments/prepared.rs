//! Which staged copies are prepared images, to be posted as they are.

use crate::media::{self, PreparedImage};
use std::ffi::OsStr;

/// `<tid>.jpg` or `<tid>.png`: the names only [`Attachments::stage`] gives (older versions named
/// copies `<tid>-<original name>`).
pub(super) fn is_prepared_name(name: &OsStr) -> bool {
    let Some((stem, extension)) = name.to_str().and_then(|name| name.split_once('.')) else {
        return false;
    };
    matches!(extension, "jpg" | "png")
        && stem.len() == 13
        && stem
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || (b'2'..=b'7').contains(&byte))
}

/// `bytes` as an image ready to upload, if they are a JPEG or PNG within the limits of a prepared
/// image (read from the header only).
pub(super) fn as_prepared(bytes: Vec<u8>) -> Option<PreparedImage> {
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .ok()?;
    let mime_type = match reader.format()? {
        image::ImageFormat::Jpeg => "image/jpeg",
        image::ImageFormat::Png => "image/png",
        _ => return None,
    };
    let (width, height) = reader.into_dimensions().ok()?;
    let fits = bytes.len() <= media::MAX_BLOB_BYTES
        && width.max(height) <= media::MAX_EDGE
        && width.min(height) > 0;
    fits.then_some(PreparedImage {
        bytes,
        mime_type,
        width,
        height,
    })
}
