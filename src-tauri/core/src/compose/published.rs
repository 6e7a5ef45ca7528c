//! The text as the official app posts it, before its links are shortened (see `shorten`).
//!
//! The app (social-app, `resolveRT`) drops leading whitespace-only lines (keeping the indentation of
//! the first real line, so ASCII art survives), trims trailing whitespace, then lets `RichText`'s
//! `cleanNewlines` collapse every run of three or more line breaks, with only whitespace or
//! zero-width characters between them, into one blank line. The counter must count this text: a
//! draft ending in blank lines is not over the limit if they will not be posted. (The library's
//! UTF-8 decoding also drops a U+FEFF at the start of the text or right after a collapsed run; that
//! bug is not copied.)

use super::js;
use super::overflow::Replaced;
use std::borrow::Cow;

/// The cleaned text, and where it is not a copy of the text as typed (for `overflow`).
#[derive(Debug)]
pub(super) struct Cleaned<'a> {
    pub text: Cow<'a, str>,
    /// Bytes of leading blank lines dropped.
    pub dropped: usize,
    /// Each collapsed run of line breaks: its span in the text as typed, its `\n\n` in `text`.
    pub collapsed: Vec<Replaced>,
}

/// Leading blank lines and trailing whitespace removed, excess line breaks collapsed.
pub(super) fn clean(text: &str) -> Cleaned<'_> {
    let kept = drop_leading_blank_lines(text);
    let dropped = text.len() - kept.len();
    let (text, mut collapsed) = collapse_line_breaks(kept.trim_end_matches(js::is_space));
    for (typed, _) in &mut collapsed {
        *typed = typed.start + dropped..typed.end + dropped;
    }
    Cleaned {
        text,
        dropped,
        collapsed,
    }
}

/// `text.replace(/^(\s*\n)+/, '')`: everything up to the last `\n` that only whitespace precedes.
fn drop_leading_blank_lines(text: &str) -> &str {
    let first_visible = text.find(|c| !js::is_space(c)).unwrap_or(text.len());
    match text
        .get(..first_visible)
        .and_then(|blank| blank.rfind('\n'))
    {
        Some(newline) => text.get(newline + 1..).unwrap_or_default(),
        None => text,
    }
}

/// Characters that may sit between the line breaks of a collapsible run: JavaScript `\s` plus the
/// zero-width ones the library lists (soft hyphen, word joiner, ZWJ, ZWNJ, zero-width space).
fn is_blank(c: char) -> bool {
    js::is_space(c)
        || matches!(
            c,
            '\u{ad}' | '\u{2060}' | '\u{200d}' | '\u{200c}' | '\u{200b}'
        )
}

fn is_line_break(c: char) -> bool {
    c == '\r' || c == '\n'
}

/// The library's `[\r\n]([\u00AD\u2060\u200D\u200C\u200B\s]*[\r\n]){2,}` → `"\n\n"`, applied until
/// nothing matches. In each maximal run of blank characters holding at least three `\r`/`\n`, the
/// span from the first to the last of them becomes `\n\n` (so `\r\n\r\n` counts as four breaks).
/// Runs are independent: a replacement never creates a new match. Also returns each replaced span
/// with where its `\n\n` went.
fn collapse_line_breaks(text: &str) -> (Cow<'_, str>, Vec<Replaced>) {
    let mut out: Option<String> = None;
    let mut collapsed = Vec::new();
    let mut copied = 0; // bytes of `text` already in `out` (or skipped)
    let mut rest = text;
    let mut offset = 0;
    while let Some(run_start) = rest.find(is_blank) {
        let run_len = rest[run_start..]
            .find(|c| !is_blank(c))
            .unwrap_or(rest.len() - run_start);
        let run = &rest[run_start..run_start + run_len];
        if run.chars().filter(|c| is_line_break(*c)).count() >= 3 {
            if let (Some(first), Some(last)) = (run.find(is_line_break), run.rfind(is_line_break)) {
                let from = offset + run_start + first;
                let to = offset + run_start + last + 1; // \r and \n are one byte
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..from]);
                collapsed.push((from..to, out.len()..out.len() + 2));
                out.push_str("\n\n");
                copied = to;
            }
        }
        offset += run_start + run_len;
        rest = &text[offset..];
    }
    let text = match out {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    };
    (text, collapsed)
}

#[cfg(test)]
mod tests {
    fn clean(text: &str) -> String {
        super::clean(text).text.into_owned()
    }

    #[test]
    fn leading_blank_lines_go_but_indentation_stays() {
        assert_eq!(clean("\n\n  \n  art\n"), "  art");
        assert_eq!(clean("  \t\r\nx"), "x");
        assert_eq!(clean("   x"), "   x");
        assert_eq!(clean(" \n "), "");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn trailing_whitespace_is_javascripts() {
        assert_eq!(clean("a \u{feff}\u{3000}\n"), "a");
        // U+0085 is not JavaScript whitespace; U+200B is not whitespace at all.
        assert_eq!(clean("a\u{85}"), "a\u{85}");
        assert_eq!(clean("a\u{200b}"), "a\u{200b}");
    }

    #[test]
    fn three_or_more_line_breaks_become_one_blank_line() {
        assert_eq!(clean("a\n\nb"), "a\n\nb");
        assert_eq!(clean("a\n\n\nb"), "a\n\nb");
        assert_eq!(clean("a\n \n\t\n \nb"), "a\n\nb");
        assert_eq!(clean("a\r\n\r\nb"), "a\n\nb");
        assert_eq!(clean("a\r\nb"), "a\r\nb");
        assert_eq!(clean("a\n\u{200b}\n\u{200d}\nb"), "a\n\nb");
        // Blanks before the first and after the last break stay.
        assert_eq!(clean("a \n\n\n\u{200b} b"), "a \n\n\u{200b} b");
        assert_eq!(clean("a\n\n\nb\n\n\n\nc"), "a\n\nb\n\nc");
        // A visible character splits the run.
        assert_eq!(clean("a\n\nx\nb"), "a\n\nx\nb");
    }

    #[test]
    fn what_was_dropped_and_collapsed_is_reported_in_offsets_of_the_text_as_typed() {
        let cleaned = super::clean(" \n a\n\n\n\nb\r\n\u{200b}\n\nc  ");
        assert_eq!(cleaned.text, " a\n\nb\n\nc");
        assert_eq!(cleaned.dropped, 2);
        assert_eq!(cleaned.collapsed, [(4..8, 2..4), (9..16, 5..7)]);
    }
}
