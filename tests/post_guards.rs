//! What `hayon-cli post` refuses or keeps to itself, against the reference PDS: an image without alt
//! text when `--require-alt` or the stored "Require alt text" setting asks for it (refused before any
//! request, naming the image), and a log that holds nothing of a link's path or query and no local
//! file path.

use harness::cli::{CliEnv, CliOutput};
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::proxy::CountingProxy;
use harness::web::WebServer;
use std::collections::HashMap;

fn post(env: &CliEnv, args: &[&str], text: &str) -> CliOutput {
    let mut full = vec!["post"];
    full.extend_from_slice(args);
    // Link cards may fetch this test's loopback page.
    env.run_with_env(&full, text, &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")])
}

/// The "Require alt text" setting as the window stores it, in the real SQLite file.
fn store_require_alt(env: &CliEnv, on: bool) {
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("db");
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('preferences', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{{\"requireAltText\":{on}}}")],
    )
    .expect("store the setting");
}

fn assert_refused_naming(output: &CliOutput, named: &str) {
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(output.error_code(), "validation", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(named), "{message}");
    assert!(message.contains("alt text"), "{message}");
}

// The relay runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_without_alt_text_is_refused_before_any_request_when_alt_is_required() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("ralt").await;
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&alice.did, &proxy.url);
    let dir = tempfile::tempdir().expect("tempdir");
    let described = images::photo_jpeg(dir.path(), "described.jpg", 640, 480);
    let bare = images::photo_jpeg(dir.path(), "bare.jpg", 640, 480);
    let image_args = |flag: Option<&'static str>| {
        let mut args = vec![
            "--account".to_owned(),
            alice.handle.clone(),
            "--image".to_owned(),
            described.display().to_string(),
            "--alt".to_owned(),
            "A described photo".to_owned(),
            "--image".to_owned(),
            bare.display().to_string(),
            "--alt".to_owned(),
            " ".to_owned(),
        ];
        args.extend(flag.map(str::to_owned));
        args
    };
    let run = |flag| {
        let args = image_args(flag);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        post(&env, &args, "Two photos")
    };

    // --require-alt forces it for this run.
    let output = run(Some("--require-alt"));
    assert_refused_naming(&output, "image 2 (bare.jpg)");
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("described.jpg"), "{message}");
    assert_eq!(proxy.total(), 0, "a request was made for a refused post");

    // The stored setting does the same without the flag.
    store_require_alt(&env, true);
    assert_refused_naming(&run(None), "image 2 (bare.jpg)");
    assert_eq!(proxy.total(), 0, "a request was made for a refused post");

    // With the setting off and no flag, the same post goes through.
    store_require_alt(&env, false);
    let results = run(None).expect_ok();
    assert!(results[0]["uri"].is_string(), "{results}");
    assert!(proxy.total() > 0, "the relay saw none of the requests");
}

// The web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_link_path_or_query_and_no_local_path() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("logh").await;
    // No routes: the page is missing, so posting logs why the post has no card.
    let site = WebServer::start(HashMap::new()).await;
    let link = format!(
        "{}/private-page-7f3a?session=QUERY-SECRET-91#part-frag-5c",
        site.url
    );
    let folder = tempfile::tempdir().expect("tempdir");
    let private_dir = folder.path().join("personal-folder-5d2c");
    std::fs::create_dir(&private_dir).expect("dir");
    let photo = images::photo_jpeg(&private_dir, "holiday.jpg", 800, 600);
    let broken = private_dir.join("broken-photo.jpg");
    let mut damaged = std::fs::read(&photo).expect("photo");
    damaged.truncate(damaged.len() / 3);
    std::fs::write(&broken, damaged).expect("write");
    let log = env.path().join("hayon.log");
    let logged_before = std::fs::metadata(&log).expect("log").len();

    // A link alone (its card is attempted and fails), a link with an image, a damaged image.
    let text = format!("Read this {link}");
    post(&env, &["--account", &alice.handle], &text).expect_ok();
    let photo_arg = photo.display().to_string();
    post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            &photo_arg,
            "--alt",
            "A beach",
        ],
        &text,
    )
    .expect_ok();
    let broken_arg = broken.display().to_string();
    let output = post(
        &env,
        &[
            "--account",
            &alice.handle,
            "--image",
            &broken_arg,
            "--alt",
            "x",
        ],
        "Broken",
    );
    assert_eq!(output.code, 1, "{}", output.json);

    assert!(
        std::fs::metadata(&log).expect("log").len() > logged_before,
        "the posts logged nothing, so the scan below would prove nothing"
    );
    let folder_path = folder.path().display().to_string();
    harness::scan::assert_not_in_file(
        &log,
        &[
            "private-page-7f3a",
            "QUERY-SECRET-91",
            "session=",
            "part-frag-5c",
            "personal-folder-5d2c",
            &folder_path,
            &photo_arg,
            &broken_arg,
        ],
    );
}
