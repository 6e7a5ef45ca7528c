//! The window as an installed desktop app (issue #9), end to end under Xvfb: the window opens at the
//! size and place it was left; a second launch with the same data folder focuses the running window
//! and exits, while another data folder is another app; Settings › About and updates shows the
//! version and the project's links (and the opener refuses any other address); update checks that
//! fail — a manifest whose package is not signed by the app's key, or nothing listening — show
//! nothing in the window and are logged with their reason; checks turned off ask nothing; on a fresh
//! profile every folder in the data folders is 0700 and every file 0600; a launch while the window
//! is quitting still opens one; moving the window while its place is saved never freezes it.
//!
//! The verified-update path needs a package signed by the app's key, whose private half is not in
//! the repository: tests/updates.rs runs the same update code with a key pair of its own.
//!
//! By subject: About and update checks (`about_and_updates.rs`), the window's size and place
//! (`window_state.rs`), launches (`launches.rs`), private files (`private_files.rs`).

mod about_and_updates;
mod launches;
mod private_files;
mod window_state;

use fantoccini::Client;
use harness::cli::CliEnv;
use harness::updates::{Release, SigningKey, UpdateServer, CLOSED_MANIFEST, PACKAGE_PATH};
use harness::window::{
    assert_becomes, click, invoke, poll_until, required_env, screenshot, start_session,
    start_session_with, stored_text, text_of, wait_for, wait_for_log,
};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MANIFEST_ENV: &str = "HAYON_UPDATE_MANIFEST_URL";

/// The `Umask:` of process `pid` (or `self`), as /proc shows it ("0022").
fn umask_of(pid: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Umask:"))
        .map(|mask| mask.trim().to_owned())
}

/// A process of a window under test, read from /proc.
#[derive(Debug)]
struct WindowProcess {
    name: String,
    umask: Option<String>,
    /// The environment it was started with.
    environ: Vec<String>,
}

/// Every process whose environment holds `entry` (`NAME=value`).
fn window_processes(entry: &str) -> Vec<WindowProcess> {
    let Ok(proc) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    proc.flatten()
        .filter_map(|process| {
            let environ = std::fs::read(process.path().join("environ")).ok()?;
            let environ: Vec<String> = environ
                .split(|byte| *byte == 0)
                .map(|entry| String::from_utf8_lossy(entry).into_owned())
                .collect();
            if !environ.iter().any(|e| e == entry) {
                return None;
            }
            let pid = process.file_name().to_string_lossy().into_owned();
            let name = std::fs::read_to_string(process.path().join("comm")).ok()?;
            Some(WindowProcess {
                name: name.trim().to_owned(),
                umask: umask_of(&pid),
                environ,
            })
        })
        .collect()
}
