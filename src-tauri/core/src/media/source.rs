//! Opening a picked file (or taking downloaded bytes) and telling what it is from its first bytes,
//! never from its name: a text file called `photo.jpg` is not an image, and a HEIC photo renamed
//! `.jpg` is still HEIC.
//!
//! Only regular files are read. A FIFO, socket or device would block a worker or feed it forever,
//! so it is refused from its metadata, and the file is opened non-blocking on Unix: a path swapped
//! for a FIFO between the check and the open cannot hang the open either (the opened file's type is
//! checked again before any read).

use super::errors;
use crate::error::Error;
use std::fs::{File, Metadata};
use std::io::{BufRead, BufReader, Cursor, Seek};
use std::path::Path;

/// The formats Hayon decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Jpeg,
    Png,
    Gif,
    WebP,
    /// HEIF with HEVC (HEIC, what iPhones save) or another codec libheif has a plugin for.
    Heic,
    /// HEIF with AV1.
    Avif,
}

impl Format {
    /// How messages name the format.
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
            Self::Gif => "GIF",
            Self::WebP => "WebP",
            Self::Heic => "HEIC",
            Self::Avif => "AVIF",
        }
    }
}

/// What decoders read from: a buffered file or bytes in memory, rewindable.
pub(super) trait Input: BufRead + Seek {}
impl<T: BufRead + Seek> Input for T {}

/// An opened image whose content is one of the accepted formats; nothing decoded yet.
pub(super) struct Source<'a> {
    /// How errors name the image: the file's name, or the label given with the bytes.
    pub name: String,
    pub format: Format,
    /// Buffered, so decoders read a file as a stream instead of holding all of it.
    pub reader: Box<dyn Input + 'a>,
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

pub(super) fn open(path: &Path) -> Result<Source<'static>, Error> {
    let name = errors::file_name(path);
    let unreadable = |err: std::io::Error| errors::unreadable(&name, &err);
    check_kind(&std::fs::metadata(path).map_err(unreadable)?, &name)?;
    let file = open_nonblocking(path).map_err(unreadable)?;
    from_file(file, name)
}

/// A file opened already (by a caller that chose how: without following a symlink, say), named
/// `name` in errors; its type is checked here before any read.
pub(super) fn from_file(file: File, name: String) -> Result<Source<'static>, Error> {
    let unreadable = |err: std::io::Error| errors::unreadable(&name, &err);
    let meta = file.metadata().map_err(unreadable)?;
    check_kind(&meta, &name)?;
    if meta.len() == 0 {
        return Err(errors::empty(&name));
    }
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let head = reader.fill_buf().map_err(unreadable)?;
    let format = sniff(head).map_err(|kind| errors::unsupported(&name, kind))?;
    Ok(Source {
        name,
        format,
        reader: Box::new(reader),
    })
}

/// Image bytes already in memory (a downloaded thumbnail), named `label` in errors.
pub(super) fn from_bytes<'a>(bytes: &'a [u8], label: &str) -> Result<Source<'a>, Error> {
    if bytes.is_empty() {
        return Err(errors::empty(label));
    }
    let format = sniff(bytes).map_err(|kind| errors::unsupported(label, kind))?;
    Ok(Source {
        name: label.to_owned(),
        format,
        reader: Box::new(Cursor::new(bytes)),
    })
}

/// Refuses folders and anything that is not a regular file, before reading from it.
fn check_kind(meta: &Metadata, name: &str) -> Result<(), Error> {
    if meta.is_dir() {
        return Err(errors::folder(name));
    }
    if !meta.is_file() {
        return Err(errors::not_a_file(name, special_kind(meta)));
    }
    Ok(())
}

#[cfg(unix)]
fn special_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &Metadata) -> &'static str {
    "a special file"
}

