//! The thread's reply controls (`app.bsky.feed.threadgate`, under the root post's record key) and a
//! post's quote controls (`app.bsky.feed.postgate`, under the post's key).

use crate::composition::WhoCanReply;
use serde::{Deserialize, Serialize};

/// Who may reply: `allow` absent would mean everyone, so a threadgate always has it; `[]` = nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "$type",
    rename = "app.bsky.feed.threadgate",
    rename_all = "camelCase"
)]
pub struct Threadgate {
    /// The root post's AT URI.
    pub post: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow: Option<Vec<ThreadgateRule>>,
    pub created_at: String,
}

/// A group allowed to reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum ThreadgateRule {
    /// Accounts mentioned in the post.
    #[serde(rename = "app.bsky.feed.threadgate#mentionRule")]
    Mentioned,
    /// Accounts the author follows.
    #[serde(rename = "app.bsky.feed.threadgate#followingRule")]
    Following,
    /// Accounts that follow the author.
    #[serde(rename = "app.bsky.feed.threadgate#followerRule")]
    Followers,
}

/// Quote controls for one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "$type",
    rename = "app.bsky.feed.postgate",
    rename_all = "camelCase"
)]
pub struct Postgate {
    /// The post's AT URI.
    pub post: String,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embedding_rules: Vec<PostgateRule>,
}

/// A rule on embedding (quoting) the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type")]
pub enum PostgateRule {
    /// Nobody may quote it.
    #[serde(rename = "app.bsky.feed.postgate#disableRule")]
    Disable,
}

impl Threadgate {
    /// The threadgate for `who` on the thread whose root is `root_uri`; `None` for everyone (no
    /// threadgate is written then).
    pub fn new(
        root_uri: impl Into<String>,
        who: WhoCanReply,
        created_at: impl Into<String>,
    ) -> Option<Self> {
        let allow = match who {
            WhoCanReply::Everyone => return None,
            WhoCanReply::Nobody => Vec::new(),
            WhoCanReply::Some {
                mentioned,
                following,
                followers,
            } => [
                (mentioned, ThreadgateRule::Mentioned),
                (following, ThreadgateRule::Following),
                (followers, ThreadgateRule::Followers),
            ]
            .into_iter()
            .filter_map(|(chosen, rule)| chosen.then_some(rule))
            .collect(),
        };
        Some(Self {
            post: root_uri.into(),
            allow: Some(allow),
            created_at: created_at.into(),
        })
    }
}

impl Postgate {
    /// The postgate that forbids quoting the post at `post_uri`.
    pub fn no_quotes(post_uri: impl Into<String>, created_at: impl Into<String>) -> Self {
        Self {
            post: post_uri.into(),
            created_at: created_at.into(),
            embedding_rules: vec![PostgateRule::Disable],
        }
    }
}
