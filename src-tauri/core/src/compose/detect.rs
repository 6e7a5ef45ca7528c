//! Facet detection, matching `@atproto/api`'s `RichText.detectFacets` result for result.
//!
//! The official library runs four global JavaScript regexes over the text (mentions, links,
//! hashtags, cashtags), in that order, then sorts the facets by start (a stable sort, so equal
//! starts keep that order). Rust's `regex` has no look-around and a Unicode `\b`, so each regex is
//! written here as a small scanner instead, with the JavaScript semantics that matter spelled out:
//! where a match may start, how far greedy repetition and backtracking reach, and where the next
//! search resumes. Working on UTF-8 directly gives byte offsets without any UTF-16 conversion.

use super::facet::{Facet, Feature, Mentioned};
use super::{grapheme_len, js};

/// Longest hashtag, in graphemes (without the `#`).
const MAX_TAG_GRAPHEMES: usize = 64;
/// Longest cashtag ticker (without the `$`).
const MAX_TICKER_LEN: usize = 5;

/// All facets of `text`, sorted by start. Mentions carry their handle (not resolved).
pub(super) fn detect_facets(text: &str) -> Vec<Facet> {
    let mut facets = Vec::new();
    mentions(text, &mut facets);
    links(text, &mut facets);
    hashtags(text, &mut facets);
    cashtags(text, &mut facets);
    facets.sort_by_key(|facet| facet.index.byte_start); // stable, like Array.prototype.sort
    facets
}

/// The character before byte `at`, if any.
fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|head| head.chars().next_back())
}

/// `(^|\s|\()` right before `at`: the start of the text, whitespace or an opening parenthesis.
fn after_space_or_paren(text: &str, at: usize) -> bool {
    char_before(text, at).is_none_or(|c| c == '(' || js::is_space(c))
}

/// Length of the run of bytes from `from` that satisfy `pred`.
fn run_len(bytes: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|b| pred(**b)).count())
}

/// End of the run of non-whitespace characters (JavaScript `\S*`) that starts at `from`.
fn non_space_end(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(js::is_space))
        .map_or(text.len(), |offset| from + offset)
}

/// Whether the string names a domain under a real top-level domain: its last label is in the IANA
/// list. Case-sensitive, as upstream (`EXAMPLE.COM` is not linked). The npm `tlds` list upstream
/// spells internationalized TLDs in Unicode, never `xn--`, so punycode labels do not count here
/// either (this matters for handles, whose characters allow `-`).
fn is_valid_domain(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, tld)| !tld.starts_with("xn--") && tld::exist(tld))
}

/// `(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)` with JavaScript's ASCII `\b`. The handle run is greedy and
/// backtracks to the last position that is a word boundary. A match that fails the domain check is
/// skipped; it cannot hide a later `@`, which is never part of a handle.
fn mentions(text: &str, facets: &mut Vec<Facet>) {
    let bytes = text.as_bytes();
    let is_handle_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'-';
    let boundary_at = |pos: usize| {
        let before = pos.checked_sub(1).and_then(|i| bytes.get(i));
        before.is_some_and(|b| js::is_word_byte(*b))
            != bytes.get(pos).is_some_and(|b| js::is_word_byte(*b))
    };
    for (at, _) in text.match_indices('@') {
        if !after_space_or_paren(text, at) {
            continue;
        }
        let handle_start = at + 1;
        let mut end = handle_start + run_len(bytes, handle_start, is_handle_byte);
        while end > handle_start && !boundary_at(end) {
            end -= 1;
        }
        let Some(handle) = text.get(handle_start..end).filter(|h| !h.is_empty()) else {
            continue;
        };
        if is_valid_domain(handle) || handle.ends_with(".test") {
            let who = Mentioned::Handle(handle.to_owned());
            facets.push(Facet::new(at, end, Feature::Mention { who }));
        }
    }
}

/// `(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))` with flags `gim`.
///
/// A link starts at the text's start or after whitespace or `(` that the previous match did not
/// consume (with the `m` flag, `^` after a line break adds nothing: line breaks are `\s` too). It
/// runs to the next whitespace. Upstream quirks kept on purpose: only a match starting with a
/// lower-case `http` is taken as a full URL (`HTTPS://…` is skipped, `httpbin.org` is kept without a
/// scheme and without a TLD check); a bare domain needs a real TLD and gets `https://`; one
/// trailing `.,;:!?` is dropped, then a `)` if the URL has no `(`.
fn links(text: &str, facets: &mut Vec<Facet>) {
    let mut last_index = 0;
    let starts = text
        .char_indices()
        .filter(|&(_, c)| c == '(' || js::is_space(c))
        .map(|(at, c)| (at, at + c.len_utf8()));
    for (prefix, start) in std::iter::once((0, 0)).chain(starts) {
        if prefix < last_index {
            continue;
        }
        let Some(matched) = match_link(text, start) else {
            continue;
        };
        let end = non_space_end(text, start);
        last_index = end;
        let Some(typed) = text.get(start..end) else {
            continue;
        };
        let mut uri = if typed.starts_with("http") {
            typed.to_owned()
        } else {
            match matched {
                LinkMatch::Domain(domain_end)
                    if text.get(start..domain_end).is_some_and(is_valid_domain) =>
                {
                    format!("https://{typed}")
                }
                _ => continue,
            }
        };
        let mut end = end;
        if uri.ends_with(['.', ',', ';', ':', '!', '?']) {
            uri.pop();
            end -= 1;
        }
        if uri.ends_with(')') && !uri.contains('(') {
            uri.pop();
            end -= 1;
        }
        facets.push(Facet::new(start, end, Feature::Link { uri }));
    }
}

