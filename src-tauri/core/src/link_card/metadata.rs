//! Reads a page's card metadata with an HTML parser. Precedence follows what social sites use:
//! OpenGraph, then Twitter cards, then plain `<title>` / `<meta name="description">`.

use scraper::{Html, Selector};
use url::Url;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PageMetadata {
    pub title: Option<String>,
    pub description: Option<String>,
    pub image_url: Option<String>,
}

impl PageMetadata {
    /// Parses `html`; relative image URLs are resolved against `page_url` (after redirects).
    pub fn parse(html: &str, page_url: &Url) -> Self {
        let document = Html::parse_document(html);
        let meta = |keys: &[&str]| keys.iter().find_map(|key| meta_content(&document, key));
        let title = meta(&["og:title", "twitter:title"]).or_else(|| title_text(&document));
        let description = meta(&["og:description", "twitter:description", "description"]);
        let image_url = meta(&[
            "og:image:secure_url",
            "og:image",
            "og:image:url",
            "twitter:image",
            "twitter:image:src",
        ])
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

/// `<meta property=KEY content=…>` or `<meta name=KEY content=…>`, whitespace-collapsed, non-empty.
fn meta_content(document: &Html, key: &str) -> Option<String> {
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

fn title_text(document: &Html) -> Option<String> {
    let selector = Selector::parse("title").ok()?;
    let element = document.select(&selector).next()?;
    clean(&element.text().collect::<String>())
}

fn clean(text: &str) -> Option<String> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let html =
            "<title>Only a title</title><meta name=twitter:image content='javascript:alert(1)'>";
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
}
