//! Driving the real window: the release app under Xvfb through WebDriver (tauri-driver +
//! WebKitWebDriver), for the window suites (`tests/window*.rs`). Each session starts the app with the
//! data folder and keychain service of a [`CliEnv`], so a test can prepare and inspect state with the
//! real CLI beside the window. Helpers that find elements wait and retry, because the page re-renders.

use crate::cli::CliEnv;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use crate::wait::{assert_becomes, assert_stays, poll_until, WAIT};

/// The running tauri-driver of one window session; dropping it ends the driver, WebKitWebDriver and
/// the app (its process group: killing tauri-driver alone left them running, and a window left open
/// would make the next session's app, with the same data folder, a second instance that exits).
#[derive(Debug)]
pub struct Driver {
    child: Child,
    /// tauri-driver's WebDriver port.
    port: u16,
    /// The app's log, shown when a test fails with the session open.
    app_log: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if std::thread::panicking() {
            print_log_tail(&self.app_log);
        }
        if let Ok(id) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(id),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The app is tauri-driver's grandchild and can still be dying: its group's last process is
        // waited for, so one test's window is not still running beside the next. (This does not
        // make the single-instance name free at once: dbus-daemon releases it when it gets round to
        // the closed socket, and the app itself starts again when it meets that; see
        // src-tauri/src/single_instance.rs.)
        let gone = wait_until_group_is_gone(self.child.id(), Duration::from_secs(30));
        if !gone {
            eprintln!(
                "warning: processes of window session {} outlived it",
                self.child.id()
            );
        }
    }
}

impl Driver {
    /// Whether the app this session started is still running (it is in the driver's process group).
    pub fn app_is_running(&self) -> bool {
        self.app_pid().is_some()
    }

    /// The process ID of the app this session started, while it runs.
    pub fn app_pid(&self) -> Option<u32> {
        let app = std::fs::canonicalize(required_env(
            "HAYON_APP_BINARY",
            "scripts/test.sh builds the release app and sets it",
        ))
        .expect("the app binary");
        group_members(self.child.id())
            .into_iter()
            .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app))
            .and_then(|pid| pid.parse().ok())
    }
}

/// Polls /proc until no live process (zombies have released everything) is left in process group
/// `group`, for at most `limit`. Returns whether the group is gone.
fn wait_until_group_is_gone(group: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if !group_is_alive(group) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn group_is_alive(group: u32) -> bool {
    !group_members(group).is_empty()
}

/// The live processes (not zombies) of process group `group`.
fn group_members(group: u32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                return false;
            };
            // "pid (comm) state ppid pgrp …": the command name may hold spaces and parentheses.
            let Some((_, after)) = stat.rsplit_once(')') else {
                return false;
            };
            let mut fields = after.split_whitespace();
            let state = fields.next();
            let pgrp = fields.nth(1);
            state != Some("Z") && pgrp == Some(group.to_string().as_str())
        })
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// The value of `name`, or a panic saying `how` to set it (a missing tool fails loudly).
pub fn required_env(name: &str, how: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: {how}"))
}

