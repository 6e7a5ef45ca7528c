//! Link preview cards: the first link of a post gets a card (title, description, thumbnail) read from
//! the page's OpenGraph / Twitter / `<title>` metadata, posted as `app.bsky.embed.external`.
//!
//! Fetching is bounded the way a desktop app must be with arbitrary pages: http(s) only, 10 s, at most
//! 2 MB read, at most 5 redirects. A page that fails to load means a post without a card, never a
//! failed post.

mod fetch;
mod metadata;

pub use fetch::{fetch_card, fetch_image, CardFetcher};
pub use metadata::PageMetadata;

use serde::Serialize;

/// A card as shown in the composer and posted as an external embed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkCard {
    /// The link as the user wrote it (the facet's URI).
    pub uri: String,
    pub title: String,
    pub description: String,
    /// Absolute URL of the preview image, if the page names one.
    pub image_url: Option<String>,
}
