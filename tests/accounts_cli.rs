//! Connected accounts end to end through `hayon-cli`, against the reference PDS (real HTTP), the
//! Secret Service of this D-Bus session (real keychain) and a real SQLite file. Each test makes its own
//! accounts, app passwords, data folder and keychain service.

use harness::app_view::StandInAppView;
use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::{pds, TestPds};
use harness::scan::assert_no_secrets;
use serde_json::{json, Value};

fn account_with_did<'a>(accounts: &'a [Value], did: &str) -> &'a Value {
    accounts
        .iter()
        .find(|account| account["did"] == did)
        .unwrap_or_else(|| panic!("{did} is not listed: {accounts:?}"))
}

#[tokio::test]
async fn connects_by_handle_at_handle_and_email_and_stores_tokens_only_in_the_keychain() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("con").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();

    for identifier in [
        user.handle.clone(),
        format!("  @{}  ", user.handle),
        user.email.clone(),
    ] {
        let account = env
            .connect(&identifier, &app_password, &pds.url)
            .expect_ok();
        assert_eq!(account["did"], user.did.as_str(), "via {identifier:?}");
        assert_eq!(account["handle"], user.handle.as_str());
        assert_eq!(account["connected"], true);
        assert_eq!(account["health"]["status"], "active");
        assert_eq!(account["health"]["needsReconnection"], false);
        assert!(account["health"]["lastSuccessfulRefresh"].is_string());
        // The PDS comes from the DID document the server returned.
        assert_eq!(account["pds"], format!("{}/", pds.url).as_str());
        let text = account.to_string();
        assert!(
            !text.contains("eyJ"),
            "a token leaked into the account JSON: {text}"
        );
    }
    // Three connects of one account leave one record and one keychain entry.
    let listed = env.list();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(keychain::entry_count(&env.keychain_service), 1);
    let (access, refresh) =
        keychain::tokens(&env.keychain_service, &user.did).expect("tokens stored");
    assert!(access.starts_with("eyJ") && refresh.starts_with("eyJ"));
    assert_no_secrets(env.path(), &[&app_password, &access, &refresh]);
}

#[tokio::test]
async fn wrong_password_is_invalid_credentials_and_stores_nothing() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("bad").await;
    let env = CliEnv::new();
    let output = env.connect(&user.handle, "abcd-efgh-ijkl-mnop", &pds.url);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.error_code(),
        "invalid_credentials",
        "{}",
        output.json
    );
    // The connect form places it by this field, never by reading the message.
    assert_eq!(output.json["error"]["field"], "password", "{}", output.json);
    assert!(
        output.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("case-sensitive"),
        "{}",
        output.json
    );
    assert!(env.list().is_empty());
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);
}

#[tokio::test]
async fn main_password_is_refused_and_nothing_is_stored() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("main").await;
    let env = CliEnv::new();
    let output = env.connect(&user.handle, &user.password, &pds.url);
    assert_eq!(output.code, 1);
    assert_eq!(
        output.error_code(),
        "main_password_refused",
        "{}",
        output.json
    );
    assert_eq!(output.json["error"]["field"], "password", "{}", output.json);
    assert!(env.list().is_empty());
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);
    assert_no_secrets(env.path(), &[&user.password]);
}

#[tokio::test]
async fn profile_comes_from_the_profile_record_when_no_app_view_answers() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("prof").await;
    pds.put_profile(&user, "Prof Example", "Writes about tests.")
        .await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    // The test PDS's app view is an unreachable `.invalid` host, so getProfile fails (502) and the
    // account's own app.bsky.actor.profile/self record is read instead.
    let account = env
        .connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    assert_eq!(account["displayName"], "Prof Example");
    assert_eq!(account["description"], "Writes about tests.");
}

/// Uses a STAND-IN app view (harness/app_view.rs), since the real one cannot run here: a PDS of this
/// test's own proxies getProfile to it, so the profile the client shows came through the real PDS.
/// A profile record with other values is on the PDS too, so the fallback cannot pass for the primary.
/// Multi-threaded: the stand-in answers on this runtime while the test waits for the CLI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_comes_from_the_app_view_through_the_pds_when_one_answers() {
    keychain::require_secret_service();
    let app_view = StandInAppView::start().await;
    let pds = TestPds::start_with_app_view(&app_view);
    let user = pds.create_user("avw").await;
    pds.put_profile(&user, "Record Name", "From the profile record.")
        .await;
    let stand_in_profile = |display_name: &str| {
        json!({
            "did": user.did,
            "handle": user.handle,
            "displayName": display_name,
            "description": "Served by the stand-in app view.",
            "avatar": "https://cdn.stand-in.test/img/avatar/plain/avatar.jpg",
        })
    };
    app_view.set_profile(&user.did, stand_in_profile("App View Name"));
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();

    let account = env
        .connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    assert_eq!(account["displayName"], "App View Name", "{account}");
    assert_eq!(account["description"], "Served by the stand-in app view.");
    assert_eq!(
        account["avatar"],
        "https://cdn.stand-in.test/img/avatar/plain/avatar.jpg"
    );
    // The PDS called on the user's behalf, with a service-auth token for the app view and this method.
    let claims = app_view.token_claims();
    assert!(!claims.is_empty(), "the stand-in app view was never called");
    assert!(
        claims.iter().all(|claim| claim["iss"] == user.did.as_str()
            && claim["aud"] == app_view.did.as_str()
            && claim["lxm"] == "app.bsky.actor.getProfile"),
        "{claims:?}"
    );

    // Refresh reads the profile again.
    app_view.set_profile(&user.did, stand_in_profile("Renamed"));
    let account = env.run(&["account", "refresh", &user.did], "").expect_ok();
    assert_eq!(account["displayName"], "Renamed", "{account}");
}

