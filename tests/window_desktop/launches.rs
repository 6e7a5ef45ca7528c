//! Launching Hayon: a second launch focuses the running window, and a launch while the window is
//! quitting still opens one.

use super::*;

/// The app binary started directly (as from the application menu), with `data_dir`.
fn launch(env: &CliEnv) -> std::process::Child {
    let app = required_env(
        "HAYON_APP_BINARY",
        "build the app (cargo build --release --features custom-protocol) and set it",
    );
    Command::new(app)
        .env("HAYON_DATA_DIR", env.path())
        .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
        .env(MANIFEST_ENV, CLOSED_MANIFEST)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("launch the app")
}

#[tokio::test]
async fn a_second_launch_focuses_the_running_window_and_exits() {
    let env = CliEnv::new();
    let (_driver, client) = start_session(&env).await;
    wait_for(&client, ".view:not([hidden])").await;

    let mut second = launch(&env);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait().expect("second launch") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch did not exit");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(
        !stderr.contains("page-loaded"),
        "no second window: {stderr}"
    );
    wait_for_log(&env, "launched again: focusing the open window", 1).await;
    // The first window is still there and answering.
    let about = invoke(&client, "about", serde_json::json!({})).await;
    assert!(about["ok"]["version"].is_string(), "{about}");

    // Another data folder is another app: it opens its own window.
    let other = CliEnv::new();
    let mut third = launch(&other);
    let said = wait_for_page_loaded(&mut third).await;
    let still_running = third.try_wait().expect("third launch").is_none();
    let _ = third.kill();
    let _ = third.wait();
    assert!(said.ends_with("page-loaded"), "a window of its own: {said}");
    assert!(still_running);
}

/// Waits (up to a minute) until `app` has loaded its page (its stderr's launch marker); returns what
/// it printed until then, ending in "page-loaded" only if it did.
async fn wait_for_page_loaded(app: &mut std::process::Child) -> String {
    let stderr = app.stderr.take().expect("stderr");
    let said = tokio::task::spawn_blocking(move || {
        let mut said = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            said.push_str(&line);
            said.push('\n');
            if line.contains("launch-marker: page-loaded") {
                return format!("{said}page-loaded");
            }
        }
        said
    });
    match tokio::time::timeout(Duration::from_secs(60), said).await {
        Ok(said) => said.expect("read the app's stderr"),
        Err(_) => "no page loaded within a minute".to_owned(),
    }
}

/// A launch while the same data folder's window is quitting: the quitting Hayon still owns the
/// single-instance D-Bus name when the launch forwards to it, and is gone before it answers (the bus
/// says NoReply). The launch starts itself again and opens the window the person asked for. A
/// stand-in on the session bus plays the quitting Hayon: it owns the name, takes the call, and
/// disconnects without answering.
#[tokio::test]
async fn a_launch_while_the_window_is_quitting_opens_a_window() {
    let env = CliEnv::new();
    // The name this data folder's Hayon owns, found by its process.
    let mut first = launch(&env);
    let said = wait_for_page_loaded(&mut first).await;
    assert!(said.ends_with("page-loaded"), "the first launch: {said}");
    let bus = zbus::blocking::Connection::session().expect("the session bus");
    let dbus = zbus::blocking::fdo::DBusProxy::new(&bus).expect("the bus's own interface");
    let name = dbus
        .list_names()
        .expect("the bus's names")
        .into_iter()
        .find(|name| {
            name.ends_with(".SingleInstance")
                && dbus.get_connection_unix_process_id(name.inner().clone()) == Ok(first.id())
        })
        .expect("a single-instance name owned by the app")
        .to_string();
    first.kill().expect("end the first launch");
    first.wait().expect("the first launch ended");

    let owned = poll_until(
        || async {
            bus.request_name_with_flags(
                name.as_str(),
                zbus::fdo::RequestNameFlags::DoNotQueue.into(),
            )
        },
        |reply| matches!(reply, Ok(zbus::fdo::RequestNameReply::PrimaryOwner)),
    )
    .await;
    assert!(
        matches!(owned, Ok(zbus::fdo::RequestNameReply::PrimaryOwner)),
        "the stand-in owns {name}: {owned:?}"
    );
    // Listening before the launch: a call that arrives while nothing listens is dropped.
    let calls = zbus::blocking::MessageIterator::from(&bus);
    let (told, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let called = calls.map_while(Result::ok).any(|message| {
            message
                .header()
                .member()
                .is_some_and(|member| member.as_str() == "ExecuteCallback")
        });
        bus.close().expect("disconnect without answering");
        let _ = told.send(called);
    });

    let mut second = launch(&env);
    let said = wait_for_page_loaded(&mut second).await;
    let still_running = second.try_wait().expect("second launch").is_none();
    let app_umask = umask_of(&second.id().to_string());
    let window = window_processes(&format!("HAYON_DATA_DIR={}", env.path().display()));
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(
        heard.recv_timeout(Duration::from_secs(60)),
        Ok(true),
        "the launch forwarded to the name's owner"
    );
    assert!(said.contains("starting again"), "{said}");
    assert!(said.ends_with("page-loaded"), "a window after all: {said}");
    assert!(still_running);
    // The new start has the person's umask, not Hayon's private one, and counted its relaunch
    // without passing the count on.
    assert_eq!(app_umask, umask_of("self"), "the relaunched app's umask");
    let network = window
        .iter()
        .find(|process| process.name.starts_with("WebKitNetwork"))
        .unwrap_or_else(|| panic!("no WebKit network process: {window:?}"));
    assert!(
        !network
            .environ
            .iter()
            .any(|entry| entry.starts_with("HAYON_RELAUNCH=")),
        "{network:?}"
    );
}
