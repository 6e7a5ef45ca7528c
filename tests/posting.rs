//! Posting end to end through `hayon-cli post`, against the reference PDS: images with alt text and
//! aspect ratios, a resolved mention and a hashtag, a link card from a page this test serves on
//! loopback, several accounts at once, and a too-long post refused before any request. Every post is
//! read back with getRecord and checked field by field.

use harness::cli::CliEnv;
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::proxy::CountingProxy;
use harness::web::WebServer;
use serde_json::Value;
use std::collections::HashMap;

/// The post record behind an `at://` URI, read from the PDS.
async fn read_back(uri: &str) -> Value {
    pds().read_record(uri).await
}

fn post(env: &CliEnv, args: &[&str], text: &str) -> harness::cli::CliOutput {
    let mut full = vec!["post"];
    full.extend_from_slice(args);
    env.run(&full, text)
}

/// `post`, with link cards allowed from loopback, where this test's web server runs.
fn post_with_loopback_cards(env: &CliEnv, args: &[&str], text: &str) -> harness::cli::CliOutput {
    let mut full = vec!["post"];
    full.extend_from_slice(args);
    env.run_with_env(&full, text, &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")])
}

#[tokio::test]
async fn four_images_a_mention_and_a_hashtag_are_posted_as_written() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("img").await;
    let bob = pds().create_user("bob").await;
    let dir = tempfile::tempdir().expect("tempdir");
    // As a 12 MP camera takes it.
    let photo = images::photo_jpeg(dir.path(), "photo.jpg", 4032, 3024);
    let rotated = images::exif_rotated_jpeg(dir.path(), "rotated.jpg", 800, 600);
    let transparent = images::transparent_png(dir.path(), "logo.png", 400, 200);
    let small = images::photo_jpeg(dir.path(), "small.jpg", 640, 480);
    let text = format!("Hello @{} 👋🏽 #hayon", bob.handle);

    let output = post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            photo.to_str().expect("path"),
            "--alt",
            "A wide photo",
            "--image",
            rotated.to_str().expect("path"),
            "--alt",
            "A portrait photo",
            "--image",
            transparent.to_str().expect("path"),
            "--alt",
            "A logo",
            "--image",
            small.to_str().expect("path"),
            "--alt",
            "",
            "--lang",
            "en",
            "--lang",
            "de",
        ],
        &text,
    );
    let results = output.expect_ok();
    let result = &results[0];
    assert_eq!(result["account"], alice.did.as_str(), "{results}");
    let uri = result["uri"].as_str().expect("uri");
    let rkey = uri.rsplit('/').next().expect("rkey");
    assert_eq!(rkey.len(), 13, "the rkey is a client-chosen TID: {uri}");
    assert_eq!(
        result["url"],
        format!("https://bsky.app/profile/{}/post/{rkey}", alice.handle).as_str()
    );

    let record = read_back(uri).await;
    assert_eq!(record["$type"], "app.bsky.feed.post");
    assert_eq!(record["text"], text.as_str());
    assert_eq!(record["langs"], serde_json::json!(["en", "de"]));
    assert!(record["createdAt"].is_string());

    let facets = record["facets"].as_array().expect("facets");
    let mention = facets
        .iter()
        .find(|facet| facet["features"][0]["$type"] == "app.bsky.richtext.facet#mention")
        .expect("a mention facet");
    assert_eq!(mention["features"][0]["did"], bob.did.as_str());
    let mention_text = format!("@{}", bob.handle);
    let start = text.find(&mention_text).expect("mention in text");
    assert_eq!(mention["index"]["byteStart"], start);
    assert_eq!(mention["index"]["byteEnd"], start + mention_text.len());
    let tag = facets
        .iter()
        .find(|facet| facet["features"][0]["$type"] == "app.bsky.richtext.facet#tag")
        .expect("a tag facet");
    assert_eq!(tag["features"][0]["tag"], "hayon");
    assert_eq!(tag["index"]["byteEnd"], text.len());

    let embed = &record["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images");
    let posted = embed["images"].as_array().expect("images");
    assert_eq!(posted.len(), 4);
    let alts: Vec<&str> = posted
        .iter()
        .map(|image| image["alt"].as_str().expect("alt"))
        .collect();
    assert_eq!(alts, ["A wide photo", "A portrait photo", "A logo", ""]);
    for image in posted {
        let size = image["image"]["size"].as_u64().expect("blob size");
        assert!(size <= 2_000_000, "blob of {size} bytes");
    }
    let photo_size = posted[0]["image"]["size"].as_u64().expect("blob size");
    assert!(
        photo_size > 1_000_000,
        "the 12 MP photo is posted sharper than 1 MB allowed: {photo_size} bytes"
    );
    let ratio = |index: usize| {
        let ratio = &posted[index]["aspectRatio"];
        (
            ratio["width"].as_u64().expect("w"),
            ratio["height"].as_u64().expect("h"),
        )
    };
    let (width, height) = ratio(0);
    assert!(
        width <= 4000 && width > 2000 && (width * 3).abs_diff(height * 4) <= 4,
        "wide photo scaled to at most 4000 px: {width}×{height}"
    );
    let (width, height) = ratio(1);
    assert!(
        height > width,
        "the EXIF-rotated photo must end up portrait: {width}×{height}"
    );
    assert_eq!((width, height), (600, 800));
    assert_eq!(ratio(2), (400, 200));
    assert_eq!(
        posted[2]["image"]["mimeType"], "image/png",
        "transparency keeps PNG"
    );
    assert_eq!(posted[0]["image"]["mimeType"], "image/jpeg");
}

