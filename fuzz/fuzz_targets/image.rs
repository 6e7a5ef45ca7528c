//! Fuzz target: image preparation (`hayon_core::media`) on arbitrary bytes, the way a picked file
//! or a link card's thumbnail reaches it: sniffed, decoded with limits (libjpeg-turbo for JPEG,
//! the `image` crate for PNG, GIF and WebP), oriented, resized and re-encoded under the blob limit.
//!
//! Every input must be prepared or refused with a message naming the file; no panic (libfuzzer-sys
//! aborts on any panic, even one the core would catch, so each is a finding), no run over
//! `-timeout`, no allocation or RSS over `-rss_limit_mb`. libjpeg's own errors are not panics: the
//! `mozjpeg` crate unwinds them with `resume_unwind`, which skips the panic hook, and `media/jpeg.rs`
//! turns them into errors, as in the app.
//!
//! A prepared image must be what the post record will claim: JPEG or PNG by its magic bytes, at most
//! `MAX_BLOB_BYTES`, both sides between 1 and `MAX_EDGE` pixels.

#![no_main]

use hayon_core::media::{prepare_image, MAX_BLOB_BYTES, MAX_EDGE};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The name the input is given, which every error message must mention.
const LABEL: &str = "fuzz-input.img";

fuzz_target!(|data: &[u8]| {
    // The input goes through a file, as a picked image does (TMPDIR: scripts/fuzz.sh uses a tmpfs).
    let path = input_path();
    if let Err(err) = std::fs::write(path, data) {
        panic!("cannot write the input to {}: {err}", path.display());
    }
    match prepare_image(path) {
        Ok(prepared) => {
            let magic_ok = match prepared.mime_type {
                "image/jpeg" => prepared.bytes.starts_with(&[0xff, 0xd8, 0xff]),
                "image/png" => prepared.bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
                _ => false,
            };
            assert!(
                magic_ok,
                "{} but {:?}",
                prepared.mime_type,
                prepared.bytes.get(..8)
            );
            assert!(prepared.bytes.len() <= MAX_BLOB_BYTES, "{prepared:?}");
            assert!(
                (1..=MAX_EDGE).contains(&prepared.width)
                    && (1..=MAX_EDGE).contains(&prepared.height),
                "{prepared:?}"
            );
        }
        Err(err) => assert!(
            err.message.contains(LABEL),
            "the message does not name the file: {err:?}"
        ),
    }
});

/// One file per fuzzing process, rewritten for each input.
fn input_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hayon-fuzz-image-{}", std::process::id()));
        if let Err(err) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {err}", dir.display());
        }
        dir.join(LABEL)
    })
}
