//! Fuzz target: the composer's text analysis (`hayon_core::compose::analyze`), which the window runs
//! on every keystroke and whose facets' byte offsets go into the published record. A facet that
//! ends past the text or cuts a character in two would make a record the server rejects, or a
//! panic in the window.
//!
//! Each input is analysed twice: as UTF-8 (lossily decoded, so random bytes still make text), and
//! decoded as a sequence of tokens (`tokens`): mentions, tags, cashtags, URLs, emoji and ZWJ
//! sequences, combining marks, RTL text, fullwidth and zero-width characters, every kind of
//! whitespace. Random bytes rarely spell `https://` before a space; tokens reach the interesting
//! paths (link shortening moving facets, line-break collapsing, tag trimming) at once.
//!
//! Checked for every text: the analysis does not panic; every facet of the text as typed and of
//! the published text lies inside its text, is non-empty and starts and ends on character
//! boundaries; facets as typed are sorted and their features match the text they span; the counts
//! and the limit flag agree with the published text; the link card is the first link.

#![no_main]

use hayon_core::compose::{
    analyze, grapheme_len, Facet, Feature, Mentioned, MAX_BYTES, MAX_GRAPHEMES,
};
use libfuzzer_sys::fuzz_target;
use unicode_segmentation::UnicodeSegmentation;

fuzz_target!(|data: &[u8]| {
    check(&String::from_utf8_lossy(data));
    check(&tokens(data));
});

/// Pieces of text that drafts are made of, and that the analysis treats specially.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    // What starts a facet, and what may precede one.
    "@", "#", "＃", "$", "(", ")", " ", "\n", "\r\n", "\r", "\t", "\n\n\n", "   ",
    // Other JavaScript whitespace, and characters that only look blank.
    "\u{a0}", "\u{3000}", "\u{feff}", "\u{2028}", "\u{2029}", "\u{85}", "\u{b}", "\u{200b}",
    "\u{200c}", "\u{200d}", "\u{ad}", "\u{2060}", "\u{20e2}", "\u{fe0f}", "\u{200a}",
    // Links and their parts.
    "http://", "https://", "HTTPS://", "http:", "www.", ".", ".com", ".social", ".bsky.social",
    ".test", ".xn--p1ai", ".рф", ".co.uk", ":8080", "/", "?", "=", "&", "#frag", "%20", "[::1]",
    "https://example.com/a/very/long/path?query=1#fragment", "example.com/page", "bsky.app",
    // Words, handles, tickers.
    "alice", "Bob", "a", "Z", "0", "9", "_", "-", "AAPL", "tsla", "@alice.bsky.social", "#tag",
    "$BTC", "1234",
    // Punctuation that ends or trims a facet.
    ":", ";", ",", "!", "'", "\"", "’", "[", "]", "*", "…", "。", "、", "¿",
    // Graphemes of several code points, and scripts where a byte is not a character.
    "e\u{301}", "\u{308}", "👩", "🏽", "👨\u{200d}👩\u{200d}👧", "🇫🇷", "🏳\u{fe0f}\u{200d}🌈",
    "1\u{fe0f}\u{20e3}", "\u{915}\u{94d}\u{937}", "\u{1100}\u{1161}\u{11a8}", "\u{e01}\u{e33}",
    "漢字", "한국어", "ＡＢＣ", "１２３", "ß", "İ", "ǅ",
    // Right-to-left text and direction marks.
    "שלום", "مرحبا", "\u{661}", "\u{202e}", "\u{200f}", "\u{202a}", "\u{2066}",
    // Control characters.
    "\0", "\u{1f}", "\u{7f}",
];

/// The text `data` spells as tokens: a byte below `TOKENS.len()` is that token; a byte from 0xF0
/// and the next two bytes are one code point (U+0000–U+FFFFF); any other byte is an ASCII
/// character.
fn tokens(data: &[u8]) -> String {
    let mut text = String::new();
    let mut bytes = data.iter().copied();
    while let Some(byte) = bytes.next() {
        if let Some(token) = TOKENS.get(usize::from(byte)) {
            text.push_str(token);
        } else if byte >= 0xf0 {
            let (high, low) = (bytes.next().unwrap_or(0), bytes.next().unwrap_or(0));
            let code = u32::from(byte & 0x0f) << 16 | u32::from(high) << 8 | u32::from(low);
            text.extend(char::from_u32(code));
        } else {
            text.push(char::from(byte & 0x7f));
        }
    }
    text
}

fn check(text: &str) {
    let analysis = analyze(text);
    assert_eq!(
        grapheme_len(text),
        text.graphemes(true).count(),
        "grapheme_len of {text:?}"
    );

    check_spans(text, &analysis.facets, "facet as typed");
    for pair in analysis.facets.windows(2) {
        assert!(
            pair[0].index.byte_start <= pair[1].index.byte_start,
            "facets as typed out of order in {text:?}: {:?}",
            analysis.facets
        );
    }
    for facet in &analysis.facets {
        check_feature(text, facet);
    }
    let first_link = analysis
        .facets
        .iter()
        .find_map(Facet::link_uri)
        .map(str::to_owned);
    assert_eq!(analysis.link_card, first_link, "link card of {text:?}");

    let published = &analysis.published_text;
    check_spans(published, &analysis.published_facets, "published facet");
    assert_eq!(analysis.bytes, published.len(), "bytes of {text:?}");
    assert_eq!(
        analysis.graphemes,
        published.graphemes(true).count(),
        "graphemes of {text:?}"
    );
    assert_eq!(
        analysis.over_limit,
        analysis.graphemes > MAX_GRAPHEMES || analysis.bytes > MAX_BYTES,
        "over_limit of {text:?}"
    );
    assert_eq!(
        analysis.overflow_from.is_some(),
        analysis.over_limit,
        "overflow_from of {text:?}"
    );
    if let Some(from) = analysis.overflow_from {
        assert!(text.is_char_boundary(from), "overflow_from {from} in {text:?}");
    }
}

/// Every facet spans a non-empty range of `text` that starts and ends on character boundaries,
/// and carries at least one feature.
fn check_spans(text: &str, facets: &[Facet], what: &str) {
    for facet in facets {
        let (start, end) = (facet.index.byte_start, facet.index.byte_end);
        assert!(
            start < end && end <= text.len(),
            "{what} {start}..{end} out of bounds in {} bytes: {text:?}",
            text.len()
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{what} {start}..{end} cuts a character: {text:?}"
        );
        assert!(!facet.features.is_empty(), "{what} without a feature");
    }
}

/// A facet as typed spans exactly what its feature says: `@` and the handle, `#`/`＃` and the tag,
/// `$` and the ticker (upper-cased in the tag), the link as typed (its URI adds `https://` to a bare
/// domain).
fn check_feature(text: &str, facet: &Facet) {
    let span = &text[facet.index.byte_start..facet.index.byte_end];
    for feature in &facet.features {
        let matches = match feature {
            Feature::Mention {
                who: Mentioned::Handle(handle),
            } => span.strip_prefix('@') == Some(handle.as_str()),
            // Analysis never resolves a mention.
            Feature::Mention {
                who: Mentioned::Did(_),
            } => false,
            Feature::Tag { tag } if span.starts_with('$') => span.to_ascii_uppercase() == *tag,
            Feature::Tag { tag } => span.strip_prefix(['#', '＃']) == Some(tag.as_str()),
            Feature::Link { uri } => uri == span || uri.strip_prefix("https://") == Some(span),
        };
        assert!(matches, "{feature:?} spans {span:?} in {text:?}");
    }
}
