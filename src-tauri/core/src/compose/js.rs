//! The character classes of the official library's JavaScript regexes, spelled out for Rust.
//!
//! They differ from Rust's built-ins in ways that change results: JavaScript's `\s` (and what
//! `trim` removes) includes U+FEFF but not U+0085, unlike `char::is_whitespace`; its `\d` and `\b`
//! are ASCII-only; and `\p{P}` needs Unicode tables that `std` does not expose (the `regex` crate's).

use regex::Regex;
use std::sync::LazyLock;

/// JavaScript `\s`: ECMAScript WhiteSpace and LineTerminator.
pub(super) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// A byte of a JavaScript (non-Unicode-mode) word character, `[A-Za-z0-9_]`: what `\b` looks at.
/// Bytes of non-ASCII characters are never word bytes, as non-ASCII is never a word character.
pub(super) fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Unicode general category P (`\p{P}`): connector, dash, open, close, initial, final and other
/// punctuation. ASCII is answered directly; the rest by the `regex` crate's Unicode tables.
pub(super) fn is_punctuation(c: char) -> bool {
    static PUNCTUATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\p{P}$").expect("a valid constant pattern"));
    if c.is_ascii() {
        // ASCII punctuation minus the symbols (S*): $ + < = > ^ ` | ~
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    let mut buf = [0; 4];
    PUNCTUATION.is_match(c.encode_utf8(&mut buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_is_javascripts_not_rusts() {
        assert!(is_space('\u{feff}'));
        assert!(!is_space('\u{85}'));
        assert!(is_space('\u{3000}'));
        assert!(!is_space('\u{200b}'));
        assert!(!is_space('\u{180e}'));
    }

    #[test]
    fn ascii_punctuation_matches_the_unicode_tables() {
        let table = Regex::new(r"^\p{P}$").expect("valid");
        for byte in 0u8..128 {
            let c = char::from(byte);
            let mut buf = [0; 4];
            assert_eq!(
                is_punctuation(c),
                table.is_match(c.encode_utf8(&mut buf)),
                "{c:?}"
            );
        }
        assert!(is_punctuation('。'));
        assert!(is_punctuation('«'));
        assert!(!is_punctuation('€'));
        assert!(!is_punctuation('🦋'));
    }
}
