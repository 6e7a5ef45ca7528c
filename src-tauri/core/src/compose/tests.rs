//! Conformance with the official library's own detection cases (`@atproto/api`,
//! `packages/api/tests/rich-text-detection.test.ts`: the inputs and expected results, with mentions
//! expected as handles since nothing is resolved here), then the published text: trimming,
//! shortening, counting and limits.

use super::{analyze, grapheme_len, Analysis, Facet, Feature, Mentioned, MAX_BYTES, MAX_GRAPHEMES};

/// Text, expected tags, expected `(byteStart, byteEnd)` of the facets.
type TagCase = (
    &'static str,
    &'static [&'static str],
    &'static [(usize, usize)],
);

const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F467}";

/// The visible text and the value (handle or URI) of each mention and link facet.
fn spans(text: &str, facets: &[Facet]) -> Vec<(String, String)> {
    facets
        .iter()
        .map(|facet| {
            let visible = text
                .get(facet.index.byte_start..facet.index.byte_end)
                .expect("facet on char boundaries")
                .to_owned();
            let value = match &facet.features[0] {
                Feature::Mention {
                    who: Mentioned::Handle(handle),
                } => handle.clone(),
                Feature::Mention {
                    who: Mentioned::Did(did),
                } => panic!("detection resolved a mention to {did}"),
                Feature::Link { uri } => uri.clone(),
                Feature::Tag { tag } => format!("tag:{tag}"),
            };
            (visible, value)
        })
        .collect()
}

fn tags_and_indices(facets: &[Facet], only_cashtags: bool) -> (Vec<String>, Vec<(usize, usize)>) {
    let mut tags = Vec::new();
    let mut indices = Vec::new();
    for facet in facets {
        let tag = facet.features.iter().find_map(|feature| match feature {
            Feature::Tag { tag } => Some(tag.clone()),
            _ => None,
        });
        if only_cashtags && !tag.as_deref().is_some_and(|tag| tag.starts_with('$')) {
            continue;
        }
        tags.extend(tag);
        indices.push((facet.index.byte_start, facet.index.byte_end));
    }
    (tags, indices)
}

