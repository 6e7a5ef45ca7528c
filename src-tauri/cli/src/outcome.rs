//! What `post` and `outbox retry` print per account, as the README documents it:
//! `{"account","handle","uri","cid","url","posts":[{uri,cid,url}]}` (the first post's place and
//! every post's) or `{"account","handle","error"}`. Made here, at the CLI's edge, from the core's
//! per-account delivery, which the window gets as it is.

use hayon_core::publish::{AccountDelivery, Delivery, PublishedPost};
use hayon_core::{Error, ErrorCode};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PostOutcome<'a> {
    /// The account's DID.
    account: &'a str,
    handle: &'a str,
    #[serde(flatten)]
    result: PostResult<'a>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PostResult<'a> {
    Posted {
        /// The first post's `uri`, `cid` and `url` (a posted thread always has one).
        #[serde(flatten)]
        first: Option<&'a PublishedPost>,
        posts: &'a [PublishedPost],
    },
    Failed {
        error: Error,
    },
}

/// The outcome of each account, in order.
pub fn outcomes(accounts: &[AccountDelivery]) -> Vec<PostOutcome<'_>> {
    accounts.iter().map(outcome).collect()
}

fn outcome(delivery: &AccountDelivery) -> PostOutcome<'_> {
    let result = match &delivery.state {
        Delivery::Posted { posts } => PostResult::Posted {
            first: posts.first(),
            posts,
        },
        Delivery::Failed { error } => PostResult::Failed {
            error: error.clone(),
        },
        Delivery::Pending => PostResult::Failed {
            error: Error::new(
                ErrorCode::Network,
                "Not sent yet: Hayon could not tell whether an earlier try arrived. Retry the \
                 post; it is never published twice.",
            ),
        },
    };
    PostOutcome {
        account: &delivery.did,
        handle: &delivery.handle,
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayon_core::records::StrongRef;
    use serde_json::json;

    fn delivery(state: Delivery) -> AccountDelivery {
        AccountDelivery {
            did: "did:plc:a".into(),
            handle: "a.test".into(),
            rkeys: vec!["3k1".into(), "3k2".into()],
            attempts: 1,
            state,
            retry_at: None,
        }
    }

    fn published(rkey: &str, cid: &str) -> PublishedPost {
        let uri = format!("at://did:plc:a/app.bsky.feed.post/{rkey}");
        let at = StrongRef {
            uri,
            cid: cid.into(),
        };
        PublishedPost::new(at, "a.test")
    }

    #[test]
    fn a_posted_thread_reports_its_first_post_and_every_post() {
        let posts = vec![published("3k1", "c1"), published("3k2", "c2")];
        let accounts = [delivery(Delivery::Posted { posts })];
        assert_eq!(
            serde_json::to_value(outcomes(&accounts)).expect("json"),
            json!([{
                "account": "did:plc:a", "handle": "a.test",
                "uri": "at://did:plc:a/app.bsky.feed.post/3k1", "cid": "c1",
                "url": "https://bsky.app/profile/a.test/post/3k1",
                "posts": [
                    {"uri": "at://did:plc:a/app.bsky.feed.post/3k1", "cid": "c1",
                     "url": "https://bsky.app/profile/a.test/post/3k1"},
                    {"uri": "at://did:plc:a/app.bsky.feed.post/3k2", "cid": "c2",
                     "url": "https://bsky.app/profile/a.test/post/3k2"},
                ],
            }])
        );
    }

    #[test]
    fn a_failed_or_unsettled_account_reports_an_error() {
        let failed = delivery(Delivery::Failed {
            error: Error::validation("No."),
        });
        let pending = delivery(Delivery::Pending);
        let value = serde_json::to_value(outcomes(&[failed, pending])).expect("json");
        assert_eq!(
            value[0],
            json!({"account": "did:plc:a", "handle": "a.test",
                   "error": {"code": "validation", "message": "No."}})
        );
        assert_eq!(value[1]["error"]["code"], "network");
        assert!(value[1].get("uri").is_none(), "{value}");
    }
}