#[tokio::test]
async fn refresh_rotates_the_stored_refresh_token() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("rot").await;
    let (_, before) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");

    let account = env
        .run(&["account", "refresh", &user.handle], "")
        .expect_ok();
    assert_eq!(account["health"]["status"], "active");
    let (_, after) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    assert_ne!(
        before, after,
        "the refresh token was not rotated in the keychain"
    );

    // The rotated token is the one the server now honours: refreshing with it works.
    let (status, body) = pds
        .post_empty("com.atproto.server.refreshSession", &after)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn refresh_picks_up_a_changed_handle_and_keeps_the_profile() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("hdl").await;
    pds.put_profile(&user, "Handle Changer", "Same person, new name.")
        .await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    env.connect(&user.handle, &app_password, &pds.url)
        .expect_ok();

    let new_handle = format!("{}.test", harness::unique("hdn"));
    let (status, body) = pds
        .post(
            "com.atproto.identity.updateHandle",
            Some(&user.access_jwt),
            &json!({ "handle": new_handle }),
        )
        .await;
    assert_eq!(status, 200, "updateHandle: {body}");

    let account = env.run(&["account", "refresh", &user.did], "").expect_ok();
    assert_eq!(account["handle"], new_handle.as_str(), "{account}");
    assert_eq!(account["displayName"], "Handle Changer");
    let listed = env.list();
    assert_eq!(
        account_with_did(&listed, &user.did)["handle"],
        new_handle.as_str()
    );
}

#[tokio::test]
async fn revoked_app_password_needs_reconnection_and_reconnect_works() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("rev").await;
    pds.revoke_app_password(&user, "hayon").await;

    let output = env.run(&["account", "refresh", &user.did], "");
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "needs_reconnection", "{}", output.json);
    let listed = env.list();
    let account = account_with_did(&listed, &user.did);
    assert_eq!(account["health"]["needsReconnection"], true, "{account}");
    assert_eq!(account["health"]["consecutiveFailures"], 1);
    assert!(account["health"]["lastError"].is_string());

    let new_password = pds.create_app_password(&user, "hayon-2").await;
    let account = env
        .connect(&user.handle, &new_password, &pds.url)
        .expect_ok();
    assert_eq!(account["health"]["needsReconnection"], false);
    assert_eq!(account["health"]["status"], "active");
    assert_eq!(account["health"]["consecutiveFailures"], 0);
}

#[tokio::test]
async fn disconnect_ends_the_server_session_and_forgets_the_account() {
    keychain::require_secret_service();
    let pds = pds();
    let env = CliEnv::new();
    let user = env.connect_new_user("dis").await;
    let (_, refresh) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");

    let answer = env
        .run(&["account", "disconnect", &user.handle], "")
        .expect_ok();
    assert_eq!(
        answer,
        serde_json::json!({"did": user.did, "connected": false, "serverSessionRevoked": true})
    );
    let (status, body) = pds
        .post_empty("com.atproto.server.refreshSession", &refresh)
        .await;
    assert_eq!(
        status, 400,
        "the server still honours the old refresh token: {body}"
    );
    assert_eq!(body["error"], "ExpiredToken", "{body}");
    assert_eq!(keychain::entry_count(&env.keychain_service), 0);
    assert!(env.list().is_empty());
    // The record is gone from the database file, not just hidden.
    let db = rusqlite::Connection::open(env.path().join("hayon.sqlite3")).expect("db");
    let rows: i64 = db
        .query_row("SELECT count(*) FROM accounts", [], |row| row.get(0))
        .expect("count");
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn a_second_process_sees_the_account_still_connected_and_usable() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let user = env.connect_new_user("rst").await;
    // Every CLI run is a new process: the account comes back from SQLite + the keychain, and its
    // session works without a password.
    let listed = env.list();
    assert_eq!(account_with_did(&listed, &user.did)["connected"], true);
    let checked = env.run(&["account", "check", &user.handle], "").expect_ok();
    assert_eq!(checked["health"]["status"], "active");
}

