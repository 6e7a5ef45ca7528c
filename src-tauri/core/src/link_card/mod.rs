//! Link preview cards: the first link of a post gets a card (title, description, thumbnail) read from
//! the page's OpenGraph / Twitter / `<title>` metadata, posted as `app.bsky.embed.external`.
//!
//! Fetching is bounded the way a desktop app must be with arbitrary pages: http(s) only, 10 s, at most
//! 2 MB read, at most 5 redirects, and only from public addresses ([`guard`]). The page is read with a
//! tokenizer, never built into a tree (which is quadratic in nesting depth), off the async workers.
//! The card's text is trimmed to fit a record ([`fit`]) and its thumbnail prepared like an attached
//! image. The whole card — page, metadata, thumbnail — has one deadline, [`CARD_TIME_LIMIT`], since
//! posting waits for it. A page that fails to load means a post without a card, never a failed post.
//!
//! The window shows the card it made ([`make_card`]) and posts exactly that one; the CLI makes it
//! while posting.

mod fetch;
pub mod fit;
pub mod guard;
mod metadata;
mod thumb;

pub use fetch::CardFetcher;
pub use guard::CardPolicy;
pub use metadata::PageMetadata;
pub use thumb::web_picture;

use crate::attachments::StagedImage;
use crate::error::{Error, ErrorCode, Result};
use crate::logging::link_origin;
use crate::media::PreparedImage;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::time::Instant;

/// How long making a card may take, all included: a post (the window's Post waits for the card being
/// previewed, the CLI fetches it while posting) goes on without a card after this. As long as one
/// page request may take; a picture still loading then is left out and the card keeps its text.
pub const CARD_TIME_LIMIT: Duration = Duration::from_secs(10);

/// A card's text, as shown in the composer and posted as an external embed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LinkCard {
    /// The link as the user wrote it (the facet's URI).
    pub uri: String,
    pub title: String,
    pub description: String,
}

impl LinkCard {
    /// A card whose title and description are cut to fit a record ([`fit`]).
    pub fn new(uri: &str, title: &str, description: &str) -> Self {
        Self {
            uri: uri.to_owned(),
            title: fit::title(title),
            description: fit::description(description),
        }
    }

    /// The same card with its text cut to fit (for a card that came from elsewhere, e.g. the window).
    pub fn fitted(self) -> Self {
        Self::new(&self.uri, &self.title, &self.description)
    }
}

/// A card ready to post: its text fitted, its thumbnail (if the page has a usable one) prepared.
#[derive(Debug)]
pub struct PreparedCard {
    pub card: LinkCard,
    pub thumb: Option<PreparedImage>,
}

/// A card as the composer shows it, and as the post sends it back: its text, and its prepared
/// thumbnail staged in the attachments folder (with a `data:` URL preview of exactly those bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CardPreview {
    #[serde(flatten)]
    pub card: LinkCard,
    pub thumb: Option<StagedImage>,
}

/// Fetches `uri`'s page and its preview image, within [`CARD_TIME_LIMIT`]. Errors say why no card
/// could be made (the composer shows it; posting goes on without a card); a thumbnail that cannot be
/// made in time is only logged.
pub async fn make_card(fetcher: &CardFetcher, uri: &str) -> Result<PreparedCard> {
    let deadline = Instant::now() + CARD_TIME_LIMIT;
    let page = tokio::time::timeout_at(deadline, fetch::fetch_page(fetcher, uri)).await;
    let Ok(page) = page else {
        tracing::info!(
            link = %link_origin(uri),
            seconds = CARD_TIME_LIMIT.as_secs(),
            "no link card: the page took too long to fetch and read"
        );
        return Err(Error::new(
            ErrorCode::Network,
            format!(
                "No preview for {}: it took longer than {} seconds.",
                url::Url::parse(uri)
                    .map_or_else(|_| "the link".to_owned(), |url| guard::host_label(&url)),
                CARD_TIME_LIMIT.as_secs()
            ),
        ));
    };
    let (card, image_url) = page?;
    let thumb = match image_url {
        Some(image_url) => thumb::thumbnail(fetcher, &image_url, deadline).await,
        None => None,
    };
    Ok(PreparedCard { card, thumb })
}
