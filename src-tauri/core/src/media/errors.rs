//! The words of every image failure. Each message names the image (a file by its name, as the person
//! saw it in the picker; downloaded bytes by the label they came with) and says what to do next. All
//! are `validation`: the input is what needs changing. Technical detail goes to the log, not into
//! the message; the log names the image the same way, never by its full local path.

use super::source::Unsupported;
use super::{MAX_INPUT_PIXELS, MAX_INPUT_SIDE};
use crate::error::{Error, ErrorCode};
use std::fmt;
use std::path::Path;

const ACCEPTED: &str = "JPEG, PNG, GIF, WebP, HEIC/HEIF or AVIF";

/// `photo.jpg`, or the whole path when it has no file name.
pub(super) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn error(message: String) -> Error {
    Error::validation(message)
}

pub(super) fn unreadable(name: &str, err: &std::io::Error) -> Error {
    match err.kind() {
        std::io::ErrorKind::NotFound => error(format!(
            "{name} was not found. It may have been moved or deleted; choose it again."
        )),
        std::io::ErrorKind::PermissionDenied => error(format!(
            "Hayon is not allowed to read {name}. Check the file's permissions, or copy it \
             somewhere you own and choose the copy."
        )),
        _ => error(format!(
            "Hayon could not read {name} ({err}). Check that the disk or network folder is \
             available and choose it again."
        )),
    }
}

pub(super) fn folder(name: &str) -> Error {
    error(format!(
        "{name} is a folder, not an image. Choose an image file inside it."
    ))
}

/// A FIFO, socket or device: reading it could block or never end.
pub(super) fn not_a_file(name: &str, kind: &str) -> Error {
    error(format!(
        "{name} is {kind}, not an image file. Choose a photo or picture file saved on a disk."
    ))
}

pub(super) fn empty(name: &str) -> Error {
    error(format!(
        "{name} is empty (0 bytes). Choose the image again, or export it again from the app that \
         made it."
    ))
}

pub(super) fn unsupported(name: &str, kind: Unsupported) -> Error {
    error(match kind {
        Unsupported::Image(format) => format!(
            "{name} is a {format} image; Hayon can post {ACCEPTED} images. Export it as JPEG or \
             PNG and choose that file."
        ),
        Unsupported::Video => format!(
            "{name} is a video; Hayon can post still images only ({ACCEPTED}). Choose a photo \
             instead."
        ),
        Unsupported::Animated => return animated(name),
        Unsupported::NotAnImage => format!(
            "{name} is not an image: its content is not {ACCEPTED}, whatever its name says. \
             Choose a photo or picture file."
        ),
    })
}

pub(super) fn animated(name: &str) -> Error {
    error(format!(
        "{name} is animated; Hayon can post still images only. Choose a still image (videos and \
         animated GIFs are not supported)."
    ))
}

pub(super) fn too_large(name: &str, width: u32, height: u32) -> Error {
    error(format!(
        "{name} is {width}×{height} pixels; Hayon accepts images up to {MAX_INPUT_SIDE} pixels \
         on a side and {} megapixels in all. Scale it down in an image editor and choose it again.",
        MAX_INPUT_PIXELS / 1_000_000
    ))
}

/// A file over [`super::MAX_INPUT_BYTES`]: `len` bytes.
pub(super) fn too_many_bytes(name: &str, len: usize) -> Error {
    error(format!(
        "{name} is {} MB; Hayon accepts image files up to {} MB. Save a smaller copy (for example \
         as JPEG) and choose that.",
        len.div_ceil(1_000_000),
        super::MAX_INPUT_BYTES / 1_000_000
    ))
}

/// An image whose decoding would take more memory than one image may (see `budget`).
pub(super) fn needs_too_much_memory(name: &str, width: u32, height: u32, kind: &str) -> Error {
    error(format!(
        "{name} is a {width}×{height}-pixel {kind}; decoding one this large needs more memory than \
         Hayon allows for an image ({} MiB). Scale it down, or save it as a standard (baseline) JPEG \
         or a non-interlaced PNG, and choose it again.",
        super::IMAGE_BYTES / (1024 * 1024)
    ))
}

/// A JPEG with more scans than any encoder writes (a "scan bomb"): decoding it would take minutes.
pub(super) fn too_many_scans(name: &str, scans: u32) -> Error {
    error(format!(
        "{name} is a JPEG made of {scans} or more scans, far more than cameras and image editors \
         write; decoding it would take too long. Open it in an image editor and save it again, or \
         choose another file."
    ))
}

/// A file whose header looked right but whose data is damaged or cut short.
pub(super) fn damaged(name: &str, format: &str, detail: impl fmt::Display) -> Error {
    tracing::warn!(image = %name, %detail, "image could not be decoded");
    error(format!(
        "{name} is damaged or incomplete, so Hayon cannot read it as {format}. Open it in an \
         image editor and save it again, or choose another file."
    ))
}

/// A HEIC or AVIF file libheif refused, with libheif's own reason (it names what is wrong, such as
/// "Unexpected end of file" or a missing box), which is more use to the person than a guess.
pub(super) fn heif(name: &str, format: &str, reason: impl fmt::Display) -> Error {
    tracing::warn!(image = %name, %reason, "HEIF image could not be decoded");
    error(format!(
        "{name} could not be read as a {format} image: {reason}. If it opens elsewhere, export it \
         again (or as JPEG) and choose that file."
    ))
}

/// A HEIC or AVIF file this system's libheif has no decoder for (its HEVC or AV1 plugin is not
/// installed): the fix is on the system, not in the file.
pub(super) fn no_heif_decoder(name: &str, format: &str, reason: impl fmt::Display) -> Error {
    tracing::warn!(image = %name, %reason, "no libheif decoder for this image");
    error(format!(
        "{name} is a {format} image, but this system's libheif cannot decode it ({reason}). \
         Install libheif's decoder plugins (on Debian and Ubuntu: libheif-plugin-libde265 for \
         HEIC, libheif-plugin-dav1d for AVIF), or export the photo as JPEG and choose that file."
    ))
}

/// A valid file using a part of its format that the decoder does not implement.
pub(super) fn unsupported_feature(name: &str, format: &str, detail: impl fmt::Display) -> Error {
    tracing::warn!(image = %name, %detail, "image format feature not supported");
    error(format!(
        "{name} uses a kind of {format} that Hayon cannot read. Open it in an image editor and save \
         it again as a standard JPEG or PNG."
    ))
}

/// Something that should not happen (an encoder failing on valid pixels, a codec panicking): a bug,
/// so the `internal` code; the message still names the image and what the person can do.
pub(super) fn internal(name: &str, detail: impl fmt::Display) -> Error {
    tracing::error!(image = %name, %detail, "image preparation failed");
    Error::new(
        ErrorCode::Internal,
        format!(
            "Hayon could not prepare {name} ({detail}). Try another copy of the image, or a \
         screenshot of it."
        ),
    )
}
