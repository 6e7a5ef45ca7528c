//! The sender: works from an outbox row. Per account, concurrently: an account that may hold the
//! thread already is looked up first; otherwise mentions and quotes are resolved, the images
//! uploaded (in parallel) and the whole thread written in one applyWrites under the row's record
//! keys. Every state is saved in the row as it becomes known, and the attempt is counted before the
//! write leaves, so a crash at any point is settled by the next start or retry.
//!
//! A cancel (`cancel.rs`) stops an account's work up to its write, never the write itself.
//!
//! Images are prepared for today's servers ([`ImageLimits::POST`]); a server that refuses one as
//! too large gets them smaller (`older_server`), uploaded and written under the same record keys (a
//! refused write stored nothing).

use super::cancel::Cancel;
use super::embed::PostBlobs;
use super::entry::{AccountDelivery, Delivery, OutboxEntry, PublishedPost};
use super::lookup::{posted, unconfirmed, WrittenPost};
use super::outbox::{Progress, Sent};
use super::prepare::{PreparedPost, PreparedThread, Preparer};
use super::thread::{self, BuiltThread, Resolved};
use super::{validate, PostStage, Posting};
use crate::error::{Error, Result};
use crate::media::{ImageLimits, PreparedImage};
use crate::records::{Blob, StrongRef};
use crate::xrpc::XrpcError;
use time::OffsetDateTime;
use url::Url;

