//! Link shortening as the official app posts it (social-app `shortenLinks` + `toShortUrl`).
//!
//! Each link facet's visible text is replaced by host + path + query + fragment, the tail cut to 13
//! characters plus `...` when longer than 15; the facet keeps the full URL. Only text that parses
//! as an absolute http(s) URL is shortened: a bare domain (`example.com/page`) has no scheme, so
//! it stays as typed, as in the app.
//!
//! The app does the replacement with `RichText.insert` then `RichText.delete`, and those move the
//! other facets by rules of their own: a facet inside the replaced link text (a mention after a `(`
//! in a URL, say) is dropped even when nothing was shortened, and one that straddles it is cut.
//! The same rules are applied here, in UTF-8 bytes throughout. Two library bugs in that path are
//! not copied: `insert` moves facets by the UTF-16 length of the new text, so after a link left as
//! typed with non-ASCII in it the app's later facets drift (and can cut characters in two); and
//! its UTF-8 decoding drops a U+FEFF that follows a replaced span. Elsewhere (a link shortened to
//! ASCII, no U+FEFF after it) the results are the same.

use super::facet::{ByteSlice, Facet, Feature};
use super::overflow::Replaced;
use std::borrow::Cow;
use url::Url;

/// Longest URL tail (path, query and fragment) shown whole.
const MAX_TAIL: usize = 15;
/// How much of a longer tail is kept before `...`.
const KEPT_TAIL: usize = 13;

/// The visible text for a link typed as `typed`.
pub(super) fn to_short_url(typed: &str) -> Cow<'_, str> {
    let Ok(url) = Url::parse(typed) else {
        return Cow::Borrowed(typed);
    };
    let Some(host) = url
        .host_str()
        .filter(|_| matches!(url.scheme(), "http" | "https"))
    else {
        return Cow::Borrowed(typed);
    };
    // The WHATWG `URL` getters: `host` has the port unless it is the default, `pathname` "/" is
    // left out, `search` and `hash` are empty when only "?" or "#" is there.
    let mut short = host.to_owned();
    if let Some(port) = url.port() {
        short.push(':');
        short.push_str(&port.to_string());
    }
    let mut tail = String::new();
    if url.path() != "/" {
        tail.push_str(url.path());
    }
    if let Some(query) = url.query().filter(|query| !query.is_empty()) {
        tail.push('?');
        tail.push_str(query);
    }
    if let Some(fragment) = url.fragment().filter(|fragment| !fragment.is_empty()) {
        tail.push('#');
        tail.push_str(fragment);
    }
    // A serialized URL is ASCII, so characters are UTF-16 units here as upstream.
    if tail.chars().count() > MAX_TAIL {
        short.extend(tail.chars().take(KEPT_TAIL));
        short.push_str("...");
    } else {
        short.push_str(&tail);
    }
    Cow::Owned(short)
}

/// `text` with every link's visible text shortened, and the facets moved to match. `facets` must
/// be sorted by start, as detection returns them.
///
/// Links never overlap one another and keep their order, so the text is built in one pass from
/// the original offsets. The facets follow the app's per-link insert/delete rules, but only where
/// they can differ from a plain shift: facets entirely before a link keep their place, those
/// entirely after it all move by the same amount, which is applied lazily ([`Moving`]). So a
/// pasted text with thousands of links and facets stays linear.
///
/// Also returns each link's span in `text` with the span of its visible text in the result (for
/// `overflow`), in order.
pub(super) fn shorten_links(text: &str, facets: Vec<Facet>) -> (String, Vec<Facet>, Vec<Replaced>) {
    let original: Vec<ByteSlice> = facets.iter().map(|facet| facet.index).collect();
    let mut moving = Moving {
        facets: facets.into_iter().map(|facet| (facet, true)).collect(),
        exact_until: 0,
        pending: 0,
    };
    let mut published = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut copied = 0;
    let mut first_open = 0; // facets before it end before every link still to come
    for (link, typed_at) in original.iter().enumerate() {
        let (facet, alive) = &moving.facets[link];
        if !alive || !matches!(facet.features.first(), Some(Feature::Link { .. })) {
            continue;
        }
        let (Some(before), Some(typed)) = (
            text.get(copied..typed_at.byte_start),
            text.get(typed_at.byte_start..typed_at.byte_end),
        ) else {
            continue;
        };
        let short = to_short_url(typed);
        published.push_str(before);
        spans.push((
            typed_at.byte_start..typed_at.byte_end,
            published.len()..published.len() + short.len(),
        ));
        published.push_str(&short);
        copied = typed_at.byte_end;

        moving.settle(link + 1);
        let ByteSlice {
            byte_start: start,
            byte_end: end,
        } = moving.facets[link].0.index;
        let added = short.len();
        // The facets this link can touch: from the first that does not end before it, to the
        // first (sorted by start) that starts after it.
        let mut after = link + 1;
        while after < moving.facets.len() && moving.start(after) < end {
            after += 1;
        }
        moving.settle(after);
        while first_open < link && moving.facets[first_open].0.index.byte_end <= start {
            first_open += 1;
        }
        let touched = &mut moving.facets[first_open..after];
        // RichText.insert(start, short): facets at or after `start` move, those around it grow.
        for (other, _) in touched.iter_mut().filter(|(_, alive)| *alive) {
            let index = &mut other.index;
            if start <= index.byte_start {
                index.byte_start += added;
                index.byte_end += added;
            } else if start < index.byte_end {
                index.byte_end += added;
            }
        }
        touched[link - first_open].0.index = ByteSlice {
            byte_start: start,
            byte_end: start + added,
        };
        // RichText.delete(start + added, end + added): the old visible text goes.
        delete(touched, start + added, end + added);
        // What both steps do to every facet after the link.
        moving.pending += added as isize - (end - start) as isize;
    }
    published.push_str(text.get(copied..).unwrap_or_default());
    moving.settle(moving.facets.len());
    let facets = moving
        .facets
        .into_iter()
        .filter_map(|(facet, alive)| alive.then_some(facet))
        .collect();
    (published, facets, spans)
}