#[tokio::test]
async fn an_unresolvable_mention_stays_plain_text() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("unr").await;
    let text = "Hi @nobody-here.test and #rust";
    let results = post(&env, &["--account", &alice.did], text).expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    let facets = record["facets"].as_array().expect("facets");
    assert_eq!(facets.len(), 1, "only the hashtag remains: {facets:?}");
    assert_eq!(
        facets[0]["features"][0]["$type"],
        "app.bsky.richtext.facet#tag"
    );
}

#[tokio::test]
async fn a_post_given_no_language_starts_with_the_systems_as_in_the_window() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("lng").await;
    let austrian = [("LC_ALL", "de_AT.UTF-8"), ("LANG", "de_AT.UTF-8")];
    let mut args = vec!["post", "--account", alice.did.as_str()];
    let results = env.run_with_env(&args, "Servus", &austrian).expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    assert_eq!(record["langs"], serde_json::json!(["de"]), "{record}");

    args.extend(["--lang", "pt-BR"]);
    let results = env.run_with_env(&args, "Olá", &austrian).expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    assert_eq!(record["langs"], serde_json::json!(["pt-BR"]), "{record}");
}

// The relay/web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_link_gets_a_card_from_the_page_with_a_prepared_thumbnail() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("card").await;
    let big = images::oversized_png_bytes(2400, 1600);
    assert!(
        big.len() > 1_000_000,
        "the card image must be oversized ({} bytes)",
        big.len()
    );
    let page = r#"<!doctype html><html><head><title>Plain title</title>
        <meta property="og:title" content="A page about Hayon">
        <meta property="og:description" content="Posting to Bluesky, properly.">
        <meta property="og:image" content="/card.png"></head><body>Hi</body></html>"#;
    let mut routes = HashMap::new();
    routes.insert(
        "/article".to_owned(),
        (
            "text/html; charset=utf-8".to_owned(),
            page.as_bytes().to_vec(),
        ),
    );
    routes.insert("/card.png".to_owned(), ("image/png".to_owned(), big));
    let site = WebServer::start(routes).await;
    let link = format!("{}/article", site.url);
    let text = format!("Worth reading: {link}");

    let results = post_with_loopback_cards(&env, &["--account", &alice.handle], &text).expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    let embed = &record["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.external", "{record}");
    let external = &embed["external"];
    assert_eq!(external["uri"], link.as_str());
    assert_eq!(external["title"], "A page about Hayon");
    assert_eq!(external["description"], "Posting to Bluesky, properly.");
    let thumb_size = external["thumb"]["size"]
        .as_u64()
        .expect("a thumbnail blob");
    assert!(thumb_size <= 1_000_000, "thumb of {thumb_size} bytes");
    let link_facet = &record["facets"][0];
    assert_eq!(link_facet["features"][0]["uri"], link.as_str());
}

// The relay/web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_fails_to_load_gives_a_post_without_a_card() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("nocd").await;
    let site = WebServer::start(HashMap::new()).await;
    let text = format!("Broken link {}/missing", site.url);
    let results = post_with_loopback_cards(&env, &["--account", &alice.handle], &text).expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    assert!(record.get("embed").is_none(), "{record}");
    let link = format!("{}/missing", site.url);
    assert_eq!(
        record["facets"][0]["features"][0]["uri"],
        link.as_str(),
        "{record}"
    );
}

#[tokio::test]
async fn posting_to_two_accounts_makes_one_post_in_each() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let first = env.connect_new_user("twa").await;
    let second = env.connect_new_user("twb").await;
    let results = post(
        &env,
        &["--account", &first.handle, "--account", &second.did],
        "Same news, two accounts",
    )
    .expect_ok();
    let results = results.as_array().expect("array");
    assert_eq!(results.len(), 2);
    for (result, user) in results.iter().zip([&first, &second]) {
        assert_eq!(result["account"], user.did.as_str());
        let uri = result["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with(&format!("at://{}/app.bsky.feed.post/", user.did)),
            "{uri}"
        );
        assert_eq!(read_back(uri).await["text"], "Same news, two accounts");
    }
}

