//! Quoting a post: what a person pastes — a bsky.app post link or an `at://` URI — turned into the
//! strong reference (`{uri, cid}`) a quote embed needs, with the quoted post's author and text for
//! a preview.
//!
//! Accepted, as the official app accepts them: `https://bsky.app/profile/<handle|did>/post/<rkey>`
//! (exactly that prefix: the app takes neither `http://` nor `www.`; a trailing slash, further path
//! segments such as `/quotes`, a query and a fragment are ignored) and
//! `at://<handle|did>/app.bsky.feed.post/<rkey>`. Surrounding whitespace is ignored.
//!
//! Resolution goes through the account's own PDS: `resolveHandle` for a handle, then `getRecord`.
//! A PDS answers `getRecord` for the repositories it hosts and passes other ones on to its app view,
//! so quoting another server's post depends on that; asking the author's own PDS (found through
//! their DID document) would not, and is not done yet.

use crate::accounts::describe_xrpc_error;
use crate::error::{Error, ErrorCode, Result};
use crate::records::{StrongRef, POST};
use crate::xrpc::XrpcClient;
use serde::{Deserialize, Serialize};
use url::Url;

/// The longest paste looked at: a post link is far shorter (a DID ≤ 2048, a record key ≤ 512).
const MAX_PASTE: usize = 4096;

/// The quoted post: what the embed refers to, and what a preview shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct QuotedPost {
    pub reference: StrongRef,
    pub author_did: String,
    pub text: String,
}

/// Who wrote the post, as the paste names them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Actor {
    Did(String),
    /// Lower-cased (handles are case-insensitive).
    Handle(String),
}

/// The parts of a pasted post address.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PostAddress {
    actor: Actor,
    rkey: String,
}

/// The part of the quoted record a preview needs.
#[derive(Deserialize)]
struct PostText {
    #[serde(default)]
    text: String,
}

/// The post that `pasted` names, looked up through `pds`.
pub async fn resolve(xrpc: &XrpcClient, pds: &Url, pasted: &str) -> Result<QuotedPost> {
    let address = parse(pasted)?;
    let did = match address.actor {
        Actor::Did(did) => did,
        Actor::Handle(handle) => xrpc
            .resolve_handle(pds, &handle)
            .await
            .map_err(|err| describe_xrpc_error(&err))?
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!(
                        "No account has the handle @{handle}, so the post to quote cannot be found. \
                         Check the link."
                    ),
                )
            })?,
    };
    let record = xrpc
        .get_record::<PostText>(pds, &did, POST, &address.rkey)
        .await
        .map_err(|err| describe_xrpc_error(&err))?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                "That post does not exist (or was deleted), so it cannot be quoted. Check the link.",
            )
        })?;
    Ok(QuotedPost {
        reference: StrongRef {
            uri: record.uri,
            cid: record.cid,
        },
        author_did: did,
        text: record.value.text,
    })
}

fn not_a_post_link() -> Error {
    Error::validation(
        "To quote a post, paste its link (https://bsky.app/profile/<handle or DID>/post/<id>) or its \
         at:// address (at://<handle or DID>/app.bsky.feed.post/<id>).",
    )
}

/// The author and record key of a pasted post link or `at://` URI.
fn parse(pasted: &str) -> Result<PostAddress> {
    let pasted = pasted.trim();
    if pasted.len() > MAX_PASTE {
        return Err(not_a_post_link());
    }
    let (actor, rkey) = if let Some(rest) = pasted.strip_prefix("at://") {
        let mut parts = rest.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(actor), Some(POST), Some(rkey), None) => (actor, rkey),
            _ => return Err(not_a_post_link()),
        }
    } else if pasted.starts_with("https://bsky.app/") {
        let url = Url::parse(pasted).map_err(|_| not_a_post_link())?;
        let mut segments = url.path_segments().ok_or_else(not_a_post_link)?;
        match (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) {
            (Some("profile"), Some(actor), Some("post"), Some(rkey)) => {
                return address(actor, rkey);
            }
            _ => return Err(not_a_post_link()),
        }
    } else {
        return Err(not_a_post_link());
    };
    address(actor, rkey)
}

fn address(actor: &str, rkey: &str) -> Result<PostAddress> {
    let actor = if is_did(actor) {
        Actor::Did(actor.to_owned())
    } else if is_handle(actor) {
        Actor::Handle(actor.to_ascii_lowercase())
    } else {
        return Err(not_a_post_link());
    };
    if !is_record_key(rkey) {
        return Err(not_a_post_link());
    }
    Ok(PostAddress {
        actor,
        rkey: rkey.to_owned(),
    })
}

/// DID syntax: `did:<lowercase method>:<identifier>`, ≤ 2048 characters, the identifier of
/// `[A-Za-z0-9._:%-]` not ending in `:` or `%`.
fn is_did(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("did:") else {
        return false;
    };
    let Some((method, identifier)) = rest.split_once(':') else {
        return false;
    };
    text.len() <= 2048
        && !method.is_empty()
        && method.bytes().all(|byte| byte.is_ascii_lowercase())
        && !identifier.is_empty()
        && identifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"._:%-".contains(&byte))
        && !identifier.ends_with([':', '%'])
}