/// Facets (with whether they are still there) while links are replaced: exact before
/// `exact_until`; from there on each still lacks `pending` bytes of shift.
struct Moving {
    facets: Vec<(Facet, bool)>,
    exact_until: usize,
    pending: isize,
}

impl Moving {
    /// Makes the facets before `until` exact.
    fn settle(&mut self, until: usize) {
        if until <= self.exact_until {
            return;
        }
        let pending = self.pending;
        for (facet, _) in &mut self.facets[self.exact_until..until] {
            let index = &mut facet.index;
            index.byte_start = index.byte_start.saturating_add_signed(pending);
            index.byte_end = index.byte_end.saturating_add_signed(pending);
        }
        self.exact_until = until;
    }

    /// The current start of facet `at`.
    fn start(&self, at: usize) -> usize {
        let start = self.facets[at].0.index.byte_start;
        if at < self.exact_until {
            start
        } else {
            start.saturating_add_signed(self.pending)
        }
    }
}

/// `RichText.delete`'s facet rules, case by case, then its filter of empty facets.
fn delete(facets: &mut [(Facet, bool)], from: usize, to: usize) {
    let removed = to - from;
    for (facet, alive) in facets.iter_mut().filter(|(_, alive)| *alive) {
        let index = &mut facet.index;
        if from <= index.byte_start && to >= index.byte_end {
            // entirely inside the deleted range
            index.byte_start = 0;
            index.byte_end = 0;
        } else if from > index.byte_end {
            // entirely before it: unchanged
        } else if from > index.byte_start && from <= index.byte_end && to > index.byte_end {
            // its tail is deleted
            index.byte_end = from;
        } else if from >= index.byte_start && to <= index.byte_end {
            // the deleted range is inside it
            index.byte_end -= removed;
        } else if from < index.byte_start && to >= index.byte_start && to <= index.byte_end {
            // its head is deleted
            index.byte_start = from;
            index.byte_end -= removed;
        } else if to < index.byte_start {
            // entirely after it
            index.byte_start -= removed;
            index.byte_end -= removed;
        }
        *alive = index.byte_start < index.byte_end;
    }
}

#[cfg(test)]
mod tests {
    use super::to_short_url;

    #[test]
    fn short_urls_follow_the_app() {
        let cases = [
            ("https://example.com", "example.com"),
            ("https://example.com/", "example.com"),
            ("http://example.com/a/b", "example.com/a/b"),
            (
                "https://example.com/0123456789abcde",
                "example.com/0123456789ab...",
            ),
            (
                "https://example.com/0123456789abcd",
                "example.com/0123456789abcd",
            ),
            ("https://example.com/?q=1#top", "example.com?q=1#top"),
            (
                "https://example.com/path?query=yes#fragment",
                "example.com/path?query=y...",
            ),
            ("https://example.com?#", "example.com"),
            ("https://EXAMPLE.com:443/x", "example.com/x"),
            ("https://example.com:8443/x", "example.com:8443/x"),
            ("https://user:pw@example.com/x", "example.com/x"),
            ("https://bücher.de/straße", "xn--bcher-kva.de/stra%C3%9Fe"),
            ("https://[::1]:8080/", "[::1]:8080"),
            // Not an absolute http(s) URL: left as typed.
            (
                "example.com/a/very/long/path/indeed",
                "example.com/a/very/long/path/indeed",
            ),
            (
                "ftp://example.com/a/very/long/path",
                "ftp://example.com/a/very/long/path",
            ),
            ("https://exa mple.com", "https://exa mple.com"),
            (
                "https://[oops/long/path/here",
                "https://[oops/long/path/here",
            ),
        ];
        for (typed, short) in cases {
            assert_eq!(to_short_url(typed), short, "{typed}");
        }
    }
}
