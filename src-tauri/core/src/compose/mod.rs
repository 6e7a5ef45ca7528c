//! Composer text analysis: the live counter, the highlighted links / mentions / hashtags, and the
//! exact text and facets that will be posted.
//!
//! The window calls [`analyze`] on every edit, so it is pure and cheap: no I/O, a few linear scans
//! of the text. Two texts come out of one draft:
//! - as typed: [`Analysis::facets`], for highlighting what the user sees in the editor;
//! - as published ([`Analysis::published_text`], [`Analysis::published_facets`]): the official
//!   app's pipeline — blank lines and trailing whitespace trimmed, excess line breaks collapsed
//!   (`published`), facets detected again, link text shortened (`shorten`). The counter counts
//!   this text, so it agrees with what the server will check.
//!
//! Detection (`detect`) follows `@atproto/api`'s `RichText.detectFacets`; a differential test
//! (`tests/compose_differential.rs`) compares both on thousands of generated texts.

mod detect;
mod facet;
mod js;
pub mod langs;
mod published;
mod shorten;
#[cfg(test)]
mod tests;

pub use facet::{ByteSlice, Facet, Feature, Mentioned};

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

/// `app.bsky.feed.post` text limit in graphemes.
pub const MAX_GRAPHEMES: usize = 300;
/// `app.bsky.feed.post` text limit in UTF-8 bytes.
pub const MAX_BYTES: usize = 3000;

/// What the composer shows and posts for one draft text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Graphemes of [`Self::published_text`].
    pub graphemes: usize,
    pub max_graphemes: usize,
    /// UTF-8 bytes of [`Self::published_text`].
    pub bytes: usize,
    pub max_bytes: usize,
    /// Either limit exceeded: posting is refused, nothing is truncated.
    pub over_limit: bool,
    /// Over a limit: the UTF-8 byte offset, in the text as typed, of the first grapheme that no
    /// longer fits (see [`overflow_from`]); the composer marks the text from there on.
    pub overflow_from: Option<usize>,
    /// Facets of the text as typed (for highlighting).
    pub facets: Vec<Facet>,
    /// The text that will be posted.
    pub published_text: String,
    /// Facets of [`Self::published_text`]; link facets span the shortened text.
    pub published_facets: Vec<Facet>,
    /// The URL that gets a preview card: the first link as typed.
    pub link_card: Option<String>,
}

/// Analyses a draft. Total: any string gives an answer.
pub fn analyze(text: &str) -> Analysis {
    let facets = detect::detect_facets(text);
    let link_card = facets.iter().find_map(Facet::link_uri).map(str::to_owned);
    let (published_text, published_facets) = publish(text, Some(&facets));
    let graphemes = grapheme_len(&published_text);
    let bytes = published_text.len();
    let over_limit = !fits(graphemes, bytes);
    Analysis {
        graphemes,
        max_graphemes: MAX_GRAPHEMES,
        bytes,
        max_bytes: MAX_BYTES,
        over_limit,
        overflow_from: if over_limit {
            overflow_from(text)
        } else {
            None
        },
        facets,
        published_text,
        published_facets,
        link_card,
    }
}

/// The text and facets that will be posted for `text` (whose facets as typed may be passed in when
/// already detected).
fn publish(text: &str, typed_facets: Option<&[Facet]>) -> (String, Vec<Facet>) {
    let cleaned = published::clean(text);
    let cleaned_facets = match typed_facets {
        Some(facets) if *cleaned == *text => facets.to_vec(),
        _ => detect::detect_facets(&cleaned),
    };
    shorten::shorten_links(&cleaned, cleaned_facets)
}

fn fits(graphemes: usize, bytes: usize) -> bool {
    graphemes <= MAX_GRAPHEMES && bytes <= MAX_BYTES
}

/// For a text over a limit (analyze has found that it does not fit; only then is this called): the
/// byte offset (in the text as typed) of the first grapheme whose prefix no longer fits once
/// published, found by bisection over the grapheme boundaries with the same pipeline that counts
/// the whole text — so the mark agrees with the counter, and nothing is counted a second way. A prefix's published length grows with it, except where the cut falls
/// inside a link (a link cut short can be shortened differently): there the mark may start a few
/// characters early or late within that link. `None` only for an empty text, which always fits.
fn overflow_from(text: &str) -> Option<usize> {
    let bounds: Vec<usize> = text.grapheme_indices(true).map(|(at, _)| at).collect();
    let prefix_fits = |graphemes: usize| {
        let end = bounds.get(graphemes).copied().unwrap_or(text.len());
        let (published, _) = publish(text.get(..end).unwrap_or(text), None);
        fits(grapheme_len(&published), published.len())
    };
    // Invariant: a prefix of `low` graphemes fits, one of `high` does not (the whole text, as analyze
    // found: it is not published and counted again here).
    let (mut low, mut high) = (0, bounds.len());
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if prefix_fits(mid) {
            low = mid;
        } else {
            high = mid;
        }
    }
    bounds.get(low).copied()
}

/// Extended grapheme clusters (UAX #29), as `Intl.Segmenter` counts them on the server.
///
/// Two adjacent ASCII characters are always in different clusters, except CR LF (no UAX #29 rule
/// joins them otherwise), so the text is cut there and only the pieces holding non-ASCII go
/// through the full segmenter: most posts are mostly ASCII, and this is the analysis' hot spot.
pub fn grapheme_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut piece_start = 0;
    for at in 1..=bytes.len() {
        let cut = match (bytes[at - 1], bytes.get(at)) {
            (before, Some(&after)) => {
                before.is_ascii() && after.is_ascii() && !(before == b'\r' && after == b'\n')
            }
            (_, None) => true,
        };
        if cut {
            let piece = &bytes[piece_start..at];
            count += if piece.is_ascii() {
                1 // one character, or CR LF
            } else {
                text.get(piece_start..at)
                    .map_or(0, |piece| piece.graphemes(true).count())
            };
            piece_start = at;
        }
    }
    count
}