/// Handle syntax: at least two dot-separated labels of ASCII letters, digits and inner hyphens,
/// each 1–63 characters, ≤ 253 in all, the last not starting with a digit.
fn is_handle(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    text.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.starts_with(|c: char| c.is_ascii_digit()))
}

/// Record key syntax: 1–512 characters of `[A-Za-z0-9._:~-]`, not `.` or `..`.
fn is_record_key(text: &str) -> bool {
    (1..=512).contains(&text.len())
        && text != "."
        && text != ".."
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"._:~-".contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DID: &str = "did:plc:s4ftoopqakowoct6b66glb4s";

    fn did(rkey: &str) -> PostAddress {
        PostAddress {
            actor: Actor::Did(DID.into()),
            rkey: rkey.into(),
        }
    }

    fn handle(handle: &str, rkey: &str) -> PostAddress {
        PostAddress {
            actor: Actor::Handle(handle.into()),
            rkey: rkey.into(),
        }
    }

    #[test]
    fn post_links_and_at_uris_in_their_spellings() {
        let cases = [
            (
                "https://bsky.app/profile/alice.bsky.social/post/3n3miidxlqk2p",
                handle("alice.bsky.social", "3n3miidxlqk2p"),
            ),
            (
                "  https://bsky.app/profile/Alice.Bsky.Social/post/3n3miidxlqk2p/\n",
                handle("alice.bsky.social", "3n3miidxlqk2p"),
            ),
            (
                "https://bsky.app/profile/did:plc:s4ftoopqakowoct6b66glb4s/post/3k?ref=share#top",
                did("3k"),
            ),
            (
                "https://bsky.app/profile/did:plc:s4ftoopqakowoct6b66glb4s/post/3k/quotes",
                did("3k"),
            ),
            (
                "at://did:plc:s4ftoopqakowoct6b66glb4s/app.bsky.feed.post/3n3miidxlqk2p",
                did("3n3miidxlqk2p"),
            ),
            (
                "at://alice.test/app.bsky.feed.post/3n3miidxlqk2p",
                handle("alice.test", "3n3miidxlqk2p"),
            ),
            (
                "https://bsky.app/profile/did:web:example.com/post/3k",
                PostAddress {
                    actor: Actor::Did("did:web:example.com".into()),
                    rkey: "3k".into(),
                },
            ),
        ];
        for (pasted, expected) in cases {
            assert_eq!(parse(pasted).expect(pasted), expected, "{pasted}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_what_is_accepted() {
        let long_actor = format!("https://bsky.app/profile/{}.test/post/3k", "a".repeat(300));
        let long_rkey = format!("at://{DID}/app.bsky.feed.post/{}", "k".repeat(513));
        let huge = format!(
            "https://bsky.app/profile/alice.test/post/{}",
            "3".repeat(5000)
        );
        let refused = [
            "",
            "   ",
            "hello",
            "3n3miidxlqk2p",
            "bsky.app/profile/alice.test/post/3k",
            "http://bsky.app/profile/alice.test/post/3k",
            "https://www.bsky.app/profile/alice.test/post/3k",
            "HTTPS://BSKY.APP/profile/alice.test/post/3k",
            "https://bsky.app.evil.example/profile/alice.test/post/3k",
            "https://bsky.app@evil.example/profile/alice.test/post/3k",
            "https://evil.example/https://bsky.app/profile/alice.test/post/3k",
            "https://bsky.app/profile/alice.test",
            "https://bsky.app/profile/alice.test/post/",
            "https://bsky.app/profile/alice.test/feed/3k",
            "https://bsky.app/profile/alice.test/lists/3k",
            "https://bsky.app/profile//post/3k",
            "https://bsky.app/profile/alice/post/3k",
            "https://bsky.app/profile/alice.123/post/3k",
            "https://bsky.app/profile/-alice.test/post/3k",
            "https://bsky.app/profile/al%69ce.test/post/3k",
            "https://bsky.app/profile/did%3Aplc%3Aabc/post/3k",
            "https://bsky.app/profile/alice.test/post/..",
            "https://bsky.app/profile/alice.test/post/a%2Fb",
            "https://bsky.app/profile/alice.test/post/3k<script>",
            "https://bsky.app/profile/ali ce.test/post/3k",
            "https://bsky.app/profile/álice.test/post/3k",
            "at://alice.test/app.bsky.feed.like/3k",
            "at://alice.test/app.bsky.feed.post",
            "at://alice.test/app.bsky.feed.post/",
            "at://alice.test/app.bsky.feed.post/3k/extra",
            "at://alice.test/app.bsky.feed.post/3k?x=1",
            "at://did:PLC:abc/app.bsky.feed.post/3k",
            "at://did:plc:/app.bsky.feed.post/3k",
            "at://did:plc:abc:/app.bsky.feed.post/3k",
            "at:///app.bsky.feed.post/3k",
            "AT://alice.test/app.bsky.feed.post/3k",
            "at://alice.test/app.bsky.feed.post/3k\u{0}",
            "javascript:alert(1)",
            "file:///etc/passwd",
            &long_actor,
            &long_rkey,
            &huge,
        ];
        for pasted in refused {
            let err = parse(pasted).expect_err(pasted);
            assert_eq!(err.code, ErrorCode::Validation, "{pasted}");
            assert!(
                err.message.contains("https://bsky.app/profile/"),
                "{pasted}"
            );
            assert!(err.message.contains("at://"), "{pasted}");
        }
    }
}