/// Opens for reading without waiting for a writer (a FIFO's open blocks until one comes).
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a file that Hayon cannot decode turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unsupported {
    /// An image format, named for the person reading (`HEIC`, `TIFF`, …).
    Image(&'static str),
    /// A video or audio container.
    Video,
    /// An image sequence with no still image in it (an animated HEIF or AVIF).
    Animated,
    /// Neither: text, a document, random bytes.
    NotAnImage,
}

pub(super) fn sniff(head: &[u8]) -> Result<Format, Unsupported> {
    use image::ImageFormat as F;
    if let Some(format) = iso_media(head) {
        return format;
    }
    match image::guess_format(head) {
        Ok(F::Jpeg) => Ok(Format::Jpeg),
        Ok(F::Png) => Ok(Format::Png),
        Ok(F::Gif) => Ok(Format::Gif),
        Ok(F::WebP) => Ok(Format::WebP),
        Ok(F::Bmp) => Err(Unsupported::Image("BMP")),
        Ok(F::Tiff) => Err(Unsupported::Image("TIFF")),
        Ok(F::Ico) => Err(Unsupported::Image("ICO")),
        Ok(F::OpenExr) => Err(Unsupported::Image("OpenEXR")),
        Ok(F::Hdr) => Err(Unsupported::Image("Radiance HDR")),
        Ok(F::Qoi) => Err(Unsupported::Image("QOI")),
        Ok(F::Dds) => Err(Unsupported::Image("DDS")),
        Ok(_) => Err(Unsupported::Image("an image format")),
        Err(_) => Err(Unsupported::NotAnImage),
    }
}

/// ISO base media files (`....ftyp<major brand><version><compatible brands>`): HEIF photos (HEIC,
/// what iPhones save, and AVIF), image sequences, or video. The major brand and the compatible ones
/// are both read: a still image may be filed under the generic `mif1`, and an animated AVIF
/// (`avis`) usually carries a still `avif` image too, which is what libheif decodes.
fn iso_media(head: &[u8]) -> Option<Result<Format, Unsupported>> {
    if head.get(4..8) != Some(b"ftyp".as_slice()) {
        return None;
    }
    let major = head.get(8..12)?;
    let size = head
        .get(..4)
        .and_then(|size| <[u8; 4]>::try_from(size).ok())
        .map_or(0, |size| u32::from_be_bytes(size) as usize);
    let compatible = head
        .get(16..size.min(head.len()))
        .unwrap_or_default()
        .chunks_exact(4);
    let brands: Vec<&[u8]> = std::iter::once(major).chain(compatible).collect();
    let has = |wanted: &[&[u8; 4]]| brands.iter().any(|brand| wanted.iter().any(|w| brand == w));
    // Still images (ISO/IEC 23008-12 and the AVIF specification's brands).
    const HEIC: &[&[u8; 4]] = &[b"heic", b"heix", b"heim", b"heis"];
    const AVIF: &[&[u8; 4]] = &[b"avif"];
    const STILL: &[&[u8; 4]] = &[b"mif1", b"mif2", b"miaf"];
    // Image sequences: animated, or a burst.
    const SEQUENCE: &[&[u8; 4]] = &[b"msf1", b"hevc", b"hevx", b"hevm", b"hevs", b"avis"];
    Some(if has(AVIF) && !has(HEIC) {
        Ok(Format::Avif)
    } else if has(HEIC) || has(STILL) {
        Ok(Format::Heic)
    } else if has(SEQUENCE) {
        Err(Unsupported::Animated)
    } else {
        Err(Unsupported::Video)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0"), Ok(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(Format::Png));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Ok(Format::Gif));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Ok(Format::WebP));
        assert_eq!(
            sniff(b"BM\x1e\0\0\0\0\0\0\0"),
            Err(Unsupported::Image("BMP"))
        );
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Ok(Format::Heic));
        // As heif-enc and iPhones write them: the major brand, then the compatible ones.
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heicmiaf"),
            Ok(Format::Heic)
        );
        assert_eq!(
            sniff(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miafMA1B"),
            Ok(Format::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypmif1\0\0\0\0mif1avif"),
            Ok(Format::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x20ftypavis\0\0\0\0avifavismsf1miaf"),
            Ok(Format::Avif)
        );
        assert_eq!(
            sniff(b"\0\0\0\x14ftypmsf1\0\0\0\0hevc"),
            Err(Unsupported::Animated)
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypisom\0\0\0\0isomavc1"),
            Err(Unsupported::Video)
        );
        // Cut short inside the box: what is there is read, nothing past it.
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), Ok(Format::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0av"), Ok(Format::Heic));
        assert_eq!(
            sniff(b"\0\0\0\x18ftypqt  \0\0\0\0"),
            Err(Unsupported::Video)
        );
        assert_eq!(sniff(b"Hello, world\n"), Err(Unsupported::NotAnImage));
    }
}
