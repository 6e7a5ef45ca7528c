//! The post's link card ([`CardChoice`]): none, the one the person previewed (the window), or the
//! first link's card fetched now (the CLI). A card that cannot be made is left out with a log line,
//! never a failed post. Shown only when the post has no images, as in the official app.

use super::{ImageSource, PostStage};
use crate::composition::CardChoice;
use crate::link_card::{self, CardFetcher, LinkCard};
use crate::logging::link_origin;
use crate::media::{self, ImageLimits, PreparedImage};

/// The card for a post whose text's first link is `first_link` (the caller checked it has no
/// images); `thumb` is the shown card's thumbnail, read by the caller. A shown card is used only
/// while the text's first link is still its `uri`.
pub(super) async fn choose(
    choice: &CardChoice,
    thumb: Option<ImageSource>,
    first_link: Option<&str>,
    cards: &CardFetcher,
    progress: &(dyn Fn(PostStage) + Send + Sync),
) -> Option<(LinkCard, Option<PreparedImage>)> {
    let uri = first_link?;
    match choice {
        CardChoice::None => None,
        CardChoice::FirstLink => {
            progress(PostStage::FetchingLinkCard);
            fetch_card_with_thumb(cards, uri).await
        }
        CardChoice::Shown { card, .. } => previewed_card(card.clone(), thumb, uri).await,
    }
}

/// The card and its prepared thumbnail; `None` when the page gives no card (the post goes on).
async fn fetch_card_with_thumb(
    cards: &CardFetcher,
    uri: &str,
) -> Option<(LinkCard, Option<PreparedImage>)> {
    match link_card::make_card(cards, uri).await {
        Ok(made) => Some((made.card, made.thumb)),
        Err(err) => {
            tracing::info!(
                link = %link_origin(uri),
                code = err.code.as_str(),
                reason = %err.message,
                "posting without a link card"
            );
            None
        }
    }
}

/// The previewed card, if it is still about the text's first link; its staged thumbnail prepared
/// again (a file that no longer prepares means a card without a picture, never a failed post).
async fn previewed_card(
    card: LinkCard,
    thumb: Option<ImageSource>,
    first_link: &str,
) -> Option<(LinkCard, Option<PreparedImage>)> {
    if card.uri != first_link {
        tracing::info!(
            link = %link_origin(first_link),
            "posting without a link card: the preview is of another link"
        );
        return None;
    }
    let thumb = match thumb {
        // A staged copy is prepared for a post's images, which may take more bytes than a thumbnail.
        Some(ImageSource::Prepared(image)) if ImageLimits::CARD_THUMB.holds(&image) => Some(image),
        Some(thumb) => {
            let prepared = tokio::task::spawn_blocking(move || match thumb {
                ImageSource::File(path) => media::prepare_image(&path, ImageLimits::CARD_THUMB),
                ImageSource::Prepared(image) => media::prepare_bytes(
                    &image.bytes,
                    "the link card's image",
                    ImageLimits::CARD_THUMB,
                ),
            });
            match prepared.await {
                Ok(Ok(image)) => Some(image),
                Ok(Err(err)) => {
                    tracing::info!(reason = %err.message, "link card without its thumbnail");
                    None
                }
                Err(err) => {
                    tracing::warn!(error = %err, "link card thumbnail preparation stopped");
                    None
                }
            }
        }
        None => None,
    };
    Some((card.fitted(), thumb))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_progress(_: PostStage) {}

    /// Never used to fetch: these cards are previewed ones, or none.
    fn cards() -> CardFetcher {
        CardFetcher::new(crate::link_card::CardPolicy::public_only()).expect("fetcher")
    }

    fn thumb() -> PreparedImage {
        PreparedImage {
            bytes: vec![0xff, 0xd8, 0xff],
            mime_type: "image/jpeg",
            width: 3,
            height: 2,
        }
    }

    #[tokio::test]
    async fn the_previewed_card_is_posted_as_it_was_shown_with_its_text_fitted() {
        let card = LinkCard {
            uri: "https://example.com/a".to_owned(),
            title: "A title".to_owned(),
            description: "x".repeat(5_000),
        };
        let choice = CardChoice::Shown {
            card,
            thumb_path: Some("/staged.jpg".into()),
        };
        let (card, posted_thumb) = choose(
            &choice,
            Some(ImageSource::Prepared(thumb())),
            Some("https://example.com/a"),
            &cards(),
            &no_progress,
        )
        .await
        .expect("the card");
        assert_eq!(card.title, "A title");
        assert_eq!(
            card.description.chars().count(),
            crate::link_card::fit::MAX_DESCRIPTION_GRAPHEMES
        );
        assert_eq!(posted_thumb.map(|image| image.bytes), Some(thumb().bytes));
    }

    #[tokio::test]
    async fn a_staged_thumbnail_prepared_for_a_post_is_made_small_enough_for_a_card() {
        // Half-transparent noise stays PNG: prepared for a post, it is over a card's 1,000,000 bytes.
        use image::ImageEncoder as _;
        let mut seed = 0x2545_f491_u32;
        let noise = image::RgbaImage::from_fn(1000, 1000, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [red, green, blue, _] = seed.to_le_bytes();
            image::Rgba([red, green, blue, 128])
        });
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(noise.as_raw(), 1000, 1000, image::ExtendedColorType::Rgba8)
            .expect("png");
        let staged = media::prepare_bytes(&png, "the test image", ImageLimits::POST).expect("ok");
        assert!(
            staged.bytes.len() > ImageLimits::CARD_THUMB.max_bytes,
            "{staged:?}"
        );
        let choice = CardChoice::Shown {
            card: LinkCard::new("https://example.com/a", "A", ""),
            thumb_path: Some("/staged.png".into()),
        };
        let (_, thumb) = choose(
            &choice,
            Some(ImageSource::Prepared(staged)),
            Some("https://example.com/a"),
            &cards(),
            &no_progress,
        )
        .await
        .expect("the card");
        let thumb = thumb.expect("its thumbnail");
        assert!(ImageLimits::CARD_THUMB.holds(&thumb), "{thumb:?}");
    }

    #[tokio::test]
    async fn a_preview_of_another_link_or_no_link_means_no_card() {
        let previewed = CardChoice::Shown {
            card: LinkCard::new("https://example.com/old", "Old", ""),
            thumb_path: None,
        };
        assert!(choose(
            &previewed,
            None,
            Some("https://example.com/new"),
            &cards(),
            &no_progress
        )
        .await
        .is_none());
        assert!(choose(&previewed, None, None, &cards(), &no_progress)
            .await
            .is_none());
        assert!(choose(
            &CardChoice::None,
            None,
            Some("https://example.com/new"),
            &cards(),
            &no_progress
        )
        .await
        .is_none());
    }
}