/// `target/e2e-screenshots/`, created if missing.
pub fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// Saves what the window shows now as `target/e2e-screenshots/<name>.png`.
pub async fn screenshot(client: &Client, name: &str) {
    // Let the page render what the test just saw in the DOM: two animation frames.
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .expect("wait for two animation frames");
    let png = client.screenshot().await.expect("screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("write screenshot");
    println!("screenshot: {}", path.display());
}

/// The light theme, as the machine is set up.
pub const LIGHT: &[(&str, &str)] = &[];
/// The dark theme: GTK's dark Adwaita, which WebKitGTK reports to the page as
/// `prefers-color-scheme: dark`.
pub const DARK: &[(&str, &str)] = &[("GTK_THEME", "Adwaita:dark")];

/// Starts the app for `env` (its data folder and keychain service) under tauri-driver and opens a
/// WebDriver session on its window.
pub async fn start_session(env: &CliEnv) -> (Driver, Client) {
    start_session_with(env, LIGHT).await
}

/// [`start_session`], with `extra_env` added to the app's environment (e.g. [`DARK`]). Fails if the
/// app opens no session within [`SESSION_START`], twice: on a busy machine GTK has failed to start
/// now and then ("Failed to initialize GTK", with the app gone and tauri-driver no longer
/// answering), so a driver that opens nothing is replaced once by a new one.
pub async fn start_session_with(env: &CliEnv, extra_env: &[(&str, &str)]) -> (Driver, Client) {
    let mut failures = Vec::new();
    for _ in 0..2 {
        let driver = start_driver(env, extra_env);
        match open_session(&driver).await {
            Ok(client) => return (driver, client),
            Err(last) => failures.push(last),
        }
    }
    panic!(
        "the app did not open a window session within {SESSION_START:?}, twice; the last attempts: {}",
        failures.join(" / ")
    )
}

/// How long opening a window session may take (a few seconds when the machine is idle).
const SESSION_START: Duration = Duration::from_secs(90);

/// tauri-driver on free ports, in a process group of its own, with the app's environment.
fn start_driver(env: &CliEnv, extra_env: &[(&str, &str)]) -> Driver {
    let tauri_driver = required_env(
        "HAYON_TAURI_DRIVER",
        "scripts/test.sh installs tauri-driver and sets it",
    );
    required_env("DISPLAY", "run under Xvfb (scripts/test.sh uses xvfb-run)");
    let port = free_port();
    let native_port = free_port();
    let child = Command::new(tauri_driver)
        .process_group(0)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        // The app inherits these through WebKitWebDriver: its own data folder and keychain service,
        // and link cards from loopback, where the tests serve their pages.
        .env("HAYON_DATA_DIR", env.path())
        .env("HAYON_KEYCHAIN_SERVICE", &env.keychain_service)
        .env("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")
        // The update check a few seconds after start-up meets a closed loopback port (as offline),
        // never the real manifest; tests of updates name their own server in `extra_env`.
        .env("HAYON_UPDATE_MANIFEST_URL", crate::updates::CLOSED_MANIFEST)
        .envs(extra_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tauri-driver");
    Driver {
        child,
        port,
        app_log: env.path().join("hayon.log"),
    }
}

/// The last lines of the app's log, for a failed test's output (the log holds no secrets: the
/// tests scan it for them).
fn print_log_tail(log: &Path) {
    const LINES: usize = 40;
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    eprintln!(
        "--- the last lines of the app's log ({}) ---",
        log.display()
    );
    for line in &lines[lines.len().saturating_sub(LINES)..] {
        eprintln!("{line}");
    }
    eprintln!("--- end of the app's log ---");
}

/// A WebDriver session with the app, once tauri-driver listens; else what the last attempt met (an
/// app that failed at start says so there), if none opens within [`SESSION_START`].
async fn open_session(driver: &Driver) -> Result<Client, String> {
    let app = required_env(
        "HAYON_APP_BINARY",
        "build the release app (cargo build --release --features custom-protocol) and set it; scripts/test.sh does",
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "wry".into());
    capabilities.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": app }),
    );
    let url = format!("http://127.0.0.1:{}", driver.port);
    let deadline = Instant::now() + SESSION_START;
    let mut last = String::from("no attempt finished");
    while Instant::now() < deadline {
        let mut builder = ClientBuilder::new(answer_deadline_connector());
        builder.capabilities(capabilities.clone());
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, builder.connect(&url)).await {
            Ok(Ok(client)) => return Ok(client),
            // tauri-driver not listening yet, or the app failed to start (tried again).
            Ok(Err(error)) => {
                last = error.to_string();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(_) => break,
        }
    }
    Err(last)
}

/// How long any one WebDriver command may go unanswered. The longest a command legitimately takes is
/// WebDriver's script timeout (30 s by default, not changed by the tests) for `execute_async`; the
/// waits for elements are the harness's own polls of short commands.
const COMMAND_DEADLINE: Duration = Duration::from_secs(90);

/// Plain HTTP to tauri-driver, where a command whose answer does not start within
/// [`COMMAND_DEADLINE`] fails (the caller's `expect` names it) instead of hanging the suite: under two
/// CPU hogs one window test once waited on WebDriver with no end.
fn answer_deadline_connector() -> hyper_timeout::TimeoutConnector<HttpConnector> {
    let mut connector = hyper_timeout::TimeoutConnector::new(HttpConnector::new());
    connector.set_read_timeout(Some(COMMAND_DEADLINE));
    connector.set_write_timeout(Some(COMMAND_DEADLINE));
    // The read deadline counts from each request, not from the pooled connection's last answer.
    connector.set_reset_reader_on_write(true);
    connector
}

/// A loopback port free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("free port")
}

