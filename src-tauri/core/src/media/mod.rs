//! Images prepared for a post: what the PDS and every client accept, made from whatever the person
//! picked.
//!
//! Each image (a file, or bytes in memory such as a downloaded thumbnail) is decoded with limits (a decompression bomb is refused from its header, before any
//! pixel buffer exists), turned upright by its EXIF orientation, fitted within the longest edge of
//! its [`ImageLimits`] (a post's photos: 4000 px, as the official app since April 2026) and
//! re-encoded from its pixels, which drops all metadata (EXIF, GPS, ICC, text chunks). The result is
//! within the limits' bytes: JPEG at the highest quality that fits, or PNG, scaled down as needed,
//! when the image has any transparency. Animated, damaged and
//! unsupported files get an error naming the file and saying what to do.
//!
//! The work is CPU-bound and blocking: call it from a blocking thread (`spawn_blocking`).
//! [`prepare_images`] prepares the images of a post in parallel, one thread per core.
//!
//! Every image is prepared within a memory budget (`budget`): at most [`IMAGE_BYTES`] for
//! one, [`PROCESS_BYTES`] for all those being prepared at once in the process, estimated
//! from the header before anything large is allocated; and within a bounded amount of work (a
//! JPEG's scans are counted before decoding). Large images are downscaled while they are decoded.
//!
//! Files: `source` opens and sniffs a file, `decode` dispatches to `jpeg` (with `jpeg_markers`),
//! `read_png`, `read_gif`, `read_webp` and `read_heif` (HEIC and AVIF through libheif), which
//! decode into a `hayon_pixels::Shrinker`; `budget` reserves memory; `pixels` fits and turns the
//! pixels, `encode` fits them under the byte limit, `errors` words the failures.

mod already;
mod budget;
mod decode;
mod encode;
mod errors;
mod jpeg;
mod jpeg_markers;
mod pixels;
mod read_gif;
mod read_heif;
mod read_png;
mod read_webp;
mod source;
#[cfg(test)]
mod tests;
mod upright;
pub mod video;

use crate::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What a prepared image may be: its longest edge in pixels (more is scaled down) and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    pub max_edge: u32,
    pub max_bytes: usize,
}

impl ImageLimits {
    /// A post's images, as the official app prepares them (protocol.md, "Media in 2026":
    /// `embed.images` blobs ≤ 2,000,000 bytes since @atproto/pds 0.4.218, 4000 px).
    pub const POST: Self = Self {
        max_edge: 4000,
        max_bytes: 2_000_000,
    };
    /// A post's images for a server older than that, whose lexicon stops at 1,000,000 bytes (and the
    /// 2000 px the official app used with it).
    pub const OLDER_SERVER: Self = Self {
        max_edge: 2000,
        max_bytes: 1_000_000,
    };
    /// A link card's thumbnail: `embed.external.thumb` is still ≤ 1,000,000 bytes on every server.
    pub const CARD_THUMB: Self = Self {
        max_edge: 2000,
        max_bytes: 1_000_000,
    };

    /// Whether `image` is within these limits as it is.
    pub fn holds(&self, image: &PreparedImage) -> bool {
        image.bytes.len() <= self.max_bytes && image.width.max(image.height) <= self.max_edge
    }
}
/// Inputs larger than this on either side are refused from their header.
pub const MAX_INPUT_SIDE: u32 = 20_000;
/// Inputs with more pixels than this are refused from their header (a 100 MP RGBA image would be
/// 400 MB decoded whole; most formats are downscaled while decoding, see `budget`).
pub const MAX_INPUT_PIXELS: u64 = 100_000_000;
/// How many images a post may carry: the app view shows at most 10 of a gallery
/// (`GALLERY_SOFT_LIMIT`) and the official app offers 10, though the lexicon takes 20. More than
/// [`crate::records::IMAGES_EMBED_MAX`] are posted as a gallery.
pub const MAX_IMAGES: usize = 10;
/// The largest image file the composer takes in (its bytes arrive whole in memory): well above a
/// [`MAX_INPUT_PIXELS`] photo as cameras and phones save it (JPEG, HEIC exported as JPEG: 20–60 MB)
/// or a large PNG screenshot, yet a bound on what a page can make the app copy and sniff.
pub const MAX_INPUT_BYTES: usize = 100_000_000;
pub use already::already_prepared;
pub use budget::{IMAGE_BYTES, PROCESS_BYTES};

