//! The languages a post is written in, suggested from its text as it is typed.
//!
//! Detection is whatlang's (trigrams and scripts, 70 languages, ~0.3 MB in a release binary);
//! BENCHMARKS.md › Language detection compares it with lingua, which is more accurate on short
//! posts but made a binary ~78 MB larger for only 18 languages. whatlang's weakness is telling close
//! relatives apart in a sentence or two (Russian and Ukrainian, Swedish and Norwegian), where its
//! confidence is low: a language is suggested only above a confidence threshold, otherwise nothing
//! is, and the person's current choice stays. As the text grows, suggestions firm up.
//!
//! Links, mentions and hashtags are not language (`https://example.com/neuigkeiten` would read as
//! German, a handle as anything), so their facets' bytes are blanked first, and a text with too few
//! letters left gets no suggestion. A post whose lines are in different languages (a translation
//! below the original, say) gets each language that fills enough of it, most letters first.

mod tags;
#[cfg(test)]
mod tests;

use super::detect::detect_facets;
use super::ByteSlice;
use crate::error::{Error, Result};
use crate::publish::MAX_LANGS;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;
use whatlang::Lang;

/// Only the start of a longer text is looked at: a whole thread fits, and a huge string from the
/// web view costs no more than this.
const MAX_BYTES_LOOKED_AT: usize = 12_000;

/// Fewer letters than this (a character of a script written without spaces counts as
/// [`IDEOGRAPH_WEIGHT`]) is too little to tell a language by: no suggestion.
const MIN_LETTERS: usize = 12;
/// A Han, Hiragana or Katakana character carries about as much as a short word.
const IDEOGRAPH_WEIGHT: usize = 3;
/// whatlang's confidence (0–1) a language needs to be suggested. whatlang calls 0.9 "reliable",
/// which few posts of a sentence or two reach (a third of the labelled set's); below 0.1 most of
/// its answers on that set were wrong, above it 3 of 170.
const MIN_CONFIDENCE: f64 = 0.1;
/// A further language must fill at least this share of the text's letters.
const MIN_SHARE: f64 = 0.2;

/// BCP-47 tags (ISO 639-1 codes: `en`, `pt`, `zh`, …) of the languages the text is confidently in,
/// the main one first, at most [`MAX_LANGS`]; empty when the text is too short or unclear.
pub fn suggest(text: &str) -> Vec<String> {
    let mut end = text.len().min(MAX_BYTES_LOOKED_AT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let prose = without_facets(&text[..end]);
    let total = letters(&prose);
    if total < MIN_LETTERS {
        return Vec::new();
    }
    // The whole text's language, then those of lines in another language that fill enough of it.
    let mut found: Vec<Lang> = Vec::new();
    found.extend(detect(&prose));
    let mut weight: HashMap<Lang, usize> = HashMap::new();
    for line in prose.lines() {
        let line_letters = letters(line);
        if line_letters < MIN_LETTERS || line_letters == total {
            continue;
        }
        if let Some(lang) = detect(line) {
            *weight.entry(lang).or_default() += line_letters;
        }
    }
    let mut others: Vec<(Lang, usize)> = weight
        .into_iter()
        .filter(|&(lang, letters)| {
            !found.contains(&lang) && letters as f64 >= MIN_SHARE * total as f64
        })
        .collect();
    others.sort_by(|a, b| b.1.cmp(&a.1).then(tags::bcp47(a.0).cmp(tags::bcp47(b.0))));
    found.extend(others.into_iter().map(|(lang, _)| lang));
    found.truncate(MAX_LANGS);
    found
        .into_iter()
        .map(|lang| tags::bcp47(lang).to_owned())
        .collect()
}

/// The languages that can be suggested, as BCP-47 tags in no particular order: the picker offers
/// these to choose from (by name).
pub fn detectable() -> Vec<&'static str> {
    Lang::all().iter().map(|&lang| tags::bcp47(lang)).collect()
}

/// The language of `text`, if whatlang is confident enough.
fn detect(text: &str) -> Option<Lang> {
    whatlang::detect(text)
        .filter(|info| info.confidence() >= MIN_CONFIDENCE)
        .map(|info| info.lang())
}

/// `text` with the bytes of its links, mentions and hashtags replaced by a space each.
fn without_facets(text: &str) -> String {
    let mut prose = String::with_capacity(text.len());
    let mut at = 0;
    for facet in detect_facets(text) {
        let ByteSlice {
            byte_start,
            byte_end,
        } = facet.index;
        // Facets are sorted, apart and on character boundaries; anything else is left as text.
        if let (Some(kept), Some(_)) = (text.get(at..byte_start), text.get(byte_start..byte_end)) {
            prose.push_str(kept);
            prose.push(' ');
            at = byte_end;
        }
    }
    prose.push_str(text.get(at..).unwrap_or_default());
    prose
}

/// The letters of `text`, a character of a script written without spaces counting more.
fn letters(text: &str) -> usize {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .map(|c| {
            if is_ideograph_or_kana(c) {
                IDEOGRAPH_WEIGHT
            } else {
                1
            }
        })
        .sum()
}

fn is_ideograph_or_kana(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK Unified Ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{3134F}') // CJK Extensions B–G
}

/// Checks languages chosen by the person (or sent by the web view): at most [`MAX_LANGS`], each a
/// well-formed BCP-47 tag of the usual kind — language, then optionally script, region, variants.
pub fn check_tags(tags: &[String]) -> Result<()> {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-([a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*$")
            .expect("a valid constant pattern")
    });
    if tags.len() > MAX_LANGS {
        return Err(Error::validation(format!(
            "Choose at most {MAX_LANGS} languages for a post."
        )));
    }
    match tags.iter().find(|tag| tag.len() > 35 || !TAG.is_match(tag)) {
        Some(_) => Err(Error::validation(
            "A language must be a language tag such as en, de or pt-BR.",
        )),
        None => Ok(()),
    }
}
