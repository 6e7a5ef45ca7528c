//! Where a text over a limit stops fitting: [`overflow_from`], the offset in the text as typed that
//! the composer marks from.
//!
//! The answer is the bisection's over the grapheme boundaries of the text as typed: the last prefix
//! found to fit once published, halving between the empty prefix (fits) and the whole text (does
//! not). Publishing each prefix the bisection asks about costs 15–20 analyses; instead each is
//! answered from the published text, already made, which is walked once to its first character
//! past a limit, and from the [`Edit`]s the pipeline reports (where the published text is not a copy
//! of the text as typed).
//!
//! That answer is exact wherever a prefix publishes as a prefix of the published text (minus the
//! trailing whitespace the app trims). Two places are not like that, and only there is a prefix's
//! published length worked out from the pipeline itself, on the small piece concerned:
//! - inside a run of non-space characters that holds a link: a link cut short is a different URL
//!   and is shortened differently (`https:/` stays as typed, `https://exa` becomes `exa`);
//! - inside a collapsed run of line breaks, after a zero-width character between two of its
//!   breaks: the prefix's own run may have fewer than three breaks and stay as typed.
//!
//! In those places a prefix's published length does not always grow with the prefix, so a text can
//! stop fitting at two points; the bisection's halving decides which is marked, as it always has.

use super::{grapheme_len, js, publish, segmenter_pieces, Published, MAX_BYTES, MAX_GRAPHEMES};
use std::ops::Range;
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

/// One place where the published text is not a byte-for-byte copy of the text as typed: leading
/// blank lines dropped, a run of line breaks collapsed, or a link's visible text shortened (or left
/// as typed). Between edits, the two texts are copies. Sorted, never overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edit {
    pub typed: Range<usize>,
    pub published: Range<usize>,
    pub link: bool,
}

/// A span of one text and the span of the text that replaces it in the next step's output.
pub(super) type Replaced = (Range<usize>, Range<usize>);

/// The edits of the whole pipeline from those of its two steps: `cleaning` (text as typed → cleaned
/// text: dropped lines, collapsed runs) and `links` (cleaned text → published text), each sorted.
/// A link never lies in a collapsed run (it holds no whitespace), nor a collapsed run in a link, so
/// each step's edits fall in copied stretches of the other's.
pub(super) fn compose(cleaning: Vec<Replaced>, links: Vec<Replaced>) -> Vec<Edit> {
    let mut edits = Vec::with_capacity(cleaning.len() + links.len());
    // typed − cleaned (cleaning only removes), and published − cleaned, after the edits so far.
    let (mut removed, mut grown) = (0usize, 0isize);
    let mut cleaning = cleaning.into_iter().peekable();
    let mut links = links.into_iter().peekable();
    loop {
        let cleaning_first = match (cleaning.peek(), links.peek()) {
            (Some((_, cleaned)), Some((linked, _))) => cleaned.start <= linked.start,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if cleaning_first {
            let Some((typed, cleaned)) = cleaning.next() else {
                break;
            };
            removed = typed.end - cleaned.end;
            let published = cleaned.start.saturating_add_signed(grown)
                ..cleaned.end.saturating_add_signed(grown);
            edits.push(Edit {
                typed,
                published,
                link: false,
            });
        } else {
            let Some((cleaned, published)) = links.next() else {
                break;
            };
            grown = published.end as isize - cleaned.end as isize;
            edits.push(Edit {
                typed: cleaned.start + removed..cleaned.end + removed,
                published,
                link: true,
            });
        }
    }
    edits
}

/// For a text over a limit (analyze has found that `published` does not fit): the byte offset in
/// `text` of the grapheme after the last prefix that the bisection finds to fit once published (see
/// the module's doc). `None` only if `published` fits after all.
pub(super) fn overflow_from(text: &str, published: &Published) -> Option<usize> {
    let map = Map {
        text,
        published,
        past_end: first_char_past_limits(&published.text)?,
    };
    let starts = grapheme_starts(text);
    let cut = |graphemes: usize| starts.get(graphemes).copied().unwrap_or(text.len());
    let mut junctions = Junctions::default();
    // Invariant: the prefix of `low` graphemes fits, the one of `high` does not.
    let (mut low, mut high) = (0, starts.len());
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if map.cut_fits(cut(mid), &mut junctions) {
            low = mid;
        } else {
            high = mid;
        }
    }
    starts.get(low).copied()
}

/// The byte offset of every grapheme of `text`, walked as `grapheme_len` counts them.
fn grapheme_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    for (piece_start, piece) in segmenter_pieces(text) {
        if piece.is_ascii() {
            starts.push(piece_start);
        } else {
            starts.extend(piece.grapheme_indices(true).map(|(at, _)| piece_start + at));
        }
    }
    starts
}

/// The end of the published text's first non-whitespace character past a limit: its grapheme is the
/// 301st or later, or it ends past byte 3,000. (Whitespace does not count: a prefix's trailing whitespace is
/// trimmed.) The graphemes are walked as `grapheme_len` counts them (`segmenter_pieces`).
fn first_char_past_limits(published: &str) -> Option<usize> {
    let mut graphemes = 0;
    for (piece_start, piece) in segmenter_pieces(published) {
        if piece.is_ascii() {
            // One character, or CR LF: its last character decides.
            let end = piece_start + piece.len();
            if !piece.ends_with(js::is_space) && (graphemes >= MAX_GRAPHEMES || end > MAX_BYTES) {
                return Some(end);
            }
            graphemes += 1;
        } else {
            for (offset, cluster) in piece.grapheme_indices(true) {
                for (inner, c) in cluster.char_indices() {
                    let start = piece_start + offset + inner;
                    let end = start + c.len_utf8();
                    if !js::is_space(c) && (graphemes >= MAX_GRAPHEMES || end > MAX_BYTES) {
                        return Some(end);
                    }
                }
                graphemes += 1;
            }
        }
    }
    None
}

