//! Reads a page's card metadata in one pass of html5ever's tokenizer, without building a tree.
//! Precedence follows what social sites use: OpenGraph, then Twitter cards, then plain `<title>` /
//! `<meta name="description">`.
//!
//! A tree is what made this dangerous: html5ever's tree builder is quadratic in nesting depth, and
//! 2 MiB of nested `<div>` took minutes to parse. The tokenizer is linear, and it is the same HTML5
//! tokenizer the tree builder drives, so attributes, character references and `<title>` text come
//! out exactly as they did from the tree; the few states the tree builder would switch it to
//! (`<title>`, `<script>`, `<style>` …) are switched here the same way ([`raw_kind`]), so a tag inside
//! a script is no tag. The whole page is read, as before (some pages have their `<meta>` tags in the
//! body), unless it takes longer than [`PARSE_TIME_LIMIT`]: one tag with a hundred thousand attributes
//! is the tokenizer's one costly input (each attribute is checked against the tag's others).

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};
use url::Url;

/// Reading a page stops here, with what was found so far (a page's `<head>` comes first). Reading
/// 2 MiB takes about 50 ms in a release build, so only a hostile page comes near this, or a machine
/// so busy that the page's thread runs a twentieth of the time (then `<meta>` tags at the end of a
/// very large page can be missed). Wall time, because the standard library has no thread CPU clock;
/// the whole card has its own deadline besides ([`super::CARD_TIME_LIMIT`]).
const PARSE_TIME_LIMIT: Duration = Duration::from_secs(1);
/// The page is fed to the tokenizer in pieces this large, and the time checked between them.
const CHUNK_BYTES: usize = 4 * 1024;

/// The `<meta>` names read, by the field they fill, in order of precedence.
const TITLE_KEYS: &[&str] = &["og:title", "twitter:title"];
const DESCRIPTION_KEYS: &[&str] = &["og:description", "twitter:description", "description"];
const IMAGE_KEYS: &[&str] = &[
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
];

/// How many `<meta>` names are read.
const META_KEYS: usize = TITLE_KEYS.len() + DESCRIPTION_KEYS.len() + IMAGE_KEYS.len();

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageMetadata {
    pub title: Option<String>,
    pub description: Option<String>,
    pub image_url: Option<String>,
}

impl PageMetadata {
    /// Parses `html`; relative image URLs are resolved against `page_url` (after redirects).
    pub fn parse(html: &str, page_url: &Url) -> Self {
        Self::parse_within(html, page_url, PARSE_TIME_LIMIT)
    }

    /// [`Self::parse`], reading for at most `limit`.
    fn parse_within(html: &str, page_url: &Url, limit: Duration) -> Self {
        let reader = read(html, limit);
        let meta = |keys: &[&str]| keys.iter().find_map(|key| reader.meta(key));
        let title = meta(TITLE_KEYS).or_else(|| reader.title());
        let description = meta(DESCRIPTION_KEYS);
        let image_url = meta(IMAGE_KEYS)
            .and_then(|src| page_url.join(&src).ok())
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .map(String::from);
        Self {
            title,
            description,
            image_url,
        }
    }
}

/// Runs the tokenizer over `html`, piece by piece, for at most `limit`.
fn read(html: &str, limit: Duration) -> Reader {
    let started = Instant::now();
    let tokenizer = Tokenizer::new(Reader::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    let mut rest = html;
    while !rest.is_empty() {
        if started.elapsed() > limit {
            tracing::info!(
                read_bytes = html.len() - rest.len(),
                "link card: stopped reading a page that takes too long to read"
            );
            return tokenizer.sink;
        }
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, after) = rest.split_at(cut);
        input.push_back(StrTendril::from_slice(piece));
        // The sink never asks the tokenizer to stop for a script, so each piece is read whole.
        let _ = tokenizer.feed(&input);
        rest = after;
    }
    tokenizer.end();
    tokenizer.sink
}

/// What the tokenizer's pass keeps: the first non-empty content of each `<meta>` name read, and the
/// text of the first `<title>`.
#[derive(Debug, Default)]
struct Reader {
    /// By index in [`TITLE_KEYS`], then [`DESCRIPTION_KEYS`], then [`IMAGE_KEYS`].
    metas: RefCell<[Option<String>; META_KEYS]>,
    /// The first `<title>`'s text so far; `None` before one starts.
    title: RefCell<Option<String>>,
    /// Inside the first `<title>`, until its end tag (or, for an SVG title, the end of the SVG).
    in_title: Cell<bool>,
    /// The [`Self::foreign_depth`] the first `<title>` started at.
    title_depth: Cell<usize>,
    /// How many `<svg>` / `<math>` elements are open: inside them `<title>`, `<style>` and
    /// `<script>` are not HTML's, and their text is tokenized as ordinary markup.
    foreign_depth: Cell<usize>,
    /// The open `<svg>` and `<math>` elements, outermost first (as many as `foreign_depth`).
    foreign_roots: RefCell<Vec<&'static str>>,
    /// How many of each of [`HTML_TAGS`] were opened as HTML and not closed: an HTML end tag inside
    /// SVG (`</div>` around an `<svg>` never closed) closes the SVG only if its element is open.
    open_html: RefCell<Vec<usize>>,
}

impl Reader {
    fn meta(&self, key: &str) -> Option<String> {
        let index = all_keys().position(|known| known == key)?;
        self.metas.borrow()[index].clone()
    }