// The relay/web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_301_grapheme_post_is_refused_before_any_request() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("long").await;
    // Route the account through a counting relay to see that nothing reaches the server.
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&alice.did, &proxy.url);

    let text = "é".repeat(301);
    let output = post(&env, &["--account", &alice.handle], &text);
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "validation", "{}", output.json);
    assert!(
        output.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("301"),
        "{}",
        output.json
    );
    assert_eq!(
        proxy.total(),
        0,
        "a request was made for a post that cannot be accepted"
    );

    // Exactly 300 is fine, and goes through the relay.
    let ok = post(&env, &["--account", &alice.handle], &"é".repeat(300)).expect_ok();
    assert!(ok[0]["uri"].is_string());
    assert!(proxy.count("com.atproto.repo.applyWrites") == 1);
}

#[tokio::test]
async fn a_bad_image_stops_the_post_and_names_the_file() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("bad").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let fake = dir.path().join("notes.jpg");
    std::fs::write(&fake, "this is not an image").expect("write");
    let output = post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            fake.to_str().expect("path"),
            "--alt",
            "x",
        ],
        "With a broken image",
    );
    assert_eq!(output.code, 1);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("notes.jpg"), "{}", output.json);
}

/// An iPhone photo (issue 20): a HEIC with EXIF orientation 6 and GPS tags, made by heif-enc, is
/// posted as an upright JPEG with no EXIF or GPS, as read back from the PDS's blob store; a
/// damaged HEIC stops its post, named, and nothing is posted.
#[tokio::test]
async fn an_iphone_heic_is_posted_upright_without_gps_and_a_damaged_one_not_at_all() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("heic").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let heic = images::iphone_heic(dir.path(), "IMG_0007.HEIC", 1600, 1200);
    let whole = std::fs::read(&heic).expect("read heic");
    assert!(images::has_gps(&whole), "the HEIC has GPS tags to strip");

    let results = post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            heic.to_str().expect("path"),
            "--alt",
            "A portrait from a phone",
        ],
        "From my phone",
    )
    .expect_ok();
    let record = read_back(results[0]["uri"].as_str().expect("uri")).await;
    let image = &record["embed"]["images"][0];
    assert_eq!(image["alt"], "A portrait from a phone", "{record}");
    assert_eq!(image["image"]["mimeType"], "image/jpeg", "{record}");
    assert_eq!(image["aspectRatio"]["width"], 1200, "{record}");
    assert_eq!(image["aspectRatio"]["height"], 1600, "{record}");
    let cid = image["image"]["ref"]["$link"].as_str().expect("blob cid");
    let blob = pds().blob(&alice.did, cid).await;
    assert_eq!(image["image"]["size"], blob.len(), "{record}");
    images::assert_upright_portrait(&blob, "the posted blob");
    images::assert_no_metadata(&blob, "the posted blob");

    let cut = dir.path().join("IMG_0008.HEIC");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write cut");
    let output = post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            cut.to_str().expect("path"),
            "--alt",
            "x",
        ],
        "With a damaged photo",
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json["error"]["code"], "validation",
        "{}",
        output.json
    );
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("IMG_0008.HEIC could not be read as a HEIC image: "),
        "{message}"
    );
    assert!(pds()
        .posts_with_text(&alice.did, "With a damaged photo")
        .await
        .is_empty());
}

// The relay runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_the_write_never_makes_a_second_post() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("lost").await;
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&alice.did, &proxy.url);
    proxy.lose_next_answer_to("com.atproto.repo.applyWrites");

    let results = post(&env, &["--account", &alice.handle], "Posted exactly once").expect_ok();
    let uri = results[0]["uri"]
        .as_str()
        .expect("the post is reported as posted");
    assert_eq!(
        proxy.count("com.atproto.repo.applyWrites"),
        1,
        "the lost answer's record was found by looking it up, not by sending it again"
    );
    assert!(proxy.count("com.atproto.repo.getRecord") >= 1);
    let (status, listing) = pds()
        .get(
            "com.atproto.repo.listRecords",
            None,
            &[
                ("repo", alice.did.as_str()),
                ("collection", "app.bsky.feed.post"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{listing}");
    let records = listing["records"].as_array().expect("records");
    assert_eq!(records.len(), 1, "a retry created a second post: {listing}");
    assert_eq!(records[0]["uri"], uri);
}

// One account's server is unreachable; the other account still gets its post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_failing_does_not_stop_the_others() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let working = env.connect_new_user("okay").await;
    let broken = env.connect_new_user("down").await;
    env.route_account_through(&broken.did, "http://127.0.0.1:9");
    let output = post(
        &env,
        &["--account", &working.handle, "--account", &broken.handle],
        "Partly delivered",
    );
    assert_eq!(output.code, 1, "a partial failure exits 1: {}", output.json);
    let results = output.json.as_array().expect("one entry per account");
    assert_eq!(results.len(), 2);
    assert!(results[0]["uri"].is_string(), "{}", output.json);
    assert_eq!(results[1]["account"], broken.did.as_str());
    assert_eq!(results[1]["error"]["code"], "network", "{}", output.json);
}