/// An image ready to upload: its encoded bytes and what the post record says about it. Callers
/// know what they prepared it from (a file, downloaded bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedImage {
    /// JPEG or PNG, within the [`ImageLimits`] it was prepared for, with no metadata.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub mime_type: &'static str,
    /// Output size in pixels, upright: the post's `aspectRatio {width, height}`.
    pub width: u32,
    pub height: u32,
}

impl PreparedImage {
    /// The image as a `data:` URL, how the window is shown images the core made (its content security
    /// policy loads no image from the web).
    pub fn data_url(&self) -> String {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.bytes);
        format!("data:{};base64,{encoded}", self.mime_type)
    }
}

impl fmt::Debug for PreparedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedImage")
            .field("bytes", &self.bytes.len())
            .field("mime_type", &self.mime_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Prepares one image file for upload (blocking, CPU-bound). Only regular files are read: a FIFO,
/// socket or device is refused without reading (or waiting on) it.
///
/// A panic in a codec on some hostile file becomes an error for that file, not a crash.
pub fn prepare_image(path: &Path, limits: ImageLimits) -> Result<PreparedImage, Error> {
    std::panic::catch_unwind(|| prepare(source::open(path)?, limits))
        .unwrap_or_else(|_| Err(errors::internal(&errors::file_name(path), "a codec failed")))
}

/// Prepares an image file opened already, named `name` in errors: for a caller that must read
/// exactly the file it checked (opened without following a symlink), not whatever its path names by
/// now. Only a regular file is read. Blocking and CPU-bound, like [`prepare_image`].
pub fn prepare_opened(
    file: std::fs::File,
    name: &str,
    limits: ImageLimits,
) -> Result<PreparedImage, Error> {
    std::panic::catch_unwind(|| prepare(source::from_file(file, name.to_owned())?, limits))
        .unwrap_or_else(|_| Err(errors::internal(name, "a codec failed")))
}

/// Prepares image bytes already in memory (a downloaded link-card thumbnail) exactly like a file,
/// with the same limits; `label` is how errors name the image (`"the link card's image"`). Blocking
/// and CPU-bound, like [`prepare_image`]; no temporary file is written.
pub fn prepare_bytes(
    bytes: &[u8],
    label: &str,
    limits: ImageLimits,
) -> Result<PreparedImage, Error> {
    std::panic::catch_unwind(|| prepare(source::from_bytes(bytes, label)?, limits))
        .unwrap_or_else(|_| Err(errors::internal(label, "a codec failed")))
}

/// Refuses image bytes named `label` that are more than [`MAX_INPUT_BYTES`], before anything copies
/// or reads them.
pub fn check_input_bytes(len: usize, label: &str) -> Result<(), Error> {
    if len > MAX_INPUT_BYTES {
        return Err(errors::too_many_bytes(label, len));
    }
    Ok(())
}

fn prepare(source: source::Source<'_>, limits: ImageLimits) -> Result<PreparedImage, Error> {
    let name = source.name.clone();
    let (pixels, orientation, reservation) = decode::fitted(source, limits.max_edge)?;
    let encoded = encode::fit(pixels, orientation, limits.max_bytes, &name)?;
    drop(reservation);
    Ok(PreparedImage {
        bytes: encoded.bytes,
        mime_type: encoded.mime_type,
        width: encoded.width,
        height: encoded.height,
    })
}

/// Prepares the images of a post in parallel, one worker per core (at most one per image); the
/// results are in the order of `paths`. Each worker holds one image at a time, and the memory
/// budget bounds what they hold together.
pub fn prepare_images(paths: &[PathBuf], limits: ImageLimits) -> Vec<Result<PreparedImage, Error>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let workers = cores.min(paths.len());
    if workers <= 1 {
        return paths
            .iter()
            .map(|path| prepare_image(path, limits))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<PreparedImage, Error>>>> =
        paths.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let (Some(path), Some(slot)) = (paths.get(index), results.get(index)) else {
                    break;
                };
                let result = prepare_image(path, limits);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .zip(paths)
        .map(|(slot, path)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(errors::internal(
                    &errors::file_name(path),
                    "the worker stopped",
                ))
            })
        })
        .collect()
}