impl Posting<'_> {
    /// Sends `entry` to its accounts that do not have the thread; `prepared` when the caller has
    /// the thread prepared already (a new post), otherwise it is prepared again from the row. An
    /// account that `cancel` stopped before its write is failed as cancelled.
    pub(super) async fn send(
        &self,
        entry: OutboxEntry,
        prepared: Option<PreparedThread>,
        progress: Progress<'_>,
        cancel: &Cancel,
    ) -> Result<Sent> {
        let id = entry.id.clone();
        let mut to_write: Vec<&AccountDelivery> = Vec::new();
        let waiting = entry
            .accounts
            .iter()
            .filter(|account| !matches!(account.state, Delivery::Posted { .. }));
        // A write that was sent before (a crash, an unknown outcome) is looked up first: only a
        // thread certainly absent is written again.
        let settled = futures_util::future::join_all(waiting.map(|account| {
            let id = &id;
            async move {
                if account.attempts == 0 {
                    return (account, Ok(None));
                }
                (account, self.settle(id, account).await.1)
            }
        }))
        .await;
        for (account, found) in settled {
            match found {
                Ok(Some(_posted)) => {}
                Ok(None) => to_write.push(account),
                Err(error) => self.set(&id, &account.did, &Delivery::Failed { error })?,
            }
        }

        if !to_write.is_empty() {
            let prepared = match prepared {
                Some(prepared) => Ok(prepared),
                None => {
                    let again =
                        self.prepare_again(&entry, to_write[0], progress, ImageLimits::POST);
                    cancel.unless(again).await
                }
            };
            match prepared {
                Err(error) => {
                    for account in &to_write {
                        let failed = Delivery::Failed {
                            error: error.clone(),
                        };
                        self.set(&id, &account.did, &failed)?;
                    }
                }
                Ok(thread) => {
                    progress(PostStage::Uploading);
                    let writes = to_write
                        .iter()
                        .map(|account| self.deliver(&entry, account, &thread, progress, cancel));
                    for (account, delivery) in to_write
                        .iter()
                        .zip(futures_util::future::join_all(writes).await)
                    {
                        self.set(&id, &account.did, &delivery)?;
                    }
                }
            }
        }
        progress(PostStage::Done);
        let entry = self.finish(&id)?.unwrap_or(entry);
        Ok(Sent {
            id,
            accounts: entry.accounts,
        })
    }

    /// The thread of a row sent before, prepared again (its images read again, its quotes asked
    /// through `account`'s PDS), its images within `limits`.
    pub(super) async fn prepare_again(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        progress: Progress<'_>,
        limits: ImageLimits,
    ) -> Result<PreparedThread> {
        // The row passed the checks when it was saved; the analyses are needed again.
        let analyses = validate::check(&entry.composition, entry.images, false)?;
        let account = self.core.accounts().find(&account.did)?;
        let quotes = self.resolve_quotes(&entry.composition, &account).await?;
        Preparer::new(self.core, entry.images, limits)
            .prepare(&entry.composition, analyses, quotes, progress)
            .await
    }

    fn set(&self, id: &str, did: &str, delivery: &Delivery) -> Result<()> {
        self.core
            .store
            .outbox_set_delivery(id, did, delivery, &crate::store::now_rfc3339())
    }

    async fn deliver(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        thread: &PreparedThread,
        progress: Progress<'_>,
        cancel: &Cancel,
    ) -> Delivery {
        match self
            .write_thread(entry, account, thread, progress, cancel)
            .await
        {
            Ok(posts) => Delivery::Posted { posts },
            Err(error) => {
                tracing::warn!(
                    did = account.did,
                    code = error.code.as_str(),
                    "outbox: the thread was not posted"
                );
                Delivery::Failed { error }
            }
        }
    }

    /// Writes the thread on one account, with its fate known before anything is reported. After a
    /// failure that may have reached the server ([`XrpcError::outcome_unknown`]) the root is looked
    /// up: there → posted; certainly absent → one more try under the same keys, which can never
    /// make a second copy (a key is taken once); the look-up failing → an error saying it may be
    /// posted. An image refused as too large, on upload or on the write, makes the thread prepared
    /// again for an older server and sent once more under the same keys. `cancel` stops everything
    /// before the first write; from the write on it is not heard (`cancel.rs`).
    async fn write_thread(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        thread: &PreparedThread,
        progress: Progress<'_>,
        cancel: &Cancel,
    ) -> Result<Vec<PublishedPost>> {
        let id = entry.id.as_str();
        let stored = self.core.accounts().find(&account.did)?;
        let pds = crate::accounts::parse_stored_url(&stored.pds)?;
        let did = stored.did.as_str();
        let first = self.first_build(entry, account, &pds, thread, progress);
        let (mut smaller, mut built) = cancel.unless(first).await?;
        // The last look: once the attempt is counted the write goes, and its outcome is learnt.
        cancel.check()?;
        let mut tries = 0;
        loop {
            tries += 1;
            self.core
                .store
                .outbox_count_attempt(id, did, &crate::store::now_rfc3339())?;
            let written = self
                .core
                .accounts()
                .authed(did, |pds, access| {
                    let xrpc = self.core.xrpc.clone();
                    let writes = &built.writes;
                    async move {
                        match xrpc.apply_writes(&pds, &access, did, writes).await {
                            Ok(records) => Ok(Write::Done(records)),
                            Err(err) if err.outcome_unknown() => Ok(Write::Unknown(err)),
                            Err(err) if err.blob_too_large() => Ok(Write::TooLarge(err)),
                            Err(err) => Err(err),
                        }
                    }
                })
                .await?;
            let err = match written {
                Write::Done(mut records) => {
                    records.truncate(account.rkeys.len());
                    for (record, computed) in records.iter().zip(&built.cids) {
                        if record.cid != *computed {
                            tracing::error!(
                                did,
                                uri = record.uri,
                                "a post's CID differs from the one computed for its replies"
                            );
                        }
                    }
                    self.core.mentions().remember(&built.mentioned);
                    let written = records.into_iter().zip(&built.embeds);
                    let found = written.map(|(at, embed)| WrittenPost {
                        at,
                        embed: embed.map(str::to_owned),
                    });
                    return Ok(posted(found.collect(), &stored.handle));
                }
                Write::Unknown(err) => crate::accounts::describe_xrpc_error(&err),
                Write::TooLarge(refusal) => {
                    // Refused whole: nothing was written, so the same keys are free.
                    let current = smaller.as_ref().unwrap_or(thread);
                    let again = self
                        .smaller_after(entry, account, &pds, current, &refusal)
                        .await?;
                    let current = smaller.insert(again);
                    // A new write of the same keys: its own outcome decides whether to look it up.
                    tries = 0;
                    built = match self
                        .build_thread(did, &pds, &account.rkeys, current, progress)
                        .await?
                    {
                        Built::Ready(built) => built,
                        Built::TooLarge(refusal) => {
                            return Err(crate::accounts::describe_xrpc_error(&refusal))
                        }
                    };
                    continue;
                }
            };
            tracing::warn!(
                did,
                code = err.code.as_str(),
                "applyWrites outcome unknown; looking the thread up"
            );
            match self.find_thread(&pds, did, &account.rkeys).await {
                Ok(Some(found)) => {
                    tracing::info!(did, "the thread was written after all");
                    self.core.mentions().remember(&built.mentioned);
                    return Ok(posted(found, &stored.handle));
                }
                Ok(None) if tries < 2 => {
                    tracing::warn!(
                        did,
                        "the thread is not there; trying once more under the same keys"
                    );
                }
                Ok(None) => return Err(err),
                Err(lookup) => return Err(unconfirmed_after(&err, &lookup)),
            }
        }
    }

    /// The batch first written to `account`: the thread made smaller first for a server known to be
    /// older, and again whenever the server refuses an image as too large; with the smaller thread
    /// when one was made.
    async fn first_build(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        pds: &Url,
        thread: &PreparedThread,
        progress: Progress<'_>,
    ) -> Result<(Option<PreparedThread>, BuiltThread)> {
        let mut smaller = self.for_server(entry, account, pds, thread).await?;
        loop {
            let current = smaller.as_ref().unwrap_or(thread);
            match self
                .build_thread(&account.did, pds, &account.rkeys, current, progress)
                .await?
            {
                Built::Ready(built) => return Ok((smaller, built)),
                Built::TooLarge(refusal) => {
                    let again = self
                        .smaller_after(entry, account, pds, current, &refusal)
                        .await?;
                    smaller = Some(again);
                }
            }
        }
    }

    /// One account's batch: mentions resolved for it and blobs uploaded to it (in parallel), then
    /// the records ([`thread::thread_records`]), refused whole when the server would refuse their
    /// size; or the server's refusal of an image as too large.
    async fn build_thread(
        &self,
        did: &str,
        pds: &Url,
        rkeys: &[String],
        thread: &PreparedThread,
        progress: Progress<'_>,
    ) -> Result<Built> {
        let (facets, mentioned) =
            thread::resolve_mentions(&self.core.xrpc, pds, &thread.posts).await;
        let blobs = match self.upload_blobs(did, &thread.posts, progress).await? {
            Uploaded::Blobs(blobs) => blobs,
            Uploaded::TooLarge(refusal) => return Ok(Built::TooLarge(refusal)),
        };
        let mut built = thread::thread_records(
            did,
            rkeys,
            thread,
            Resolved { facets, blobs },
            OffsetDateTime::now_utc(),
        )?;
        thread::check_size(&built)?;
        built.mentioned = mentioned;
        Ok(Built::Ready(built))
    }

    /// Uploads every image of the thread (and the card thumbnails) to the account, all at once,
    /// then its videos one after the other, and hands each post its blobs; or the server's refusal
    /// of an image as too large.
    async fn upload_blobs(
        &self,
        did: &str,
        posts: &[PreparedPost],
        progress: Progress<'_>,
    ) -> Result<Uploaded> {
        let uploads: Vec<(usize, &PreparedImage)> = posts
            .iter()
            .enumerate()
            .flat_map(|(index, post)| {
                let images = post.images.iter().map(|(image, _)| image);
                let thumb = post
                    .card
                    .iter()
                    .filter(|_| post.images.is_empty() && post.video.is_none())
                    .filter_map(|(_, thumb)| thumb.as_ref());
                images.chain(thumb).map(move |image| (index, image))
            })
            .collect();
        let accounts = self.core.accounts();
        let calls = uploads.iter().map(|(_, image)| {
            accounts.authed(did, move |pds, access| {
                let xrpc = self.core.xrpc.clone();
                let bytes = image.bytes.clone();
                async move {
                    match xrpc
                        .upload_blob(&pds, &access, bytes, image.mime_type)
                        .await
                    {
                        Ok(blob) => Ok(Ok(blob)),
                        Err(err) if err.blob_too_large() => Ok(Err(err)),
                        Err(err) => Err(err),
                    }
                }
            })
        });
        let uploaded: Vec<std::result::Result<Blob, XrpcError>> =
            futures_util::future::join_all(calls)
                .await
                .into_iter()
                .collect::<Result<_>>()?;
        let mut blobs: Vec<PostBlobs> = vec![PostBlobs::default(); posts.len()];
        for ((index, _), blob) in uploads.iter().zip(uploaded) {
            match blob {
                Ok(blob) => blobs[*index].images.push(blob),
                Err(refusal) => return Ok(Uploaded::TooLarge(refusal)),
            }
        }
        for (post, blobs) in posts.iter().zip(&mut blobs) {
            if let Some(video) = &post.video {
                blobs.video = Some(self.upload_video(did, video, progress).await?);
            }
        }
        Ok(Uploaded::Blobs(blobs))
    }
}

/// One account's uploads: the blobs of each post, or the server's refusal of an image as too large.
enum Uploaded {
    Blobs(Vec<PostBlobs>),
    TooLarge(XrpcError),
}

/// One account's batch ready to write, or the server's refusal of an image as too large.
enum Built {
    Ready(BuiltThread),
    TooLarge(XrpcError),
}

/// What became of one applyWrites: done, or sent without a known outcome (a lost answer, a 5xx),
/// which must be settled by looking the thread up; or an image refused as too large (nothing
/// written). Another certain failure is an error.
enum Write {
    Done(Vec<StrongRef>),
    Unknown(XrpcError),
    TooLarge(XrpcError),
}

/// The write failed unclearly and the look-up failed too.
fn unconfirmed_after(err: &Error, lookup: &XrpcError) -> Error {
    let mut error = unconfirmed(lookup);
    error.message = format!("{} {}", err.message, error.message);
    error
}
