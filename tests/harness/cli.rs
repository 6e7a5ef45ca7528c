//! Runs the real `hayon-cli` (built by `cargo build -p hayon-cli`, which scripts/test.sh does first),
//! each test with its own data folder and keychain service name.

use crate::pds::{pds, TestUser};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The CLI binary next to the test binary's target folder (`target/<profile>/hayon-cli`).
pub fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let binary = profile_dir.join("hayon-cli");
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p hayon-cli` (scripts/test.sh does)",
        binary.display()
    );
    binary
}

/// One isolated CLI user: a fresh data folder and a keychain service of its own.
#[derive(Debug)]
pub struct CliEnv {
    pub data_dir: tempfile::TempDir,
    pub keychain_service: String,
}

#[derive(Debug)]
pub struct CliOutput {
    pub code: i32,
    pub json: Value,
    pub stderr: String,
}

impl CliOutput {
    /// A finished `hayon-cli --json` run, whose stdout must be exactly one JSON document.
    fn of(output: &std::process::Output, stderr: String) -> Self {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let json: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|err| {
            panic!("stdout is not exactly one JSON document ({err}): {stdout:?}")
        });
        Self {
            code: output.status.code().unwrap_or(-1),
            json,
            stderr,
        }
    }

    /// The error code of a failed `--json` run.
    pub fn error_code(&self) -> &str {
        self.json["error"]["code"]
            .as_str()
            .unwrap_or("<no error code>")
    }

    pub fn expect_ok(self) -> Value {
        assert_eq!(
            self.code, 0,
            "hayon-cli failed: {} / {}",
            self.json, self.stderr
        );
        self.json
    }
}

impl Default for CliEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl CliEnv {
    pub fn new() -> Self {
        Self {
            data_dir: tempfile::tempdir().expect("temp data dir"),
            keychain_service: crate::unique("hayon-test-"),
        }
    }

    pub fn path(&self) -> &Path {
        self.data_dir.path()
    }

    /// `hayon-cli --json ARGS` in this environment, not started yet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(cli_binary());
        command
            .arg("--json")
            .args(args)
            .env("HAYON_DATA_DIR", self.path())
            .env("HAYON_KEYCHAIN_SERVICE", &self.keychain_service);
        command
    }

    /// Runs `hayon-cli --json ARGS`, feeding `stdin`, with extra environment variables.
    pub fn run_with_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> CliOutput {
        let mut command = self.command(args);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn hayon-cli");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("hayon-cli output");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        CliOutput::of(&output, stderr)
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> CliOutput {
        self.run_with_env(args, stdin, &[])
    }

    /// `account connect` with an app password (or any password) on stdin.
    pub fn connect(&self, identifier: &str, password: &str, service: &str) -> CliOutput {
        self.run(
            &[
                "account",
                "connect",
                "--identifier",
                identifier,
                "--service",
                service,
                "--password-stdin",
            ],
            &format!("{password}\n"),
        )
    }

    /// A new user on the test PDS with an app password named "hayon", connected in this environment.
    pub async fn connect_new_user(&self, prefix: &str) -> TestUser {
        let pds = pds();
        let user = pds.create_user(prefix).await;
        let app_password = pds.create_app_password(&user, "hayon").await;
        self.connect(&user.handle, &app_password, &pds.url)
            .expect_ok();
        user
    }

    /// Queues `text` with `schedule add` to go `seconds` from now (in whole seconds, as the queue
    /// keeps times) to `accounts`, with `extra` options (`--image`, `--alt` …); the queued post's id.
    pub fn schedule_in(
        &self,
        seconds: i64,
        accounts: &[&str],
        text: &str,
        extra: &[&str],
    ) -> String {
        let at = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second() + seconds)
            .expect("a time");
        self.schedule_at(at, accounts, text, extra)["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }

    /// Queues `text` with `schedule add` to go at `at` to `accounts`, with `extra` options; what
    /// the CLI answered (`{id, state, at, …}`).
    pub fn schedule_at(
        &self,
        at: jiff::Timestamp,
        accounts: &[&str],
        text: &str,
        extra: &[&str],
    ) -> Value {
        let at = at.to_string();
        let mut args = vec!["schedule", "add", "--at", &at];
        for account in accounts {
            args.extend(["--account", account]);
        }
        args.extend_from_slice(extra);
        self.run(&args, text).expect_ok()
    }

    /// With sending paused in the running app: queues a post to `did` due in 5 s and checks that
    /// nothing sends it until well past its time (the window's sender is woken by the queued row
    /// and by its time); the post's text, for [`CliEnv::sent_once_after_resume`].
    pub async fn queue_one_held_by_the_pause(&self, did: &str) -> String {
        let text = format!("Held by the pause {}", crate::unique("p"));
        let due = jiff::Timestamp::now().as_second() + 5;
        self.schedule_at(
            jiff::Timestamp::from_second(due).expect("a time"),
            &[did],
            &text,
            &[],
        );
        let left = u64::try_from(due - jiff::Timestamp::now().as_second()).unwrap_or(0);
        crate::wait::assert_stays(
            "a paused Hayon sends nothing",
            std::time::Duration::from_secs(left + 6),
            || pds().posts_with_text(did, &text),
            Vec::is_empty,
        )
        .await;
        let listed = self.run(&["schedule", "list"], "").expect_ok();
        assert_eq!(listed[0]["state"], "due", "{listed}");
        text
    }

    /// After sending resumed: the held post goes by itself, once.
    pub async fn sent_once_after_resume(&self, did: &str, text: &str) {
        let posted = crate::wait::poll_until(
            || pds().posts_with_text(did, text),
            |posts| !posts.is_empty(),
        )
        .await;
        assert_eq!(posted.len(), 1, "resumed, it goes once: {posted:?}");
    }

    /// Points the stored account at another server address (a counting relay, a dead port): the
    /// account's login host and PDS both change in the real SQLite file, as no UI could do.
    pub fn route_account_through(&self, did: &str, base_url: &str) {
        let db = rusqlite::Connection::open(self.path().join("hayon.sqlite3")).expect("db");
        let changed = db
            .execute(
                "UPDATE accounts SET service = ?1, pds = ?1 WHERE did = ?2",
                [
                    format!("{}/", base_url.trim_end_matches('/')),
                    did.to_owned(),
                ],
            )
            .expect("update the account's servers");
        assert_eq!(changed, 1, "{did} is not stored");
    }

    /// The stored preferences (the window's settings), as the real SQLite file holds them.
    pub fn stored_preferences(&self) -> Value {
        let db = rusqlite::Connection::open(self.path().join("hayon.sqlite3")).expect("db");
        let text: String = db
            .query_row(
                "SELECT value FROM settings WHERE key = 'preferences'",
                [],
                |row| row.get(0),
            )
            .unwrap_or_else(|_| "{}".to_owned());
        serde_json::from_str(&text).expect("the preferences are JSON")
    }

    pub fn list(&self) -> Vec<Value> {
        match self.run(&["account", "list"], "").expect_ok() {
            Value::Array(accounts) => accounts,
            other => panic!("account list is not an array: {other}"),
        }
    }
}

/// `account connect --oauth --no-browser` under way: it printed the sign-in address and waits for
/// the browser.
#[derive(Debug)]
pub struct SigningIn {
    child: std::process::Child,
    pub authorize_url: String,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl CliEnv {
    /// Starts `account connect --oauth --no-browser --identifier IDENTIFIER --service SERVICE`
    /// (with the test PLC, and `env`) and waits until it prints the sign-in address.
    pub fn start_sign_in(
        &self,
        identifier: &str,
        service: &str,
        env: &[(&str, &str)],
    ) -> SigningIn {
        let mut command = self.command(&[
            "account",
            "connect",
            "--oauth",
            "--no-browser",
            "--identifier",
            identifier,
            "--service",
            service,
        ]);
        command
            .env("HAYON_PLC_DIRECTORY", &pds().plc_url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn hayon-cli");
        let stderr = child.stderr.take().expect("stderr");
        let (lines, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let authorize_url = loop {
            match received.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(line) if line.starts_with("http") => break line,
                Ok(line) => seen.push(line),
                Err(_) => {
                    let _ = child.kill();
                    let output = child.wait_with_output().expect("hayon-cli output");
                    panic!(
                        "hayon-cli printed no sign-in address; stderr: {seen:?}, stdout: {}",
                        String::from_utf8_lossy(&output.stdout)
                    )
                }
            }
        };
        SigningIn {
            child,
            authorize_url,
            stderr: received,
        }
    }
}

impl SigningIn {
    /// Waits for the CLI to end; its output.
    pub fn finish(self) -> CliOutput {
        let output = self.child.wait_with_output().expect("hayon-cli output");
        CliOutput::of(
            &output,
            self.stderr.try_iter().collect::<Vec<_>>().join("\n"),
        )
    }
}
