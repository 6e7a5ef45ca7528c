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
