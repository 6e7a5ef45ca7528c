//! The outbox: pressing Post first saves the composition, with the record keys of every post of the
//! thread chosen once per account; the sender works from that row. A retry, a restart after a crash
//! or a second press reuses the same keys, so no post is ever made twice, and accounts that have the
//! thread are never written to again. The row goes (with the window's staged images) when every
//! account has the thread, into the short history of posts sent (`history.rs`); until then it is what the window shows and "Retry failed" sends.
//!
//! Per account the whole thread is one `com.atproto.repo.applyWrites` (`send.rs`): every post, the
//! threadgate and the postgates, all or nothing. A write whose outcome is unknown (a lost answer, a
//! 5xx, a crash) is settled by looking the thread's root up under its key (`lookup.rs`): the batch
//! is atomic, so the root there means the whole thread is there.

use super::cancel::{self, Cancel};
use super::claim;
use super::entry::{AccountDelivery, Delivery, ImageFiles, OutboxEntry};
use super::prepare::Preparer;
use super::quote::{self, QuotedPost};
use super::{validate, Due, PostStage, Posting};
use crate::compose::Analysis;
use crate::composition::Composition;
use crate::error::{Error, ErrorCode, Result};
use crate::media::ImageLimits;
use crate::records::StrongRef;
use serde::Serialize;

/// How a composition is to be sent.
#[derive(Debug, Clone, Copy)]
pub struct PostOptions {
    /// What its image paths name: the window's staged copies, or files the person named (CLI).
    pub images: ImageFiles,
    /// Refuse images without alt text (`--require-alt`); the stored setting applies as well.
    pub require_alt_text: bool,
    /// The window's draft of this composition: kept in the row and deleted (with the staged images
    /// nothing else uses) once every account has the thread, by whichever sender finishes it, so a
    /// restart never brings back a thread that was sent; kept until then, to try again. The same
    /// for a scheduled post: its draft goes when the post has gone everywhere.
    pub draft: Option<i64>,
    /// What a composition without languages means.
    pub unset_langs: UnsetLangs,
}

/// What a composition that names no language means, which only its maker knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsetLangs {
    /// None were chosen (the window: the person removed every language): the posts carry none.
    NoLanguage,
    /// None were given (the CLI without `--lang`): the languages a new post starts with, as in the
    /// window: the ones last chosen by hand, else the system's.
    Defaults,
}

/// The answer to a send: the outbox row's id (gone from the outbox when every account has the
/// thread) and where the thread stands on each account, in the composition's order: the row's own
/// per-account state, as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Sent {
    pub id: String,
    pub accounts: Vec<AccountDelivery>,
}

impl Sent {
    /// Whether every account has the thread.
    pub fn posted_everywhere(&self) -> bool {
        super::entry::posted_everywhere(&self.accounts)
    }
}

/// Reports the stages of a send, for a progress indicator.
pub type Progress<'a> = &'a (dyn Fn(PostStage) + Send + Sync);

