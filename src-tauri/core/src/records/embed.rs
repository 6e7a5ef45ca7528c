//! A post's embed: images, a link card, a quoted post, or a quoted post with images. Each shape
//! carries its own `$type`, also where it sits inside another (`recordWithMedia`'s `record` and
//! `media`), as the official app writes them.

use super::blob::Blob;
use super::post::StrongRef;
use serde::{Deserialize, Serialize};

/// The union in `app.bsky.feed.post#embed` that Hayon writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Embed {
    Images(ImagesEmbed),
    External(ExternalEmbed),
    Record(RecordEmbed),
    RecordWithMedia(RecordWithMediaEmbed),
}

/// `app.bsky.embed.images`: one to four images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.images")]
pub struct ImagesEmbed {
    pub images: Vec<Image>,
}

/// `app.bsky.embed.images#image`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Alt text; required by the lexicon, may be empty.
    pub alt: String,
    pub image: Blob,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.defs#aspectRatio`: both at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AspectRatio {
    pub width: u32,
    pub height: u32,
}

/// `app.bsky.embed.external`: a link card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.external")]
pub struct ExternalEmbed {
    pub external: External,
}

/// `app.bsky.embed.external#external`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct External {
    pub uri: String,
    pub title: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb: Option<Blob>,
}

/// `app.bsky.embed.record`: a quoted post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.record")]
pub struct RecordEmbed {
    pub record: StrongRef,
}

/// `app.bsky.embed.recordWithMedia`: a quoted post with images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.recordWithMedia")]
pub struct RecordWithMediaEmbed {
    pub record: RecordEmbed,
    pub media: ImagesEmbed,
}

impl Embed {
    /// The embed of a post with these images (may be none) and maybe a quoted post; `None` when it
    /// has neither. A link card is [`Embed::External`], for a post with neither images nor a quote.
    pub fn of(images: Vec<Image>, quote: Option<StrongRef>) -> Option<Self> {
        let media = (!images.is_empty()).then_some(ImagesEmbed { images });
        match (media, quote) {
            (None, None) => None,
            (Some(media), None) => Some(Self::Images(media)),
            (None, Some(record)) => Some(Self::Record(RecordEmbed { record })),
            (Some(media), Some(record)) => Some(Self::RecordWithMedia(RecordWithMediaEmbed {
                record: RecordEmbed { record },
                media,
            })),
        }
    }
}
