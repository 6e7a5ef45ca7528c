//! The record encoder against the reference PDS: a thread written in one `applyWrites` — a root post
//! with facets, an image, self-labels and languages; a reply quoting it with an image
//! (`recordWithMedia`); a reply quoting it alone; a post with a link card and thumbnail; a gallery
//! of ten images and one of five beside a quote; a threadgate and two postgates — is accepted as
//! valid, and the CID the server answers for each record equals `records::cid_for` of the same typed
//! value. Then `publish::quote::resolve` finds the root from its bsky.app link (by handle and by
//! DID) and its `at://` URI, and says clearly when a post or a handle does not exist.

use harness::images;
use harness::pds::{pds, TestUser};
use hayon_core::compose::{ByteSlice, Facet, Feature, Mentioned};
use hayon_core::composition::{ContentLabel, WhoCanReply};
use hayon_core::publish::quote;
use hayon_core::records::{
    cid_for, AspectRatio, Blob, Embed, External, ExternalEmbed, Image, Post, Postgate, ReplyRef,
    StrongRef, Threadgate, POST, POSTGATE, THREADGATE,
};
use hayon_core::tid::next_tid;
use hayon_core::xrpc::XrpcClient;
use hayon_core::ErrorCode;
use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

const AT: &str = "2026-12-01T12:00:00.000Z";

/// uploadBlob with the user's session; the answer read as the typed blob.
async fn upload(user: &TestUser, bytes: Vec<u8>, mime_type: &str) -> Blob {
    let response = harness::http_client()
        .post(pds().xrpc("com.atproto.repo.uploadBlob"))
        .bearer_auth(&user.access_jwt)
        .header("content-type", mime_type)
        .body(bytes)
        .send()
        .await
        .expect("the PDS answers");
    assert_eq!(response.status().as_u16(), 200, "uploadBlob");
    let answer: Value = response.json().await.expect("JSON");
    serde_json::from_value(answer["blob"].clone()).expect("a typed blob")
}

/// One write of the batch, with the CID Hayon computes for it.
struct Write {
    collection: &'static str,
    rkey: String,
    value: Value,
    cid: String,
}

fn write<T: Serialize>(collection: &'static str, rkey: &str, record: &T) -> Write {
    Write {
        collection,
        rkey: rkey.to_owned(),
        value: serde_json::to_value(record).expect("JSON"),
        cid: cid_for(record).expect("a CID"),
    }
}

fn uri(user: &TestUser, collection: &str, rkey: &str) -> String {
    format!("at://{}/{collection}/{rkey}", user.did)
}

