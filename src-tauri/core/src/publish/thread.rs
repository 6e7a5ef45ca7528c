//! A thread's records for one account: each post (facets with mentions resolved for this account,
//! its embed with this account's blobs, a reply to the root and to the post before it, self-labels),
//! the threadgate under the root's record key and a postgate under each post's key when quotes are
//! off. A reply names its parent by CID before the parent exists, so every CID is computed here
//! ([`records::cid_for`]): the batch is written in one applyWrites, all or nothing.

use super::embed::{self, PostBlobs};
use super::prepare::{PreparedPost, PreparedThread};
use crate::compose::{Facet, Feature, Mentioned};
use crate::error::{Error, Result};
use crate::mentions;
use crate::records::{self, Post, Postgate, ReplyRef, StrongRef, Threadgate};
use crate::xrpc::repo::CreateWrite;
use crate::xrpc::XrpcClient;
use serde::Serialize;
use std::collections::HashMap;
use time::OffsetDateTime;
use url::Url;

/// The most a batch may weigh as JSON: the reference PDS refuses a body over 150 KiB
/// (`jsonLimit`); the rest of the body (the repo's DID, the brackets) needs far less than the margin.
const MAX_BATCH_BYTES: usize = 150 * 1024 - 4 * 1024;

/// One record of the batch (each carries its own `$type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum ThreadRecord {
    Post(Box<Post>),
    Threadgate(Threadgate),
    Postgate(Postgate),
}

/// The batch for one account: the posts first, in thread order, then the gates; and each post's
/// CID as computed here.
#[derive(Debug)]
pub(crate) struct BuiltThread {
    pub writes: Vec<CreateWrite<ThreadRecord>>,
    pub cids: Vec<String>,
    /// Each post's embed `$type`, in order.
    pub embeds: Vec<Option<&'static str>>,
    /// The mentioned handles that resolved, with their DIDs: remembered once the thread is posted.
    pub mentioned: Vec<(String, String)>,
}

/// Refuses a batch the server would refuse for its size, before it is sent.
pub(super) fn check_size(built: &BuiltThread) -> Result<()> {
    let bytes = serde_json::to_vec(&built.writes)
        .map_err(|err| Error::internal("encoding the thread", &err))?
        .len();
    if bytes > MAX_BATCH_BYTES {
        return Err(Error::validation(format!(
            "This thread is too large to post at once ({} KB of records; the server takes {} KB). \
             Split it into two threads; nothing was posted.",
            bytes / 1024,
            MAX_BATCH_BYTES / 1024
        )));
    }
    Ok(())
}

/// Per post, in order: what the sender fetched for the account (mentions, blobs).
#[derive(Debug)]
pub(super) struct Resolved {
    pub facets: Vec<Vec<Facet>>,
    pub blobs: Vec<PostBlobs>,
}

