//! The post's embed: images (`app.bsky.embed.images`) or, when there are none, the link card
//! (`app.bsky.embed.external`), as the official app does.

use super::PreparedPost;
use serde_json::{json, Value};

/// Blob references in the order of `post.images`, then the card's thumbnail (if any).
pub(super) fn build(post: &PreparedPost, blobs: &[Value]) -> Option<Value> {
    if !post.images.is_empty() {
        let images: Vec<Value> = post
            .images
            .iter()
            .zip(blobs)
            .map(|((image, alt), blob)| {
                json!({
                    "alt": alt,
                    "image": blob,
                    "aspectRatio": {"width": image.width.max(1), "height": image.height.max(1)},
                })
            })
            .collect();
        return Some(json!({"$type": "app.bsky.embed.images", "images": images}));
    }
    let (card, _) = post.card.as_ref()?;
    let mut external = json!({
        "uri": card.uri,
        "title": card.title,
        "description": card.description,
    });
    if let Some(thumb) = blobs.first() {
        external["thumb"] = thumb.clone();
    }
    Some(json!({"$type": "app.bsky.embed.external", "external": external}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link_card::{LinkCard, PageMetadata};
    use unicode_segmentation::UnicodeSegmentation;

    /// The PDS's JSON body limit (@atproto/pds 0.5: `jsonLimit: 150 * 1024`).
    const PDS_JSON_LIMIT: usize = 150 * 1024;

    #[test]
    fn a_page_with_a_megabyte_description_still_makes_a_record_that_fits() {
        let description = "Ünïcödé \"quoted\" \\ text. ".repeat(40_000);
        let html = format!(
            "<html><head><meta property=og:title content='{}'>\
             <meta property=og:description content='{description}'></head></html>",
            "Title ".repeat(10_000)
        );
        assert!(html.len() > 1_000_000);
        let url = url::Url::parse("https://example.com/long").expect("url");
        let meta = PageMetadata::parse(&html, &url);
        let card = LinkCard::new(
            url.as_str(),
            &meta.title.unwrap_or_default(),
            &meta.description.unwrap_or_default(),
        );
        assert!(card.description.graphemes(true).count() <= 1_000);
        assert!(card.title.graphemes(true).count() <= 300);
        let post = PreparedPost {
            text: "é".repeat(1_500), // 3,000 bytes: the longest text a post may have
            facets: Vec::new(),
            langs: vec!["en".to_owned()],
            images: Vec::new(),
            card: Some((card, None)),
        };
        let thumb = json!({"$type": "blob", "ref": {"$link": "bafkrei"}, "mimeType": "image/jpeg", "size": 999_999});
        let embed = build(&post, &[thumb]).expect("an external embed");
        let body = json!({
            "repo": "did:plc:abcdefghijklmnopqrstuvwx",
            "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": "2026-12-01T12:00:00.000Z", "embed": embed},
        })
        .to_string();
        assert!(
            body.len() < PDS_JSON_LIMIT / 4,
            "the createRecord body is {} bytes",
            body.len()
        );
    }
}
