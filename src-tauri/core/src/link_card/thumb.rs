//! A card's thumbnail: the page's preview image, downloaded through the guard and prepared in memory
//! like an attached image (same memory and CPU budget), all within one time limit. Any page can name
//! any image, so a slow server or a costly image costs the card its picture, never the post.

use super::fetch::{self, CardFetcher};
use crate::logging::link_origin;
use crate::media::{self, PreparedImage};
use std::time::Duration;

/// Download (itself limited to 10 s) and preparation together. Generous, because preparing a large
/// noisy image takes 6 s of CPU in a debug build and a busy machine stretches that several times (the
/// media budget caps its CPU); what it bounds is a card keeping a post waiting indefinitely.
const THUMB_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The prepared thumbnail, or `None` (logged) when it cannot be made in time.
pub(super) async fn thumbnail(fetcher: &CardFetcher, image_url: &str) -> Option<PreparedImage> {
    let work = async {
        let bytes = fetch::fetch_image(fetcher, image_url).await?;
        tokio::task::spawn_blocking(move || {
            media::prepare_bytes(&bytes, "the link preview's image")
        })
        .await
        .map_err(|err| crate::Error::internal("preparing a link preview's image", &err))?
    };
    match tokio::time::timeout(THUMB_TIME_LIMIT, work).await {
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
                seconds = THUMB_TIME_LIMIT.as_secs(),
                "link card without a thumbnail: it took too long"
            );
            None
        }
    }
}
