//! Servers older than the 2,000,000-byte image limit (protocol.md › Media in 2026). Images are
//! prepared for today's servers ([`ImageLimits::POST`]). A server that refuses one as too large (an
//! older PDS, 1,000,000 bytes: on uploadBlob or on the write) gets the thread prepared again at
//! [`ImageLimits::OLDER_SERVER`] from the row's images, and its limit is kept in the store, so the
//! next post to it is prepared to fit from the start and the person never sees the refusal.

use super::entry::{AccountDelivery, OutboxEntry};
use super::prepare::PreparedThread;
use super::Posting;
use crate::error::Result;
use crate::media::ImageLimits;
use crate::xrpc::XrpcError;
use url::Url;

impl Posting<'_> {
    /// `thread` for the server at `pds`: prepared again smaller when that server is known to take
    /// only smaller images.
    pub(super) async fn for_server(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        pds: &Url,
        thread: &PreparedThread,
    ) -> Result<Option<PreparedThread>> {
        let known = self.core.store.server_image_bytes(pds.as_str())?;
        let older = known.is_some_and(|bytes| bytes < ImageLimits::POST.max_bytes as u64);
        if !older || images_within(thread, ImageLimits::OLDER_SERVER) {
            return Ok(None);
        }
        tracing::info!(
            did = account.did,
            "preparing the images for an older server"
        );
        let smaller = self
            .prepare_again(entry, account, &|_| {}, ImageLimits::OLDER_SERVER)
            .await?;
        Ok(Some(smaller))
    }

    /// After the server at `pds` refused an image of `thread` as too large (`refusal`): the thread
    /// prepared again for an older server, whose limit is remembered; or the refusal itself when the
    /// images were that small already.
    pub(super) async fn smaller_after(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        pds: &Url,
        thread: &PreparedThread,
        refusal: &XrpcError,
    ) -> Result<PreparedThread> {
        if images_within(thread, ImageLimits::OLDER_SERVER) {
            return Err(crate::accounts::describe_xrpc_error(refusal));
        }
        tracing::info!(
            did = account.did,
            error = %refusal,
            "the server refused an image as too large; preparing the images for an older server"
        );
        self.core.store.remember_server_image_bytes(
            pds.as_str(),
            ImageLimits::OLDER_SERVER.max_bytes as u64,
            &crate::store::now_rfc3339(),
        )?;
        self.prepare_again(entry, account, &|_| {}, ImageLimits::OLDER_SERVER)
            .await
    }
}

/// Whether every image of `thread` (not the card thumbnails, which are small for every server) is
/// within `limits`.
fn images_within(thread: &PreparedThread, limits: ImageLimits) -> bool {
    thread
        .posts
        .iter()
        .flat_map(|post| &post.images)
        .all(|(image, _)| limits.holds(image))
}