/// The element `css` selects, waiting up to [`WAIT`] for it to appear.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("{css} never appeared: {err}"))
}

/// Waits until Compose is shown and ready for input: its fields are enabled once the saved draft and
/// settings are back, and the account list (which changes the layout) has loaded.
pub async fn wait_for_composer(client: &Client) {
    wait_for(
        client,
        "#view-compose:not([hidden]) #composer-fields:not([disabled])",
    )
    .await;
    wait_for(client, "#account-chooser-loading[hidden]").await;
}

/// The CSS selector of `inner` in the editor of post `n` (1-based) of the thread.
pub fn in_post(n: usize, inner: &str) -> String {
    format!("#thread > li.post-editor:nth-child({n}) {inner}")
}

/// Attaches `photo` to post `n` with its file input and waits until it is prepared; returns the CSS
/// selector of that image's tile (the post's next one: images are added at the end), ready.
pub async fn attach_image(client: &Client, n: usize, photo: &std::path::Path) -> String {
    let tiles = in_post(n, ".image-list > li.image-item");
    let before = js_with(
        client,
        "return document.querySelectorAll(arguments[0]).length",
        vec![tiles.clone().into()],
    )
    .await
    .as_u64()
    .expect("a count");
    client
        .find(Locator::Css(&in_post(n, ".image-input")))
        .await
        .expect("file input")
        .send_keys(photo.to_str().expect("path"))
        .await
        .expect("attach image");
    // This image's own tile: a wait for any ready tile of the post would end at once on an earlier one.
    let ready = format!("{tiles}:nth-child({})[data-status=ready]", before + 1);
    wait_for(client, &ready).await;
    ready
}

/// Attaches `video` to post `n` with its file input and waits until it has been added (sent to the
/// app in pieces and checked); returns the selector of the post's shown video.
pub async fn attach_video(client: &Client, n: usize, video: &std::path::Path) -> String {
    client
        .find(Locator::Css(&in_post(n, ".video-input")))
        .await
        .expect("video input")
        .send_keys(video.to_str().expect("path"))
        .await
        .expect("attach video");
    let shown = in_post(n, ".video-attached:not([hidden])");
    wait_for(client, &shown).await;
    shown
}

/// Adds the caption file `vtt` to post `n`'s video and waits until it is listed.
pub async fn add_captions(client: &Client, n: usize, vtt: &std::path::Path) {
    let items = in_post(n, ".caption-list > li.caption-item");
    let before = js_with(
        client,
        "return document.querySelectorAll(arguments[0]).length",
        vec![items.clone().into()],
    )
    .await
    .as_u64()
    .expect("a count");
    client
        .find(Locator::Css(&in_post(n, ".caption-input")))
        .await
        .expect("caption input")
        .send_keys(vtt.to_str().expect("path"))
        .await
        .expect("add captions");
    wait_for(client, &format!("{items}:nth-child({})", before + 1)).await;
}

/// Waits until the alt text editor is closed and its closing handled: the dialog's `close` event
/// (queued after `[open]` goes) clears the image, gives focus back to the control that opened it
/// and hands the text to the image's tile, all before the next script of the test can run.
pub async fn wait_alt_dialog_closed(client: &Client) {
    wait_for(
        client,
        "#alt-dialog:not([open]) #alt-dialog-image:not([src])",
    )
    .await;
}

/// Describes the ready image `image` (a CSS selector, as [`attach_image`] returns) with `alt`, the
/// way a person does: "Add alt text", type into the editor, Save; waits until its tile shows `alt`.
pub async fn describe_image(client: &Client, image: &str, alt: &str) {
    click(client, &format!("{image} .image-alt-edit")).await;
    let text = wait_for(client, "#alt-dialog[open] #alt-dialog-text").await;
    text.clear().await.expect("clear the alt text");
    text.send_keys(alt).await.expect("type the alt text");
    click(client, "#alt-dialog-save").await;
    wait_alt_dialog_closed(client).await;
    assert_becomes("the alt text shown on the image", alt.to_owned(), || {
        shown_alt(client, image)
    })
    .await;
}

