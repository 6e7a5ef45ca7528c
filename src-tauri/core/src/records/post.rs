//! `app.bsky.feed.post` and the small shapes it holds: strong references, the reply reference and
//! self-labels.

use super::embed::Embed;
use crate::compose::Facet;
use crate::composition::ContentLabel;
use serde::{Deserialize, Serialize};

/// A post record. Its facets' mentions carry resolved DIDs (`Mentioned::Did`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "app.bsky.feed.post", rename_all = "camelCase")]
pub struct Post {
    /// The published text (≤ 300 graphemes, ≤ 3000 bytes).
    pub text: String,
    /// RFC 3339 with milliseconds and `Z`, e.g. `2026-12-01T12:00:00.000Z`.
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<Facet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embed: Option<Embed>,
    /// BCP-47 tags, at most three.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub langs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<SelfLabels>,
}

/// `com.atproto.repo.strongRef`: a record's AT URI and the CID of the version meant. The CID is a
/// plain string here, not a link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StrongRef {
    pub uri: String,
    pub cid: String,
}

/// `app.bsky.feed.post#replyRef`: the thread's first post and the post replied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    pub root: StrongRef,
    pub parent: StrongRef,
}

/// `com.atproto.label.defs#selfLabels`: labels the author puts on their own post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "$type", rename = "com.atproto.label.defs#selfLabels")]
pub struct SelfLabels {
    pub values: Vec<SelfLabel>,
}

/// `com.atproto.label.defs#selfLabel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfLabel {
    pub val: String,
}

impl Post {
    /// A post with only its text and time; the other fields are set on the value.
    pub fn new(text: impl Into<String>, created_at: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            created_at: created_at.into(),
            facets: Vec::new(),
            reply: None,
            embed: None,
            langs: Vec::new(),
            labels: None,
        }
    }

    /// The post with these content warnings (none: no `labels` field).
    pub fn with_labels(self, labels: &[ContentLabel]) -> Self {
        Self {
            labels: SelfLabels::from_content_labels(labels),
            ..self
        }
    }
}

impl SelfLabels {
    /// The self-labels for the app's content warnings, each once, in the order given; `None` for none.
    pub fn from_content_labels(labels: &[ContentLabel]) -> Option<Self> {
        let mut values: Vec<SelfLabel> = Vec::with_capacity(labels.len());
        for label in labels {
            let val = label.value();
            if !values.iter().any(|known| known.val == val) {
                values.push(SelfLabel {
                    val: val.to_owned(),
                });
            }
        }
        (!values.is_empty()).then_some(Self { values })
    }
}
