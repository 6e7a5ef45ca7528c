//! Fuzz target: image preparation (`hayon_core::media::prepare_bytes`) on arbitrary bytes, the way
//! a link card's thumbnail reaches it, and a picked file after it is read (the same path from the
//! sniffing on): decoded with limits (libjpeg-turbo for JPEG, the `image` crate for PNG, GIF and
//! WebP), oriented, resized and re-encoded under the blob limit.
//!
//! Every input must be prepared or refused with a message naming the image; no panic (libfuzzer-sys
//! aborts on any panic, even one the core would catch, so each is a finding), no run over
//! `-timeout`, no allocation or RSS over `-rss_limit_mb`. libjpeg's own errors are not panics: the
//! `mozjpeg` crate unwinds them with `resume_unwind`, which skips the panic hook, and `media/jpeg.rs`
//! turns them into errors, as in the app.
//!
//! A prepared image must be what the post record will claim: JPEG or PNG by its magic bytes, at most
//! the post limits' bytes (`ImageLimits::POST`), both sides between 1 and their longest edge.

#![no_main]

use hayon_core::media::{prepare_bytes, ImageLimits};
use libfuzzer_sys::fuzz_target;

/// How the input is named, which every error message must mention.
const LABEL: &str = "the fuzzed image";

/// What a post's images may be, which a prepared one must respect.
const LIMITS: ImageLimits = ImageLimits::POST;

fuzz_target!(|data: &[u8]| {
    match prepare_bytes(data, LABEL, LIMITS) {
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
            assert!(prepared.bytes.len() <= LIMITS.max_bytes, "{prepared:?}");
            assert!(
                (1..=LIMITS.max_edge).contains(&prepared.width)
                    && (1..=LIMITS.max_edge).contains(&prepared.height),
                "{prepared:?}"
            );
        }
        Err(err) => assert!(
            err.message.contains(LABEL),
            "the message does not name the image: {err:?}"
        ),
    }
});