#[test]
fn official_mention_and_link_cases() {
    let family_mention = format!("{FAMILY} @handle.com {FAMILY}");
    let family_link = format!("{FAMILY} https://middle.com {FAMILY}");
    let socket = "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/";
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("no mention", vec![]),
        ("@handle.com middle end", vec![("@handle.com", "handle.com")]),
        ("start @handle.com end", vec![("@handle.com", "handle.com")]),
        ("start middle @handle.com", vec![("@handle.com", "handle.com")]),
        (
            "@handle.com @handle.com @handle.com",
            vec![("@handle.com", "handle.com"); 3],
        ),
        ("@full123-chars.test", vec![("@full123-chars.test", "full123-chars.test")]),
        ("not@right", vec![]),
        ("@handle.com!@#$chars", vec![("@handle.com", "handle.com")]),
        ("@handle.com\n@handle.com", vec![("@handle.com", "handle.com"); 2]),
        ("parenthetical (@handle.com)", vec![("@handle.com", "handle.com")]),
        (&family_mention, vec![("@handle.com", "handle.com")]),
        ("start https://middle.com end", vec![("https://middle.com", "https://middle.com")]),
        (
            "start https://middle.com/foo/bar end",
            vec![("https://middle.com/foo/bar", "https://middle.com/foo/bar")],
        ),
        (
            "start https://middle.com/foo/bar?baz=bux end",
            vec![("https://middle.com/foo/bar?baz=bux", "https://middle.com/foo/bar?baz=bux")],
        ),
        (
            "start https://middle.com/foo/bar?baz=bux#hash end",
            vec![(
                "https://middle.com/foo/bar?baz=bux#hash",
                "https://middle.com/foo/bar?baz=bux#hash",
            )],
        ),
        (
            "https://start.com/foo/bar?baz=bux#hash middle end",
            vec![(
                "https://start.com/foo/bar?baz=bux#hash",
                "https://start.com/foo/bar?baz=bux#hash",
            )],
        ),
        (
            "start middle https://end.com/foo/bar?baz=bux#hash",
            vec![(
                "https://end.com/foo/bar?baz=bux#hash",
                "https://end.com/foo/bar?baz=bux#hash",
            )],
        ),
        (
            "https://newline1.com\nhttps://newline2.com",
            vec![
                ("https://newline1.com", "https://newline1.com"),
                ("https://newline2.com", "https://newline2.com"),
            ],
        ),
        (&family_link, vec![("https://middle.com", "https://middle.com")]),
        ("start middle.com end", vec![("middle.com", "https://middle.com")]),
        (
            "start middle.com/foo/bar end",
            vec![("middle.com/foo/bar", "https://middle.com/foo/bar")],
        ),
        (
            "start middle.com/foo/bar?baz=bux end",
            vec![("middle.com/foo/bar?baz=bux", "https://middle.com/foo/bar?baz=bux")],
        ),
        (
            "start middle.com/foo/bar?baz=bux#hash end",
            vec![(
                "middle.com/foo/bar?baz=bux#hash",
                "https://middle.com/foo/bar?baz=bux#hash",
            )],
        ),
        (
            "start.com/foo/bar?baz=bux#hash middle end",
            vec![(
                "start.com/foo/bar?baz=bux#hash",
                "https://start.com/foo/bar?baz=bux#hash",
            )],
        ),
        (
            "start middle end.com/foo/bar?baz=bux#hash",
            vec![("end.com/foo/bar?baz=bux#hash", "https://end.com/foo/bar?baz=bux#hash")],
        ),
        (
            "newline1.com\nnewline2.com",
            vec![
                ("newline1.com", "https://newline1.com"),
                ("newline2.com", "https://newline2.com"),
            ],
        ),
        (
            "a example.com/index.php php link",
            vec![("example.com/index.php", "https://example.com/index.php")],
        ),
        ("a trailing bsky.app: colon", vec![("bsky.app", "https://bsky.app")]),
        ("not.. a..url ..here", vec![]),
        ("e.g.", vec![]),
        ("something-cool.jpg", vec![]),
        ("website.com.jpg", vec![]),
        ("e.g./foo", vec![]),
        ("website.com.jpg/foo", vec![]),
        (
            "Classic article https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/",
            vec![(socket, socket)],
        ),
        (
            "Classic article https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/ ",
            vec![(socket, socket)],
        ),
        (
            "https://foo.com https://bar.com/whatever https://baz.com",
            vec![
                ("https://foo.com", "https://foo.com"),
                ("https://bar.com/whatever", "https://bar.com/whatever"),
                ("https://baz.com", "https://baz.com"),
            ],
        ),
        (
            "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
            vec![
                ("https://foo.com", "https://foo.com"),
                ("https://bar.com/whatever", "https://bar.com/whatever"),
                ("https://baz.com", "https://baz.com"),
            ],
        ),
        ("parenthentical (https://foo.com)", vec![("https://foo.com", "https://foo.com")]),
        (
            "except for https://foo.com/thing_(cool)",
            vec![("https://foo.com/thing_(cool)", "https://foo.com/thing_(cool)")],
        ),
    ];
    assert_eq!(cases.len(), 40);
    for (text, expected) in cases {
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(visible, value)| (visible.to_owned(), value.to_owned()))
            .collect();
        assert_eq!(spans(text, &analyze(text).facets), expected, "{text:?}");
    }
}

