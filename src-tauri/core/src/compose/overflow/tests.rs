//! The one-pass overflow mark against the reference it replaced: a bisection over the grapheme
//! boundaries of the text as typed, publishing each prefix with the whole pipeline. Texts are
//! generated around both limits (300 graphemes, 3,000 bytes) from links, mentions, tags, emoji and
//! ZWJ sequences, combining marks, CJK, prepended marks, line-break runs and zero-width characters.
//!
//! Both must give the same answer on every text. Where a prefix's published length grows with the
//! prefix, there is one point where the text stops fitting. It does not always grow: a link cut
//! short can publish longer than the whole link shortened (`https:/` stays as typed), and a
//! collapsed run cut short may not collapse; there the bisection's halving picks one of two such
//! points, and the mark must be that same one.

use super::super::{analyze, fits, grapheme_len, publish};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F467}";

fn prefix_fits(text: &str, end: usize) -> bool {
    let published = publish(&text[..end], None).text;
    fits(grapheme_len(&published), published.len())
}

/// The mark as it was computed before (commit 82eb2f5): bisection over the prefixes.
fn by_bisection(text: &str) -> Option<usize> {
    let bounds: Vec<usize> = text.grapheme_indices(true).map(|(at, _)| at).collect();
    let prefix = |graphemes: usize| bounds.get(graphemes).copied().unwrap_or(text.len());
    if prefix_fits(text, text.len()) {
        return None;
    }
    let (mut low, mut high) = (0, bounds.len());
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        if prefix_fits(text, prefix(mid)) {
            low = mid;
        } else {
            high = mid;
        }
    }
    bounds.get(low).copied()
}

/// Whether the text stops fitting at the grapheme starting at `at`: the prefix before it fits, the
/// prefix with it does not.
fn stops_at(text: &str, at: usize) -> bool {
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    let next = cursor
        .next_boundary(text, 0)
        .ok()
        .flatten()
        .unwrap_or(text.len());
    prefix_fits(text, at) && !prefix_fits(text, next)
}

fn link() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["https://", "http://", "HTTPS://", "https:/", ""]);
    let host = prop::sample::select(vec![
        "example.com",
        "bsky.app",
        "a.co",
        "bücher.de",
        "example.com:99999",
        "[::1]:8080",
        "0x7f.1",
        "httpbin.org",
        "(https://x.co",
    ]);
    let step = prop::sample::select(vec!["x", "/", "./", "../", "é", "%41", "?q=1", "#f", "(a)"]);
    let trailer = prop::sample::select(vec!["", ".", ")", "..", ",", ").", "\u{600}"]);
    (scheme, host, prop::collection::vec(step, 0..30), trailer).prop_map(
        |(scheme, host, path, trailer)| format!("{scheme}{host}/{}{trailer}", path.concat()),
    )
}

fn piece(links: bool) -> BoxedStrategy<String> {
    let plain = prop::sample::select(vec![
        "word",
        "a",
        "Bluesky",
        "@alice.bsky.social",
        "#tag",
        "$BTC",
        "(",
        "e\u{301}",
        "a\u{308}\u{323}",
        FAMILY,
        "\u{1F1EB}\u{1F1F7}",
        "\u{1F44D}\u{1F3FD}",
        "漢字",
        "한국어",
        "\u{915}\u{94d}\u{937}",
        "\u{600}",
        "\u{600} ",
        " ",
        "  ",
        "\u{3000}",
        "\t",
        "\n",
        "\r\n",
        "\n\n\n",
        " \n \n \n ",
        "example.com",
    ])
    .prop_map(str::to_owned);
    if links {
        let blank = prop::sample::select(vec![
            "\u{200b}",
            "\n\u{200b}\n\u{ad}\n",
            " \u{2060}\n\u{200c}\r\n",
            "\n\u{200d}\n\u{200b}\n\n",
            "\u{200b}\n\u{200b}\n\u{200b}\n",
        ])
        .prop_map(str::to_owned);
        prop_oneof![4 => plain, 2 => link(), 1 => blank].boxed()
    } else {
        plain.boxed()
    }
}

/// A filler that brings the text near a limit, then pieces: the limit falls among the pieces.
fn text(links: bool) -> impl Strategy<Value = String> {
    let filler = prop_oneof![
        (240usize..300).prop_map(|n| "a".repeat(n)),
        (90usize..150).prop_map(|n| "ab ".repeat(n)),
        (260usize..300).prop_map(|n| "漢".repeat(n)),
        (105usize..121).prop_map(|n| FAMILY.repeat(n)),
        (1400usize..1500).prop_map(|n| "é".repeat(n / 2) + &"\u{301}".repeat(n / 2)),
        (0usize..3).prop_map(|n| "\n".repeat(n)),
    ];
    (filler, prop::collection::vec(piece(links), 0..60))
        .prop_map(|(filler, pieces)| filler + &pieces.concat())
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn without_links_or_zero_width_characters_the_mark_is_the_bisections() {
    let over = AtomicUsize::new(0);
    runner()
        .run(&text(false), |text| {
            let ours = analyze(&text).overflow_from;
            prop_assert_eq!(ours, by_bisection(&text), "{:?}", text);
            if ours.is_some() {
                over.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    // The texts straddle the limits: most are over one.
    assert!(over.into_inner() > 150);
}

#[test]
fn with_links_and_zero_width_characters_the_mark_is_the_bisections() {
    let over = AtomicUsize::new(0);
    runner()
        .run(&text(true), |text| {
            let analysis = analyze(&text);
            prop_assert_eq!(analysis.overflow_from, by_bisection(&text), "{:?}", text);
            prop_assert_eq!(analysis.overflow_from.is_some(), analysis.over_limit);
            let Some(ours) = analysis.overflow_from else {
                return Ok(());
            };
            over.fetch_add(1, Ordering::Relaxed);
            prop_assert!(stops_at(&text, ours), "ours {ours} in {text:?}");
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(over.into_inner() > 150);
}

#[test]
fn a_mark_inside_a_shortened_link_or_a_collapsed_run_is_where_the_prefix_stops_fitting() {
    // 290 graphemes, then a link whose shortened form (example.com/xxxxxxxxxxxxx...) crosses 300:
    // the prefix ending at `https://example.co` (published `example.co`) is the last that fits.
    let text = format!("{} https://example.com/{}", "a".repeat(289), "x".repeat(40));
    let from = analyze(&text).overflow_from.expect("over the limit");
    assert_eq!(&text[from..from + 4], "m/xx");
    assert_eq!(Some(from), by_bisection(&text));

    // Published `a…a\n\nx` is 301 graphemes, so `x` is the first past the limit; but the prefix
    // ending at the second zero-width space has only two breaks, is not collapsed, and is over.
    let text = format!("{}\n\u{200b}\n\u{200b}\nx", "a".repeat(298));
    assert_eq!(analyze(&text).graphemes, 301);
    assert_eq!(analyze(&text).overflow_from, Some(298 + 1 + 3 + 1));
    assert_eq!(by_bisection(&text), Some(298 + 1 + 3 + 1));

    // A pasted URL of 2,800 characters whose dot segments publish as nothing: its cuts are halved,
    // not published one by one (that took seconds in a debug build).
    let text = format!(
        "{} https://a.co/{}{}",
        "a".repeat(290),
        "./".repeat(1400),
        "x".repeat(60)
    );
    let from = analyze(&text).overflow_from;
    assert_eq!(from, by_bisection(&text));
    assert_eq!(from, Some(text.len() - 60 + 4));
}
