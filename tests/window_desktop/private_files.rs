//! On a fresh profile nothing Hayon or its web view writes is readable by other local users.

use super::*;

/// On a fresh profile nothing Hayon or its web view writes is readable by other local users: the
/// app's default data folder, which Tauri makes for the web view's storage and caches
/// (`hsts-storage.sqlite`, `WebKitCache/`, …), and Hayon's own data folder (the database, the log, the
/// window's state) hold only 0700 folders and 0600 files, once WebKit has written its storage and
/// the window its state.
#[cfg(unix)]
#[tokio::test]
async fn on_a_fresh_profile_every_folder_is_0700_and_every_file_0600() {
    let env = CliEnv::new();
    let home = tempfile::tempdir().expect("a fresh XDG_DATA_HOME");
    let xdg = home.path().to_str().expect("utf-8").to_owned();
    let (_driver, client) = start_session_with(&env, &[("XDG_DATA_HOME", &xdg)]).await;
    wait_for(&client, ".view:not([hidden])").await;
    let folder = home.path().join("social.hayon.desktop");
    let webkit_storage = folder.join("hsts-storage.sqlite");
    assert_becomes("WebKit's storage in the data folder", true, || async {
        webkit_storage.exists()
    })
    .await;
    client
        .set_window_rect(40, 30, 820, 600)
        .await
        .expect("resize the window");
    let window_state = env.path().join("window-state.json");
    assert_becomes("the window's state written", true, || async {
        std::fs::read_to_string(&window_state).is_ok_and(|state| state.contains("820"))
    })
    .await;

    // The folder named by HAYON_DATA_DIR keeps the mode it was given (the person's choice); the
    // default one is Hayon's own.
    let written = [folder.clone()]
        .into_iter()
        .chain(harness::scan::paths_under(&folder))
        .chain(harness::scan::paths_under(env.path()));
    let mut loose = Vec::new();
    for path in written {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        let mode = meta.permissions().mode() & 0o777;
        let private = if meta.is_dir() { 0o700 } else { 0o600 };
        if mode != private {
            loose.push(format!("{:o} {}", mode, path.display()));
        }
    }
    assert!(loose.is_empty(), "not private:\n{}", loose.join("\n"));

    // WebKit's processes keep umask 077; the app has the person's back (the test's own here, which
    // must differ for this to tell), so a browser it starts through the opener creates files as the
    // person expects.
    let ours = umask_of("self").expect("the test's umask");
    assert_ne!(ours, "0077", "run the tests with a umask other than 077");
    let window = window_processes(&format!("XDG_DATA_HOME={xdg}"));
    let umask_of_process = |prefix: &str| {
        window
            .iter()
            .find(|process| process.name.starts_with(prefix))
            .and_then(|process| process.umask.clone())
    };
    assert_eq!(umask_of_process("hayon"), Some(ours), "{window:?}");
    assert_eq!(
        umask_of_process("WebKitNetwork").as_deref(),
        Some("0077"),
        "{window:?}"
    );
}