#[tokio::test]
async fn the_server_gives_every_record_the_cid_computed_before_writing_it() {
    let alice = pds().create_user("rec").await;
    let bob = pds().create_user("recbob").await;
    let photo = images::small_images()
        .into_iter()
        .find(|(name, _)| *name == "alpha.png")
        .expect("a PNG")
        .1;
    let image = upload(&alice, photo.clone(), "image/png").await;
    let thumb = upload(&alice, images::jpeg_bytes(64, 48, false, 3), "image/jpeg").await;
    assert_eq!(image.mime_type, "image/png");
    assert_eq!(image.size, photo.len() as u64);
    // Every other picture in the batch is a blob of its own: the PDS makes the blobs of one
    // applyWrites permanent concurrently, and two tasks moving the same temporary file race (a 500
    // now and then).
    let mut others = Vec::new();
    for n in 0..16 {
        others.push(
            upload(
                &alice,
                images::jpeg_bytes(40 + n, 30, false, 3),
                "image/jpeg",
            )
            .await,
        );
    }
    let mut others = others.into_iter();

    let (root_key, reply_key, quote_key, card_key) =
        (next_tid(), next_tid(), next_tid(), next_tid());
    let (gallery_key, quoted_gallery_key) = (next_tid(), next_tid());
    let text = format!("Hi @{} see https://example.com #hayon", bob.handle);
    let mention_end = 3 + 1 + bob.handle.len();
    let link_start = text.find("https://").expect("link");
    let tag_start = text.find("#hayon").expect("tag");
    let facet = |byte_start, byte_end, feature| Facet {
        index: ByteSlice {
            byte_start,
            byte_end,
        },
        features: vec![feature],
    };
    let root = Post {
        facets: vec![
            facet(
                3,
                mention_end,
                Feature::Mention {
                    who: Mentioned::Did(bob.did.clone()),
                },
            ),
            facet(
                link_start,
                link_start + "https://example.com".len(),
                Feature::Link {
                    uri: "https://example.com".into(),
                },
            ),
            facet(
                tag_start,
                text.len(),
                Feature::Tag {
                    tag: "hayon".into(),
                },
            ),
        ],
        embed: Embed::of(
            vec![Image {
                alt: "A gradient".into(),
                image: image.clone(),
                aspect_ratio: AspectRatio {
                    width: 120,
                    height: 80,
                },
            }],
            None,
        ),
        langs: vec!["en".into(), "de".into()],
        ..Post::new(text.clone(), AT)
    }
    .with_labels(&[ContentLabel::GraphicMedia, ContentLabel::Nudity]);
    let root_cid = cid_for(&root).expect("a CID");
    let root_ref = StrongRef {
        uri: uri(&alice, POST, &root_key),
        cid: root_cid.clone(),
    };
    let thread = ReplyRef {
        root: root_ref.clone(),
        parent: root_ref.clone(),
    };
    let reply = Post {
        reply: Some(thread.clone()),
        embed: Embed::of(
            vec![Image {
                alt: String::new(),
                image: others.next().expect("a blob"),
                aspect_ratio: AspectRatio {
                    width: 120,
                    height: 80,
                },
            }],
            Some(root_ref.clone()),
        ),
        ..Post::new("Quoting myself, with the picture again", AT)
    };
    let quote_only = Post {
        reply: Some(thread),
        embed: Embed::of(Vec::new(), Some(root_ref.clone())),
        ..Post::new("Only the quote", AT)
    };
    let card = Post {
        embed: Some(Embed::External(ExternalEmbed {
            external: External {
                uri: "https://example.com/article".into(),
                title: "An article".into(),
                description: String::new(),
                thumb: Some(thumb),
            },
        })),
        ..Post::new("https://example.com/article", AT)
    };
    // Five images and more are a gallery (each item typed, its aspect ratio required), also beside
    // a quote.
    let mut gallery_of = |count: u32| {
        (1..=count)
            .map(|n| Image {
                alt: format!("Picture {n}"),
                image: others.next().expect("a blob"),
                aspect_ratio: AspectRatio {
                    width: 120 + n,
                    height: 80,
                },
            })
            .collect::<Vec<_>>()
    };
    let gallery = Post {
        embed: Embed::of(gallery_of(10), None),
        ..Post::new("Ten pictures", AT)
    };
    let quoted_gallery = Post {
        embed: Embed::of(gallery_of(5), Some(root_ref.clone())),
        ..Post::new("Five pictures and a quote", AT)
    };
    let who = WhoCanReply::Some {
        mentioned: true,
        following: true,
        followers: true,
    };
    let threadgate = Threadgate::new(root_ref.uri.clone(), who, AT).expect("a threadgate");
    let writes = [
        write(POST, &root_key, &root),
        write(POST, &reply_key, &reply),
        write(POST, &quote_key, &quote_only),
        write(POST, &card_key, &card),
        write(POST, &gallery_key, &gallery),
        write(POST, &quoted_gallery_key, &quoted_gallery),
        write(THREADGATE, &root_key, &threadgate),
        write(
            POSTGATE,
            &root_key,
            &Postgate::no_quotes(root_ref.uri.clone(), AT),
        ),
        write(
            POSTGATE,
            &reply_key,
            &Postgate::no_quotes(uri(&alice, POST, &reply_key), AT),
        ),
    ];
    assert_eq!(writes[0].cid, root_cid);

    let body = json!({
        "repo": alice.did,
        "writes": writes.iter().map(|write| json!({
            "$type": "com.atproto.repo.applyWrites#create",
            "collection": write.collection,
            "rkey": write.rkey,
            "value": write.value,
        })).collect::<Vec<_>>(),
    });
    let (status, answer) = pds()
        .post(
            "com.atproto.repo.applyWrites",
            Some(&alice.access_jwt),
            &body,
        )
        .await;
    assert_eq!(status, 200, "applyWrites: {answer}");
    let results = answer["results"].as_array().expect("results");
    assert_eq!(results.len(), writes.len(), "{answer}");
    for (write, result) in writes.iter().zip(results) {
        assert_eq!(
            result["uri"],
            uri(&alice, write.collection, &write.rkey).as_str()
        );
        assert_eq!(
            result["validationStatus"], "valid",
            "{} {}",
            write.collection, write.value
        );
        assert_eq!(
            result["cid"],
            write.cid.as_str(),
            "the server's CID for {}",
            write.value
        );
        // What the server stored reads back as the value written.
        assert_eq!(
            pds()
                .read_record(result["uri"].as_str().expect("uri"))
                .await,
            write.value
        );
    }

    // Quoting the root: from its link by handle and by DID, and from its at:// URI.
    let xrpc = XrpcClient::new(hayon_core::xrpc::DEFAULT_TIMEOUT).expect("client");
    let server = Url::parse(&pds().url).expect("PDS URL");
    for pasted in [
        format!("https://bsky.app/profile/{}/post/{root_key}", alice.handle),
        format!(
            "  https://bsky.app/profile/{}/post/{root_key}/?ref=share ",
            alice.did
        ),
        root_ref.uri.clone(),
    ] {
        let quoted = quote::resolve(&xrpc, &server, &pasted)
            .await
            .expect("the root resolves");
        assert_eq!(quoted.reference, root_ref, "{pasted}");
        assert_eq!(quoted.author_did, alice.did);
        assert_eq!(quoted.text, text);
    }
    let missing = quote::resolve(
        &xrpc,
        &server,
        &format!(
            "https://bsky.app/profile/{}/post/{}",
            alice.handle,
            next_tid()
        ),
    )
    .await
    .expect_err("no such post");
    assert_eq!(missing.code, ErrorCode::NotFound, "{missing:?}");
    assert!(missing.message.starts_with("That post does not exist"));
    let nobody = quote::resolve(
        &xrpc,
        &server,
        &format!(
            "at://nobody-{}.test/app.bsky.feed.post/{root_key}",
            next_tid()
        ),
    )
    .await
    .expect_err("no such handle");
    assert_eq!(nobody.code, ErrorCode::NotFound, "{nobody:?}");
    let garbage = quote::resolve(&xrpc, &server, "https://example.com/post/1")
        .await
        .expect_err("not a post link");
    assert_eq!(garbage.code, ErrorCode::Validation);
}