/// The records, from everything resolved. Post `i` is created `i` milliseconds after the root, so
/// the thread keeps its order wherever posts are sorted by time.
pub(super) fn thread_records(
    did: &str,
    rkeys: &[String],
    thread: &PreparedThread,
    resolved: Resolved,
    now: OffsetDateTime,
) -> Result<BuiltThread> {
    let at = |offset: usize| {
        let time = now + time::Duration::milliseconds(offset as i64);
        time.format(&time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
    };
    let uri = |rkey: &str| format!("at://{did}/{}/{rkey}", records::POST);
    let mut writes = Vec::new();
    let mut cids: Vec<String> = Vec::new();
    let mut embeds = Vec::new();
    let mut root: Option<StrongRef> = None;
    let mut parent: Option<StrongRef> = None;
    let parts = thread.posts.iter().zip(resolved.facets).zip(resolved.blobs);
    for (index, ((post, facets), blobs)) in parts.enumerate() {
        let rkey = &rkeys[index];
        let mut record = Post::new(post.text.clone(), at(index)).with_labels(&post.labels);
        record.facets = facets;
        record.langs = thread.langs.clone();
        record.embed = embed::build(post, blobs);
        embeds.push(record.embed.as_ref().map(records::Embed::nsid));
        record.reply = match (&root, &parent) {
            (Some(root), Some(parent)) => Some(ReplyRef {
                root: root.clone(),
                parent: parent.clone(),
            }),
            _ => None,
        };
        let this = StrongRef {
            uri: uri(rkey),
            cid: records::cid_for(&record)?,
        };
        cids.push(this.cid.clone());
        root.get_or_insert_with(|| this.clone());
        parent = Some(this);
        writes.push(CreateWrite {
            collection: records::POST,
            rkey: rkey.clone(),
            value: ThreadRecord::Post(Box::new(record)),
        });
    }
    let created = at(0);
    if let Some(gate) = Threadgate::new(uri(&rkeys[0]), thread.who_can_reply, created.clone()) {
        writes.push(CreateWrite {
            collection: records::THREADGATE,
            rkey: rkeys[0].clone(),
            value: ThreadRecord::Threadgate(gate),
        });
    }
    if !thread.quotes_allowed {
        for rkey in &rkeys[..thread.posts.len()] {
            writes.push(CreateWrite {
                collection: records::POSTGATE,
                rkey: rkey.clone(),
                value: ThreadRecord::Postgate(Postgate::no_quotes(uri(rkey), created.clone())),
            });
        }
    }
    Ok(BuiltThread {
        writes,
        cids,
        embeds,
        mentioned: Vec::new(),
    })
}

/// Mentions become DIDs (each handle asked once, as the composer's check asks it:
/// [`mentions::resolve_handles`]); a handle that does not resolve stays plain text (its facet is
/// dropped), as in the official app. Also → the `(handle, did)` pairs that resolved.
pub(super) async fn resolve_mentions(
    xrpc: &XrpcClient,
    pds: &Url,
    posts: &[PreparedPost],
) -> (Vec<Vec<Facet>>, Vec<(String, String)>) {
    let handles = posts
        .iter()
        .flat_map(|post| &post.facets)
        .flat_map(|facet| &facet.features)
        .filter_map(|feature| match feature {
            Feature::Mention {
                who: Mentioned::Handle(handle),
            } => Some(handle),
            _ => None,
        });
    let dids: HashMap<String, Option<String>> = mentions::resolve_handles(xrpc, pds, handles)
        .await
        .into_iter()
        .map(|(handle, did)| (handle, did.ok().flatten()))
        .collect();
    let facets = posts
        .iter()
        .map(|post| {
            post.facets
                .iter()
                .filter_map(|facet| {
                    let mut facet = facet.clone();
                    for feature in &mut facet.features {
                        if let Feature::Mention {
                            who: Mentioned::Handle(handle),
                        } = feature
                        {
                            let did = dids.get(handle.as_str()).cloned().flatten()?;
                            *feature = Feature::Mention {
                                who: Mentioned::Did(did),
                            };
                        }
                    }
                    Some(facet)
                })
                .collect()
        })
        .collect();
    let mut resolved: Vec<(String, String)> = dids
        .into_iter()
        .filter_map(|(handle, did)| Some((handle, did?)))
        .collect();
    resolved.sort();
    (facets, resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::composition::{ContentLabel, WhoCanReply};
    use crate::media::PreparedImage;
    use crate::records::Blob;
    use serde_json::json;

    fn post(text: &str) -> PreparedPost {
        PreparedPost {
            text: text.to_owned(),
            facets: Vec::new(),
            images: Vec::new(),
            video: None,
            card: None,
            quote: None,
            labels: Vec::new(),
        }
    }

    fn blob() -> Blob {
        serde_json::from_value(json!({"$type": "blob", "ref": {"$link": "bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu"}, "mimeType": "image/png", "size": 70}))
            .expect("a blob")
    }

    fn image() -> PreparedImage {
        PreparedImage {
            bytes: vec![1, 2, 3],
            mime_type: "image/png",
            width: 1,
            height: 1,
        }
    }

    #[test]
    fn replies_name_root_and_parent_by_computed_cid_and_gates_use_the_posts_keys() {
        let mut second = post("two");
        second.images = vec![(image(), "one pixel".to_owned())];
        second.labels = vec![ContentLabel::GraphicMedia];
        let thread = PreparedThread {
            posts: vec![post("one"), second, post("three")],
            langs: vec!["en".to_owned()],
            who_can_reply: WhoCanReply::Some {
                mentioned: false,
                following: true,
                followers: false,
            },
            quotes_allowed: false,
        };
        let rkeys: Vec<String> = ["3kaaaaaaaaaa2", "3kaaaaaaaaab2", "3kaaaaaaaaac2"]
            .map(String::from)
            .to_vec();
        let built = thread_records(
            "did:plc:x",
            &rkeys,
            &thread,
            Resolved {
                facets: vec![Vec::new(); 3],
                blobs: vec![
                    PostBlobs::default(),
                    PostBlobs::images(vec![blob()]),
                    PostBlobs::default(),
                ],
            },
            time::macros::datetime!(2026-12-01 12:00:00 UTC),
        )
        .expect("records");
        let values: Vec<serde_json::Value> = built
            .writes
            .iter()
            .map(|write| serde_json::to_value(write).expect("json"))
            .collect();
        assert_eq!(values.len(), 3 + 1 + 3, "posts, threadgate, postgates");
        let uri = |index: usize| format!("at://did:plc:x/app.bsky.feed.post/{}", rkeys[index]);
        assert_eq!(values[0]["$type"], "com.atproto.repo.applyWrites#create");
        assert_eq!(values[0]["value"]["createdAt"], "2026-12-01T12:00:00.000Z");
        assert_eq!(values[2]["value"]["createdAt"], "2026-12-01T12:00:00.002Z");
        assert!(values[0]["value"].get("reply").is_none());
        assert_eq!(
            values[1]["value"]["reply"]["root"],
            json!({"uri": uri(0), "cid": built.cids[0]})
        );
        assert_eq!(
            values[1]["value"]["reply"]["parent"],
            json!({"uri": uri(0), "cid": built.cids[0]})
        );
        assert_eq!(
            values[2]["value"]["reply"]["root"],
            json!({"uri": uri(0), "cid": built.cids[0]})
        );
        assert_eq!(
            values[2]["value"]["reply"]["parent"],
            json!({"uri": uri(1), "cid": built.cids[1]})
        );
        assert_eq!(
            values[1]["value"]["labels"]["values"],
            json!([{"val": "graphic-media"}])
        );
        assert_eq!(
            values[1]["value"]["embed"]["$type"],
            "app.bsky.embed.images"
        );
        assert_eq!(values[3]["collection"], "app.bsky.feed.threadgate");
        assert_eq!(values[3]["rkey"], rkeys[0].as_str());
        assert_eq!(values[3]["value"]["post"], uri(0));
        assert_eq!(
            values[3]["value"]["allow"],
            json!([{"$type": "app.bsky.feed.threadgate#followingRule"}])
        );
        for (offset, value) in values[4..].iter().enumerate() {
            assert_eq!(value["collection"], "app.bsky.feed.postgate");
            assert_eq!(value["rkey"], rkeys[offset].as_str());
            assert_eq!(value["value"]["post"], uri(offset));
            assert_eq!(
                value["value"]["embeddingRules"],
                json!([{"$type": "app.bsky.feed.postgate#disableRule"}])
            );
        }
        // Each CID is the record's own, as the server will compute it.
        for (write, cid) in built.writes.iter().zip(&built.cids) {
            assert_eq!(&records::cid_for(&write.value).expect("cid"), cid);
        }
    }

    #[test]
    fn a_batch_too_large_for_the_server_is_refused_before_it_is_sent() {
        let dense = "#a ".repeat(100); // 100 hashtag facets in 300 bytes
        let mut post = post(&dense);
        post.facets = crate::compose::analyze(&dense).published_facets;
        let thread = PreparedThread {
            posts: (0..25).map(|_| post_like(&post)).collect(),
            langs: Vec::new(),
            who_can_reply: WhoCanReply::Everyone,
            quotes_allowed: true,
        };
        let rkeys: Vec<String> = (0..25).map(|_| crate::tid::next_tid()).collect();
        let built = thread_records(
            "did:plc:x",
            &rkeys,
            &thread,
            Resolved {
                facets: thread
                    .posts
                    .iter()
                    .map(|post| post.facets.clone())
                    .collect(),
                blobs: vec![PostBlobs::default(); 25],
            },
            OffsetDateTime::now_utc(),
        )
        .expect("records");
        let err = check_size(&built).expect_err("too large");
        assert_eq!(err.code, crate::ErrorCode::Validation);
        assert!(err.message.contains("too large"), "{}", err.message);
        let one = BuiltThread {
            writes: built.writes.into_iter().take(1).collect(),
            cids: Vec::new(),
            embeds: Vec::new(),
            mentioned: Vec::new(),
        };
        assert!(check_size(&one).is_ok());
    }

    fn post_like(post: &PreparedPost) -> PreparedPost {
        PreparedPost {
            text: post.text.clone(),
            facets: post.facets.clone(),
            images: Vec::new(),
            video: None,
            card: None,
            quote: None,
            labels: Vec::new(),
        }
    }

    #[test]
    fn everyone_may_reply_and_quote_without_any_gate() {
        let thread = PreparedThread {
            posts: vec![post("only")],
            langs: Vec::new(),
            who_can_reply: WhoCanReply::Everyone,
            quotes_allowed: true,
        };
        let built = thread_records(
            "did:plc:x",
            &["3kaaaaaaaaaa2".to_owned()],
            &thread,
            Resolved {
                facets: vec![Vec::new()],
                blobs: vec![PostBlobs::default()],
            },
            OffsetDateTime::now_utc(),
        )
        .expect("records");
        assert_eq!(built.writes.len(), 1);
    }
}