    fn title(&self) -> Option<String> {
        clean(self.title.borrow().as_deref()?)
    }

    fn start_tag(&self, name: &str, attrs: &[html5ever::Attribute], self_closing: bool) {
        if self.foreign_depth.get() > 0 && breaks_out_of_foreign_content(name, attrs) {
            self.set_foreign_depth(0);
        }
        if let (0, Some(index)) = (self.foreign_depth.get(), html_tag(name)) {
            self.open_html_count(index, |count| count + 1);
        }
        match name {
            "meta" => self.keep_meta(attrs),
            "title" if self.title.borrow().is_none() => {
                *self.title.borrow_mut() = Some(String::new());
                self.in_title.set(true);
                self.title_depth.set(self.foreign_depth.get());
            }
            "svg" | "math" if !self_closing => {
                self.foreign_roots
                    .borrow_mut()
                    .push(if name == "svg" { "svg" } else { "math" });
                self.set_foreign_depth(self.foreign_depth.get() + 1);
            }
            _ => {}
        }
    }

    fn end_tag(&self, name: &str) {
        match name {
            "title" => self.in_title.set(false),
            "svg" | "math" => {
                // `</math>` closes the innermost open `<math>` and what is inside it; with none open
                // (only an `<svg>`), it is ignored.
                let mut roots = self.foreign_roots.borrow_mut();
                if let Some(at) = roots.iter().rposition(|root| *root == name) {
                    roots.truncate(at);
                    let depth = roots.len();
                    drop(roots);
                    self.set_foreign_depth(depth);
                }
            }
            _ => {
                let Some(index) = html_tag(name) else {
                    return;
                };
                let was_open = self.open_html_count(index, |count| count.saturating_sub(1)) > 0;
                if was_open {
                    self.set_foreign_depth(0);
                }
            }
        }
    }

    /// Leaving the SVG or MathML element a `<title>` is in ends that title too.
    fn set_foreign_depth(&self, depth: usize) {
        self.foreign_depth.set(depth);
        self.foreign_roots.borrow_mut().truncate(depth);
        if depth < self.title_depth.get() {
            self.in_title.set(false);
        }
    }

    /// Changes the open count of `HTML_TAGS[index]`; returns the count before.
    fn open_html_count(&self, index: usize, change: impl FnOnce(usize) -> usize) -> usize {
        let mut open = self.open_html.borrow_mut();
        if open.is_empty() {
            open.resize(HTML_TAGS.len(), 0);
        }
        let before = open[index];
        open[index] = change(before);
        before
    }

    /// `<meta property=KEY content=…>` or `<meta name=KEY content=…>` (`property` first), kept when
    /// it is the first with a non-empty content for its key.
    fn keep_meta(&self, attrs: &[html5ever::Attribute]) {
        let attr = |name: &str| {
            attrs
                .iter()
                .find(|attr| &*attr.name.local == name)
                .map(|attr| &*attr.value)
        };
        let Some(named) = attr("property").or_else(|| attr("name")) else {
            return;
        };
        let named = named.trim();
        let Some(index) = all_keys().position(|key| named.eq_ignore_ascii_case(key)) else {
            return;
        };
        let mut metas = self.metas.borrow_mut();
        if metas[index].is_none() {
            metas[index] = attr("content").and_then(clean);
        }
    }
}

impl TokenSink for Reader {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => {
                    self.start_tag(&tag.name, &tag.attrs, tag.self_closing);
                    if self.foreign_depth.get() == 0 {
                        return match &*tag.name {
                            "plaintext" => TokenSinkResult::Plaintext,
                            name => raw_kind(name).map_or(TokenSinkResult::Continue, |kind| {
                                TokenSinkResult::RawData(kind)
                            }),
                        };
                    }
                }
                TagKind::EndTag => self.end_tag(&tag.name),
            },
            Token::CharacterTokens(text) if self.in_title.get() => {
                if let Some(title) = self.title.borrow_mut().as_mut() {
                    title.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        // `<![CDATA[…]]>` is a section in SVG and MathML, a bogus comment elsewhere.
        self.foreign_depth.get() > 0
    }
}

/// The tokenizer state the tree builder switches to after an HTML start tag (with scripting on, as
/// html5ever's tree builder has it by default: `<noscript>`'s content is text).
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "title" | "textarea" => Some(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "script" => Some(RawKind::ScriptData),
        _ => None,
    }
}

fn html_tag(name: &str) -> Option<usize> {
    HTML_TAGS.iter().position(|known| *known == name)
}

/// Whether this start tag ends SVG or MathML content.
fn breaks_out_of_foreign_content(name: &str, attrs: &[html5ever::Attribute]) -> bool {
    HTML_TAGS.contains(&name)
        || (name == "font"
            && attrs
                .iter()
                .any(|attr| matches!(&*attr.name.local, "color" | "face" | "size")))
}

/// The HTML start tags that end SVG or MathML content (HTML's "in foreign content" rules), except
/// `<font>` with `color`, `face` or `size`.
const HTML_TAGS: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

fn all_keys() -> impl Iterator<Item = &'static str> {
    TITLE_KEYS
        .iter()
        .chain(DESCRIPTION_KEYS)
        .chain(IMAGE_KEYS)
        .copied()
}

/// Whitespace collapsed; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

#[cfg(test)]
mod tests;
