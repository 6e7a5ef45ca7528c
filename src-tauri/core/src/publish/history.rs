//! The short history of posts that went out: once a thread is on every account its outbox row goes,
//! and what the Queue (and `hayon-cli schedule history`) shows of it afterwards is kept instead —
//! when it finished, its opening words, how many posts, and per account the link to the root post.
//! Written by whichever sender finishes the row (the window's Post or its background sender,
//! `schedule send-due`, `outbox retry`), in the same transaction that deletes the row
//! (`store/history.rs`), so it is listed once and never lost. A row discarded or cancelled, or one
//! that still lacks an account, is not posted and is never listed.

use super::entry::{Delivery, OutboxEntry};
use super::Posting;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

/// How much of the first post's text is kept: the opening words, enough for any list.
const TEXT_GRAPHEMES: usize = 300;

/// A thread that reached every account, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Posted {
    /// The outbox row's id (a TID).
    pub id: String,
    /// When the last account got it (RFC 3339, UTC).
    pub posted_at: String,
    /// The first post's text, its first 300 graphemes.
    pub text: String,
    /// How many posts the thread had.
    pub posts: u32,
    /// In the order the composition named the accounts.
    pub accounts: Vec<PostedAccount>,
}

/// Where the thread is on one account: its root post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PostedAccount {
    /// The account's DID (`account`, as in every other result of the CLI).
    #[serde(rename = "account")]
    pub did: String,
    /// Its handle when the thread went.
    pub handle: String,
    /// The root post's `at://` URI.
    pub uri: String,
    /// The root post on bsky.app.
    pub url: String,
}

impl Posted {
    /// What the history keeps of `entry`, finished at `posted_at`; `None` while an account lacks it.
    pub(crate) fn of(entry: &OutboxEntry, posted_at: String) -> Option<Self> {
        let accounts = entry
            .accounts
            .iter()
            .map(|account| match &account.state {
                Delivery::Posted { posts } => posts.first().map(|root| PostedAccount {
                    did: account.did.clone(),
                    handle: account.handle.clone(),
                    uri: root.at.uri.clone(),
                    url: root.url.clone(),
                }),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let text = entry
            .composition
            .posts
            .first()
            .map(|post| post.text.graphemes(true).take(TEXT_GRAPHEMES).collect())
            .unwrap_or_default();
        Some(Self {
            id: entry.id.clone(),
            posted_at,
            text,
            posts: u32::try_from(entry.composition.posts.len()).unwrap_or(u32::MAX),
            accounts,
        })
    }
}

impl Posting<'_> {
    /// The posts that reached every account, the newest first (at most the last 50).
    pub fn history(&self) -> Result<Vec<Posted>> {
        self.core.store.posted_history()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::{AccountDelivery, PublishedPost};
    use crate::records::StrongRef;

    fn entry(states: Vec<Delivery>) -> OutboxEntry {
        let accounts = states
            .into_iter()
            .enumerate()
            .map(|(n, state)| AccountDelivery {
                attempts: 1,
                state,
                ..AccountDelivery::for_test(
                    &format!("did:plc:{n}"),
                    &format!("user{n}.test"),
                    &["3ka1", "3ka2"],
                )
            })
            .collect();
        let long = format!("{} end", "é".repeat(400));
        OutboxEntry::for_test("3kx", &[&long, ""], accounts)
    }

    fn posted(n: usize) -> Delivery {
        let post = |rkey: &str| {
            PublishedPost::new(
                StrongRef {
                    uri: format!("at://did:plc:{n}/app.bsky.feed.post/{rkey}"),
                    cid: "bafy".into(),
                },
                &format!("user{n}.test"),
            )
        };
        Delivery::Posted {
            posts: vec![post("3ka1"), post("3ka2")],
        }
    }

    #[test]
    fn a_thread_on_every_account_keeps_its_opening_words_and_each_root_link() {
        let kept = Posted::of(&entry(vec![posted(0), posted(1)]), "t".into()).expect("posted");
        assert_eq!(kept.text.graphemes(true).count(), TEXT_GRAPHEMES);
        assert!(kept.text.chars().all(|c| c == 'é'), "cut at a grapheme");
        assert_eq!(kept.posts, 2);
        assert_eq!(kept.accounts.len(), 2);
        assert_eq!(
            kept.accounts[1].url,
            "https://bsky.app/profile/user1.test/post/3ka1"
        );
        assert_eq!(
            serde_json::to_value(&kept.accounts[0]).expect("json"),
            serde_json::json!({"account": "did:plc:0", "handle": "user0.test",
                "uri": "at://did:plc:0/app.bsky.feed.post/3ka1",
                "url": "https://bsky.app/profile/user0.test/post/3ka1"})
        );
    }

    #[test]
    fn a_thread_an_account_lacks_is_not_history() {
        let failed = Delivery::Failed {
            error: crate::Error::new(crate::ErrorCode::Network, "Offline."),
        };
        assert_eq!(
            Posted::of(&entry(vec![posted(0), failed]), "t".into()),
            None
        );
        assert_eq!(
            Posted::of(&entry(vec![Delivery::Pending]), "t".into()),
            None
        );
    }
}
