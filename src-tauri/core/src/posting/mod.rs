//! Posting a composition: the checks made before anything is saved or sent ([`validate`]), the work
//! shared by every account (texts analysed, images prepared, link cards chosen: [`prepare`]), and the
//! records of a thread. The outbox ([`crate::outbox`]) saves the row and sends it, per account.

mod alt_text;
mod card;
mod embed;
mod prepare;
pub mod quote;
mod thread;
mod validate;

pub use alt_text::MAX_ALT_GRAPHEMES;
pub use validate::{MAX_LANGS, MAX_THREAD_POSTS};

pub(crate) use prepare::{prepare, ImageReader, PreparedPost, PreparedThread};
pub(crate) use thread::build_thread;
pub(crate) use validate::check;

use crate::context::Core;
use crate::error::Error;
use crate::media::PreparedImage;
use crate::outbox::PostedRef;
use serde::Serialize;
use std::path::PathBuf;

/// The posting service ([`Core::posting`]): its methods (post, retry, the outbox) are in
/// [`crate::outbox`].
#[derive(Debug, Clone, Copy)]
pub struct Posting<'a> {
    pub(crate) core: &'a Core,
}

/// Where an attached image comes from.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// A file to prepare: the CLI's `--image`, any file the person names (or a staged original of
    /// an older version).
    File(PathBuf),
    /// An image prepared already (the window's staged copy, made by [`crate::media`] when it was
    /// attached): uploaded as it is, because preparing a JPEG again would re-encode it and lose
    /// quality a second time.
    Prepared(PreparedImage),
}

/// The result for one account: where the thread is, or why it is not there (CLI contract:
/// `{"account","handle","uri","cid","url","posts":[{uri,cid,url}]}` or `{"account","handle","error"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostOutcome {
    /// The account's DID.
    pub account: String,
    pub handle: String,
    #[serde(flatten)]
    pub result: PostResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PostResult {
    /// `uri`, `cid` and `url` are the first post's; `posts` holds every post of the thread.
    Posted {
        uri: String,
        cid: String,
        url: String,
        posts: Vec<PostedRef>,
    },
    Failed {
        error: Error,
    },
}

impl PostResult {
    /// The result of a thread that is on the account.
    pub fn posted(posts: Vec<PostedRef>) -> Self {
        let first = posts.first().cloned().unwrap_or(PostedRef {
            uri: String::new(),
            cid: String::new(),
            url: String::new(),
        });
        Self::Posted {
            uri: first.uri,
            cid: first.cid,
            url: first.url,
            posts,
        }
    }
}

/// Stages reported while posting, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PostStage {
    PreparingImages,
    FetchingLinkCard,
    Uploading,
    Done,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_posted_thread_reports_its_first_post_and_every_post() {
        let posts = vec![
            PostedRef::new(
                "at://did:plc:a/app.bsky.feed.post/3k1".into(),
                "c1".into(),
                "a.test",
            ),
            PostedRef::new(
                "at://did:plc:a/app.bsky.feed.post/3k2".into(),
                "c2".into(),
                "a.test",
            ),
        ];
        let outcome = PostOutcome {
            account: "did:plc:a".into(),
            handle: "a.test".into(),
            result: PostResult::posted(posts),
        };
        assert_eq!(
            serde_json::to_value(&outcome).expect("json"),
            json!({
                "account": "did:plc:a", "handle": "a.test",
                "uri": "at://did:plc:a/app.bsky.feed.post/3k1", "cid": "c1",
                "url": "https://bsky.app/profile/a.test/post/3k1",
                "posts": [
                    {"uri": "at://did:plc:a/app.bsky.feed.post/3k1", "cid": "c1",
                     "url": "https://bsky.app/profile/a.test/post/3k1"},
                    {"uri": "at://did:plc:a/app.bsky.feed.post/3k2", "cid": "c2",
                     "url": "https://bsky.app/profile/a.test/post/3k2"},
                ],
            })
        );
        let failed = PostOutcome {
            account: "did:plc:a".into(),
            handle: "a.test".into(),
            result: PostResult::Failed {
                error: Error::validation("No."),
            },
        };
        assert_eq!(
            serde_json::to_value(&failed).expect("json"),
            json!({"account": "did:plc:a", "handle": "a.test",
                   "error": {"code": "validation", "message": "No."}})
        );
    }
}