/// The text as typed, its published form, and where the published text stops fitting.
struct Map<'a> {
    text: &'a str,
    published: &'a Published,
    /// The end of the published text's first character past a limit: a published prefix ending
    /// with a non-whitespace character fits exactly when it ends before this.
    past_end: usize,
}

impl Map<'_> {
    fn edits(&self) -> &[Edit] {
        &self.published.edits
    }

    /// The published offset of typed offset `at`, which is not inside an edit.
    fn published_of(&self, at: usize) -> usize {
        let after = self.edits().partition_point(|edit| edit.typed.end <= at);
        match after.checked_sub(1) {
            Some(before) => {
                let edit = &self.edits()[before];
                at - edit.typed.end + edit.published.end
            }
            None => at,
        }
    }

    /// The run of non-whitespace characters that `cut` is strictly inside, if it holds a link.
    fn link_run_around(&self, cut: usize) -> Option<Range<usize>> {
        let (head, tail) = (self.text.get(..cut)?, self.text.get(cut..)?);
        if !head.ends_with(|c| !js::is_space(c)) || !tail.starts_with(|c| !js::is_space(c)) {
            return None;
        }
        let start = head.rfind(js::is_space).map_or(0, |at| {
            at + head[at..].chars().next().map_or(1, char::len_utf8)
        });
        let end = tail
            .find(js::is_space)
            .map_or(self.text.len(), |at| cut + at);
        let first = self.edits().partition_point(|edit| edit.typed.end <= start);
        self.edits()[first..]
            .iter()
            .take_while(|edit| edit.typed.start < end)
            .any(|edit| edit.link)
            .then_some(start..end)
    }

    /// The collapsed run that typed offset `at` (the end of a prefix, after its trailing whitespace
    /// is trimmed) is strictly inside: after a zero-width character between two of its breaks.
    fn collapsed_around(&self, at: usize) -> Option<&Edit> {
        let after = self.edits().partition_point(|edit| edit.typed.start < at);
        let edit = self.edits().get(after.checked_sub(1)?)?;
        (!edit.link && at < edit.typed.end).then_some(edit)
    }

    /// Whether the prefix of the text as typed that ends at `cut` fits once published.
    fn cut_fits(&self, cut: usize, junctions: &mut Junctions) -> bool {
        if let Some(run) = self.link_run_around(cut) {
            // Everything before the run publishes as before; the run's piece is published alone
            // (no whitespace in it: nothing to trim or collapse, only its link to shorten).
            let piece = publish(&self.text[run.start..cut], None).text;
            return junctions.fits(&self.published.text, self.published_of(run.start), &piece);
        }
        let end = trimmed_end(self.text, cut);
        if let Some(edit) = self.collapsed_around(end) {
            // The prefix's run holds the breaks up to `end`: collapsed only if three or more.
            let piece = &self.text[edit.typed.start..end];
            let breaks = piece.matches(['\r', '\n']).count();
            let piece = match piece.rfind(['\r', '\n']) {
                Some(last) if breaks >= 3 => format!("\n\n{}", &piece[last + 1..]),
                _ => piece.to_owned(),
            };
            return junctions.fits(&self.published.text, edit.published.start, &piece);
        }
        self.published_of(end) < self.past_end
    }
}

/// Grapheme counts of published prefixes where a piece is joined on, kept for the next cut.
#[derive(Debug, Default)]
struct Junctions {
    last: Option<(usize, usize, usize)>, // junction, grapheme start before it, graphemes before that
}

impl Junctions {
    /// Whether `published[..junction]` followed by `piece` fits.
    fn fits(&mut self, published: &str, junction: usize, piece: &str) -> bool {
        if junction + piece.len() > MAX_BYTES {
            return false;
        }
        let (start, before) = match self.last {
            Some((at, start, before)) if at == junction => (start, before),
            _ => {
                // Counted again from the grapheme before the junction, which the piece may join.
                let start = if junction == 0 {
                    0
                } else {
                    grapheme_start(published, junction - 1)
                };
                let before = grapheme_len(&published[..start]);
                self.last = Some((junction, start, before));
                (start, before)
            }
        };
        let joined = format!("{}{piece}", &published[start..junction]);
        before + grapheme_len(&joined) <= MAX_GRAPHEMES
    }
}

/// The start of the grapheme of `text` that holds byte `at`.
fn grapheme_start(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    match cursor.is_boundary(text, 0) {
        Ok(true) => at,
        _ => cursor.prev_boundary(text, 0).ok().flatten().unwrap_or(0),
    }
}

/// The end of `text[..cut]` once its trailing whitespace is trimmed.
fn trimmed_end(text: &str, cut: usize) -> usize {
    text.get(..cut)
        .map_or(0, |head| head.trim_end_matches(js::is_space).len())
}

#[cfg(test)]
mod tests;
