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
    let answer = send_with_dpop(key, "GET", &url, Some(access), || {
        harness::http_client()
            .get(url.clone())
            .header("Authorization", format!("DPoP {access}"))
    })
    .await;
    answer.status().as_u16()
}

/// The request `build` makes, sent with a fresh proof from `key` (bound to `access` if given) and,
/// as a client does, once more when it is refused for want of the server's nonce, which the
/// refusal brings. The last answer.
async fn send_with_dpop(
    key: &DpopKey,
    method: &str,
    url: &url::Url,
    access: Option<&str>,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> reqwest::Response {
    let access = access.map(|token| Secret::new(token.to_owned()));
    let mut tries = 0;
    loop {
        tries += 1;
        let answer = build()
            .header("DPoP", key.proof(method, url, access.as_ref()))
            .send()
            .await
            .expect("the server answers");
        match answer.headers().get("DPoP-Nonce") {
            Some(nonce) if tries < 2 && !answer.status().is_success() => {
                key.learn_nonce(url, nonce.to_str().expect("nonce"));
            }
            _ => return answer,
        }
    }
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

/// Asserts that the error `output` ended with says `words`.
fn assert_says(output: &CliOutput, words: &str) {
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{}", output.json);
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
        assert_says(&output, expected);
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
    assert_says(&output, "different account");
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
    assert_says(&output, "cancelled or refused");
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
    assert_says(&output, "No answer came from the browser");
}

/// Signs `user` of the rig's PDS in through its fault proxy (the issuer is the proxy's address).
async fn sign_in_behind_the_proxy(env: &CliEnv, user: &TestUser) -> Value {
    let rig = harness::fault_proxy::rig();
    let signing_in = env.start_sign_in(
        &user.handle,
        &rig.proxy.url,
        &[("HAYON_PLC_DIRECTORY", &rig.pds.plc_url)],
    );
    let callback =
        TestBrowser::approve(&signing_in.authorize_url, &user.handle, &user.password).await;
    arrive(&callback).await.expect("Hayon's listener answers");
    signing_in.finish().expect_ok()
}

#[tokio::test]
async fn a_lost_refresh_answer_asks_to_sign_in_again_with_the_reason_and_never_loops() {
    keychain::require_secret_service();
    let _turn = harness::fault_proxy::exclusive().await;
    let rig = harness::fault_proxy::rig();
    let env = CliEnv::new();
    let user = rig.pds.create_user("oal").await;
    sign_in_behind_the_proxy(&env, &user).await;

    rig.proxy
        .arm("/oauth/token", harness::fault_proxy::Fault::LoseAnswer);
    let output = env.run(&["account", "refresh", &user.handle], "");
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(output.error_code(), "needs_reconnection", "{}", output.json);
    assert_says(&output, "was lost");
    assert_says(&output, "Sign in again");
    assert_eq!(
        rig.proxy.count("/oauth/token"),
        2,
        "the sign-in's one refresh, and the lost one: never asked again"
    );
    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list[0]["health"]["needsReconnection"], true, "{list}");
    assert!(
        list[0]["health"]["lastError"]
            .as_str()
            .is_some_and(|text| text.contains("was lost")),
        "{list}"
    );
}

#[tokio::test]
async fn a_sign_in_the_server_ended_posts_nothing_and_signing_in_again_keeps_the_queue() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oae").await;
    sign_in(&env, &user).await.0.expect_ok();

    // The server ends the session (as at expiry, or when revoked from the account's settings).
    let entry = stored(&env, &user.did);
    let client_id: String = rusqlite::Connection::open(env.path().join("hayon.sqlite3"))
        .expect("database")
        .query_row(
            "SELECT sign_in_client_id FROM accounts WHERE did = ?1",
            [&user.did],
            |row| row.get(0),
        )
        .expect("the client id is stored");
    let key = DpopKey::from_stored(&Secret::new(
        entry["dpopKey"].as_str().expect("key").to_owned(),
    ))
    .expect("key");
    let revoke_url =
        url::Url::parse(&format!("{}/oauth/revoke", pds().url.trim_end_matches('/'))).expect("url");
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", entry["refreshJwt"].as_str().expect("refresh"))
        .append_pair("client_id", &client_id)
        .finish();
    // As a client revokes: with a DPoP proof, once more with the nonce the server asks for.
    let revoke = send_with_dpop(&key, "POST", &revoke_url, None, || {
        harness::http_client()
            .post(revoke_url.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form.clone())
    })
    .await;
    assert!(revoke.status().is_success(), "{}", revoke.status());

    let queued = env.schedule_in(3 * 86_400, &[&user.handle], "Kept for later", &[]);
    let text = format!("never posted {}", harness::unique(""));
    let output = env.run(&["post", "--account", &user.handle], &text);
    assert_ne!(output.code, 0, "{}", output.json);
    let check = env.run(&["account", "check", &user.handle], "");
    assert_eq!(check.error_code(), "needs_reconnection", "{}", check.json);
    assert_says(&check, "Sign in again");
    assert!(pds().posts_with_text(&user.did, &text).await.is_empty());

    // Signing in again brings the account back as it was: its queue is still there.
    let (again, _) = sign_in(&env, &user).await;
    let account = again.expect_ok();
    assert_eq!(account["health"]["needsReconnection"], false, "{account}");
    let list = env.run(&["schedule", "list"], "").expect_ok();
    assert!(
        list.as_array()
            .is_some_and(|rows| rows.iter().any(|row| row["id"] == queued.as_str())),
        "{list}"
    );
    env.run(&["account", "check", &user.handle], "").expect_ok();
}

