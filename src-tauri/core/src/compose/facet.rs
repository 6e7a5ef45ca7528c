//! Facets in their lexicon form (`app.bsky.richtext.facet`), as the record and the window expect them:
//! `{"index":{"byteStart","byteEnd"},"features":[{"$type":…,…}]}` with UTF-8 byte offsets
//! (start inclusive, end exclusive).
//!
//! A mention carries the `handle` it was typed with: the DID is only known after resolution, which
//! needs the network and an account, so it happens at posting time, per account. The same type then
//! carries the resolved `did` (the lexicon's form), which is the only form a record
//! ([`crate::records::Post`]) is written with.

use serde::{Deserialize, Serialize};

/// One annotated span of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Facet {
    pub index: ByteSlice,
    pub features: Vec<Feature>,
}

/// UTF-8 byte range: `byte_start` inclusive, `byte_end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ByteSlice {
    pub byte_start: usize,
    pub byte_end: usize,
}

/// What a facet means, tagged with its lexicon `$type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "$type")]
pub enum Feature {
    /// A link; `uri` is the full URL even when the visible text is shortened.
    #[serde(rename = "app.bsky.richtext.facet#link")]
    Link { uri: String },
    /// A mention: `{"handle"}` as typed, `{"did"}` once resolved.
    #[serde(rename = "app.bsky.richtext.facet#mention")]
    Mention {
        #[serde(flatten)]
        who: Mentioned,
    },
    /// A hashtag (without its `#`) or a cashtag (with its `$`, upper-cased).
    #[serde(rename = "app.bsky.richtext.facet#tag")]
    Tag { tag: String },
}

/// Whom a mention names: the handle as typed, or (after resolution) the account's DID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Mentioned {
    Handle(String),
    Did(String),
}

impl Facet {
    pub(super) fn new(byte_start: usize, byte_end: usize, feature: Feature) -> Self {
        Self {
            index: ByteSlice {
                byte_start,
                byte_end,
            },
            features: vec![feature],
        }
    }

    /// The URL of a link facet.
    pub fn link_uri(&self) -> Option<&str> {
        self.features.iter().find_map(|feature| match feature {
            Feature::Link { uri } => Some(uri.as_str()),
            _ => None,
        })
    }
}
