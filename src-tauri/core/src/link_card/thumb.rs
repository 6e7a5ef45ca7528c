//! Pictures from the web: a card's thumbnail (the page's preview image) or an account's avatar,
//! downloaded through the guard and prepared in memory like an attached image (same memory and CPU
//! budget), by a deadline. Any page can name any image, so a slow server or a costly image costs the
//! card its picture, never the post.

use super::fetch::{self, CardFetcher};
use crate::error::{Error, ErrorCode, Result};
use crate::logging::link_origin;
use crate::media::{self, PreparedImage};
use tokio::time::Instant;

/// The picture at `image_url`, prepared as a small picture (a card's thumbnail, an account's
/// picture: [`media::ImageLimits::CARD_THUMB`]), or why not by `deadline`; `label` names it in errors
/// ("the link preview's image"). Preparing goes on in the background after the deadline, within the
/// media budget's CPU limit.
pub async fn web_picture(
    fetcher: &CardFetcher,
    image_url: &str,
    label: &'static str,
    deadline: Instant,
) -> Result<PreparedImage> {
    let work = async {
        let bytes = fetch::fetch_image(fetcher, image_url).await?;
        tokio::task::spawn_blocking(move || {
            media::prepare_bytes(&bytes, label, media::ImageLimits::CARD_THUMB)
        })
        .await
        .map_err(|err| Error::internal("preparing a picture from the web", &err))?
    };
    tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or_else(|_| {
            Err(Error::new(
                ErrorCode::Network,
                format!("{label} took too long to download and prepare"),
            ))
        })
}

/// The card's prepared thumbnail, or `None` (logged) when it cannot be made by `deadline`.
pub(super) async fn thumbnail(
    fetcher: &CardFetcher,
    image_url: &str,
    deadline: Instant,
) -> Option<PreparedImage> {
    match web_picture(fetcher, image_url, "the link preview's image", deadline).await {
        Ok(thumb) => Some(thumb),
        Err(err) => {
            tracing::info!(
                link = %link_origin(image_url),
                reason = %err.message,
                "link card without a thumbnail"
            );
            None
        }
    }
}