#[test]
fn official_hashtag_cases() {
    let cases: &[TagCase] = &[
        ("#a", &["a"], &[(0, 2)]),
        ("#a #b", &["a", "b"], &[(0, 2), (3, 5)]),
        ("#1", &[], &[]),
        ("#1a", &["1a"], &[(0, 3)]),
        ("#tag", &["tag"], &[(0, 4)]),
        ("body #tag", &["tag"], &[(5, 9)]),
        ("#tag body", &["tag"], &[(0, 4)]),
        ("body #tag body", &["tag"], &[(5, 9)]),
        ("body #1", &[], &[]),
        ("body #1a", &["1a"], &[(5, 8)]),
        ("body #a1", &["a1"], &[(5, 8)]),
        ("#", &[], &[]),
        ("#?", &[], &[]),
        ("text #", &[], &[]),
        ("text # text", &[], &[]),
        (
            "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &["thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
            &[(5, 70)],
        ),
        (
            "body #thisisa65characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
            &[],
            &[],
        ),
        (
            "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
            &["thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
            &[(5, 70)],
        ),
        ("its a #double#rainbow", &["double#rainbow"], &[(6, 21)]),
        ("##hashash", &["#hashash"], &[(0, 9)]),
        ("##", &[], &[]),
        ("some #n0n3s@n5e!", &["n0n3s@n5e"], &[(5, 15)]),
        ("works #with,punctuation", &["with,punctuation"], &[(6, 23)]),
        (
            "strips trailing #punctuation, #like. #this!",
            &["punctuation", "like", "this"],
            &[(16, 28), (30, 35), (37, 42)],
        ),
        (
            "strips #multi_trailing___...",
            &["multi_trailing"],
            &[(7, 22)],
        ),
        (
            "works with #\u{1F98B} emoji, and #butter\u{1F98B}fly",
            &["\u{1F98B}", "butter\u{1F98B}fly"],
            &[(11, 16), (28, 42)],
        ),
        (
            "#same #same #but #diff",
            &["same", "same", "but", "diff"],
            &[(0, 5), (6, 11), (12, 16), (17, 22)],
        ),
        ("this #\u{FE0F}\u{20E3}tag should not be a tag", &[], &[]),
        (
            "this ##\u{FE0F}\u{20E3}tag should be a tag",
            &["#\u{FE0F}\u{20E3}tag"],
            &[(5, 16)],
        ),
        ("this #t\nag should be a tag", &["t"], &[(5, 7)]),
        ("no match (\\u200B): #\u{200B}", &[], &[]),
        ("no match (\\u200Ba): #\u{200B}a", &[], &[]),
        ("match (a\\u200Bb): #a\u{200B}b", &["a"], &[(18, 20)]),
        ("match (ab\\u200B): #ab\u{200B}", &["ab"], &[(18, 21)]),
        ("no match (\\u20e2tag): #\u{20E2}tag", &[], &[]),
        ("no match (a\\u20e2b): #a\u{20E2}b", &["a"], &[(21, 23)]),
        (
            "match full width number sign (tag): \u{FF03}tag",
            &["tag"],
            &[(36, 42)],
        ),
        (
            "match full width number sign (tag): \u{FF03}#\u{FE0F}\u{20E3}tag",
            &["#\u{FE0F}\u{20E3}tag"],
            &[(36, 49)],
        ),
        ("no match 1?: #1?", &[], &[]),
    ];
    assert_eq!(cases.len(), 39);
    for (text, tags, indices) in cases {
        let (found_tags, found_indices) = tags_and_indices(&analyze(text).facets, false);
        assert_eq!(found_tags, *tags, "{text:?}");
        assert_eq!(found_indices, *indices, "{text:?}");
    }
}

#[test]
fn official_cashtag_cases() {
    let cases: &[TagCase] = &[
        ("$AAPL", &["$AAPL"], &[(0, 5)]),
        ("$aapl", &["$AAPL"], &[(0, 5)]),
        ("$A", &["$A"], &[(0, 2)]),
        ("$a", &["$A"], &[(0, 2)]),
        ("$BTC $ETH", &["$BTC", "$ETH"], &[(0, 4), (5, 9)]),
        ("$100", &[], &[]),
        ("$GOOGL", &["$GOOGL"], &[(0, 6)]),
        ("$TOOLONG", &[], &[]),
        ("check $LEGO now", &["$LEGO"], &[(6, 11)]),
        ("($GOOG)", &["$GOOG"], &[(1, 6)]),
        ("$AAPL.", &["$AAPL"], &[(0, 5)]),
        ("$AAPL, $MSFT!", &["$AAPL", "$MSFT"], &[(0, 5), (7, 12)]),
        ("no$SPACE", &[], &[]),
        ("$", &[], &[]),
        ("$ AAPL", &[], &[]),
        ("$123ABC", &[], &[]),
        ("$ABC12", &["$ABC12"], &[(0, 6)]),
        ("$ABC123", &[], &[]),
    ];
    assert_eq!(cases.len(), 18);
    for (text, tags, indices) in cases {
        let (found_tags, found_indices) = tags_and_indices(&analyze(text).facets, true);
        assert_eq!(found_tags, *tags, "{text:?}");
        assert_eq!(found_indices, *indices, "{text:?}");
    }
}

/// Upstream behaviours that look like bugs but are what the official client posts.
#[test]
fn upstream_quirks_are_kept() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        // Only a lower-case `http` prefix makes a full URL; upper-case domains miss the TLD list.
        ("see HTTPS://EXAMPLE.COM now", &[]),
        ("see EXAMPLE.COM now", &[]),
        (
            "see httpS://example.com now",
            &[("httpS://example.com", "httpS://example.com")],
        ),
        // A bare domain starting with "http" is taken as-is, with no scheme and no TLD check.
        (
            "see httpbin.org/get",
            &[("httpbin.org/get", "httpbin.org/get")],
        ),
        ("see httpfoo.jpg", &[("httpfoo.jpg", "httpfoo.jpg")]),
        // Handles: real TLD or `.test`, case-sensitive, never punycode.
        (
            "hi @alice.bsky.social!",
            &[("@alice.bsky.social", "alice.bsky.social")],
        ),
        ("hi @alice.BSKY.SOCIAL", &[]),
        ("hi @alice.xn--p1ai", &[]),
        ("hi @bob.test.", &[("@bob.test", "bob.test")]),
        ("hi @.com", &[("@.com", ".com")]),
        // No prefix before the domain of an e-mail address: not a link.
        ("mail me at alice@example.com", &[]),
        // A match that fails the TLD check still consumes its text.
        ("photo.jpg(example.com", &[]),
        // One trailing punctuation mark, then a `)` only when the URL has no `(`.
        (
            "(see example.com/a).",
            &[("example.com/a", "https://example.com/a")],
        ),
        (
            "(see example.com/(a)).",
            &[("example.com/(a))", "https://example.com/(a))")],
        ),
        (
            "see https://example.com/a)",
            &[("https://example.com/a", "https://example.com/a")],
        ),
        (
            "see https://x.com?!",
            &[("https://x.com?", "https://x.com?")],
        ),
    ];
    for (text, expected) in cases {
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(visible, value)| ((*visible).to_owned(), (*value).to_owned()))
            .collect();
        assert_eq!(spans(text, &analyze(text).facets), expected, "{text:?}");
    }
}

