//! Sign in with Bluesky from the CLI, against the reference PDS as the authorization server, with the
//! browser played over HTTP (`harness::oauth_browser`): connect, DPoP-bound posting, refresh,
//! disconnect with revocation, and every refusal leaving nothing stored.

use harness::cli::{CliEnv, CliOutput};
use harness::keychain;
use harness::oauth_browser::{arrive, TestBrowser};
use harness::pds::{pds, TestUser};
use hayon_core::dpop::DpopKey;
use hayon_core::Secret;
use serde_json::Value;

/// The keychain entry of `did`: tokens and the DPoP key.
fn stored(env: &CliEnv, did: &str) -> Value {
    let text = keychain::lookup(&env.keychain_service, did).expect("a keychain entry");
    serde_json::from_str(&text).expect("the entry is JSON")
}

/// Signs `user` in with Bluesky in `env`; the CLI's output and the page the browser showed.
async fn sign_in(env: &CliEnv, user: &TestUser) -> (CliOutput, String) {
    let signing_in = env.start_sign_in(&user.handle, &pds().url, &[]);
    let callback =
        TestBrowser::approve(&signing_in.authorize_url, &user.handle, &user.password).await;
    let (status, page) = arrive(&callback).await.expect("Hayon's listener answers");
    assert_eq!(status, 200, "{page}");
    (signing_in.finish(), page)
}

/// A request to the PDS with `access` and a proof from `key`, as Hayon sends them.
async fn get_session_with(access: &str, key: &DpopKey) -> u16 {
    let url = url::Url::parse(&pds().xrpc("com.atproto.server.getSession")).expect("url");
    let mut status = 0;
    // The first try may be refused for want of the server's nonce, which it then sends.
    for _ in 0..2 {
        let proof = key.proof("GET", &url, Some(&Secret::new(access.to_owned())));
        let response = harness::http_client()
            .get(url.clone())
            .header("Authorization", format!("DPoP {access}"))
            .header("DPoP", proof)
            .send()
            .await
            .expect("the PDS answers");
        status = response.status().as_u16();
        match response.headers().get("DPoP-Nonce") {
            Some(nonce) if status == 401 => {
                key.learn_nonce(&url, nonce.to_str().expect("nonce"));
            }
            _ => break,
        }
    }
    status
}

#[tokio::test]
async fn signing_in_with_bluesky_connects_an_account_that_posts_with_dpop_bound_tokens() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oa").await;
    let (output, page) = sign_in(&env, &user).await;
    let account = output.expect_ok();
    assert!(
        page.contains("Hayon is connected") && page.contains(&user.handle),
        "{page}"
    );
    assert_eq!(account["did"], user.did.as_str());
    assert_eq!(account["handle"], user.handle.as_str());
    assert_eq!(account["signIn"]["kind"], "oauth");
    assert_eq!(account["signIn"]["scope"], "atproto transition:generic");
    assert_eq!(account["signIn"]["issuer"], pds().url.trim_end_matches('/'));
    let expires: jiff::Timestamp = account["signIn"]["expiresAt"]
        .as_str()
        .expect("an expiry")
        .parse()
        .expect("RFC 3339");
    let days = jiff::Timestamp::now().duration_until(expires).as_secs_f64() / 86_400.0;
    assert!((13.9..=14.0).contains(&days), "{days} days");

    // The tokens are DPoP-bound: as a plain Bearer token the access token is refused.
    let entry = stored(&env, &user.did);
    let access = entry["accessJwt"]
        .as_str()
        .expect("access token")
        .to_owned();
    let key = DpopKey::from_stored(&Secret::new(
        entry["dpopKey"].as_str().expect("a DPoP key").to_owned(),
    ))
    .expect("the stored key reads");
    let (bearer, refusal) = pds()
        .get("com.atproto.server.getSession", Some(&access), &[])
        .await;
    assert!(
        matches!(bearer, 400 | 401),
        "a DPoP-bound token must not work as Bearer: {bearer} {refusal}"
    );
    assert_eq!(get_session_with(&access, &key).await, 200);

    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list[0]["signIn"]["kind"], "oauth");

    // Posting goes through the same path as for app passwords, with DPoP proofs: four images.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec![
        "post".to_owned(),
        "--account".to_owned(),
        user.handle.clone(),
    ];
    for n in 1..=4 {
        let photo = harness::images::photo_jpeg(dir.path(), &format!("{n}.jpg"), 800, 600);
        args.extend([
            "--image".to_owned(),
            photo.to_str().expect("utf-8 path").to_owned(),
            "--alt".to_owned(),
            format!("Picture {n}"),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let text = format!(
        "posted through Sign in with Bluesky {}",
        harness::unique("")
    );
    let results = env.run(&args, &text).expect_ok();
    assert_eq!(results[0]["embed"], "app.bsky.embed.images", "{results}");
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    assert_eq!(record["text"], text.as_str());
    assert_eq!(record["embed"]["images"].as_array().map(Vec::len), Some(4));

    // Nothing secret outside the keychain.
    let refresh = entry["refreshJwt"].as_str().expect("refresh token");
    let stored_key = entry["dpopKey"].as_str().expect("key");
    harness::scan::assert_no_secrets(env.path(), &[&access, refresh, stored_key]);
}

#[tokio::test]
async fn a_refresh_renews_the_tokens_once_and_disconnect_revokes_them_at_the_server() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oar").await;
    sign_in(&env, &user).await.0.expect_ok();
    let first = stored(&env, &user.did);

    let refreshed = env
        .run(&["account", "refresh", &user.handle], "")
        .expect_ok();
    assert_eq!(refreshed["health"]["status"], "active", "{refreshed}");
    let second = stored(&env, &user.did);
    assert_ne!(first["accessJwt"], second["accessJwt"]);
    assert_ne!(first["refreshJwt"], second["refreshJwt"]);
    assert_eq!(first["dpopKey"], second["dpopKey"], "the key stays");

    let key = DpopKey::from_stored(&Secret::new(
        second["dpopKey"].as_str().expect("key").to_owned(),
    ))
    .expect("key");
    let access = second["accessJwt"].as_str().expect("access").to_owned();
    assert_eq!(get_session_with(&access, &key).await, 200);

    let gone = env
        .run(&["account", "disconnect", &user.handle], "")
        .expect_ok();
    assert_eq!(gone["serverSessionRevoked"], true, "{gone}");
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);
    assert_eq!(
        get_session_with(&access, &key).await,
        401,
        "the server must refuse a revoked token"
    );
    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list, serde_json::json!([]));
}