/// The alt text the tile of image `image` shows.
pub async fn shown_alt(client: &Client, image: &str) -> String {
    client
        .execute(
            "return document.querySelector(arguments[0])?.textContent ?? '';",
            vec![format!("{image} .image-alt-text").into()],
        )
        .await
        .expect("read the alt text")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Runs `action` on a fresh lookup of `css`, retrying while the element is missing or was replaced
/// by a re-render (stale).
pub async fn with_element<T, F, Fut>(client: &Client, css: &str, action: F) -> T
where
    F: Fn(fantoccini::elements::Element) -> Fut,
    Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
{
    let mut last_error = None;
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        match client.find(Locator::Css(css)).await {
            Ok(element) => match action(element).await {
                Ok(value) => return value,
                Err(err) => last_error = Some(err),
            },
            Err(err) => last_error = Some(err),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last_error:?}");
}

/// Types `keys` (WebDriver key codes allowed) into whatever has the focus, as a person would.
pub async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("focused element")
        .send_keys(keys)
        .await
        .expect("keys");
}

/// The text of the element `css` selects (waiting for it).
pub async fn text_of(client: &Client, css: &str) -> String {
    with_element(client, css, |element| async move { element.text().await }).await
}

/// Attribute `name` of the element `css` selects (waiting for it).
pub async fn attr_of(client: &Client, css: &str, name: &str) -> Option<String> {
    with_element(
        client,
        css,
        |element| async move { element.attr(name).await },
    )
    .await
}

/// Ticks the account `did` in the composer's account chooser, unless it already is, and waits until
/// it is ticked.
pub async fn choose_account(client: &Client, did: &str) {
    let account = format!("input.post-account[value=\"{did}\"]");
    let chosen = || {
        with_element(client, &account, |input| async move {
            input.is_selected().await
        })
    };
    if !chosen().await {
        click(client, &account).await;
    }
    assert_becomes(&format!("{did} ticked in Post to"), true, chosen).await;
}

/// The line of the post's outcome for account `did`: posted (`ok`) or not.
pub fn post_result(did: &str, ok: bool) -> String {
    format!("li.post-result[data-account=\"{did}\"][data-ok=\"{ok}\"]")
}

/// Post when it can be used. A Post that is off is `aria-disabled` (still focusable, and pressing it
/// shows why), never `disabled` — except while posting, when it is busy.
pub const POST_ON: &str = "#post-submit[aria-disabled=false]:not([disabled])";
/// Post while something stops it (the reason is in `#post-blocker`).
pub const POST_OFF: &str = "#post-submit[aria-disabled=true]";

/// Presses Post once it is on and returns the link of the first posted result.
pub async fn submit_post(client: &Client) -> String {
    wait_for(client, POST_ON).await;
    click(client, "#post-submit").await;
    let link = wait_for(client, "a.post-link[href]").await;
    link.attr("href").await.expect("href").expect("a link")
}

/// Clicks the element `css` selects (waiting for it). The element is first scrolled to the middle of
/// its view, as a person would scroll to it: WebDriver itself scrolls an element only just into view,
/// to the bottom edge, where the composer's sticky action bar covers it. Then two animation frames
/// pass, so a scroll the page still had queued (the composer moves a newly focused control out from
/// under the action bar at the next frame) happens before WebDriver aims, not between its aim and
/// its press: on a busy machine such a late scroll made clicks land beside the button.
pub async fn click(client: &Client, css: &str) {
    with_element(client, css, |element| async move {
        let target = serde_json::to_value(&element).expect("an element reference");
        client
            .execute_async(
                "const [target, done] = [arguments[0], arguments[arguments.length - 1]];
                 target.scrollIntoView({ block: 'center', inline: 'nearest' });
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![target],
            )
            .await?;
        element.click().await
    })
    .await
}

/// The one text value `sql` selects from the app's database, or "" when there is no such row yet.
pub fn stored_text(env: &CliEnv, sql: &str) -> String {
    rusqlite::Connection::open(env.path().join("hayon.sqlite3"))
        .and_then(|db| db.query_row(sql, [], |row| row.get(0)))
        .unwrap_or_default()
}

/// The text in post `n`'s text box ("" while there is no such post).
pub async fn post_text(client: &Client, n: usize) -> String {
    with_element(client, &in_post(n, ".editor-input"), |field| async move {
        field.prop("value").await
    })
    .await
    .unwrap_or_default()
}

