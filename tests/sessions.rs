//! The authenticated-request path of the core, in-process, against the reference PDS and the real
//! Secret Service: transparent refresh of an expired access token, one shared refresh for concurrent
//! callers, and sessions that survive a restart.

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::{pds, TestUser};
use harness::proxy::CountingProxy;
use hayon_core::keychain::{OsKeychain, TokenStore, Tokens};
use hayon_core::{Accounts, Config, ConnectRequest, Secret};
use std::sync::Arc;

async fn connected_account(prefix: &str) -> (TestUser, CliEnv, Accounts) {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user(prefix).await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let accounts = open(&env);
    accounts
        .connect(ConnectRequest {
            identifier: user.handle.clone(),
            password: Secret::new(app_password),
            service: pds.url.clone(),
        })
        .await
        .expect("connect");
    (user, env, accounts)
}

fn open(env: &CliEnv) -> Accounts {
    Accounts::open(&Config {
        data_dir: env.path().to_owned(),
        keychain_service: env.keychain_service.clone(),
    })
    .expect("open accounts")
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
    let (user, env, accounts) = connected_account("tr").await;
    drop(accounts);
    let expired = expire_stored_access_token(&env, &user.did);

    // A new process-worth of state: tokens come from the keychain.
    let accounts = open(&env);
    let account = accounts
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

#[tokio::test]
async fn ten_concurrent_calls_on_an_expired_token_share_one_refresh() {
    let (user, env, accounts) = connected_account("cc").await;
    drop(accounts);
    expire_stored_access_token(&env, &user.did);

    // Point the stored account at a counting relay in front of the real PDS.
    let upstream = pds().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(upstream).await;
    env.route_account_through(&user.did, &proxy.url);

    let accounts = Arc::new(open(&env));
    let calls = (0..10).map(|_| {
        let accounts = accounts.clone();
        let did = user.did.clone();
        tokio::spawn(async move { accounts.check(&did).await })
    });
    for call in calls {
        call.await.expect("task").expect("every call succeeds");
    }
    assert_eq!(proxy.count("com.atproto.server.refreshSession"), 1);
    // Each call that met the expired token retried once: at most 20 getSession calls, and at least
    // the first one plus ten successes.
    let get_session = proxy.count("com.atproto.server.getSession");
    assert!(
        (11..=20).contains(&get_session),
        "{get_session} getSession calls"
    );
}

#[tokio::test]
async fn a_network_failure_keeps_the_session() {
    let (user, env, accounts) = connected_account("net").await;
    drop(accounts);
    let before = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    // Port 9 on loopback: nothing listens, as when the network is down.
    env.route_account_through(&user.did, "http://127.0.0.1:9");

    let accounts = open(&env);
    let err = accounts
        .refresh(&user.did)
        .await
        .expect_err("offline refresh fails");
    assert_eq!(err.code, hayon_core::ErrorCode::Network, "{err}");
    let account = accounts.find(&user.did).expect("still there");
    assert!(!account.health.needs_reconnection, "{account:?}");
    assert_eq!(account.health.consecutive_failures, 1);
    assert_eq!(
        keychain::tokens(&env.keychain_service, &user.did).expect("tokens kept"),
        before
    );
}
