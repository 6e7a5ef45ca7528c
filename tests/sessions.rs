//! The authenticated-request path of the core, in-process, against the reference PDS and the real
//! Secret Service: transparent refresh of an expired access token, one shared refresh for concurrent
//! callers, sessions that survive a restart, a lost refresh answer, the window's core living beside CLI
//! runs that reconnect and rotate the same account, the PDS followed from the DID document, the
//! profile kept when no source answers, and first starts racing on the database.

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::{pds, TestPds, TestUser};
use harness::proxy::CountingProxy;
use hayon_core::keychain::{OsKeychain, TokenStore, Tokens};
use hayon_core::{Config, ConnectRequest, Core, Secret};
use std::sync::Arc;

async fn connected_account(prefix: &str) -> (TestUser, CliEnv, Core) {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user(prefix).await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let core = open(&env);
    core.accounts()
        .connect(ConnectRequest {
            identifier: user.handle.clone(),
            password: Secret::new(app_password),
            service: pds.url.clone(),
        })
        .await
        .expect("connect");
    (user, env, core)
}

fn open(env: &CliEnv) -> Core {
    Core::open(&Config {
        keychain_service: env.keychain_service.clone(),
        ..Config::in_dir(env.path().to_owned()).expect("config")
    })
    .expect("open the core")
}

/// Replaces the stored access token with an expired (but validly signed) copy.
fn expire_stored_access_token(env: &CliEnv, did: &str) -> String {
    let store = OsKeychain::new(env.keychain_service.clone());
    let tokens = store.load(did).expect("keychain").expect("tokens");
    let expired = pds().expired_copy_of(tokens.access.expose());
    store
        .save(
            did,
            &Tokens {
                access: Secret::new(expired.clone()),
                refresh: tokens.refresh,
                dpop: None,
            },
        )
        .expect("save expired token");
    expired
}

#[tokio::test]
async fn minted_token_is_really_expired_for_the_server() {
    let (user, env, _accounts) = connected_account("exp").await;
    let expired = expire_stored_access_token(&env, &user.did);
    let (status, body) = pds()
        .get("com.atproto.server.getSession", Some(&expired), &[])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("ExpiredToken")),
        "{body}"
    );
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_transparently_after_a_restart() {
    let (user, env, core) = connected_account("tr").await;
    drop(core);
    let expired = expire_stored_access_token(&env, &user.did);

    // A new process-worth of state: tokens come from the keychain.
    let core = open(&env);
    let account = core
        .accounts()
        .check(&user.did)
        .await
        .expect("check refreshes and retries");
    assert_eq!(account.health.status, hayon_core::HealthStatus::Active);
    let (access, _) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    assert_ne!(
        access, expired,
        "the rotated tokens were not written to the keychain"
    );
}

/// Multi-threaded, so the ten calls really run at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_calls_on_an_expired_token_share_one_refresh() {
    let (user, env, core) = connected_account("cc").await;
    drop(core);
    expire_stored_access_token(&env, &user.did);

    // Point the stored account at a counting relay in front of the real PDS.
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&user.did, &proxy.url);

    let core = Arc::new(open(&env));
    let calls = (0..10).map(|_| {
        let core = core.clone();
        let did = user.did.clone();
        tokio::spawn(async move { core.accounts().check(&did).await })
    });
    for call in calls {
        call.await.expect("task").expect("every call succeeds");
    }
    assert_eq!(proxy.count("com.atproto.server.refreshSession"), 1);
    // The expired token met the server at the relay; after the refresh, the DID document that came
    // with it moved calls to the PDS itself, so the relay sees at most one getSession per call.
    let get_session = proxy.count("com.atproto.server.getSession");
    assert!(
        (1..=20).contains(&get_session),
        "{get_session} getSession calls"
    );
}

#[tokio::test]
async fn a_network_failure_keeps_the_session() {
    let (user, env, core) = connected_account("net").await;
    drop(core);
    let before = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    // Port 9 on loopback: nothing listens, as when the network is down.
    env.route_account_through(&user.did, "http://127.0.0.1:9");

    let core = open(&env);
    let err = core
        .accounts()
        .refresh(&user.did)
        .await
        .expect_err("offline refresh fails");
    assert_eq!(err.code, hayon_core::ErrorCode::Network, "{err}");
    let account = core.accounts().find(&user.did).expect("still there");
    assert!(!account.health.needs_reconnection, "{account:?}");
    assert_eq!(account.health.consecutive_failures, 1);
    assert_eq!(
        keychain::tokens(&env.keychain_service, &user.did).expect("tokens kept"),
        before
    );
}