/// Types `text` into post `n` of the thread.
pub async fn type_into_post(client: &Client, n: usize, text: &str) {
    type_into(client, &in_post(n, ".editor-input"), text).await;
}

/// Types `text` into the field `css` selects (waiting for it).
pub async fn type_into(client: &Client, css: &str, text: &str) {
    with_element(
        client,
        css,
        |field| async move { field.send_keys(text).await },
    )
    .await;
}

/// Adds a post below the last one and waits for its editor.
pub async fn add_post(client: &Client, n: usize) {
    click(client, "#add-post").await;
    wait_for(client, &in_post(n, ".editor-input")).await;
}

/// Calls a command the way a (compromised) page could, straight through `__TAURI__.core.invoke`;
/// `post` gets a progress channel and a ticket. → `{"ok": answer}` or `{"err": {code, message}}`.
pub async fn invoke(client: &Client, command: &str, args: serde_json::Value) -> serde_json::Value {
    client
        .execute_async(
            "const [command, args] = arguments;
             const done = arguments[arguments.length - 1];
             const core = window.__TAURI__.core;
             const call = command === 'post'
               ? { ticket: 'harness', ...args, onProgress: new core.Channel() }
               : args;
             core.invoke(command, call).then((ok) => done({ ok }), (err) => done({ err }));",
            vec![command.into(), args],
        )
        .await
        .unwrap_or_else(|err| panic!("invoke {command}: {err}"))
}

/// The files in the app's attachments folder.
pub fn staged_files(env: &CliEnv) -> Vec<PathBuf> {
    std::fs::read_dir(env.path().join("attachments"))
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default()
}

/// Runs `script` in the page and returns what it returns (a failing script fails the test).
pub async fn js(client: &Client, script: &str) -> serde_json::Value {
    js_with(client, script, vec![]).await
}

/// [`js`], with `args` as the script's `arguments`.
pub async fn js_with(
    client: &Client,
    script: &str,
    args: Vec<serde_json::Value>,
) -> serde_json::Value {
    client
        .execute(script, args)
        .await
        .unwrap_or_else(|err| panic!("script failed: {err}\n{script}"))
}

/// The app's log (`hayon.log` in the data folder), "" before it exists.
pub fn log_of(env: &CliEnv) -> String {
    std::fs::read_to_string(env.path().join("hayon.log")).unwrap_or_default()
}

/// Waits (up to a minute: the first update check runs a few seconds after start-up) until the app's
/// log has `count` lines containing `needle`; returns the log.
pub async fn wait_for_log(env: &CliEnv, needle: &str, count: usize) -> String {
    let seen = |log: &String| log.lines().filter(|line| line.contains(needle)).count();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = log_of(env);
        if seen(&log) >= count {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "never logged {needle:?} ×{count}:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Sets the window's size and waits until the page has it.
pub async fn resize(client: &Client, width: u32, height: u32) {
    client
        .set_window_size(width, height)
        .await
        .expect("set the window size");
    let inner = poll_until(
        || js(client, "return [window.innerWidth, window.innerHeight]"),
        |size| size[0].as_u64() == Some(u64::from(width)),
    )
    .await;
    assert_eq!(
        inner[0].as_u64(),
        Some(u64::from(width)),
        "the window did not become {width} px wide (inner size {inner})"
    );
}

/// Opens the connect form's "Use an app password instead" (Sign in with Bluesky comes first).
pub async fn use_app_password(client: &Client) {
    wait_for(client, "#app-password-path").await;
    js(
        client,
        "const path = document.querySelector('#app-password-path'); \
         if (!path.open) path.querySelector('summary').click(); return path.open;",
    )
    .await;
    wait_for(client, "#app-password-path[open] #password").await;
}

/// Types `url` as the connect form's hosting provider (under Advanced).
pub async fn set_service(client: &Client, url: &str) {
    js(client, "document.querySelector('#advanced').open = true;").await;
    let service = wait_for(client, "#service").await;
    service.clear().await.expect("clear service");
    service.send_keys(url).await.expect("type service");
}

/// The value of the input `css` (its `value` property: what is typed or shown in it now).
pub async fn value_of(client: &Client, css: &str) -> String {
    js_with(
        client,
        "return document.querySelector(arguments[0]).value;",
        vec![serde_json::json!(css)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}