#[test]
fn overlapping_facets_are_kept_as_upstream_sorts_them() {
    let text = "see https://example.com/(@alice.com) and ($ABC)";
    let facets = analyze(text).facets;
    let kinds: Vec<(String, String)> = spans(text, &facets);
    assert_eq!(
        kinds,
        vec![
            (
                "https://example.com/(@alice.com)".to_owned(),
                "https://example.com/(@alice.com)".to_owned()
            ),
            ("@alice.com".to_owned(), "alice.com".to_owned()),
            ("$ABC".to_owned(), "tag:$ABC".to_owned()),
        ]
    );
}

#[test]
fn facets_serialize_in_lexicon_form() {
    let analysis = analyze("@alice.test #tag example.com");
    let json = serde_json::to_value(&analysis.facets).expect("serializable");
    assert_eq!(
        json,
        serde_json::json!([
            {"index": {"byteStart": 0, "byteEnd": 11},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "handle": "alice.test"}]},
            {"index": {"byteStart": 12, "byteEnd": 16},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}]},
            {"index": {"byteStart": 17, "byteEnd": 28},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}]},
        ])
    );
}

#[test]
fn analysis_serializes_with_the_contract_keys() {
    let json = serde_json::to_value(analyze("hi")).expect("serializable");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bytes",
            "facets",
            "graphemes",
            "linkCard",
            "maxBytes",
            "maxGraphemes",
            "overLimit",
            "overflowFrom",
            "publishedFacets",
            "publishedText"
        ]
    );
    assert_eq!(json["linkCard"], serde_json::Value::Null);
    assert_eq!(json["overflowFrom"], serde_json::Value::Null);
    assert_eq!(json["maxGraphemes"], 300);
    assert_eq!(json["maxBytes"], 3000);
}

#[test]
fn long_links_are_shortened_and_counted_short() {
    let url = "https://example.com/articles/2024/a-very-long-slug?utm_source=x";
    let text = format!("Read {url} now");
    let analysis = analyze(&text);
    assert_eq!(
        analysis.published_text,
        "Read example.com/articles/202... now"
    );
    assert_eq!(
        analysis.graphemes,
        grapheme_len("Read example.com/articles/202... now")
    );
    assert_eq!(analysis.link_card.as_deref(), Some(url));
    let published = spans(&analysis.published_text, &analysis.published_facets);
    assert_eq!(
        published,
        vec![("example.com/articles/202...".to_owned(), url.to_owned())]
    );
    // The facets as typed still cover the full text of the link.
    assert_eq!(
        spans(&text, &analysis.facets),
        vec![(url.to_owned(), url.to_owned())]
    );
}