/// The window's core (in this process, alive throughout) and CLI runs on the same account: the CLI
/// reconnects (disconnect ends the window's server session; connect opens a new one) and rotates.
/// The window's explicit refresh then starts from the keychain's tokens, not its own dead ones.
#[tokio::test]
async fn the_window_refreshes_after_the_cli_reconnected_and_rotated() {
    let (user, env, window) = connected_account("wcli").await;
    window
        .accounts()
        .check(&user.did)
        .await
        .expect("the window uses its session");

    env.run(&["account", "disconnect", &user.did], "")
        .expect_ok();
    let app_password = pds().create_app_password(&user, "hayon-cli").await;
    env.connect(&user.handle, &app_password, &pds().url)
        .expect_ok();
    env.run(&["account", "refresh", &user.did], "").expect_ok();
    let (_, cli_refresh) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");

    let account = window
        .accounts()
        .refresh(&user.did)
        .await
        .expect("the window's refresh works");
    assert_eq!(account.health.status, hayon_core::HealthStatus::Active);
    assert!(!account.health.needs_reconnection, "{account:?}");
    let (_, window_refresh) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    assert_ne!(window_refresh, cli_refresh, "the window did not rotate");
    // The CLI, a new process, goes on with the tokens the window rotated.
    let checked = env.run(&["account", "check", &user.did], "").expect_ok();
    assert_eq!(checked["health"]["needsReconnection"], false, "{checked}");
    assert_eq!(checked["health"]["status"], "active", "{checked}");
}

/// refreshSession reaches the server (which rotates) but its answer is lost: asked again at once with
/// the same refresh token, the server's grace period gives the successor, and nothing is lost.
// Multi-threaded: the relay keeps answering while the test waits for a CLI run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_refresh_answer_is_asked_again_at_once() {
    let (user, env, core) = connected_account("lost").await;
    drop(core);
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&user.did, &proxy.url);
    let (_, before) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");

    let core = open(&env);
    proxy.lose_next_answer_to("com.atproto.server.refreshSession");
    let account = core
        .accounts()
        .refresh(&user.did)
        .await
        .expect("the refresh is asked again");
    assert_eq!(proxy.count("com.atproto.server.refreshSession"), 2);
    assert_eq!(account.health.status, hayon_core::HealthStatus::Active);
    assert!(!account.health.needs_reconnection, "{account:?}");
    let (_, after) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    assert_ne!(after, before, "the successor was not stored");
    // The stored tokens are the server's current ones: a call and a new process's refresh work.
    core.accounts()
        .check(&user.did)
        .await
        .expect("a later call works");
    env.run(&["account", "refresh", &user.did], "").expect_ok();
}

/// Both tries of the refresh lose their answer: the account stays connected (an error, not a
/// logout), the old refresh token is kept, and the next start finishes the refresh with it.
// Multi-threaded: the relay keeps answering while the test waits for a CLI run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_lost_twice_is_finished_at_the_next_start() {
    let (user, env, core) = connected_account("lost2").await;
    drop(core);
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&user.did, &proxy.url);
    let before = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");

    let core = open(&env);
    proxy.lose_next_answers_to("com.atproto.server.refreshSession", 2);
    let err = core
        .accounts()
        .refresh(&user.did)
        .await
        .expect_err("no answer came back");
    assert_eq!(err.code, hayon_core::ErrorCode::Network, "{err}");
    let account = core.accounts().find(&user.did).expect("still there");
    assert!(!account.health.needs_reconnection, "{account:?}");
    assert_eq!(account.health.status, hayon_core::HealthStatus::Error);
    assert_eq!(
        keychain::tokens(&env.keychain_service, &user.did).expect("tokens"),
        before,
        "the old refresh token must be kept for the retry"
    );
    drop(core);

    // The next start checks the account, as the window does: the refresh is finished first.
    let account = open(&env).accounts().check(&user.did).await.expect("check");
    assert_eq!(proxy.count("com.atproto.server.refreshSession"), 3);
    assert_eq!(account.health.status, hayon_core::HealthStatus::Active);
    assert_eq!(account.health.consecutive_failures, 0);
    let (_, after) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    assert_ne!(after, before.1, "the successor was not stored");
    env.run(&["account", "refresh", &user.did], "").expect_ok();
}

