//! The sender: works from an outbox row. Per account, concurrently: an account that may hold the
//! thread already is looked up first; otherwise mentions and quotes are resolved, the images uploaded
//! (in parallel) and the whole thread written in one applyWrites under the row's record keys. Every
//! state is saved in the row as it becomes known, and the attempt is counted before the write
//! leaves, so a crash at any point is settled by the next start or retry.

use super::lookup::{posted, unconfirmed};
use super::{outcome, reader, AccountDelivery, Delivery, OutboxEntry, PostedRef, Progress, Sent};
use crate::attachments::Attachments;
use crate::error::{Error, Result};
use crate::posting::Posting;
use crate::posting::{self, PostStage, PreparedThread};
use crate::xrpc::XrpcError;
use std::sync::atomic::{AtomicBool, Ordering};

impl Posting<'_> {
    /// Sends `entry` to its accounts that do not have the thread; `prepared` when the caller has the
    /// thread prepared already (a new post), otherwise it is prepared again from the row.
    pub(super) async fn send(
        &self,
        entry: OutboxEntry,
        prepared: Option<PreparedThread>,
        attachments: Option<&Attachments>,
        progress: Progress<'_>,
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
                    return (account, Ok(false));
                }
                (account, self.settle(id, account).await.1)
            }
        }))
        .await;
        for (account, found) in settled {
            match found {
                Ok(true) => {}
                Ok(false) => to_write.push(account),
                Err(error) => self.set(&id, &account.account, &Delivery::Failed { error })?,
            }
        }

        if !to_write.is_empty() {
            let prepared = match prepared {
                Some(prepared) => Ok(prepared),
                None => {
                    self.prepare_again(&entry, to_write[0], attachments, progress)
                        .await
                }
            };
            match prepared {
                Err(error) => {
                    for account in &to_write {
                        let failed = Delivery::Failed {
                            error: error.clone(),
                        };
                        self.set(&id, &account.account, &failed)?;
                    }
                }
                Ok(thread) => {
                    progress(PostStage::Uploading);
                    let writes = to_write
                        .iter()
                        .map(|account| self.deliver(&id, account, &thread));
                    for (account, delivery) in to_write
                        .iter()
                        .zip(futures_util::future::join_all(writes).await)
                    {
                        self.set(&id, &account.account, &delivery)?;
                    }
                }
            }
        }
        progress(PostStage::Done);
        let entry = self.finish(&id)?.unwrap_or(entry);
        Ok(Sent {
            id,
            results: entry.accounts.iter().map(outcome).collect(),
        })
    }

    /// The thread of a row sent before, prepared again (its images read again, its quotes asked
    /// through `account`'s PDS).
    async fn prepare_again(
        &self,
        entry: &OutboxEntry,
        account: &AccountDelivery,
        attachments: Option<&Attachments>,
        progress: Progress<'_>,
    ) -> Result<PreparedThread> {
        // The row passed the checks when it was saved; the analyses are needed again.
        let analyses = posting::check(&entry.composition, entry.images, false)?;
        let account = self.core.accounts().find(&account.account)?;
        let quotes = self.resolve_quotes(&entry.composition, &account).await?;
        posting::prepare(
            &entry.composition,
            analyses,
            quotes,
            reader(attachments),
            &self.core.cards,
            progress,
        )
        .await
    }

    fn set(&self, id: &str, did: &str, delivery: &Delivery) -> Result<()> {
        self.core
            .store
            .outbox_set_delivery(id, did, delivery, &crate::store::now_rfc3339())
    }

    async fn deliver(
        &self,
        id: &str,
        account: &AccountDelivery,
        thread: &PreparedThread,
    ) -> Delivery {
        match self.write_thread(id, account, thread).await {
            Ok(posts) => Delivery::Posted { posts },
            Err(error) => {
                tracing::warn!(
                    did = account.account,
                    code = error.code.as_str(),
                    "outbox: the thread was not posted"
                );
                Delivery::Failed { error }
            }
        }
    }

    /// Writes the thread on one account, with its fate known before anything is reported. After a
    /// failure that may have reached the server ([`XrpcError::outcome_unknown`]) the root is looked
    /// up: there → posted; certainly absent → one more try under the same keys, which can never make
    /// a second copy (a key is taken once); the look-up failing → an error saying it may be posted.
    async fn write_thread(
        &self,
        id: &str,
        account: &AccountDelivery,
        thread: &PreparedThread,
    ) -> Result<Vec<PostedRef>> {
        let stored = self.core.accounts().find(&account.account)?;
        let pds = crate::accounts::parse_stored_url(&stored.pds)?;
        let did = stored.did.as_str();
        let built = posting::build_thread(*self, did, &pds, &account.rkeys, thread).await?;
        let mut tries = 0;
        loop {
            tries += 1;
            self.core
                .store
                .outbox_count_attempt(id, did, &crate::store::now_rfc3339())?;
            let unknown = AtomicBool::new(false);
            let written = self
                .core
                .accounts()
                .authed(did, |pds, access| {
                    let xrpc = self.core.xrpc.clone();
                    let unknown = &unknown;
                    let writes = &built.writes;
                    async move {
                        let result = xrpc.apply_writes(&pds, &access, did, writes).await;
                        let unclear = result.as_ref().is_err_and(XrpcError::outcome_unknown);
                        unknown.store(unclear, Ordering::Relaxed);
                        result
                    }
                })
                .await;
            let err = match written {
                Ok(mut records) => {
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
                    return Ok(posted(records, &stored.handle));
                }
                Err(err) if !unknown.load(Ordering::Relaxed) => return Err(err),
                Err(err) => err,
            };
            tracing::warn!(
                did,
                code = err.code.as_str(),
                "applyWrites outcome unknown; looking the thread up"
            );
            match self.find_thread(&pds, did, &account.rkeys).await {
                Ok(Some(records)) => {
                    tracing::info!(did, "the thread was written after all");
                    self.core.mentions().remember(&built.mentioned);
                    return Ok(posted(records, &stored.handle));
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
}

/// The write failed unclearly and the look-up failed too.
fn unconfirmed_after(err: &Error, lookup: &XrpcError) -> Error {
    let mut error = unconfirmed(lookup);
    error.message = format!("{} {}", err.message, error.message);
    error
}