#[test]
fn facets_after_a_shortened_link_move_with_it() {
    let text = "https://example.com/0123456789abcdefghij #after @bob.test";
    let analysis = analyze(text);
    assert_eq!(
        analysis.published_text,
        "example.com/0123456789ab... #after @bob.test"
    );
    assert_eq!(
        spans(&analysis.published_text, &analysis.published_facets),
        vec![
            (
                "example.com/0123456789ab...".to_owned(),
                "https://example.com/0123456789abcdefghij".to_owned()
            ),
            ("#after".to_owned(), "tag:after".to_owned()),
            ("@bob.test".to_owned(), "bob.test".to_owned()),
        ]
    );
}

#[test]
fn bare_domains_and_short_links_stay_as_typed() {
    let text = "see example.com/a/long/path/that/goes/on and https://bsky.app/profile";
    let analysis = analyze(text);
    assert_eq!(
        analysis.published_text,
        "see example.com/a/long/path/that/goes/on and bsky.app/profile"
    );
}

#[test]
fn facets_inside_a_link_are_dropped_when_published() {
    // The app replaces the link's text, which removes a mention typed inside it, shortened or not.
    let analysis = analyze("x example.com/(@alice.com) y");
    assert_eq!(analysis.facets.len(), 2);
    assert_eq!(analysis.published_facets.len(), 1);
    assert_eq!(
        analysis.published_facets[0].link_uri(),
        Some("https://example.com/(@alice.com)")
    );
}

#[test]
fn published_text_is_trimmed_and_collapsed_before_detection() {
    let analysis = analyze("\n \n  Hello #world\n\n\n\n\u{200B}\nbye https://a.com/  \n\n");
    assert_eq!(analysis.published_text, "  Hello #world\n\nbye a.com");
    assert_eq!(
        spans(&analysis.published_text, &analysis.published_facets),
        vec![
            ("#world".to_owned(), "tag:world".to_owned()),
            ("a.com".to_owned(), "https://a.com/".to_owned()),
        ]
    );
    // As typed, offsets are into the original text.
    assert_eq!(analysis.facets[0].index.byte_start, 11);
}

#[test]
fn graphemes_are_extended_clusters() {
    let cases = [
        (FAMILY, 1),                                 // ZWJ sequence
        ("\u{1F1EB}\u{1F1F7}\u{1F1EF}\u{1F1F5}", 2), // two flags
        ("\u{1F44D}\u{1F3FD}", 1),                   // skin tone modifier
        ("e\u{301}\u{302}", 1),                      // combining marks
        (
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            1,
        ), // tag sequence
        ("日本語のテキスト", 8),                     // CJK
        ("\u{D55C}\u{AD6D}\u{C5B4}", 3),             // precomposed Hangul
        ("\u{1112}\u{1161}\u{11AB}", 1),             // conjoining jamo
        ("\u{915}\u{94D}\u{937}", 1),                // Devanagari conjunct (GB9c)
        ("\r\n", 1),
        ("a\u{200B}b", 3), // zero-width space is a cluster
        ("a\u{200D}b", 2), // ZWJ extends the previous one
    ];
    for (text, expected) in cases {
        assert_eq!(grapheme_len(text), expected, "{text:?}");
    }
}

#[test]
fn ascii_shortcut_counts_like_the_segmenter() {
    use unicode_segmentation::UnicodeSegmentation;
    let texts = [
        "plain ascii",
        "a\r\nb\r\r\n\n\r",
        "#\u{FE0F}\u{20E3} keycap after ascii",
        "a\u{301}b\u{308}",
        "x\u{600}y", // Arabic number sign: a prepended mark joins what follows
        "\u{915}\u{94D}\u{937}a\u{200D}\u{1F600}",
        "\u{1F1EB}\u{1F1F7}\u{1F1EF}x\u{1F1F5}",
        "\r\u{301}\n\u{301}",
        "e\u{301}\u{302}\r\n\u{1F468}\u{200D}\u{1F469}",
        "",
    ];
    for text in texts {
        assert_eq!(grapheme_len(text), text.graphemes(true).count(), "{text:?}");
    }
}

