//! Editing a post that is still on its way: a scheduled post, or one that did not reach some of its
//! accounts. The new composition is checked as Post checks one and becomes what every account that
//! does not have the thread yet will get. Accounts that have it keep what they got: a published
//! post cannot be changed, and Hayon never deletes and posts again behind the person's back, so such
//! an account cannot be taken off the post either.
//!
//! It can never make a post go twice: the row is changed under its claim (no sender sends it
//! meanwhile), an account whose last write has an unknown outcome is looked up first (it may have
//! the earlier version), and the record keys chosen when the row was made are kept: a thread that
//! grew gets new keys for its new posts only, so a late write of the earlier version and the edited
//! one share their root's key and only one of them can exist.

use super::entry::{AccountDelivery, Delivery, ImageFiles, OutboxEntry};
use super::outbox::{missing, PostOptions};
use super::Posting;
use crate::composition::Composition;
use crate::error::{Error, Result};

impl Posting<'_> {
    /// Replaces what outbox row `id` (scheduled or partly sent) will send with `composition`; its
    /// time and the accounts that have it already stay. Returns the row as edited.
    pub async fn edit(
        &self,
        id: &str,
        composition: Composition,
        options: PostOptions,
    ) -> Result<OutboxEntry> {
        let holder = self.claim_or_busy(id)?;
        let edited = self.edit_claimed(id, composition, &options).await;
        self.core.store.release_outbox(id, &holder)?;
        edited
    }

    async fn edit_claimed(
        &self,
        id: &str,
        composition: Composition,
        options: &PostOptions,
    ) -> Result<OutboxEntry> {
        let before = self.settled_entry(id).await?;
        let (mut fresh, _) = self.new_entry(composition, options, before.due.clone())?;
        match (fresh.images, before.images) {
            // Files named for a post of the window's, or a queued one, are staged now, as when a
            // post is queued.
            (ImageFiles::Named, ImageFiles::Staged) => {
                self.stage_named_files(&mut fresh.composition).await?;
                fresh.images = ImageFiles::Staged;
            }
            (ImageFiles::Named, ImageFiles::Named) => {}
            // The window's edit names staged copies only (the web view is untrusted); a post
            // hayon-cli made becomes one of the window's.
            (ImageFiles::Staged, _) => {
                self.core.attachments.names_in(&fresh.composition)?;
            }
        }
        let accounts = merged_accounts(&before.accounts, fresh.accounts)?;
        let draft = options.draft.or(before.draft);
        self.core
            .store
            .outbox_revise(id, &fresh.composition, fresh.images, &accounts, draft)?;
        // The draft a scheduled post was made from comes back when the post is cancelled: it holds
        // the edited text too. Saving it lets go of the images neither it nor the row uses now.
        if let Some(draft) = draft {
            let now = crate::store::now_rfc3339();
            self.core
                .drafts()
                .save(Some(draft), &fresh.composition, &now)?;
        }
        self.forget_images(&before)?;
        self.core.store.outbox_entry(id)?.ok_or_else(|| missing(id))
    }

    /// Row `id`, with every account whose last write may have arrived looked up: it has the post
    /// (and keeps it) or it does not. One that cannot be looked up now stops the edit.
    async fn settled_entry(&self, id: &str) -> Result<OutboxEntry> {
        let mut entry = self
            .core
            .store
            .outbox_entry(id)?
            .ok_or_else(|| missing(id))?;
        let unsure = entry
            .accounts
            .iter_mut()
            .filter(|account| account.attempts > 0 && account.state == Delivery::Pending);
        for account in unsure {
            match self.settle(id, account).await.1 {
                // Recorded as posted: the row under the claim now reads as this.
                Ok(Some(posted)) => *account = posted,
                Ok(None) => {}
                Err(err) => {
                    let message = format!(
                        "Hayon cannot tell yet whether @{} got this post, so it cannot be edited \
                         now: {}",
                        account.handle, err.message
                    );
                    return Err(Error::new(err.code, message));
                }
            }
        }
        Ok(entry)
    }
}

