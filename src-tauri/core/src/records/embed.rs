//! A post's embed: images, a gallery, a video, a link card, a quoted post, or a quoted post with
//! images, a gallery or a video. Each shape carries its own `$type`, also where it sits inside
//! another (`recordWithMedia`'s `record` and `media`, a gallery's items), as the official app
//! writes them. Up to [`IMAGES_EMBED_MAX`] images go in `app.bsky.embed.images`, more in
//! `app.bsky.embed.gallery`, as the official app chooses (protocol.md, "Media in 2026").

use super::blob::Blob;
use super::post::StrongRef;
use serde::{Deserialize, Serialize};

/// The most images `app.bsky.embed.images` takes; a post with more is a gallery.
pub const IMAGES_EMBED_MAX: usize = 4;

/// The union in `app.bsky.feed.post#embed` that Hayon writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Embed {
    Images(ImagesEmbed),
    Gallery(GalleryEmbed),
    Video(VideoEmbed),
    External(ExternalEmbed),
    Record(RecordEmbed),
    RecordWithMedia(RecordWithMediaEmbed),
}

/// `app.bsky.embed.images`: one to [`IMAGES_EMBED_MAX`] images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.images")]
pub struct ImagesEmbed {
    pub images: Vec<Image>,
}

/// `app.bsky.embed.gallery`: five or more images (the lexicon takes 20, the app view shows 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.gallery")]
pub struct GalleryEmbed {
    pub items: Vec<GalleryItem>,
}

/// The union of a gallery's items, so each carries its `$type`; an image is the only kind so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum GalleryItem {
    #[serde(rename = "app.bsky.embed.gallery#image")]
    Image(Image),
}

/// An image of a post: `app.bsky.embed.images#image`, and the same fields in
/// `app.bsky.embed.gallery#image`, where the aspect ratio is required. Hayon always knows an
/// image's size, so it always writes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Alt text; required by the lexicon, may be empty.
    pub alt: String,
    pub image: Blob,
    pub aspect_ratio: AspectRatio,
}

/// `app.bsky.embed.video`: one video (the blob the video service put on the PDS), with its alt
/// text, captions and aspect ratio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "$type",
    rename = "app.bsky.embed.video",
    rename_all = "camelCase"
)]
pub struct VideoEmbed {
    pub video: Blob,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub captions: Vec<Caption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
}

/// `app.bsky.embed.video#caption`: a WebVTT file in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    pub lang: String,
    pub file: Blob,
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

/// `app.bsky.embed.recordWithMedia`: a quoted post with images, a gallery or a video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.embed.recordWithMedia")]
pub struct RecordWithMediaEmbed {
    pub record: RecordEmbed,
    pub media: Media,
}

/// A post's media, alone or beside a quoted post (the lexicon's union also has a link card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Media {
    Images(ImagesEmbed),
    Gallery(GalleryEmbed),
    Video(VideoEmbed),
}

impl Media {
    /// Up to [`IMAGES_EMBED_MAX`] images as `embed.images`, more as a gallery, in the given order;
    /// `None` for no images.
    pub fn images(images: Vec<Image>) -> Option<Self> {
        match images.len() {
            0 => None,
            count if count <= IMAGES_EMBED_MAX => Some(Self::Images(ImagesEmbed { images })),
            _ => Some(Self::Gallery(GalleryEmbed {
                items: images.into_iter().map(GalleryItem::Image).collect(),
            })),
        }
    }
}

impl Embed {
    /// The embed of a post with these images (may be none) and maybe a quoted post; `None` when it
    /// has neither. A link card is [`Embed::External`], for a post with neither images nor a quote.
    pub fn of(images: Vec<Image>, quote: Option<StrongRef>) -> Option<Self> {
        Self::with(Media::images(images), quote)
    }

    /// The embed of a post with this media (may be none) and maybe a quoted post.
    pub fn with(media: Option<Media>, quote: Option<StrongRef>) -> Option<Self> {
        match (media, quote) {
            (None, None) => None,
            (Some(Media::Images(images)), None) => Some(Self::Images(images)),
            (Some(Media::Gallery(gallery)), None) => Some(Self::Gallery(gallery)),
            (Some(Media::Video(video)), None) => Some(Self::Video(video)),
            (None, Some(record)) => Some(Self::Record(RecordEmbed { record })),
            (Some(media), Some(record)) => Some(Self::RecordWithMedia(RecordWithMediaEmbed {
                record: RecordEmbed { record },
                media,
            })),
        }
    }

    /// Its `$type` (a quote with media as `recordWithMedia`): what the CLI reports per post.
    pub fn nsid(&self) -> &'static str {
        match self {
            Self::Images(_) => "app.bsky.embed.images",
            Self::Gallery(_) => "app.bsky.embed.gallery",
            Self::Video(_) => "app.bsky.embed.video",
            Self::External(_) => "app.bsky.embed.external",
            Self::Record(_) => "app.bsky.embed.record",
            Self::RecordWithMedia(_) => "app.bsky.embed.recordWithMedia",
        }
    }
}