#[tokio::test]
async fn a_thread_goes_to_an_oauth_account_and_an_app_password_account_at_once() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let oauth_user = pds().create_user("oat").await;
    sign_in(&env, &oauth_user).await.0.expect_ok();
    let password_user = env.connect_new_user("oap").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = vec![
        "post".to_owned(),
        "--account".to_owned(),
        oauth_user.handle.clone(),
        "--account".to_owned(),
        password_user.handle.clone(),
    ];
    let marker = harness::unique("");
    for n in 1..=2 {
        let file = dir.path().join(format!("{n}.txt"));
        std::fs::write(&file, format!("both sign-ins {marker} part {n}")).expect("text file");
        args.extend([
            "--text-file".to_owned(),
            file.to_str().expect("utf-8").to_owned(),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let results = env.run(&args, "").expect_ok();
    assert_eq!(results.as_array().map(Vec::len), Some(2), "{results}");
    for did in [&oauth_user.did, &password_user.did] {
        for n in 1..=2 {
            let text = format!("both sign-ins {marker} part {n}");
            assert_eq!(
                pds().posts_with_text(did, &text).await.len(),
                1,
                "{did}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn offline_or_server_trouble_while_renewing_keeps_the_sign_in() {
    keychain::require_secret_service();
    let _turn = harness::fault_proxy::exclusive().await;
    let rig = harness::fault_proxy::rig();
    let env = CliEnv::new();
    let user = rig.pds.create_user("oat").await;
    sign_in_behind_the_proxy(&env, &user).await;
    let before = stored(&env, &user.did);

    // The token endpoint has trouble: not a verdict on the sign-in.
    rig.proxy.arm(
        "/oauth/token",
        harness::fault_proxy::Fault::Answer(harness::fault_proxy::Canned::Gateway(503)),
    );
    let trouble = env.run(&["account", "refresh", &user.handle], "");
    assert_eq!(
        trouble.error_code(),
        "server_unavailable",
        "{}",
        trouble.json
    );
    // The server cannot be reached at all.
    rig.proxy.set_down(true);
    let offline = env.run(&["account", "refresh", &user.handle], "");
    rig.proxy.set_down(false);
    assert_eq!(offline.error_code(), "network", "{}", offline.json);

    let list = env.run(&["account", "list"], "").expect_ok();
    assert_eq!(list[0]["health"]["needsReconnection"], false, "{list}");
    assert_eq!(stored(&env, &user.did)["refreshJwt"], before["refreshJwt"]);
    // Once the server answers again, the sign-in renews as before.
    let renewed = env
        .run(&["account", "refresh", &user.handle], "")
        .expect_ok();
    assert_eq!(renewed["health"]["status"], "active", "{renewed}");
}

#[tokio::test]
async fn connecting_again_revokes_the_sign_in_it_replaces() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = pds().create_user("oar2").await;
    sign_in(&env, &user).await.0.expect_ok();
    let first = stored(&env, &user.did);
    let first_key = DpopKey::from_stored(&Secret::new(
        first["dpopKey"].as_str().expect("key").to_owned(),
    ))
    .expect("key");
    let first_access = first["accessJwt"].as_str().expect("access").to_owned();
    assert_eq!(get_session_with(&first_access, &first_key).await, 200);

    sign_in(&env, &user).await.0.expect_ok();
    let second = stored(&env, &user.did);
    assert_ne!(first["dpopKey"], second["dpopKey"], "a new key per sign-in");
    assert_eq!(
        get_session_with(&first_access, &first_key).await,
        401,
        "the replaced sign-in must be revoked at the server"
    );
    env.run(&["account", "check", &user.handle], "").expect_ok();

    // Connecting the account again with an app password ends the sign-in it replaces too.
    let second_key = DpopKey::from_stored(&Secret::new(
        second["dpopKey"].as_str().expect("key").to_owned(),
    ))
    .expect("key");
    let second_access = second["accessJwt"].as_str().expect("access").to_owned();
    assert_eq!(get_session_with(&second_access, &second_key).await, 200);
    let app_password = pds().create_app_password(&user, "hayon").await;
    env.connect(&user.handle, &app_password, &pds().url)
        .expect_ok();
    assert_eq!(
        get_session_with(&second_access, &second_key).await,
        401,
        "the sign-in an app password replaced must be revoked at the server"
    );
    env.run(&["account", "check", &user.handle], "").expect_ok();
}
