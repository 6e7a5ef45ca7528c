//! A card's thumbnail: the page's preview image, downloaded through the guard and prepared in memory
//! like an attached image (same memory and CPU budget), within what is left of the card's time limit
//! ([`super::CARD_TIME_LIMIT`]). Any page can name any image, so a slow server or a costly image costs
//! the card its picture, never the post.

use super::fetch::{self, CardFetcher};
use crate::logging::link_origin;
use crate::media::{self, PreparedImage};
use tokio::time::Instant;

/// The prepared thumbnail, or `None` (logged) when it cannot be made by `deadline`. Preparing goes
/// on in the background after that, within the media budget's CPU limit.
pub(super) async fn thumbnail(
    fetcher: &CardFetcher,
    image_url: &str,
    deadline: Instant,
) -> Option<PreparedImage> {
    let work = async {
        let bytes = fetch::fetch_image(fetcher, image_url).await?;
        tokio::task::spawn_blocking(move || {
            media::prepare_bytes(&bytes, "the link preview's image")
        })
        .await
        .map_err(|err| crate::Error::internal("preparing a link preview's image", &err))?
    };
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(thumb)) => Some(thumb),
        Ok(Err(err)) => {
            tracing::info!(
                link = %link_origin(image_url),
                reason = %err.message,
                "link card without a thumbnail"
            );
            None
        }
        Err(_) => {
            tracing::info!(
                link = %link_origin(image_url),
                seconds = super::CARD_TIME_LIMIT.as_secs(),
                "link card without a thumbnail: the card's time ran out"
            );
            None
        }
    }
}
