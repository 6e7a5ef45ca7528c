//! What a send reports per account: the thread's posts, or why it is not there.

use super::entry::PublishedPost;
use crate::error::Error;
use crate::records::StrongRef;
use serde::Serialize;

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
        #[serde(flatten)]
        first: PublishedPost,
        posts: Vec<PublishedPost>,
    },
    Failed {
        error: Error,
    },
}

impl PostResult {
    /// The result of a thread that is on the account.
    pub fn posted(posts: Vec<PublishedPost>) -> Self {
        let first = posts.first().cloned().unwrap_or(PublishedPost {
            at: StrongRef {
                uri: String::new(),
                cid: String::new(),
            },
            url: String::new(),
        });
        Self::Posted { first, posts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_posted_thread_reports_its_first_post_and_every_post() {
        let posts = vec![
            PublishedPost::new(
                StrongRef {
                    uri: "at://did:plc:a/app.bsky.feed.post/3k1".into(),
                    cid: "c1".into(),
                },
                "a.test",
            ),
            PublishedPost::new(
                StrongRef {
                    uri: "at://did:plc:a/app.bsky.feed.post/3k2".into(),
                    cid: "c2".into(),
                },
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
