//! The tokenizer pass reads the same card as the tree-building parser it replaced (scraper, kept as
//! a dev-dependency for this comparison) on page shapes from the web and on generated tag soup, and
//! reads hostile pages in bounded CPU time.

use super::*;
use scraper::{Html, Selector};

fn page() -> Url {
    Url::parse("https://example.com/articles/1").expect("url")
}

#[test]
fn opengraph_wins_over_twitter_and_title() {
    let html = r#"<html><head><title>Plain title</title>
        <meta name="twitter:title" content="Twitter title">
        <meta property="og:title" content="  OG
           title ">
        <meta name="description" content="Plain description">
        <meta property="og:image" content="/img/card.png">
        </head><body></body></html>"#;
    let meta = PageMetadata::parse(html, &page());
    assert_eq!(meta.title.as_deref(), Some("OG title"));
    assert_eq!(meta.description.as_deref(), Some("Plain description"));
    assert_eq!(
        meta.image_url.as_deref(),
        Some("https://example.com/img/card.png")
    );
}

#[test]
fn falls_back_to_title_and_ignores_non_http_images() {
    let html = "<title>Only a title</title><meta name=twitter:image content='javascript:alert(1)'>";
    let meta = PageMetadata::parse(html, &page());
    assert_eq!(meta.title.as_deref(), Some("Only a title"));
    assert_eq!(meta.description, None);
    assert_eq!(meta.image_url, None);
}

#[test]
fn broken_html_still_parses() {
    let html =
        "<meta property=og:title content=Broken<p><meta name=description content='still here'";
    let meta = PageMetadata::parse(html, &page());
    assert!(meta.title.is_some());
}

#[test]
fn tags_inside_scripts_comments_and_titles_are_text() {
    let html = r#"<head><title>Real &amp; <b>bold</b> &lt;3</title>
        <script>document.write("<meta property='og:title' content='From a script'>")</script>
        <!-- <meta property="og:description" content="commented out"> -->
        <noscript><meta name=description content="no script"></noscript>
        <style>a::after { content: "<meta name=twitter:title content=styled>" }</style>
        <textarea><meta property=og:image content=/textarea.png></textarea>
        </head><body><meta name=twitter:description content="In the body"></body>"#;
    let meta = PageMetadata::parse(html, &page());
    assert_eq!(meta.title.as_deref(), Some("Real & <b>bold</b> <3"));
    assert_eq!(meta.description.as_deref(), Some("In the body"));
    assert_eq!(meta.image_url, None);
    assert_eq!(meta, old_parse(html, &page()));
}

// --- The parser this module replaced, as it was, for the comparison. ---

