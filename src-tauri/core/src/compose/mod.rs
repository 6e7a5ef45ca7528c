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
mod overflow;
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
#[cfg_attr(test, derive(ts_rs::TS))]
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
    /// longer fits (see `overflow`); the composer marks the text from there on.
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
    let published = publish(text, Some(&facets));
    let graphemes = grapheme_len(&published.text);
    let bytes = published.text.len();
    let over_limit = !fits(graphemes, bytes);
    let overflow_from = if over_limit {
        overflow::overflow_from(text, &published)
    } else {
        None
    };
    Analysis {
        graphemes,
        max_graphemes: MAX_GRAPHEMES,
        bytes,
        max_bytes: MAX_BYTES,
        over_limit,
        overflow_from,
        facets,
        published_text: published.text,
        published_facets: published.facets,
        link_card,
    }
}

/// What [`publish`] makes.
#[derive(Debug)]
struct Published {
    text: String,
    facets: Vec<Facet>,
    /// Where `text` is not a copy of the text as typed.
    edits: Vec<overflow::Edit>,
}

/// The text and facets that will be posted for `text` (whose facets as typed may be passed in when
/// already detected).
fn publish(text: &str, typed_facets: Option<&[Facet]>) -> Published {
    let cleaned = published::clean(text);
    let cleaned_facets = match typed_facets {
        Some(facets) if *cleaned.text == *text => facets.to_vec(),
        _ => detect::detect_facets(&cleaned.text),
    };
    let (published, facets, links) = shorten::shorten_links(&cleaned.text, cleaned_facets);
    let dropped = (cleaned.dropped > 0).then_some((0..cleaned.dropped, 0..0));
    let cleaning = dropped.into_iter().chain(cleaned.collapsed).collect();
    Published {
        text: published,
        facets,
        edits: overflow::compose(cleaning, links),
    }
}

fn fits(graphemes: usize, bytes: usize) -> bool {
    graphemes <= MAX_GRAPHEMES && bytes <= MAX_BYTES
}

/// Extended grapheme clusters (UAX #29), as `Intl.Segmenter` counts them on the server.
pub fn grapheme_len(text: &str) -> usize {
    segmenter_pieces(text)
        .map(|(_, piece)| {
            if piece.is_ascii() {
                1 // one character, or CR LF
            } else {
                piece.graphemes(true).count()
            }
        })
        .sum()
}

/// `text` cut into pieces no grapheme cluster crosses, each with its byte offset: an ASCII piece is
/// one cluster (one character, or CR LF), any other needs the full segmenter. Two adjacent ASCII
/// characters are always in different clusters, except CR LF (no UAX #29 rule joins them
/// otherwise), so the text is cut there: most posts are mostly ASCII, and counting is the analysis'
/// hot spot.
pub(crate) fn segmenter_pieces(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        let at = (start + 1..=bytes.len()).find(|&at| match (bytes[at - 1], bytes.get(at)) {
            (before, Some(&after)) => {
                before.is_ascii() && after.is_ascii() && !(before == b'\r' && after == b'\n')
            }
            (_, None) => true,
        })?;
        // Both ends lie between ASCII bytes or at the text's end: character boundaries.
        let piece = text.get(start..at)?;
        let item = (start, piece);
        start = at;
        Some(item)
    })
}
