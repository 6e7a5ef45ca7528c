//! A post's embed, as the official app makes it: its images (`app.bsky.embed.images`, or
//! `embed.gallery` for more than four) or its video (`embed.video`), a quoted post
//! (`embed.record`), both (`embed.recordWithMedia`), or, with neither, its link card
//! (`embed.external`). A quote takes the place of the card: recordWithMedia carries the media here,
//! and a post shows one embed.

use super::prepare::PreparedPost;
use crate::records::{
    AspectRatio, Blob, Caption, Embed, External, ExternalEmbed, Image, Media, VideoEmbed,
};

/// One post's uploaded blobs: its images' in order (or the card thumbnail's when it has no
/// media), and its video's with its captions'.
#[derive(Debug, Clone, Default)]
pub(crate) struct PostBlobs {
    pub images: Vec<Blob>,
    pub video: Option<VideoBlobs>,
}

/// A video's blob, put on the PDS by the video service, and its captions' blobs in order.
#[derive(Debug, Clone)]
pub(crate) struct VideoBlobs {
    pub video: Blob,
    pub captions: Vec<Blob>,
}

#[cfg(test)]
impl PostBlobs {
    pub fn images(images: Vec<Blob>) -> Self {
        Self {
            images,
            video: None,
        }
    }
}

pub(super) fn build(post: &PreparedPost, blobs: PostBlobs) -> Option<Embed> {
    let quote = post.quote.clone();
    if let (Some(video), Some(uploaded)) = (&post.video, blobs.video) {
        let captions = video.captions.iter().zip(uploaded.captions);
        let embed = VideoEmbed {
            video: uploaded.video,
            alt: Some(video.alt.clone()).filter(|alt| !alt.is_empty()),
            captions: captions
                .map(|((lang, _), file)| Caption {
                    lang: lang.clone(),
                    file,
                })
                .collect(),
            aspect_ratio: Some(AspectRatio {
                width: video.file.width.max(1),
                height: video.file.height.max(1),
            }),
        };
        return Embed::with(Some(Media::Video(embed)), quote);
    }
    let images: Vec<Image> = post
        .images
        .iter()
        .zip(blobs.images.iter().cloned())
        .map(|((image, alt), blob)| Image {
            alt: alt.clone(),
            image: blob,
            aspect_ratio: AspectRatio {
                width: image.width.max(1),
                height: image.height.max(1),
            },
        })
        .collect();
    if !images.is_empty() || quote.is_some() {
        return Embed::of(images, quote);
    }
    let (card, _) = post.card.as_ref()?;
    Some(Embed::External(ExternalEmbed {
        external: External {
            uri: card.uri.clone(),
            title: card.title.clone(),
            description: card.description.clone(),
            thumb: blobs.images.into_iter().next(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link_card::{LinkCard, PageMetadata};
    use crate::records::StrongRef;
    use serde_json::json;
    use unicode_segmentation::UnicodeSegmentation;

    /// The PDS's JSON body limit (@atproto/pds 0.5: `jsonLimit: 150 * 1024`).
    const PDS_JSON_LIMIT: usize = 150 * 1024;

    fn thumb() -> Blob {
        serde_json::from_value(json!({"$type": "blob", "ref": {"$link": "bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu"}, "mimeType": "image/jpeg", "size": 999_999}))
            .expect("a blob")
    }

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
            images: Vec::new(),
            card: Some((card, None)),
            quote: None,
            labels: Vec::new(),
            video: None,
        };
        let embed = build(&post, PostBlobs::images(vec![thumb()])).expect("an external embed");
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

    #[test]
    fn a_quote_replaces_the_card_and_joins_the_images() {
        let quoted = StrongRef {
            uri: "at://did:plc:q/app.bsky.feed.post/3k".into(),
            cid: "bafyq".into(),
        };
        let mut post = PreparedPost {
            text: "See https://example.com".into(),
            facets: Vec::new(),
            images: Vec::new(),
            card: Some((LinkCard::new("https://example.com", "Example", ""), None)),
            quote: Some(quoted),
            labels: Vec::new(),
            video: None,
        };
        let embed = build(&post, PostBlobs::default()).expect("embed");
        assert_eq!(
            serde_json::to_value(&embed).expect("json")["$type"],
            "app.bsky.embed.record"
        );
        post.images = vec![(
            crate::media::PreparedImage {
                bytes: vec![1],
                mime_type: "image/jpeg",
                width: 4,
                height: 3,
            },
            "alt".into(),
        )];
        let embed = build(&post, PostBlobs::images(vec![thumb()])).expect("embed");
        let value = serde_json::to_value(&embed).expect("json");
        assert_eq!(value["$type"], "app.bsky.embed.recordWithMedia");
        assert_eq!(
            value["media"]["images"][0]["aspectRatio"],
            json!({"width": 4, "height": 3})
        );
    }
}