impl Posting<'_> {
    /// Checks `composition` (nothing is saved or sent when it cannot be posted whole), saves it in the
    /// outbox with its record keys, and sends it to every account it names.
    ///
    /// `cancel` stops it up to each account's write (`cancel.rs`). Stopped before anything was
    /// written anywhere, the post leaves nothing behind: the row goes (its staged files stay, for
    /// the composer that still has them) and the answer is a [`crate::ErrorCode::Cancelled`] error.
    pub async fn post(
        &self,
        composition: Composition,
        options: PostOptions,
        progress: Progress<'_>,
        cancel: &Cancel,
    ) -> Result<Sent> {
        let (entry, checked) = self.new_entry(composition, &options, None)?;
        let preparing = async {
            let quotes = self
                .resolve_quotes(&entry.composition, &checked.first_account)
                .await?;
            Preparer::new(self.core, options.images, ImageLimits::POST)
                .prepare(&entry.composition, checked.analyses, quotes, progress)
                .await
        };
        let prepared = cancel.unless(preparing).await?;
        // Claimed from the start: no other sender takes the row while this one sends it.
        let holder = claim::new_holder();
        self.core
            .store
            .insert_outbox(&entry, Some(&claim::until_later(&holder)))?;
        let id = entry.id.clone();
        let sent = self
            .send_renewing(entry, Some(prepared), progress, &holder, cancel)
            .await;
        // Removed before the claim is let go, so that no other sender takes it meanwhile. Its
        // staged files stay: the window's composer still shows them (the start-up sweep takes them
        // once nothing uses them).
        if sent.as_ref().is_ok_and(cancelled_before_any_write)
            && self.core.store.delete_outbox_held(&id, &holder)?
        {
            return Err(cancel::cancelled());
        }
        self.core.store.release_outbox(&id, &holder)?;
        sent
    }

    /// A new row for `composition`, checked whole, with its record keys chosen per account; nothing
    /// is saved yet.
    pub(super) fn new_entry(
        &self,
        mut composition: Composition,
        options: &PostOptions,
        due: Option<Due>,
    ) -> Result<(OutboxEntry, Checked)> {
        let preferences = self.core.settings().load()?;
        if composition.langs.is_empty() && options.unset_langs == UnsetLangs::Defaults {
            composition.langs = preferences.langs_for_new_post();
        }
        let require_alt_text = options.require_alt_text || preferences.require_alt_text;
        let analyses = validate::check(&composition, options.images, require_alt_text)?;
        let targets = self.resolve_targets(&composition.accounts)?;
        let posts = composition.posts.len();
        let entry = OutboxEntry {
            id: crate::tid::next_tid(),
            created_at: crate::store::now_rfc3339(),
            due,
            draft: options.draft,
            images: options.images,
            composition,
            accounts: targets
                .iter()
                .map(|account| AccountDelivery {
                    did: account.did.clone(),
                    handle: account.handle.clone(),
                    rkeys: (0..posts).map(|_| crate::tid::next_tid()).collect(),
                    attempts: 0,
                    state: Delivery::Pending,
                    retry_at: None,
                })
                .collect(),
        };
        let first_account = targets
            .into_iter()
            .next()
            .ok_or_else(|| Error::validation("Choose at least one account to post to."))?;
        Ok((
            entry,
            Checked {
                analyses,
                first_account,
            },
        ))
    }

    /// Sends an outbox row again to the accounts that do not have its thread yet ("Retry failed",
    /// `hayon-cli outbox retry`). Accounts whose write may have arrived are looked up first. An
    /// account `cancel` stops before its write stays in the row, failed as cancelled.
    pub async fn retry(&self, id: &str, progress: Progress<'_>, cancel: &Cancel) -> Result<Sent> {
        let holder = self.claim_or_busy(id)?;
        // Read under the claim: another sender may have finished it just before.
        let entry = match self.core.store.outbox_entry(id) {
            Ok(Some(entry)) if entry.due.is_some() && !entry.tried() => Err(Error::validation(
                "This post is scheduled and has not been sent yet: send it now from the queue \
                 (hayon-cli schedule send), or let it go at its time.",
            )),
            Ok(Some(entry)) => Ok(entry),
            Ok(None) => Err(missing(id)),
            Err(err) => Err(err),
        };
        match entry {
            Ok(entry) => {
                self.send_claimed(entry, None, progress, &holder, cancel)
                    .await
            }
            Err(err) => {
                self.core.store.release_outbox(id, &holder)?;
                Err(err)
            }
        }
    }

    /// Every row still in the outbox that has been sent, or tried, to some account (a scheduled
    /// post not yet sent anywhere is in the queue, [`Posting::scheduled`]), oldest first, with each
    /// account's state: what the window shows at start.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut entries = self.core.store.outbox_entries()?;
        entries.retain(|entry| entry.due.is_none() || entry.tried());
        Ok(entries)
    }

    /// At start: settles what a crash left unknown by looking records up (it never writes to a
    /// server). An account whose write was sent and whose thread is there becomes posted; a row
    /// posted everywhere goes. Returns the rows that remain.
    pub async fn reconcile(&self) -> Result<Vec<OutboxEntry>> {
        for entry in self.core.store.outbox_entries()? {
            let unsure = entry.accounts.iter().filter(|account| {
                account.attempts > 0 && !matches!(account.state, Delivery::Posted { .. })
            });
            let checks = unsure.map(|account| self.settle(&entry.id, account));
            for (did, found) in futures_util::future::join_all(checks).await {
                if let Err(err) = found {
                    tracing::info!(
                        did,
                        code = err.code.as_str(),
                        "outbox: could not check an earlier write yet"
                    );
                }
            }
            self.finish(&entry.id)?;
        }
        self.outbox()
    }

    /// Drops an outbox row (the person gave up on it) and its staged images, unless a draft still
    /// uses them. What is posted stays posted. A row a sender is sending right now is not dropped.
    pub fn discard(&self, id: &str) -> Result<()> {
        let holder = self.claim_or_busy(id)?;
        let discarded = self.discard_claimed(id);
        if discarded.is_err() {
            self.core.store.release_outbox(id, &holder)?;
        }
        discarded
    }

    /// [`Posting::discard`], for a caller that holds the row's claim.
    pub(super) fn discard_claimed(&self, id: &str) -> Result<()> {
        let entry = self
            .core
            .store
            .outbox_entry(id)?
            .ok_or_else(|| missing(id))?;
        self.core.store.delete_outbox(id)?;
        self.forget_images(&entry)
    }

    /// The post `pasted` names, looked up through the PDS of the connected account `account` (DID or
    /// handle): what the composer previews before posting a quote.
    pub async fn quoted(&self, account: &str, pasted: &str) -> Result<QuotedPost> {
        let account = self.core.accounts().find(account)?;
        let pds = crate::accounts::parse_stored_url(&account.pds)?;
        quote::resolve(&self.core.xrpc, &pds, pasted).await
    }

    /// The accounts to post to, each once, in the order given.
    pub(super) fn resolve_targets(&self, keys: &[String]) -> Result<Vec<crate::Account>> {
        if keys.is_empty() {
            return Err(Error::validation("Choose at least one account to post to."));
        }
        let mut accounts: Vec<crate::Account> = Vec::new();
        for key in keys {
            let account = self.core.accounts().find(key)?;
            if !accounts.iter().any(|known| known.did == account.did) {
                accounts.push(account);
            }
        }
        Ok(accounts)
    }

    /// The post each post quotes, as `{uri, cid}`, asked through `account`'s PDS: resolved once for
    /// every account (a post is the same wherever it is asked about), before anything is saved, so a
    /// quote of a post that does not exist is refused whole.
    pub(super) async fn resolve_quotes(
        &self,
        composition: &Composition,
        account: &crate::Account,
    ) -> Result<Vec<Option<StrongRef>>> {
        let mut quotes = Vec::with_capacity(composition.posts.len());
        for post in &composition.posts {
            quotes.push(match &post.quote {
                Some(pasted) => {
                    let pds = crate::accounts::parse_stored_url(&account.pds)?;
                    let quoted = quote::resolve(&self.core.xrpc, &pds, pasted).await?;
                    Some(quoted.reference)
                }
                None => None,
            });
        }
        Ok(quotes)
    }

    /// Deletes the row when every account has the thread, with the draft it was posted from (so a
    /// restart never offers a sent thread again, whichever sender finished it) and the staged images
    /// they used; the posted history gets its line in the deletion's transaction. Returns the row as
    /// it stands.
    pub(super) fn finish(&self, id: &str) -> Result<Option<OutboxEntry>> {
        let Some(entry) = self.core.store.outbox_entry(id)? else {
            return Ok(None);
        };
        let now = jiff::Timestamp::now();
        // Whole seconds, as the rest of the queue shows times.
        let posted_at = jiff::Timestamp::from_second(now.as_second()).unwrap_or(now);
        if let Some(posted) = super::Posted::of(&entry, posted_at.to_string()) {
            self.core
                .store
                .finish_outbox(id, &posted, posted_at.as_second())?;
            if let Some(draft) = entry.draft {
                self.core.drafts().delete(draft)?;
            }
            self.forget_images(&entry)?;
        }
        Ok(Some(entry))
    }

    /// Deletes the staged images of a row that is gone, except those a saved draft (the window keeps
    /// the draft of a thread that failed) or another row still uses.
    pub(super) fn forget_images(&self, entry: &OutboxEntry) -> Result<()> {
        match entry.images {
            ImageFiles::Staged => self.core.drafts().forget_unused_images(&entry.composition),
            ImageFiles::Named => Ok(()),
        }
    }
}

/// What [`Posting::new_entry`] found while checking a composition, for preparing it.
pub(super) struct Checked {
    pub(super) analyses: Vec<Analysis>,
    /// The first account it goes to: quotes are looked up through its PDS.
    pub(super) first_account: crate::Account,
}

/// Whether a cancel stopped `sent` before anything was written to any of its accounts.
fn cancelled_before_any_write(sent: &Sent) -> bool {
    let cancelled = sent.accounts.iter().any(|account| {
        matches!(&account.state, Delivery::Failed { error } if error.code == ErrorCode::Cancelled)
    });
    let untouched = sent
        .accounts
        .iter()
        .all(|account| account.attempts == 0 && !matches!(account.state, Delivery::Posted { .. }));
    cancelled && untouched
}

pub(super) fn missing(id: &str) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("The outbox has no post {id}: it was posted everywhere or discarded."),
    )
}
