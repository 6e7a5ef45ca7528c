//! A server older than the 2,000,000-byte image limit (protocol.md › Media in 2026) refuses a
//! 2 MB photo: the post still goes out once, with the photo at 1,000,000 bytes and 2000 px, and the
//! next post to that server is prepared to fit at once.

use super::*;

/// A photo a 12 MP camera could have taken; prepared for today's servers it is over 1,000,000 bytes.
fn camera_photo(dir: &std::path::Path) -> std::path::PathBuf {
    images::photo_jpeg(dir, "camera.jpg", 4032, 3024)
}

/// The size and aspect ratio of the photo of the post `uri` on the server.
async fn posted_photo(user: &TestUser, uri: &str) -> (u64, u64, u64) {
    let posts = posts_on_server(user).await;
    let post = posts
        .iter()
        .find(|post| post["uri"] == uri)
        .unwrap_or_else(|| panic!("{uri} is on the server: {posts:?}"));
    let image = &post["value"]["embed"]["images"][0];
    (
        image["image"]["size"].as_u64().expect("blob size"),
        image["aspectRatio"]["width"].as_u64().expect("width"),
        image["aspectRatio"]["height"].as_u64().expect("height"),
    )
}

/// `refusal` answers the first request of `nsid` as an older server answers a 2 MB image; the post
/// is made once with the 1 MB photo, and the next one goes at 1 MB on its first upload.
async fn an_older_server_gets_the_smaller_photo(nsid: &str, refusal: Canned) {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "older").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = camera_photo(dir.path());
    rig().proxy.arm(nsid, Fault::Answer(refusal));

    let output = post_photo(&env, &user, &photo, "Sharp enough for an older server");
    assert_eq!(
        output.code,
        0,
        "{} / {}\nhayon.log:\n{}",
        output.json,
        output.stderr,
        app_log(&env)
    );
    let uri = output.json[0]["uri"].as_str().expect("reported as posted");
    assert_eq!(posts_on_server(&user).await.len(), 1, "one post");
    let (size, width, height) = posted_photo(&user, uri).await;
    assert!(size <= 1_000_000, "the smaller photo: {size} bytes");
    assert!(width.max(height) <= 2000, "{width}×{height}");
    assert!(width > height, "{width}×{height}");
    assert_eq!(rig().proxy.count(WRITE), if nsid == WRITE { 2 } else { 1 });

    // The server's limit is remembered: the next post uploads its photo once, already at 1 MB.
    let uploads_before = rig().proxy.count(UPLOAD);
    let output = post_photo(&env, &user, &photo, "Straight at 1 MB");
    assert_eq!(output.code, 0, "{} / {}", output.json, output.stderr);
    assert_eq!(rig().proxy.count(UPLOAD), uploads_before + 1, "one upload");
    let uri = output.json[0]["uri"].as_str().expect("reported as posted");
    let (size, width, height) = posted_photo(&user, uri).await;
    assert!(size <= 1_000_000, "{size} bytes");
    assert!(width.max(height) <= 2000, "{width}×{height}");
    assert_eq!(posts_on_server(&user).await.len(), 2);
}

#[tokio::test]
async fn an_upload_refused_as_too_large_is_prepared_again_at_1_mb() {
    // An older PDS's upload limit, or a proxy in front of it, answers the body with 413.
    let refusal = Canned::xrpc_error(413, "PayloadTooLarge", "request entity too large", &[]);
    an_older_server_gets_the_smaller_photo(UPLOAD, refusal).await;
}

#[tokio::test]
async fn an_upload_refused_with_blob_too_large_is_prepared_again_at_1_mb() {
    let refusal = Canned::xrpc_error(
        400,
        "BlobTooLarge",
        "This file is too large. It is 1.95MB but the maximum size is 976.56KB.",
        &[],
    );
    an_older_server_gets_the_smaller_photo(UPLOAD, refusal).await;
}

#[tokio::test]
async fn a_write_refused_for_a_too_large_blob_is_made_once_with_the_smaller_photo() {
    // Where an older PDS checks the lexicon's maxSize: when the record referring to the blob is
    // written. The refused write stored nothing; the same record key is written again.
    let refusal = Canned::xrpc_error(
        400,
        "BlobTooLarge",
        "This file is too large. It is 1.95MB but the maximum size is 976.56KB.",
        &[],
    );
    an_older_server_gets_the_smaller_photo(WRITE, refusal).await;
}

#[tokio::test]
async fn a_write_refused_by_record_validation_as_a_too_big_blob_is_made_with_the_smaller_photo() {
    // How the reference PDS's record validation words it, with a lexicon of 1,000,000 bytes.
    let refusal = Canned::xrpc_error(
        400,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: blob too big (maximum 1000000, got 1953210)",
        &[],
    );
    an_older_server_gets_the_smaller_photo(WRITE, refusal).await;
}
