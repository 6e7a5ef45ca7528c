//! Caption files: WebVTT (`text/vtt`), one language each, as `app.bsky.embed.video#caption` takes
//! them. A caption is small, so it is read whole and uploaded to the PDS like an image.

use super::errors::file_name;
use crate::error::Error;
use std::path::Path;

/// The most captions a video may have (the lexicon's `maxLength`).
pub const MAX_CAPTIONS: usize = 20;
/// The largest caption file (the lexicon's blob `maxSize`).
pub const MAX_CAPTION_BYTES: usize = 20_000;
pub const CAPTION_MIME: &str = "text/vtt";

/// The bytes of the caption file at `path`, checked ([`check_caption`]).
pub fn read_caption(path: &Path) -> Result<Vec<u8>, Error> {
    let name = file_name(path);
    let size = std::fs::metadata(path)
        .map_err(|err| super::errors::unreadable(&name, &err))?
        .len();
    too_large(&name, size)?;
    let bytes = std::fs::read(path).map_err(|err| super::errors::unreadable(&name, &err))?;
    check_caption(&name, &bytes)?;
    Ok(bytes)
}

fn too_large(name: &str, size: u64) -> Result<(), Error> {
    if size > MAX_CAPTION_BYTES as u64 {
        return Err(Error::validation(format!(
            "The captions {name} are {size} bytes; Bluesky takes caption files up to \
             {MAX_CAPTION_BYTES} bytes. Split or shorten them."
        )));
    }
    Ok(())
}

/// Checks caption file `bytes` (named `name` in messages): within the size, UTF-8 WebVTT by its
/// signature.
pub fn check_caption(name: &str, bytes: &[u8]) -> Result<(), Error> {
    too_large(name, bytes.len() as u64)?;
    // "WEBVTT", after an optional byte order mark, then a space, tab or line end.
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let signed = text
        .strip_prefix(b"WEBVTT")
        .is_some_and(|rest| rest.is_empty() || matches!(rest[0], b' ' | b'\t' | b'\n' | b'\r'));
    if !signed || std::str::from_utf8(text).is_err() {
        return Err(Error::validation(format!(
            "{name} is not a WebVTT caption file (it must start with \"WEBVTT\"). Save the \
             captions as .vtt and choose them again."
        )));
    }
    Ok(())
}