#[tokio::test]
async fn several_accounts_side_by_side() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let mut dids = Vec::new();
    for prefix in ["sa", "sb"] {
        dids.push(env.connect_new_user(prefix).await.did);
    }
    let listed = env.list();
    assert_eq!(listed.len(), 2);
    for did in &dids {
        account_with_did(&listed, did);
    }
    assert_eq!(keychain::entry_count(&env.keychain_service), 2);
    env.run(&["account", "disconnect", &dids[0]], "")
        .expect_ok();
    let listed = env.list();
    assert_eq!(listed.len(), 1);
    account_with_did(&listed, &dids[1]);
}

#[tokio::test]
async fn without_a_secret_service_connect_fails_with_keychain_unavailable_and_writes_no_secret() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("nokc").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    // A bus address where nothing listens: no Secret Service can be reached.
    let dead_bus = format!("unix:path={}/no-bus", env.path().display());
    let output = env.run_with_env(
        &[
            "account",
            "connect",
            "--identifier",
            &user.handle,
            "--service",
            &pds.url,
            "--password-stdin",
        ],
        &format!("{app_password}\n"),
        &[("DBUS_SESSION_BUS_ADDRESS", &dead_bus)],
    );
    assert_eq!(output.code, 1);
    assert_eq!(
        output.error_code(),
        "keychain_unavailable",
        "{}",
        output.json
    );
    assert!(env.list().is_empty());
    assert_no_secrets(env.path(), &[&app_password]);
}

/// `hayon-cli … | head -c1` and friends: stdout closes before the answer is written.
#[test]
fn a_closed_stdout_is_reported_not_a_crash() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let output = env
        .command(&["account", "list"])
        .stdout(writer)
        .output()
        .expect("run hayon-cli");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not write the result"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn bad_service_address_is_a_validation_error() {
    let env = CliEnv::new();
    let output = env.connect("alice.test", "abcd-efgh-ijkl-mnop", "ftp://example.com");
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "validation");
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
}

#[tokio::test]
async fn unreachable_server_is_a_network_error() {
    let env = CliEnv::new();
    // Port 9 on loopback: nothing listens, the connection is refused at once.
    let output = env.connect("alice.test", "abcd-efgh-ijkl-mnop", "http://127.0.0.1:9");
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "network", "{}", output.json);
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
}

#[tokio::test]
async fn an_empty_identifier_is_placed_on_the_identifier() {
    let env = CliEnv::new();
    let output = env.connect("  ", "abcd-efgh-ijkl-mnop", "http://127.0.0.1:9");
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "validation", "{}", output.json);
    assert_eq!(
        output.json["error"]["field"], "identifier",
        "{}",
        output.json
    );
}

#[tokio::test]
async fn unknown_account_is_not_found() {
    let env = CliEnv::new();
    let output = env.run(&["account", "refresh", "nobody.test"], "");
    assert_eq!(output.code, 1);
    assert_eq!(output.error_code(), "not_found");
}

#[tokio::test]
async fn secrets_never_reach_the_files_the_app_wrote() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("scan").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    env.connect(&user.handle, &app_password, &pds.url)
        .expect_ok();
    let (access1, refresh1) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    env.run(&["account", "refresh", &user.did], "").expect_ok();
    let (access2, refresh2) = keychain::tokens(&env.keychain_service, &user.did).expect("tokens");
    env.run(&["account", "disconnect", &user.did], "")
        .expect_ok();

    let written: Vec<String> = harness::scan::files_under(env.path())
        .iter()
        .filter_map(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .collect();
    assert!(
        written.iter().any(|name| name == "hayon.sqlite3"),
        "{written:?}"
    );
    assert!(
        written.iter().any(|name| name == "hayon.log"),
        "{written:?}"
    );
    assert_no_secrets(
        env.path(),
        &[&app_password, &access1, &refresh1, &access2, &refresh2],
    );
}

/// Plain http to a loopback PDS never goes through a proxy, even when every proxy variable names one:
/// the sign-in would leave this computer in clear text. The "proxy" is a loopback listener that never
/// accepts, so every connection made to it is still queued in its backlog after the CLI exits.
#[tokio::test]
async fn a_loopback_pds_is_reached_directly_whatever_the_proxy_variables_say() {
    keychain::require_secret_service();
    let pds = pds();
    let user = pds.create_user("prx").await;
    let app_password = pds.create_app_password(&user, "hayon").await;
    let env = CliEnv::new();
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").expect("listener");
    let proxy_url = format!("http://{}", proxy.local_addr().expect("address"));
    let mut vars = vec![
        ("NO_PROXY", ""),
        ("no_proxy", ""),
        ("HAYON_HTTP_TIMEOUT_SECS", "3"),
    ];
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        vars.push((name, &proxy_url));
    }

    let connected = env.run_with_env(
        &[
            "account",
            "connect",
            "--identifier",
            &user.handle,
            "--service",
            &pds.url,
            "--password-stdin",
        ],
        &format!("{app_password}\n"),
        &vars,
    );

    proxy.set_nonblocking(true).expect("nonblocking");
    let through_proxy = std::iter::from_fn(|| proxy.accept().ok()).count();
    assert_eq!(through_proxy, 0, "the CLI connected to the proxy");
    assert_eq!(connected.expect_ok()["did"], user.did);
}