/// A sign-in that must fail: its output, after checking that nothing was stored.
fn refused(env: &CliEnv, output: CliOutput) -> CliOutput {
    assert_eq!(output.code, 1, "{} / {}", output.json, output.stderr);
    assert_eq!(output.error_code(), "sign_in_failed", "{}", output.json);
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);
    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list, serde_json::json!([]));
    output
}

fn message(output: &CliOutput) -> String {
    output.json["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The callback address with `name` set to `value`.
fn with_param(callback: &str, name: &str, value: &str) -> String {
    let mut url = url::Url::parse(callback).expect("url");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(key, old)| {
            let new = if key == name { value.to_owned() } else { old };
            (key, new)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

#[tokio::test]
async fn a_callback_with_the_wrong_state_or_issuer_is_refused_and_nothing_is_stored() {
    keychain::require_secret_service();
    let user = pds().create_user("oas").await;
    for (name, value, expected) in [
        ("state", "forged-state", "did not start"),
        ("iss", "http://localhost:1", "did not come from"),
    ] {
        let env = CliEnv::new();
        let signing_in = env.start_sign_in(&user.handle, &pds().url, &[]);
        let callback =
            TestBrowser::approve(&signing_in.authorize_url, &user.handle, &user.password).await;
        let (status, page) = arrive(&with_param(&callback, name, value))
            .await
            .expect("Hayon's listener answers");
        assert_eq!(status, 400, "{page}");
        assert!(page.contains("Hayon is not connected"), "{page}");
        let output = refused(&env, signing_in.finish());
        assert!(
            message(&output).contains(expected),
            "{name}: {}",
            message(&output)
        );
        // The listener closed after the one callback: a second finds nobody.
        assert!(
            arrive(&callback).await.is_none(),
            "a second callback was heard"
        );
    }
}

#[tokio::test]
async fn approving_another_account_than_the_one_asked_for_is_refused() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let asked = pds().create_user("oaa").await;
    let other = pds().create_user("oao").await;
    let signing_in = env.start_sign_in(&asked.handle, &pds().url, &[]);
    let callback =
        TestBrowser::approve(&signing_in.authorize_url, &other.handle, &other.password).await;
    arrive(&callback).await.expect("Hayon's listener answers");
    let output = refused(&env, signing_in.finish());
    assert!(
        message(&output).contains("different account"),
        "{}",
        message(&output)
    );
}

#[tokio::test]
async fn consent_refused_in_the_browser_says_so_and_stores_nothing() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oan").await;
    let signing_in = env.start_sign_in(&user.handle, &pds().url, &[]);
    let mut browser = TestBrowser::open(&signing_in.authorize_url).await;
    let callback = browser.reject().await;
    let (status, page) = arrive(&callback).await.expect("Hayon's listener answers");
    assert_eq!(status, 400, "{page}");
    let output = refused(&env, signing_in.finish());
    assert!(
        message(&output).contains("cancelled or refused"),
        "{}",
        message(&output)
    );
}

#[tokio::test]
async fn no_answer_from_the_browser_ends_the_wait_with_a_clear_message() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oaw").await;
    let signing_in = env.start_sign_in(
        &user.handle,
        &pds().url,
        &[("HAYON_SIGN_IN_TIMEOUT_SECS", "2")],
    );
    // The person never comes back: the CLI ends by itself.
    let output = refused(&env, signing_in.finish());
    assert!(
        message(&output).contains("No answer came from the browser"),
        "{}",
        message(&output)
    );
}