fn old_parse(html: &str, page_url: &Url) -> PageMetadata {
    let document = Html::parse_document(html);
    let meta = |keys: &[&str]| keys.iter().find_map(|key| old_meta_content(&document, key));
    let title = meta(TITLE_KEYS).or_else(|| old_title_text(&document));
    let description = meta(DESCRIPTION_KEYS);
    let image_url = meta(IMAGE_KEYS)
        .and_then(|src| page_url.join(&src).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .map(String::from);
    PageMetadata {
        title,
        description,
        image_url,
    }
}

fn old_meta_content(document: &Html, key: &str) -> Option<String> {
    let selector = Selector::parse("meta").ok()?;
    document.select(&selector).find_map(|element| {
        let attrs = element.value();
        let named = attrs.attr("property").or_else(|| attrs.attr("name"))?;
        if !named.trim().eq_ignore_ascii_case(key) {
            return None;
        }
        clean(attrs.attr("content")?)
    })
}

fn old_title_text(document: &Html) -> Option<String> {
    let selector = Selector::parse("title").ok()?;
    let element = document.select(&selector).next()?;
    clean(&element.text().collect::<String>())
}

/// Pages shaped like those link cards meet: news and blog heads, a code host, a video site with its
/// tags in the body, a SPA shell, a page with only a `<title>`, entities, inline SVG icons, odd case.
const PAGES: &[&str] = &[
    r#"<!DOCTYPE html>
<html lang="en" data-color-mode="auto"><head><meta charset="utf-8">
  <link rel="dns-prefetch" href="https://github.githubassets.com">
  <script crossorigin="anonymous" defer="defer" type="application/javascript" src="/a.js"></script>
  <title>GitHub - bluesky-social/atproto: Social networking technology created by Bluesky</title>
  <meta name="description" content="Social networking technology created by Bluesky - bluesky-social/atproto">
  <meta name="twitter:image" content="https://opengraph.githubassets.com/1/bluesky-social/atproto" />
  <meta name="twitter:site" content="@github" /><meta name="twitter:card" content="summary_large_image" />
  <meta name="twitter:title" content="GitHub - bluesky-social/atproto: Social networking technology created by Bluesky" />
  <meta property="og:image" content="https://opengraph.githubassets.com/1/bluesky-social/atproto" />
  <meta property="og:image:alt" content="Social networking technology created by Bluesky" />
  <meta property="og:site_name" content="GitHub" /><meta property="og:type" content="object" />
  <meta property="og:title" content="GitHub - bluesky-social/atproto: Social networking technology created by Bluesky" />
  <meta property="og:url" content="https://github.com/bluesky-social/atproto" />
  <meta property="og:description" content="Social networking technology created by Bluesky - bluesky-social/atproto" />
</head><body class="logged-out env-production page-responsive">
<svg aria-hidden="true" height="24" viewBox="0 0 24 24" width="24"><title>Mark</title><path d="M12 1C5.923 1 1 5.923 1 12"></path></svg>
<div class="application-main"><main><h1>atproto</h1></main></div></body></html>"#,
    r#"<!doctype html><html><head>
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>
    Why the Bay Area&#8217;s housing crisis isn&rsquo;t going away &ndash; The Daily
</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta property="og:type" content="article" />
<meta property="og:description" content="Builders, zoning &amp; the &quot;missing middle&quot;: a look at why prices keep rising." />
<meta property="og:image" content="//cdn.example.net/images/2024/housing.jpg?w=1200&amp;h=630" />
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">{"@context":"https://schema.org","headline":"<title>not this</title>"}</script>
<script>window.dataLayer=window.dataLayer||[];if(a<b&&c>d){document.write('<meta property="og:title" content="x">')}</script>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=1&ev=PageView&noscript=1"/></noscript>
</head><body><article><h1>Why the Bay Area's housing crisis isn't going away</h1><p>Text</body></html>"#,
    r#"<!DOCTYPE html><html style="font-size: 10px;font-family: Roboto, Arial, sans-serif;" lang="en"><head>
<script nonce="abc">var ytcfg={d:function(){return window.yt&&yt.config_||ytcfg.data_||(ytcfg.data_={})}};</script>
<title>Never Gonna Give You Up - YouTube</title><link rel="shortcut icon" href="/favicon.ico">
<style>html{overflow:hidden} body::before{content:"<meta name=description content=css>"}</style>
</head><body dir="ltr"><div id="watch7-content" class="watch-main-col">
<meta itemprop="name" content="Rick Astley - Never Gonna Give You Up (Official Music Video)">
<meta property="og:site_name" content="YouTube"><meta property="og:url" content="https://www.youtube.com/watch?v=dQw4w9WgXcQ">
<meta property="og:title" content="Rick Astley - Never Gonna Give You Up (Official Music Video)">
<meta property="og:image" content="https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg">
<meta property="og:description" content="The official video for “Never Gonna Give You Up” by Rick Astley.">
<meta name="twitter:card" content="player"><meta name="twitter:title" content="Rick Astley - Never Gonna Give You Up">
</div><ytd-app></ytd-app></body></html>"#,
    r#"<!DOCTYPE html>
<html class="client-nojs" lang="en" dir="ltr">
<head>
<meta charset="UTF-8">
<title>Bluesky (social network) - Wikipedia</title>
<script>(function(){var className="client-js";document.documentElement.className=className;}());</script>
<meta name="generator" content="MediaWiki 1.43.0-wmf.1">
<meta name="format-detection" content="telephone=no">
<meta property="og:image" content="https://upload.wikimedia.org/wikipedia/commons/thumb/7/7a/Bluesky_Logo.svg/1200px-Bluesky_Logo.svg.png">
<meta property="og:image:width" content="1200">
<meta property="og:title" content="Bluesky (social network) - Wikipedia">
<meta property="og:type" content="website">
<link rel="canonical" href="https://en.wikipedia.org/wiki/Bluesky_(social_network)">
</head>
<body class="skin-vector mediawiki"><a id="top"></a><div id="content"><table class="infobox"><tr><td>
<meta name="description" content="A table cell's meta"></td></tr></table></div></body></html>"#,
    r#"<!doctype html><html lang="en"><head><meta charset="utf-8"/><link rel="icon" href="/favicon.ico"/>
<meta name="viewport" content="width=device-width,initial-scale=1"/><title>React App</title>
<script defer="defer" src="/static/js/main.8c7b0f6e.js"></script></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>"#,
    "<HTML><HEAD><TITLE>SHOUTING   PAGE</TITLE><META NAME=\"Description\" CONTENT=\"Old school\">\
     <META PROPERTY=\"OG:IMAGE\" CONTENT=\"images/logo.gif\"></HEAD><BODY BGCOLOR=white>Hi</BODY></HTML>",
    "<html><head><meta property=\"og:title\" content=\"\"><meta property=\"og:title\" content=\"   \">\
     <meta property=\"og:title\" content=\"Third is the first non-empty\"><meta name=\"og:description\" \
     property=\"something-else\" content=\"property wins over name\"><meta name=\" description \" \
     content=\"trimmed name\"></head></html>",
    "<title>Caf\u{e9} &amp; cr\u{e8}me &copy 2024 &#x1F600; &notanentity; &#0; tab\there</title>\
     <meta property=og:description content='&lt;b&gt;escaped&lt;/b&gt; &amp;amp; &#39;quoted&#39;'>",
    "<svg><title>Icon only</title></svg><p>A page whose only title is an icon's",
    "<body><table><meta property=og:title content='Foster-parented'><tr><td>x</table>",
    "<title>Unclosed title <meta property=og:image content=/x.png>",
    "<template><meta property=og:title content='In a template'></template><title>T</title>",
    "<title>First</title><title>Second</title>",
    "<title>   </title><title>Second, but the first is empty</title>",
    "\u{feff}<!DOCTYPE html><title>After a byte order mark</title>",
    "<p>Text<script><!--<script></script><meta property=og:title content=escaped></script>--></script>\
     <meta name=description content=after>",
    "<svg><![CDATA[<meta property=og:title content=cdata>]]></svg><title>CDATA is not a tag</title>",
    "<math><mtext>x</mtext></math><style><meta name=description content=styled></style><title>ok</title>",
    "<div><svg><path d='M0'></div><script>var a = '<meta property=og:title content=scripted>';</script>\
     <title>An SVG closed by its div</title>",
    "<plaintext><meta property=og:title content=plain></plaintext>",
    "<meta property=og:title content=one property=og:title content=two>",
    "<meta content='before the name' property='og:description'>",
    "<iframe><meta property=og:title content=framed></iframe><xmp><title>xmp</title></xmp><title>t</title>",
];

#[test]
fn reads_the_same_card_as_the_tree_parser_on_real_page_shapes() {
    for html in PAGES {
        assert_eq!(
            PageMetadata::parse(html, &page()),
            old_parse(html, &page()),
            "{html}"
        );
    }
    // Spot checks that the comparison is not between two empty cards.
    let github = PageMetadata::parse(PAGES[0], &page());
    assert_eq!(
        github.title.as_deref(),
        Some("GitHub - bluesky-social/atproto: Social networking technology created by Bluesky")
    );
    let news = PageMetadata::parse(PAGES[1], &page());
    assert_eq!(
        news.title.as_deref(),
        Some("Why the Bay Area\u{2019}s housing crisis isn\u{2019}t going away \u{2013} The Daily")
    );
    assert_eq!(
        news.image_url.as_deref(),
        Some("https://cdn.example.net/images/2024/housing.jpg?w=1200&h=630")
    );
    let video = PageMetadata::parse(PAGES[2], &page());
    assert_eq!(
        video.title.as_deref(),
        Some("Rick Astley - Never Gonna Give You Up (Official Music Video)")
    );
}

/// Fragments that generated pages are made of: every construct the tokenizer pass treats specially,
/// in any order, closed or not; SVG and MathML as the snippets pages have. (Left out on purpose,
/// where the tree builder's result depends on its whole stack of open elements: `<select>`,
/// `<frameset>`, and HTML inside SVG and MathML's integration points — `<foreignObject>`, `<desc>`,
/// `<title>`, `<mi>` … — which a page's own markup does not put there.)
const FRAGMENTS: &[&str] = &[
    "<html>",
    "<head>",
    "</head>",
    "<body>",
    "</body>",
    "</html>",
    "<title>",
    "</title>",
    "<TITLE>Shout</TITLE>",
    "<title/>",
    "Some text",
    " \n\t ",
    "&amp;",
    "&lt;meta&gt;",
    "&eacute",
    "&#x263A;",
    "<meta property=og:title content='Title A'>",
    "<meta name=twitter:title content=\"Title B\">",
    "<meta property='og:title' content=''>",
    "<meta name=description content='Desc A'>",
    "<meta property=og:description content='Desc &amp; B'>",
    "<meta name=twitter:description content=' spaced   out '>",
    "<meta property=og:image content=/a.png>",
    "<meta property=og:image:secure_url content=https://cdn.example/b.png>",
    "<meta name=twitter:image content=javascript:x>",
    "<meta property=og:image:url content=//cdn.example/c.png>",
    "<META PROPERTY=OG:TITLE CONTENT=Upper>",
    "<meta property=og:title content=dup content=second>",
    "<meta name=og:title property=other content=shadowed>",
    "<meta property=og:title>",
    "<script>",
    "</script>",
    "<script>if (a < b) document.write('<title>s</title>')</script>",
    "<!--",
    "-->",
    "<!-- <meta property=og:title content=commented> -->",
    "<style>",
    "</style>",
    "<noscript>",
    "</noscript>",
    "<textarea>",
    "</textarea>",
    "<svg><title>Icon</title><path d='M0 0'/></svg>",
    "<svg viewBox='0 0 1 1'><style>.a{fill:red}</style><script>if (a<b) x()</script></svg>",
    "<svg><![CDATA[<meta property=og:title content=cdata>]]></svg>",
    "<svg/>",
    "<math><mi>x</mi><mo>&lt;</mo><mn>2</mn></math>",
    "<div><svg><g><path></div>",
    "<p>Icon: <svg><rect/></svg></p>",
    "<div>",
    "</div>",
    "<p>",
    "<ul><li>",
    "<table>",
    "<td>",
    "</table>",
    "<template>",
    "</template>",
    "<iframe>",
    "</iframe>",
    "<font color=red>",
    "<span>",
    "<g>",
    "<!DOCTYPE html>",
    "<",
    ">",
    "'",
    "\"",
    "=",
    "\r\n",
    "\0",
];

#[test]
fn reads_the_same_card_as_the_tree_parser_on_generated_tag_soup() {
    // A small linear congruential generator: the same pages on every run, no dependency.
    let mut state: u64 = 0x5eed_1234_abcd_ef01;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound
    };
    let mut with_title = 0;
    for _ in 0..3_000 {
        let length = 1 + next(24);
        let html: String = (0..length)
            .map(|_| FRAGMENTS[next(FRAGMENTS.len())])
            .collect();
        let new = PageMetadata::parse(&html, &page());
        assert_eq!(new, old_parse(&html, &page()), "{html:?}");
        with_title += usize::from(new.title.is_some());
    }
    assert!(with_title > 500, "only {with_title} pages had a title");
}