#[test]
fn limits_count_graphemes_and_bytes() {
    let at_limit = "a".repeat(MAX_GRAPHEMES);
    let analysis = analyze(&at_limit);
    assert_eq!((analysis.graphemes, analysis.over_limit), (300, false));

    let over = "a".repeat(MAX_GRAPHEMES + 1);
    assert!(analyze(&over).over_limit);

    // 300 family emoji: 300 graphemes but 7,500 bytes.
    let heavy = FAMILY.repeat(MAX_GRAPHEMES);
    let analysis = analyze(&heavy);
    assert_eq!(analysis.graphemes, 300);
    assert_eq!(analysis.bytes, 25 * 300);
    assert!(analysis.bytes > MAX_BYTES && analysis.over_limit);

    // Trailing whitespace and a long link do not count.
    let padded = format!("{}{}", "a".repeat(290), " \n".repeat(40));
    assert!(!analyze(&padded).over_limit);
    let linked = format!(
        "{} https://example.com/{}",
        "a".repeat(260),
        "x".repeat(200)
    );
    let analysis: Analysis = analyze(&linked);
    assert_eq!(
        analysis.graphemes,
        260 + 1 + "example.com/xxxxxxxxxxxx...".len()
    );
    assert!(!analysis.over_limit);
}

#[test]
fn the_overflow_starts_at_the_first_grapheme_past_the_limit() {
    assert_eq!(analyze(&"a".repeat(MAX_GRAPHEMES)).overflow_from, None);
    let over = format!("{}{}", "a".repeat(MAX_GRAPHEMES), "bc");
    assert_eq!(analyze(&over).overflow_from, Some(MAX_GRAPHEMES));

    // Counted as published: leading blank lines and a shortened link take less room than typed,
    // so the mark starts later in the typed text; the offset is in bytes of the text as typed.
    let url = format!("https://example.com/{}", "x".repeat(200));
    let text = format!("\n\n{url} {}{}", "é".repeat(280), "zz");
    let analysis = analyze(&text);
    assert_eq!(analysis.graphemes, 27 + 1 + 280 + 2);
    let from = analysis.overflow_from.expect("over the limit");
    let fitting = &text[..from];
    assert_eq!(
        grapheme_len(&analyze(fitting).published_text),
        MAX_GRAPHEMES
    );
    assert!(!analyze(fitting).over_limit);
    assert!(
        analyze(&text[..from + text[from..].chars().next().map_or(0, char::len_utf8)]).over_limit
    );

    // Over the byte limit only: the first family emoji past 3000 bytes.
    let heavy = FAMILY.repeat(MAX_GRAPHEMES);
    assert_eq!(analyze(&heavy).overflow_from, Some(3000 / 25 * 25));
}

#[test]
fn zero_width_characters() {
    // A zero-width space glues a word to what follows: no link, no mention.
    assert!(analyze("\u{200B}example.com").facets.is_empty());
    assert!(analyze("\u{200B}@alice.test").facets.is_empty());
    // A BOM is JavaScript whitespace, so it separates.
    assert_eq!(analyze("\u{FEFF}example.com").facets.len(), 1);
    // Zero-width-only text publishes as is (not whitespace) and counts.
    let analysis = analyze("\u{200B}");
    assert_eq!(
        (analysis.published_text.as_str(), analysis.graphemes),
        ("\u{200B}", 1)
    );
    // A zero-width joiner ends a hashtag.
    let analysis = analyze("#ab\u{200D}cd");
    assert_eq!(tags_and_indices(&analysis.facets, false).0, ["ab"]);
}

#[test]
fn never_panics_on_odd_input() {
    let odd = [
        "",
        "@",
        "#",
        "$",
        "(",
        "https://",
        "http://\u{1F600}",
        "https://[",
        "https://a.b.c.123/",
        "\u{FF03}",
        "#\u{FE0F}",
        "@-",
        "a.b",
        "\n\n\n",
        "\r\r\r",
        "\u{2028}\u{2029}\u{2028}",
        "((((@a.com",
        "https://xn--/",
        "https://%zz/",
    ];
    for text in odd {
        let analysis = analyze(text);
        for facet in analysis.facets.iter().chain(&analysis.published_facets) {
            assert!(facet.index.byte_start <= facet.index.byte_end, "{text:?}");
        }
    }
}
