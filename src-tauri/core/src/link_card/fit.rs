//! A card's title and description cut to sizes that always fit a post record.
//!
//! The lexicon (`app.bsky.embed.external#external`) sets no length on `title` or `description`, but
//! the PDS refuses any request body over its JSON limit (150 KiB in @atproto/pds), so one page with a
//! 1 MB `og:description` would make the post fail for every account. The caps: a title of at most 300
//! graphemes (a post's own limit; the app shows one or two lines) and a description of at most 1,000
//! graphemes (shown clamped to a few lines), each also capped in bytes (10 per grapheme, so that long
//! combining sequences cannot grow them). Control characters are dropped. A card's text is then at most
//! 13 KB, at most 26 KB as JSON, next to a post text of at most 3,000 bytes: far below the limit.
//! Cuts fall on grapheme boundaries and end with "…".

use unicode_segmentation::UnicodeSegmentation;

pub const MAX_TITLE_GRAPHEMES: usize = 300;
pub const MAX_TITLE_BYTES: usize = 3_000;
pub const MAX_DESCRIPTION_GRAPHEMES: usize = 1_000;
pub const MAX_DESCRIPTION_BYTES: usize = 10_000;

const ELLIPSIS: &str = "…";

pub fn title(text: &str) -> String {
    cut(text, MAX_TITLE_GRAPHEMES, MAX_TITLE_BYTES)
}

pub fn description(text: &str) -> String {
    cut(text, MAX_DESCRIPTION_GRAPHEMES, MAX_DESCRIPTION_BYTES)
}

/// `text` without control characters, at most `max_graphemes` graphemes and `max_bytes` bytes.
fn cut(text: &str, max_graphemes: usize, max_bytes: usize) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.len() <= max_bytes && clean.graphemes(true).nth(max_graphemes).is_none() {
        return clean.to_owned();
    }
    // Room for the ellipsis: one grapheme and its bytes.
    let byte_room = max_bytes - ELLIPSIS.len();
    let mut end = 0;
    for (count, (start, grapheme)) in clean.grapheme_indices(true).enumerate() {
        if count + 1 >= max_graphemes || start + grapheme.len() > byte_room {
            break;
        }
        end = start + grapheme.len();
    }
    format!("{}{ELLIPSIS}", clean[..end].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graphemes(text: &str) -> usize {
        text.graphemes(true).count()
    }

    #[test]
    fn short_text_is_kept_as_it_is() {
        assert_eq!(title("  A page about Hayon "), "A page about Hayon");
        assert_eq!(description(""), "");
    }

    #[test]
    fn a_long_title_is_cut_to_300_graphemes_with_an_ellipsis() {
        let long = "word ".repeat(200);
        let cut = title(&long);
        assert_eq!(graphemes(&cut), MAX_TITLE_GRAPHEMES, "{cut}");
        assert!(cut.ends_with("word…"), "{cut}");
        let exact = "x".repeat(MAX_TITLE_GRAPHEMES);
        assert_eq!(title(&exact), exact, "exactly the limit is not cut");
        let one_more = "x".repeat(MAX_TITLE_GRAPHEMES + 1);
        assert_eq!(graphemes(&title(&one_more)), MAX_TITLE_GRAPHEMES);
    }

    #[test]
    fn cuts_fall_on_grapheme_boundaries() {
        // A family emoji is one grapheme of 25 bytes; a flag is one of 8.
        let family = "👨‍👩‍👧‍👦";
        let cut = title(&family.repeat(400));
        assert!(cut.len() <= MAX_TITLE_BYTES);
        let body = cut.trim_end_matches(ELLIPSIS);
        assert_eq!(
            body.len() % family.len(),
            0,
            "no family split: {} bytes",
            body.len()
        );
        let flags = description(&"🇫🇷".repeat(2_000));
        assert_eq!(graphemes(&flags), MAX_DESCRIPTION_GRAPHEMES);
        assert!(flags
            .trim_end_matches(ELLIPSIS)
            .chars()
            .count()
            .is_multiple_of(2));
    }

    #[test]
    fn combining_marks_cannot_grow_the_bytes() {
        // One base letter carrying 500 combining marks is one grapheme of ~1,000 bytes.
        let zalgo = format!("a{}", "\u{0301}".repeat(500)).repeat(50);
        let cut = description(&zalgo);
        assert!(cut.len() <= MAX_DESCRIPTION_BYTES, "{} bytes", cut.len());
        assert!(cut.ends_with(ELLIPSIS));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(title("a\u{0}b\u{1b}[31mc\u{7f}"), "ab[31mc");
    }

    #[test]
    fn a_megabyte_description_is_cut_to_the_caps() {
        let huge = "Lorem ipsum dolor sit amet. ".repeat(40_000);
        assert!(huge.len() > 1_000_000);
        let cut = description(&huge);
        assert!(graphemes(&cut) <= MAX_DESCRIPTION_GRAPHEMES);
        assert!(cut.len() <= MAX_DESCRIPTION_BYTES);
        assert!(cut.starts_with("Lorem ipsum dolor sit amet."));
    }
}