/// The stored PDS is stale (here: a dead loopback port). A refresh reads the DID document that
/// comes with refreshSession and stores the PDS it names; calls work again.
#[tokio::test]
async fn a_refresh_takes_the_pds_from_the_did_document() {
    let (user, env, core) = connected_account("moved").await;
    drop(core);
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("db");
    db.execute(
        "UPDATE accounts SET pds = 'http://127.0.0.1:9/' WHERE did = ?1",
        [&user.did],
    )
    .expect("point the account at a dead PDS");

    let core = open(&env);
    let account = core.accounts().refresh(&user.did).await.expect("refresh");
    assert_eq!(account.pds, format!("{}/", pds().url));
    let stored: String = db
        .query_row(
            "SELECT pds FROM accounts WHERE did = ?1",
            [&user.did],
            |row| row.get(0),
        )
        .expect("pds");
    assert_eq!(stored, format!("{}/", pds().url));
    core.accounts()
        .check(&user.did)
        .await
        .expect("calls reach the PDS");
}

/// A new handle is seen while neither profile source answers (getProfile: no app view, 502; the
/// profile record: its answers are lost): the handle is taken, the stored profile is kept.
#[tokio::test]
async fn the_profile_is_kept_when_no_source_answers() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("keep").await;
    pds.put_profile(&user, "Kept Name", "Kept bio.").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let account = env
        .connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    assert_eq!(account["displayName"], "Kept Name");

    let upstream = pds.url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&user.did, &proxy.url);
    let new_handle = format!("{}.test", harness::unique("kpn"));
    let (status, body) = pds
        .post(
            "com.atproto.identity.updateHandle",
            Some(&user.access_jwt),
            &serde_json::json!({ "handle": new_handle }),
        )
        .await;
    assert_eq!(status, 200, "updateHandle: {body}");
    proxy.lose_next_answers_to("com.atproto.repo.getRecord", 100);

    let account = open(&env).accounts().check(&user.did).await.expect("check");
    assert!(
        proxy.count("com.atproto.repo.getRecord") >= 1,
        "the profile record was never asked for"
    );
    assert_eq!(account.handle, new_handle);
    assert_eq!(account.display_name.as_deref(), Some("Kept Name"));
    assert_eq!(account.description.as_deref(), Some("Kept bio."));
}

/// Eight `hayon-cli` processes start at once on a data folder that does not exist yet: every one
/// succeeds, and the database has the full schema.
#[test]
fn simultaneous_first_starts_all_succeed() {
    let env = CliEnv::new();
    let data_dir = env.path().join("fresh");
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.command(&["account", "list"])
                .env("HAYON_DATA_DIR", &data_dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start hayon-cli")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("hayon-cli output");
        assert!(
            output.status.success(),
            "a first start failed: {} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "[]");
    }
    let db = rusqlite::Connection::open(data_dir.join("hayon.sqlite3")).expect("db");
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("version");
    assert_eq!(version, hayon_core::store::schema_version());
}

/// A PDS whose sessions carry no DID document: connect and refresh resolve the DID at the PLC
/// directory (`HAYON_PLC_DIRECTORY`, here the test's own PLC on loopback) and use the PDS it names.
/// The account logs in at another address of the same server (127.0.0.1 instead of localhost), so
/// only the DID document can name `localhost` as its PDS.
#[tokio::test]
async fn without_a_did_document_in_the_session_the_did_is_resolved() {
    keychain::require_secret_service();
    let pds = TestPds::start_without_did_doc_in_sessions();
    let user = pds.create_user("res").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let (status, body) = pds
        .post(
            "com.atproto.server.createSession",
            None,
            &serde_json::json!({"identifier": user.handle, "password": app_password}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("didDoc").is_none(),
        "the session has a DID document: {body}"
    );

    let env = CliEnv::new();
    let plc = [("HAYON_PLC_DIRECTORY", pds.plc_url.as_str())];
    let login_host = pds.url.replace("localhost", "127.0.0.1");
    let connected = env
        .run_with_env(
            &[
                "account",
                "connect",
                "--identifier",
                &user.handle,
                "--service",
                &login_host,
                "--password-stdin",
            ],
            &format!("{app_password}\n"),
            &plc,
        )
        .expect_ok();
    assert_eq!(connected["pds"], format!("{}/", pds.url), "{connected}");

    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("db");
    db.execute(
        "UPDATE accounts SET pds = 'http://127.0.0.1:9/' WHERE did = ?1",
        [&user.did],
    )
    .expect("point the account at a dead PDS");
    let refreshed = env
        .run_with_env(&["account", "refresh", &user.did], "", &plc)
        .expect_ok();
    assert_eq!(refreshed["pds"], format!("{}/", pds.url), "{refreshed}");
    assert_eq!(refreshed["health"]["status"], "active", "{refreshed}");
    env.run_with_env(&["account", "check", &user.did], "", &plc)
        .expect_ok();
}
