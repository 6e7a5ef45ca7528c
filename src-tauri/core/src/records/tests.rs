//! The encodings against the server: the test vectors of shared/protocol.md (records written to the
//! reference PDS and the CID it answered), and the JSON shapes of the lexicons.

use super::*;
use crate::compose::{ByteSlice, Facet, Feature, Mentioned};
use crate::composition::{ContentLabel, WhoCanReply};
use serde_json::{json, Value};

const ROOT_URI: &str = "at://did:plc:s4ftoopqakowoct6b66glb4s/app.bsky.feed.post/3n3miidxlqk2p";
const ROOT_CID: &str = "bafyreif57gsutwx6go6wywgr6elw6tsnyo6a3mrek3dbtjgku62absgrii";
const PIXEL_CID: &str = "bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu";

fn root() -> Post {
    Post {
        langs: vec!["en".into()],
        ..Post::new("Hello, world! 👋", "2026-12-01T12:00:00.000Z")
    }
}

fn pixel() -> Blob {
    Blob {
        link: CidLink::parse(PIXEL_CID).expect("a CID"),
        mime_type: "image/png".into(),
        size: 70,
    }
}

fn reply() -> Post {
    let root = StrongRef {
        uri: ROOT_URI.into(),
        cid: ROOT_CID.into(),
    };
    Post {
        reply: Some(ReplyRef {
            root: root.clone(),
            parent: root,
        }),
        facets: vec![Facet {
            index: ByteSlice {
                byte_start: 13,
                byte_end: 24,
            },
            features: vec![Feature::Mention {
                who: Mentioned::Did("did:plc:s4ftoopqakowoct6b66glb4s".into()),
            }],
        }],
        embed: Embed::of(
            vec![Image {
                alt: "one pixel".into(),
                image: pixel(),
                aspect_ratio: AspectRatio {
                    width: 1,
                    height: 1,
                },
            }],
            None,
        ),
        ..Post::new(
            "A reply with @alice.test and an image",
            "2026-12-01T12:00:01.000Z",
        )
    }
}

#[test]
fn the_first_vector_has_the_servers_cid() {
    let expected = json!({"$type":"app.bsky.feed.post","text":"Hello, world! 👋","createdAt":"2026-12-01T12:00:00.000Z","langs":["en"]});
    assert_eq!(serde_json::to_value(root()).expect("json"), expected);
    assert_eq!(cid_for(&root()).expect("cid"), ROOT_CID);
}

