//! The post's link card: none, the one the user previewed (the window), or the first link's card
//! fetched now (the CLI). A card that cannot be made is left out with a log line, never a failed post.

use super::{ImageSource, PostStage};
use crate::link_card::{self, CardFetcher, LinkCard};
use crate::logging::link_origin;
use crate::media::{self, PreparedImage};

/// Which card the post carries (only when it has no images, as in the official app).
#[derive(Debug, Clone)]
pub enum LinkCardChoice {
    /// None: the user removed it, or passed `--no-link-card`.
    Without,
    /// The card of the text's first link, fetched while posting (the CLI).
    FetchFirstLink,
    /// The card the user saw in the composer: its text, and its thumbnail (a staged file the caller
    /// has checked, or the prepared image). Used only while the text's first link is still `card.uri`.
    Previewed {
        card: LinkCard,
        thumb: Option<ImageSource>,
    },
}

/// The card for a post whose text's first link is `first_link` (the caller checked it has no images).
pub(super) async fn choose(
    choice: LinkCardChoice,
    first_link: Option<&str>,
    cards: &CardFetcher,
    progress: &(dyn Fn(PostStage) + Send + Sync),
) -> Option<(LinkCard, Option<PreparedImage>)> {
    let uri = first_link?;
    match choice {
        LinkCardChoice::Without => None,
        LinkCardChoice::FetchFirstLink => {
            progress(PostStage::FetchingLinkCard);
            fetch_card_with_thumb(cards, uri).await
        }
        LinkCardChoice::Previewed { card, thumb } => previewed_card(card, thumb, uri).await,
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
        Some(ImageSource::Prepared(image)) => Some(image),
        Some(ImageSource::File(path)) => {
            match tokio::task::spawn_blocking(move || media::prepare_image(&path)).await {
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
        let choice = LinkCardChoice::Previewed {
            card,
            thumb: Some(ImageSource::Prepared(thumb())),
        };
        let (card, posted_thumb) = choose(
            choice,
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
    async fn a_preview_of_another_link_or_no_link_means_no_card() {
        let previewed = || LinkCardChoice::Previewed {
            card: LinkCard::new("https://example.com/old", "Old", ""),
            thumb: None,
        };
        assert!(choose(
            previewed(),
            Some("https://example.com/new"),
            &cards(),
            &no_progress
        )
        .await
        .is_none());
        assert!(choose(previewed(), None, &cards(), &no_progress)
            .await
            .is_none());
        assert!(choose(
            LinkCardChoice::Without,
            Some("https://example.com/new"),
            &cards(),
            &no_progress
        )
        .await
        .is_none());
    }
}