/// Which alternative of the link regex matched at a position.
enum LinkMatch {
    /// `https?://` (any case) and at least one more non-space character.
    Scheme,
    /// A bare domain, ending at this byte.
    Domain(usize),
}

fn match_link(text: &str, start: usize) -> Option<LinkMatch> {
    let bytes = text.as_bytes();
    let rest = bytes.get(start..)?;
    let has_prefix = |prefix: &[u8]| {
        rest.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    for scheme in [&b"http://"[..], &b"https://"[..]] {
        if has_prefix(scheme) && non_space_end(text, start + scheme.len()) > start + scheme.len() {
            return Some(LinkMatch::Scheme);
        }
    }
    // [a-z][a-z0-9]*(\.[a-z0-9]+)+ , case-insensitive, greedy (what follows is any \S*, so the
    // greedy match is the one taken).
    if !rest.first()?.is_ascii_alphabetic() {
        return None;
    }
    let mut end = start + run_len(bytes, start, |b| b.is_ascii_alphanumeric());
    let mut labels = 0;
    while bytes.get(end) == Some(&b'.') {
        let label = run_len(bytes, end + 1, |b| b.is_ascii_alphanumeric());
        if label == 0 {
            break;
        }
        end += 1 + label;
        labels += 1;
    }
    (labels > 0).then_some(LinkMatch::Domain(end))
}

/// `(^|\s)[#＃]((?!\ufe0f)[^\s ZW]*[^\d\s\p{P} ZW]+[^\s ZW]*)?` with flags `gu`, where ZW is
/// U+00AD U+2060 U+200A U+200B U+200C U+200D U+20E2.
///
/// After backtracking, the optional group is the whole run of characters that are neither
/// whitespace nor ZW, provided the run holds at least one character that is not an ASCII digit or
/// punctuation (and does not start with U+FE0F); otherwise the `#` alone matches and is skipped.
/// Trailing punctuation is then stripped, and tags over 64 graphemes are dropped.
fn hashtags(text: &str, facets: &mut Vec<Facet>) {
    let is_tag_char = |c: char| {
        !js::is_space(c)
            && !matches!(
                c,
                '\u{ad}'
                    | '\u{2060}'
                    | '\u{200a}'
                    | '\u{200b}'
                    | '\u{200c}'
                    | '\u{200d}'
                    | '\u{20e2}'
            )
    };
    for (at, hash) in text.match_indices(['#', '＃']) {
        if char_before(text, at).is_some_and(|c| !js::is_space(c)) {
            continue;
        }
        let tag_start = at + hash.len();
        let rest = text.get(tag_start..).unwrap_or_default();
        if rest.starts_with('\u{fe0f}') {
            continue;
        }
        let run = rest
            .find(|c: char| !is_tag_char(c))
            .map_or(rest, |len| &rest[..len]);
        if !run
            .chars()
            .any(|c| !c.is_ascii_digit() && !js::is_punctuation(c))
        {
            continue;
        }
        let tag = run.trim_end_matches(js::is_punctuation);
        // Bytes bound graphemes from above: count them only when it can matter.
        if tag.is_empty()
            || (tag.len() > MAX_TAG_GRAPHEMES && grapheme_len(tag) > MAX_TAG_GRAPHEMES)
        {
            continue;
        }
        let end = tag_start + tag.len();
        let tag = tag.to_owned();
        facets.push(Facet::new(at, end, Feature::Tag { tag }));
    }
}

/// `(^|\s|\()\$([A-Za-z][A-Za-z0-9]{0,4})(?=\s|$|[.,;:!?)"'\u2019])` with flags `gu`: the
/// alphanumeric run after `$` must start with a letter, be at most five long (backtracking to a
/// shorter ticker would leave an alphanumeric next, which the look-ahead refuses) and end at
/// whitespace, the end, or one of the listed punctuation marks. The ticker is upper-cased.
fn cashtags(text: &str, facets: &mut Vec<Facet>) {
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('$') {
        if !after_space_or_paren(text, at) {
            continue;
        }
        let ticker_start = at + 1;
        let len = run_len(bytes, ticker_start, |b| b.is_ascii_alphanumeric());
        let starts_with_letter = bytes.get(ticker_start).is_some_and(u8::is_ascii_alphabetic);
        if !starts_with_letter || len > MAX_TICKER_LEN {
            continue;
        }
        let end = ticker_start + len;
        let ends_well = text
            .get(end..)
            .and_then(|rest| rest.chars().next())
            .is_none_or(|c| {
                js::is_space(c)
                    || matches!(
                        c,
                        '.' | ',' | ';' | ':' | '!' | '?' | ')' | '"' | '\'' | '’'
                    )
            });
        if ends_well {
            let ticker = text.get(ticker_start..end).unwrap_or_default();
            let tag = format!("${}", ticker.to_ascii_uppercase());
            facets.push(Facet::new(at, end, Feature::Tag { tag }));
        }
    }
}