#[test]
fn the_reply_vector_with_a_mention_and_an_image_has_the_servers_cid() {
    let expected = json!({"$type":"app.bsky.feed.post","text":"A reply with @alice.test and an image","createdAt":"2026-12-01T12:00:01.000Z","reply":{"root":{"uri":"at://did:plc:s4ftoopqakowoct6b66glb4s/app.bsky.feed.post/3n3miidxlqk2p","cid":"bafyreif57gsutwx6go6wywgr6elw6tsnyo6a3mrek3dbtjgku62absgrii"},"parent":{"uri":"at://did:plc:s4ftoopqakowoct6b66glb4s/app.bsky.feed.post/3n3miidxlqk2p","cid":"bafyreif57gsutwx6go6wywgr6elw6tsnyo6a3mrek3dbtjgku62absgrii"}},"facets":[{"index":{"byteStart":13,"byteEnd":24},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:s4ftoopqakowoct6b66glb4s"}]}],"embed":{"$type":"app.bsky.embed.images","images":[{"alt":"one pixel","image":{"$type":"blob","ref":{"$link":"bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu"},"mimeType":"image/png","size":70},"aspectRatio":{"width":1,"height":1}}]}});
    assert_eq!(serde_json::to_value(reply()).expect("json"), expected);
    assert_eq!(
        cid_for(&reply()).expect("cid"),
        "bafyreibvtbs6zpv36ujryaikosozmqzbrhgycf55iptoaofxb3licebah4"
    );
    // The JSON read back is the same record (as the outbox stores it).
    let back: Post = serde_json::from_value(expected).expect("a post");
    assert_eq!(back, reply());
}

#[test]
fn map_keys_are_in_length_first_order_and_the_blob_ref_is_a_tag_42_link() {
    let bytes = serde_ipld_dagcbor::to_vec(&pixel()).expect("cbor");
    // A map of 4 entries: "ref" (3), "size" (4), "$type" (5), "mimeType" (8).
    assert_eq!(bytes[0], 0xa4);
    let keys: Vec<usize> = ["ref", "size", "$type", "mimeType"]
        .iter()
        .map(|key| {
            bytes
                .windows(key.len())
                .position(|window| window == key.as_bytes())
                .expect("key present")
        })
        .collect();
    assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");
    // `ref` is followed by tag 42 (0xd8 0x2a) over a byte string.
    assert_eq!(&bytes[keys[0] + 3..keys[0] + 5], &[0xd8, 0x2a]);
}

#[test]
fn a_blob_reads_from_the_upload_answer() {
    let answer = json!({"$type":"blob","ref":{"$link":PIXEL_CID},"mimeType":"image/png","size":70});
    let blob: Blob = serde_json::from_value(answer.clone()).expect("a blob");
    assert_eq!(blob, pixel());
    assert_eq!(serde_json::to_value(&blob).expect("json"), answer);
    let bad = json!({"$type":"blob","ref":{"$link":"not a cid"},"mimeType":"image/png","size":70});
    assert!(serde_json::from_value::<Blob>(bad).is_err());
}

#[test]
fn a_typed_mention_and_a_resolved_one_have_their_own_field() {
    let typed = Feature::Mention {
        who: Mentioned::Handle("alice.test".into()),
    };
    let resolved = Feature::Mention {
        who: Mentioned::Did("did:plc:abc".into()),
    };
    let typed_json = json!({"$type": "app.bsky.richtext.facet#mention", "handle": "alice.test"});
    let resolved_json = json!({"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:abc"});
    assert_eq!(serde_json::to_value(&typed).expect("json"), typed_json);
    assert_eq!(
        serde_json::to_value(&resolved).expect("json"),
        resolved_json
    );
    assert_eq!(
        serde_json::from_value::<Feature>(typed_json).expect("back"),
        typed
    );
    assert_eq!(
        serde_json::from_value::<Feature>(resolved_json).expect("back"),
        resolved
    );
}

/// Images numbered by their alt text, each with its own shape.
fn numbered_images(count: u32) -> Vec<Image> {
    (1..=count)
        .map(|n| Image {
            alt: format!("image {n}"),
            image: pixel(),
            aspect_ratio: AspectRatio {
                width: n,
                height: 1,
            },
        })
        .collect()
}

#[test]
fn four_images_are_an_images_embed_and_five_to_ten_a_gallery_in_their_order() {
    let four = serde_json::to_value(Embed::of(numbered_images(4), None)).expect("json");
    assert_eq!(four["$type"], "app.bsky.embed.images");
    assert_eq!(four["images"].as_array().map(Vec::len), Some(4));
    for count in [5, 10] {
        let embed = Embed::of(numbered_images(count), None).expect("an embed");
        assert_eq!(embed.nsid(), "app.bsky.embed.gallery");
        let json = serde_json::to_value(&embed).expect("json");
        let items = json["items"].as_array().expect("items");
        assert_eq!(items.len(), count as usize);
        for (n, item) in (1..).zip(items) {
            assert_eq!(
                item,
                &json!({
                    "$type": "app.bsky.embed.gallery#image",
                    "alt": format!("image {n}"),
                    "image": serde_json::to_value(pixel()).expect("json"),
                    "aspectRatio": {"width": n, "height": 1},
                })
            );
        }
        assert_eq!(serde_json::from_value::<Embed>(json).expect("back"), embed);
        cid_for(&Post {
            embed: Some(embed),
            ..root()
        })
        .expect("a gallery encodes as DAG-CBOR");
    }
    let quoted = StrongRef {
        uri: ROOT_URI.into(),
        cid: ROOT_CID.into(),
    };
    let with_quote = Embed::of(numbered_images(7), Some(quoted)).expect("an embed");
    let json = serde_json::to_value(&with_quote).expect("json");
    assert_eq!(json["$type"], "app.bsky.embed.recordWithMedia");
    assert_eq!(json["media"]["$type"], "app.bsky.embed.gallery");
    assert_eq!(json["media"]["items"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        serde_json::from_value::<Embed>(json).expect("back"),
        with_quote
    );
}

#[test]
fn a_quote_with_images_labels_and_a_card_have_their_lexicon_shapes() {
    let quoted = StrongRef {
        uri: ROOT_URI.into(),
        cid: ROOT_CID.into(),
    };
    let image = Image {
        alt: String::new(),
        image: pixel(),
        aspect_ratio: AspectRatio {
            width: 3,
            height: 2,
        },
    };
    let blob = serde_json::to_value(pixel()).expect("json");
    let quote = Embed::of(Vec::new(), Some(quoted.clone())).expect("an embed");
    assert_eq!(
        serde_json::to_value(&quote).expect("json"),
        json!({"$type": "app.bsky.embed.record", "record": {"uri": ROOT_URI, "cid": ROOT_CID}})
    );
    let both = Embed::of(vec![image], Some(quoted)).expect("an embed");
    assert_eq!(
        serde_json::to_value(&both).expect("json"),
        json!({
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"$type": "app.bsky.embed.record", "record": {"uri": ROOT_URI, "cid": ROOT_CID}},
            "media": {"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": blob, "aspectRatio": {"width": 3, "height": 2}}]},
        })
    );
    assert_eq!(Embed::of(Vec::new(), None), None);
    let card = Embed::External(ExternalEmbed {
        external: External {
            uri: "https://example.com".into(),
            title: "Example".into(),
            description: String::new(),
            thumb: None,
        },
    });
    assert_eq!(
        serde_json::to_value(&card).expect("json"),
        json!({"$type": "app.bsky.embed.external",
               "external": {"uri": "https://example.com", "title": "Example", "description": ""}})
    );
    for embed in [quote, both, card] {
        let json = serde_json::to_value(&embed).expect("json");
        assert_eq!(serde_json::from_value::<Embed>(json).expect("back"), embed);
    }

    let labelled = root().with_labels(&[
        ContentLabel::Porn,
        ContentLabel::GraphicMedia,
        ContentLabel::Porn,
    ]);
    assert_eq!(
        serde_json::to_value(&labelled).expect("json")["labels"],
        json!({"$type": "com.atproto.label.defs#selfLabels",
               "values": [{"val": "porn"}, {"val": "graphic-media"}]})
    );
    let unlabelled = serde_json::to_value(labelled.with_labels(&[])).expect("json");
    assert!(unlabelled.get("labels").is_none());
}

#[test]
fn a_threadgate_allows_the_chosen_groups_and_none_is_written_for_everyone() {
    let at = "2026-12-01T12:00:00.000Z";
    assert_eq!(Threadgate::new(ROOT_URI, WhoCanReply::Everyone, at), None);
    let nobody = Threadgate::new(ROOT_URI, WhoCanReply::Nobody, at).expect("a threadgate");
    assert_eq!(
        serde_json::to_value(&nobody).expect("json"),
        json!({"$type": "app.bsky.feed.threadgate", "post": ROOT_URI, "allow": [], "createdAt": at})
    );
    let some = WhoCanReply::Some {
        mentioned: true,
        following: true,
        followers: true,
    };
    let value: Value = serde_json::to_value(Threadgate::new(ROOT_URI, some, at)).expect("json");
    assert_eq!(
        value,
        json!({"$type": "app.bsky.feed.threadgate", "post": ROOT_URI, "createdAt": at, "allow": [
            {"$type": "app.bsky.feed.threadgate#mentionRule"},
            {"$type": "app.bsky.feed.threadgate#followingRule"},
            {"$type": "app.bsky.feed.threadgate#followerRule"},
        ]})
    );
    let back: Threadgate = serde_json::from_value(value).expect("back");
    assert_eq!(Some(back), Threadgate::new(ROOT_URI, some, at));
    let followers_only = WhoCanReply::Some {
        mentioned: false,
        following: false,
        followers: true,
    };
    assert_eq!(
        Threadgate::new(ROOT_URI, followers_only, at).and_then(|gate| gate.allow),
        Some(vec![ThreadgateRule::Followers])
    );
    assert!(cid_for(&nobody).expect("cid").starts_with("bafyrei"));
}

#[test]
fn a_postgate_disables_quotes() {
    let at = "2026-12-01T12:00:00.000Z";
    let gate = Postgate::no_quotes(ROOT_URI, at);
    assert_eq!(
        serde_json::to_value(&gate).expect("json"),
        json!({"$type": "app.bsky.feed.postgate", "post": ROOT_URI, "createdAt": at,
               "embeddingRules": [{"$type": "app.bsky.feed.postgate#disableRule"}]})
    );
    assert!(cid_for(&gate).expect("cid").starts_with("bafyrei"));
}
