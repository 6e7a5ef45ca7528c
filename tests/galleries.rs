//! Galleries through `hayon-cli post`, against the reference PDS: ten images with alt text are one
//! post with `app.bsky.embed.gallery`, its items in the order given, each with its aspect ratio; an
//! eleventh image is refused before any request; in a thread, four images are still
//! `app.bsky.embed.images` and a gallery sits beside a quoted post (`recordWithMedia`). The CLI
//! says each post's embed kind. Every post is read back from the PDS.

use harness::cli::CliEnv;
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::proxy::CountingProxy;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Photos `<name>-1.jpg`…, each a different shape: `(file, width, height)`.
fn photos(dir: &Path, name: &str, count: u32) -> Vec<(PathBuf, u32, u32)> {
    (1..=count)
        .map(|n| {
            let (width, height) = (320 + 40 * n, 240 + (n % 3) * 60);
            let file = images::photo_jpeg(dir, &format!("{name}-{n}.jpg"), width, height);
            (file, width, height)
        })
        .collect()
}

/// `--image F --alt "Picture N"` for each photo.
fn image_args(photos: &[(PathBuf, u32, u32)]) -> Vec<String> {
    (1..)
        .zip(photos)
        .flat_map(|(n, (file, _, _))| {
            [
                "--image".to_owned(),
                file.to_str().expect("utf-8 path").to_owned(),
                "--alt".to_owned(),
                format!("Picture {n}"),
            ]
        })
        .collect()
}

/// A gallery's items as `(alt, width, height)`, after checking each item's shape.
fn gallery_items(gallery: &Value) -> Vec<(String, u64, u64)> {
    assert_eq!(gallery["$type"], "app.bsky.embed.gallery", "{gallery}");
    gallery["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            assert_eq!(item["$type"], "app.bsky.embed.gallery#image", "{item}");
            assert_eq!(item["image"]["$type"], "blob", "{item}");
            let size = item["image"]["size"].as_u64().expect("blob size");
            assert!(size <= 2_000_000, "a blob of {size} bytes");
            (
                item["alt"].as_str().expect("alt").to_owned(),
                item["aspectRatio"]["width"].as_u64().expect("width"),
                item["aspectRatio"]["height"].as_u64().expect("height"),
            )
        })
        .collect()
}

/// What the photos should come out as, in order.
fn expected_items(photos: &[(PathBuf, u32, u32)]) -> Vec<(String, u64, u64)> {
    (1..)
        .zip(photos)
        .map(|(n, (_, width, height))| (format!("Picture {n}"), *width as u64, *height as u64))
        .collect()
}

// The relay runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_images_are_one_gallery_in_order_and_an_eleventh_is_refused_before_any_request() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("gal").await;
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&alice.did, &proxy.url);
    let dir = tempfile::tempdir().expect("tempdir");
    let eleven = photos(dir.path(), "photo", 11);

    let mut args = vec![
        "post".to_owned(),
        "--account".to_owned(),
        alice.handle.clone(),
    ];
    args.extend(image_args(&eleven));
    let refused = env.run(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        "Too many",
    );
    assert_eq!(refused.code, 1);
    assert_eq!(refused.error_code(), "validation", "{}", refused.json);
    let message = refused.json["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("up to 10 images"), "{message}");
    assert_eq!(
        proxy.total(),
        0,
        "a request was made for a post with 11 images"
    );
    assert_eq!(
        env.run(&["outbox", "list"], "").expect_ok(),
        json!([]),
        "nothing kept"
    );

    let ten = &eleven[..10];
    let mut args = vec![
        "post".to_owned(),
        "--account".to_owned(),
        alice.handle.clone(),
    ];
    args.extend(image_args(ten));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let results = env.run(&args, "Ten pictures").expect_ok();
    assert_eq!(results[0]["embed"], "app.bsky.embed.gallery", "{results}");
    assert_eq!(results[0]["posts"][0]["embed"], "app.bsky.embed.gallery");
    assert_eq!(proxy.count("com.atproto.repo.applyWrites"), 1, "one write");
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(record["text"], "Ten pictures");
    assert_eq!(gallery_items(&record["embed"]), expected_items(ten));
}

#[tokio::test]
async fn in_a_thread_four_images_stay_an_images_embed_and_a_gallery_goes_beside_a_quote() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("galt").await;
    let quoted = env
        .run(
            &["post", "--account", &alice.handle, "--no-link-card"],
            "Worth a gallery",
        )
        .expect_ok();
    let quoted_uri = quoted[0]["uri"].as_str().expect("uri").to_owned();
    let quoted_cid = quoted[0]["cid"].as_str().expect("cid").to_owned();
    let dir = tempfile::tempdir().expect("tempdir");
    let four = photos(dir.path(), "first", 4);
    let six = photos(dir.path(), "second", 6);
    let composed = |photos: &[(PathBuf, u32, u32)]| {
        (1..)
            .zip(photos)
            .map(|(n, (file, _, _))| json!({"path": file, "alt": format!("Picture {n}")}))
            .collect::<Vec<_>>()
    };
    let file = dir.path().join("thread.json");
    let composition = json!({
        "posts": [
            {"text": "Four pictures", "images": composed(&four)},
            {"text": "Six more, and the post they go with", "images": composed(&six), "quote": quoted_uri},
        ],
        "accounts": [alice.handle],
        "langs": ["en"],
    });
    std::fs::write(&file, composition.to_string()).expect("write");

    let results = env
        .run(&["post", "--composition", file.to_str().expect("path")], "")
        .expect_ok();
    let posts = results[0]["posts"].as_array().expect("posts");
    assert_eq!(posts.len(), 2, "{results}");
    assert_eq!(posts[0]["embed"], "app.bsky.embed.images");
    assert_eq!(posts[1]["embed"], "app.bsky.embed.recordWithMedia");

    let first = pds()
        .read_record(posts[0]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(first["embed"]["$type"], "app.bsky.embed.images", "{first}");
    let alts: Vec<&str> = first["embed"]["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|image| image["alt"].as_str().expect("alt"))
        .collect();
    assert_eq!(alts, ["Picture 1", "Picture 2", "Picture 3", "Picture 4"]);

    let second = pds()
        .read_record(posts[1]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(second["reply"]["parent"]["uri"], posts[0]["uri"]);
    let embed = &second["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.recordWithMedia", "{embed}");
    assert_eq!(
        embed["record"],
        json!({"$type": "app.bsky.embed.record", "record": {"uri": quoted_uri, "cid": quoted_cid}})
    );
    assert_eq!(gallery_items(&embed["media"]), expected_items(&six));
}