// --- Hostile pages: linear in their size, and bounded in time whatever they hold. ---

/// This thread's CPU time so far (Linux; tests run there), from its schedstat in nanoseconds.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    let nanos = stat
        .split_whitespace()
        .next()
        .and_then(|field| field.parse().ok())
        .expect("schedstat's first field");
    Duration::from_nanos(nanos)
}

/// `unit` repeated to 2 MiB after a `<head>` with a title, and a description at the very end.
fn two_mebibytes_of(unit: &str) -> String {
    let head = "<!doctype html><html><head><title>Hostile &amp; deep</title></head><body>";
    let tail = "<meta name=description content='At the end'>";
    let size = 2 * 1024 * 1024;
    let mut html = String::with_capacity(size);
    html.push_str(head);
    while html.len() + unit.len() + tail.len() <= size {
        html.push_str(unit);
    }
    html.push_str(tail);
    html
}

#[test]
fn deeply_nested_pages_are_read_whole_within_a_fraction_of_a_second_of_cpu() {
    for unit in [
        "<div>",
        "<ul><li>",
        "<p>",
        "<span><b><i>",
        "<table><tr><td>",
    ] {
        let html = two_mebibytes_of(unit);
        let before = thread_cpu();
        let meta = PageMetadata::parse(&html, &page());
        let cpu = thread_cpu() - before;
        assert!(cpu < Duration::from_secs(2), "{unit}: {cpu:?} of CPU");
        assert_eq!(meta.title.as_deref(), Some("Hostile & deep"), "{unit}");
        // Without the time limit (a debug build may need it all), the whole page is read, and its
        // cost is still linear: about a second of CPU for 2 MiB in a debug build, where the tree
        // took minutes.
        let before = thread_cpu();
        let meta = PageMetadata::parse_within(&html, &page(), Duration::MAX);
        let cpu = thread_cpu() - before;
        eprintln!("{unit}: whole page read in {cpu:?} of CPU");
        assert!(cpu < Duration::from_secs(5), "{unit}: {cpu:?} of CPU");
        assert_eq!(meta.description.as_deref(), Some("At the end"), "{unit}");
    }
}

#[test]
fn a_tag_with_a_hundred_thousand_attributes_stops_the_reading_in_time() {
    let mut html = String::from("<title>Many attributes</title><div");
    let mut n = 0;
    while html.len() < 2 * 1024 * 1024 {
        html.push_str(&format!(" a{n}"));
        n += 1;
    }
    let before = thread_cpu();
    let meta = PageMetadata::parse(&html, &page());
    let cpu = thread_cpu() - before;
    assert!(cpu < Duration::from_secs(2), "{cpu:?} of CPU");
    assert_eq!(meta.title.as_deref(), Some("Many attributes"));
}
