//! An outbox row as the window and the CLI see it: the composition, where its image paths come
//! from, and per account the record keys chosen once and what became of the thread there.

use super::Due;
use crate::composition::Composition;
use crate::error::Error;
use crate::records::StrongRef;
use serde::{Deserialize, Serialize};

/// One press of Post, kept until the thread is on every account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// A TID, chosen when the row is saved.
    pub id: String,
    /// When Post was pressed (RFC 3339).
    pub created_at: String,
    /// When it goes, for a scheduled post; `null` for one made by Post (due at once).
    pub due: Option<Due>,
    /// The window's draft it was posted from: deleted when every account has the thread.
    pub draft: Option<i64>,
    pub images: ImageFiles,
    pub composition: Composition,
    /// In the order the composition names the accounts.
    pub accounts: Vec<AccountDelivery>,
}

/// What the image paths of a composition name. Decided by the caller, never read from the
/// composition's JSON: the web view is untrusted, so what the window sends is confined to its
/// staged copies, whichever process sends the row later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ImageFiles {
    /// Staged copies in `<data>/attachments` (the window): prepared already, deleted once the row
    /// is done, and nothing else is read.
    Staged,
    /// Any file the person names (the CLI): prepared when sent, never deleted.
    Named,
}

impl ImageFiles {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Staged => "staged",
            Self::Named => "named",
        }
    }

    pub(crate) fn parse(text: &str) -> Self {
        // Anything unknown is treated as the confined kind: the safe reading.
        if text == "named" {
            Self::Named
        } else {
            Self::Staged
        }
    }
}

/// The thread on one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AccountDelivery {
    /// The account's DID (`account` in JSON, as the CLI documents it).
    #[serde(rename = "account")]
    pub did: String,
    /// Its handle (as stored now; when it was disconnected, as it was when Post was pressed).
    pub handle: String,
    /// The record key of each post of the thread, in order: chosen once, reused by every try, so the
    /// server can hold each post at most once.
    pub rkeys: Vec<String>,
    /// How many times a write was sent (or may have been): more than zero means the records must be
    /// looked up before anything is written again.
    pub attempts: u32,
    #[serde(flatten)]
    pub state: Delivery,
    /// When the rate limit a failed send met ends (unix seconds), as the server named it
    /// (`Retry-After` / `RateLimit-Reset`): not tried again by itself before then. Kept in the
    /// database only.
    #[serde(skip)]
    pub retry_at: Option<i64>,
}

/// Where the thread stands on one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Delivery {
    /// Not sent yet, or sent and not known to have arrived (a crash, an unknown outcome).
    Pending,
    /// Every post is on the account.
    Posted { posts: Vec<PublishedPost> },
    /// The last try failed, and the server holds none of it as far as Hayon could tell.
    Failed { error: Error },
}

impl Delivery {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posted { .. } => "posted",
            Self::Failed { .. } => "failed",
        }
    }
}

/// A published post: where it lives (`{uri, cid}`, flattened: JSON `{uri, cid, url, embed}`), its
/// bsky.app address and its embed's `$type` (e.g. `app.bsky.embed.gallery`; none for text only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PublishedPost {
    #[serde(flatten)]
    pub at: StrongRef,
    pub url: String,
    /// Left out when the post has none (and in rows written before Hayon kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub embed: Option<String>,
}

impl PublishedPost {
    /// A post of `handle`; the URL is made from the URI's record key.
    pub fn new(at: StrongRef, handle: &str) -> Self {
        let rkey = at.uri.rsplit('/').next().unwrap_or_default();
        let url = format!("https://bsky.app/profile/{handle}/post/{rkey}");
        Self {
            at,
            url,
            embed: None,
        }
    }

    /// The same post, with its embed's `$type`.
    pub fn with_embed(self, embed: Option<String>) -> Self {
        Self { embed, ..self }
    }
}

impl OutboxEntry {
    /// Whether some account has been sent the thread, or a send to it was tried.
    pub fn tried(&self) -> bool {
        self.accounts
            .iter()
            .any(|account| account.attempts > 0 || account.state != Delivery::Pending)
    }

    /// True when the thread is on every account: the row can go.
    pub fn done(&self) -> bool {
        posted_everywhere(&self.accounts)
    }
}

/// Whether every account in `accounts` has the thread.
pub(crate) fn posted_everywhere(accounts: &[AccountDelivery]) -> bool {
    accounts
        .iter()
        .all(|account| matches!(account.state, Delivery::Posted { .. }))
}

/// Rows for the core's tests, built in one place.
#[cfg(test)]
impl OutboxEntry {
    /// Row `id`, made at noon on 1 December 2026 by Post (due at once, no draft, staged images):
    /// a thread of one post per text in `texts`, to `accounts` (the composition names them, in
    /// order).
    pub(crate) fn for_test(id: &str, texts: &[&str], accounts: Vec<AccountDelivery>) -> Self {
        use crate::composition::ComposedPost;
        Self {
            id: id.into(),
            created_at: "2026-12-01T12:00:00Z".into(),
            due: None,
            draft: None,
            images: ImageFiles::Staged,
            composition: Composition {
                posts: texts
                    .iter()
                    .map(|text| ComposedPost {
                        text: (*text).into(),
                        ..ComposedPost::default()
                    })
                    .collect(),
                accounts: accounts.iter().map(|account| account.did.clone()).collect(),
                ..Composition::default()
            },
            accounts,
        }
    }
}

#[cfg(test)]
impl AccountDelivery {
    /// Account `did` (`handle`) of a row, not sent yet, with the record keys `rkeys`.
    pub(crate) fn for_test(did: &str, handle: &str, rkeys: &[&str]) -> Self {
        Self {
            did: did.into(),
            handle: handle.into(),
            rkeys: rkeys.iter().map(|key| (*key).into()).collect(),
            attempts: 0,
            state: Delivery::Pending,
            retry_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_account_shows_its_state_with_posts_or_error() {
        let posted = AccountDelivery {
            attempts: 1,
            state: Delivery::Posted {
                posts: vec![PublishedPost::new(
                    StrongRef {
                        uri: "at://did:plc:a/app.bsky.feed.post/3k2a".into(),
                        cid: "bafy".into(),
                    },
                    "alice.test",
                )],
            },
            ..AccountDelivery::for_test("did:plc:a", "alice.test", &["3k2a"])
        };
        assert_eq!(
            serde_json::to_value(&posted).expect("json"),
            json!({"account": "did:plc:a", "handle": "alice.test", "rkeys": ["3k2a"], "attempts": 1,
                   "state": "posted", "posts": [{"uri": "at://did:plc:a/app.bsky.feed.post/3k2a",
                   "cid": "bafy", "url": "https://bsky.app/profile/alice.test/post/3k2a"}]})
        );
        let failed = Delivery::Failed {
            error: Error::new(crate::ErrorCode::Network, "Offline."),
        };
        assert_eq!(
            serde_json::to_value(&failed).expect("json"),
            json!({"state": "failed", "error": {"code": "network", "message": "Offline."}})
        );
        assert_eq!(
            serde_json::to_value(Delivery::Pending).expect("json"),
            json!({"state": "pending"})
        );
    }
}
