//! Hostile answers and addresses: huge or endless answers to reads end in a clear error, a server
//! that is down keeps the account, plain http to another machine and redirects are refused.

use super::*;

/// Runs the CLI and samples its peak resident memory (`VmHWM`, in KiB) until it exits.
fn run_measuring_peak(env: &CliEnv, args: &[&str]) -> (CliOutput, u64) {
    let mut child = env
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hayon-cli");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    while child.try_wait().expect("wait").is_none() {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        if let Some(kib) = status.lines().find_map(|line| {
            line.strip_prefix("VmHWM:")?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        }) {
            peak_kib = peak_kib.max(kib);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(stdout.trim()).expect("one JSON document");
    let output = CliOutput {
        code: output.status.code().unwrap_or(-1),
        json,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (output, peak_kib)
}

#[tokio::test]
async fn a_2_gb_answer_to_a_read_is_a_clear_error_not_a_hang() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "huge").await;
    rig()
        .proxy
        .arm(GET_SESSION, Fault::Answer(Canned::TwoGigabytes));
    let started = Instant::now();
    let (output, peak_kib) = run_measuring_peak(&env, &["account", "check", &user.handle]);
    assert!(started.elapsed() < Duration::from_secs(15), "no hang");
    assert!(peak_kib < 100 * 1024, "peak memory {peak_kib} KiB");
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert!(
        output.json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("larger than"),
        "{}",
        output.json
    );
    assert_eq!(rig().proxy.count(GET_SESSION), 1, "not asked again");
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn an_endless_answer_to_a_read_is_a_clear_error_not_a_hang() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "endless").await;
    rig().proxy.arm(GET_SESSION, Fault::Answer(Canned::Endless));
    let started = Instant::now();
    let (output, peak_kib) = run_measuring_peak(&env, &["account", "check", &user.handle]);
    assert!(started.elapsed() < Duration::from_secs(15), "no hang");
    assert!(peak_kib < 100 * 1024, "peak memory {peak_kib} KiB");
    eprintln!(
        "endless answer: peak {peak_kib} KiB in {:?}",
        started.elapsed()
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert_still_connected(&env, &user);
}

#[tokio::test]
async fn a_server_that_is_down_is_a_network_error_and_keeps_the_account() {
    let _proxy = exclusive().await;
    let env = CliEnv::new();
    let user = connected(&env, "down").await;
    rig().proxy.set_down(true);

    let output = post(&env, &user, "Nobody home", &[]);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.json[0]["error"]["code"], "network",
        "{}",
        output.json
    );
    let check = env.run(&["account", "check", &user.handle], "");
    assert_eq!(check.code, 1, "{}", check.json);
    assert_eq!(check.error_code(), "network", "{}", check.json);
    assert_still_connected(&env, &user);
    assert!(posts_on_server(&user).await.is_empty());

    rig().proxy.set_down(false);
    let back = post(&env, &user, "Back again", &[]);
    assert_eq!(back.code, 0, "{}", back.json);
    assert_eq!(posts_on_server(&user).await.len(), 1);
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused_before_any_request() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    // Refused while the request is built: nothing is sent to that address.
    let output = env.connect(
        "alice.test",
        "abcd-efgh-ijkl-mnop",
        "http://pds.example.com",
    );
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(output.error_code(), "validation", "{}", output.json);
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("https://pds.example.com"), "{message}");
    assert!(env.list().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_redirected_login_is_not_followed_to_another_address() {
    let _proxy = exclusive().await;
    keychain::require_secret_service();
    // Another address on this machine that must never see the app password.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    elsewhere.set_nonblocking(true).expect("non-blocking");
    let target = format!(
        "http://127.0.0.1:{}/xrpc/{CREATE_SESSION}",
        elsewhere.local_addr().expect("addr").port()
    );
    rig().proxy.arm(
        CREATE_SESSION,
        Fault::Answer(Canned::Json {
            status: 307,
            headers: vec![("Location".to_owned(), target)],
            body: serde_json::json!({}),
        }),
    );
    let user = rig().pds.create_user("redir").await;
    let app_password = rig().pds.create_app_password(&user, "hayon").await;

    let env = CliEnv::new();
    let output = env.connect(&user.handle, &app_password, &rig().proxy.url);
    assert_eq!(output.code, 1, "{}", output.json);
    assert_eq!(
        output.error_code(),
        "server_error",
        "{}\nhayon.log:\n{}",
        output.json,
        app_log(&env)
    );
    assert_eq!(output.json["error"]["field"], "service", "{}", output.json);
    let message = output.json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("redirect") && message.contains("127.0.0.1"),
        "{message}"
    );
    assert_eq!(rig().proxy.count(CREATE_SESSION), 1);
    assert!(
        matches!(elsewhere.accept(), Err(err) if err.kind() == std::io::ErrorKind::WouldBlock),
        "the redirect was followed"
    );
    assert!(env.list().is_empty(), "nothing stored");
}
