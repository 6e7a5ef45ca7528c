//! Account pictures for the window. The window's content security policy loads no image from the web
//! (a page could otherwise make it contact any address, and its decoder would read whatever a server
//! sends), so the core downloads an avatar the way it downloads a link card's picture — through the
//! card guard (public addresses only unless allowed, bounded in size and time) — prepares it like an
//! attached image (decoded under the media budget, re-encoded, metadata gone), and hands the window a
//! `data:` URL. The window keeps what it was given (`ui/js/avatar.js`) and asks again only after a
//! reload; one that cannot be made is logged, and the window shows the account's initial instead.

use super::Accounts;
use crate::error::Result;
use crate::link_card::web_picture;
use crate::logging::link_origin;
use std::time::Duration;
use tokio::time::Instant;

/// How long making one avatar may take.
const AVATAR_TIME_LIMIT: Duration = Duration::from_secs(10);

impl Accounts<'_> {
    /// The avatar of the account `did_or_handle` as a `data:` URL; `None` when it has none or it
    /// cannot be made now (logged with the reason).
    pub async fn avatar(&self, did_or_handle: &str) -> Result<Option<String>> {
        let Some(url) = self.find(did_or_handle)?.avatar else {
            return Ok(None);
        };
        let deadline = Instant::now() + AVATAR_TIME_LIMIT;
        match web_picture(&self.core.cards, &url, "the account's picture", deadline).await {
            Ok(picture) => Ok(Some(picture.data_url())),
            Err(err) => {
                tracing::info!(
                    link = %link_origin(&url),
                    reason = %err.message,
                    "an account's picture could not be shown"
                );
                Ok(None)
            }
        }
    }
}