/// The accounts of an edited row, in the edit's order: an account that has the thread keeps its
/// delivery as it is; one that does not keeps its state and record keys (as many as the edited
/// thread has posts, new keys for new posts); a new account gets `fresh`'s. An account that has the
/// thread and is missing from the edit is refused.
fn merged_accounts(
    before: &[AccountDelivery],
    fresh: Vec<AccountDelivery>,
) -> Result<Vec<AccountDelivery>> {
    if let Some(kept) = before.iter().find(|old| {
        matches!(old.state, Delivery::Posted { .. }) && !fresh.iter().any(|new| new.did == old.did)
    }) {
        return Err(Error::validation(format!(
            "@{} has this post already and keeps it, so it stays among the accounts: choose it \
             again to save the changes for the others.",
            kept.handle
        )));
    }
    Ok(fresh
        .into_iter()
        .map(|new| match before.iter().find(|old| old.did == new.did) {
            Some(old) if matches!(old.state, Delivery::Posted { .. }) => old.clone(),
            Some(old) => AccountDelivery {
                rkeys: old
                    .rkeys
                    .iter()
                    .chain(new.rkeys.iter().skip(old.rkeys.len()))
                    .take(new.rkeys.len())
                    .cloned()
                    .collect(),
                ..old.clone()
            },
            None => new,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::PublishedPost;
    use crate::records::StrongRef;

    fn account(did: &str, rkeys: &[&str], state: Delivery) -> AccountDelivery {
        AccountDelivery {
            attempts: u32::from(state != Delivery::Pending),
            state,
            ..AccountDelivery::for_test(did, &format!("{}.test", &did[8..]), rkeys)
        }
    }

    fn posted() -> Delivery {
        let at = StrongRef {
            uri: "at://did:plc:alice/app.bsky.feed.post/a1".into(),
            cid: "bafy".into(),
        };
        Delivery::Posted {
            posts: vec![PublishedPost::new(at, "alice.test")],
        }
    }

    #[test]
    fn an_account_that_has_the_thread_keeps_it_and_the_others_keep_their_keys() {
        let failed = Delivery::Failed {
            error: Error::validation("Refused."),
        };
        let before = [
            account("did:plc:alice", &["a1", "a2"], posted()),
            account("did:plc:bobby", &["b1", "b2"], failed.clone()),
        ];
        // The edit has three posts, and adds carol.
        let fresh = vec![
            account("did:plc:bobby", &["n1", "n2", "n3"], Delivery::Pending),
            account("did:plc:alice", &["n4", "n5", "n6"], Delivery::Pending),
            account("did:plc:carol", &["n7", "n8", "n9"], Delivery::Pending),
        ];
        let merged = merged_accounts(&before, fresh).expect("merged");
        assert_eq!(merged[0].rkeys, ["b1", "b2", "n3"]);
        assert_eq!(merged[0].state, failed);
        assert_eq!(merged[1], before[0]);
        assert_eq!(merged[2].rkeys, ["n7", "n8", "n9"]);
    }

    #[test]
    fn a_shorter_thread_keeps_the_first_keys() {
        let before = [account(
            "did:plc:bobby",
            &["b1", "b2", "b3"],
            Delivery::Pending,
        )];
        let fresh = vec![account("did:plc:bobby", &["n1"], Delivery::Pending)];
        let merged = merged_accounts(&before, fresh).expect("merged");
        assert_eq!(merged[0].rkeys, ["b1"]);
    }

    #[test]
    fn an_account_that_has_the_thread_cannot_be_taken_off() {
        let before = [
            account("did:plc:alice", &["a1"], posted()),
            account("did:plc:bobby", &["b1"], Delivery::Pending),
        ];
        let fresh = vec![account("did:plc:bobby", &["n1"], Delivery::Pending)];
        let err = merged_accounts(&before, fresh).expect_err("refused");
        assert!(
            err.message.contains("@alice.test has this post already"),
            "{}",
            err.message
        );
    }
}
