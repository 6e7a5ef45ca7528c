//! Opening a picked file and telling what it is from its first bytes, never from its name: a text
//! file called `photo.jpg` is not an image, and a HEIC photo renamed `.jpg` is still HEIC.

use super::errors;
use crate::error::Error;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The formats Hayon decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Jpeg,
    Png,
    Gif,
    WebP,
}

/// An opened file whose content is one of the accepted formats; nothing decoded yet.
#[derive(Debug)]
pub(super) struct Source {
    pub path: PathBuf,
    pub format: Format,
    /// Buffered, so decoders read the file as a stream instead of holding all of it.
    pub reader: BufReader<File>,
}

pub(super) fn open(path: &Path) -> Result<Source, Error> {
    let file = File::open(path).map_err(|err| errors::unreadable(path, &err))?;
    match file.metadata() {
        Ok(meta) if meta.is_dir() => return Err(errors::folder(path)),
        Ok(meta) if meta.len() == 0 => return Err(errors::empty(path)),
        Ok(_) => {}
        Err(err) => return Err(errors::unreadable(path, &err)),
    }
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let head = reader
        .fill_buf()
        .map_err(|err| errors::unreadable(path, &err))?;
    let format = sniff(head).map_err(|kind| errors::unsupported(path, kind))?;
    Ok(Source {
        path: path.to_path_buf(),
        format,
        reader,
    })
}

/// What a file that Hayon cannot decode turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unsupported {
    /// An image format, named for the person reading (`HEIC`, `TIFF`, …).
    Image(&'static str),
    /// A video or audio container.
    Video,
    /// Neither: text, a document, random bytes.
    NotAnImage,
}

fn sniff(head: &[u8]) -> Result<Format, Unsupported> {
    use image::ImageFormat as F;
    if let Some(kind) = iso_media(head) {
        return Err(kind);
    }
    match image::guess_format(head) {
        Ok(F::Jpeg) => Ok(Format::Jpeg),
        Ok(F::Png) => Ok(Format::Png),
        Ok(F::Gif) => Ok(Format::Gif),
        Ok(F::WebP) => Ok(Format::WebP),
        Ok(F::Bmp) => Err(Unsupported::Image("BMP")),
        Ok(F::Tiff) => Err(Unsupported::Image("TIFF")),
        Ok(F::Avif) => Err(Unsupported::Image("AVIF")),
        Ok(F::Ico) => Err(Unsupported::Image("ICO")),
        Ok(F::OpenExr) => Err(Unsupported::Image("OpenEXR")),
        Ok(F::Hdr) => Err(Unsupported::Image("Radiance HDR")),
        Ok(F::Qoi) => Err(Unsupported::Image("QOI")),
        Ok(F::Dds) => Err(Unsupported::Image("DDS")),
        Ok(_) => Err(Unsupported::Image("an image format")),
        Err(_) => Err(Unsupported::NotAnImage),
    }
}

/// ISO base media files (`....ftyp<brand>`): HEIC/HEIF photos (what iPhones save), AVIF, or video.
fn iso_media(head: &[u8]) -> Option<Unsupported> {
    if head.get(4..8) != Some(b"ftyp".as_slice()) {
        return None;
    }
    let brand = head.get(8..12)?;
    Some(match brand {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" | b"mif1"
        | b"msf1" => Unsupported::Image("HEIC"),
        b"avif" | b"avis" => Unsupported::Image("AVIF"),
        _ => Unsupported::Video,
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
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Err(Unsupported::Image("HEIC"))
        );
        assert_eq!(
            sniff(b"\0\0\0\x18ftypqt  \0\0\0\0"),
            Err(Unsupported::Video)
        );
        assert_eq!(sniff(b"Hello, world\n"), Err(Unsupported::NotAnImage));
    }
}
