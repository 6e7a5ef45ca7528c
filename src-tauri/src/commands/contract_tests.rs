//! The window's commands are named in four places that must agree, and this test holds them
//! together: `build.rs` (a permission is generated for each), `generate_handler!` in `commands/mod.rs`
//! (what Rust answers), the window's capability in `tauri.conf.json` (what the page is granted) and
//! `ui/js/api.js` (what the page calls). A command missing from one of them fails here, with the
//! places it is missing from, instead of as a refused call in a running window.

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The text between `start` and the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..from + to]
}

/// Every `"…"` in `text`.
fn quoted(text: &str) -> BTreeSet<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn registered_in_build_script() -> BTreeSet<String> {
    quoted(between(&read("src-tauri/build.rs"), ".commands(&[", "]"))
}

fn answered_by_the_handler() -> BTreeSet<String> {
    between(
        &read("src-tauri/src/commands/mod.rs"),
        "generate_handler![",
        "]",
    )
    .split(',')
    .filter_map(|path| path.trim().rsplit("::").next())
    .filter(|name| !name.is_empty())
    .map(str::to_owned)
    .collect()
}

/// The app's own `allow-…` permissions in the capability (plugins' are `plugin:…`).
fn granted_to_the_window() -> BTreeSet<String> {
    let config: serde_json::Value =
        serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json is JSON");
    let capabilities = config["app"]["security"]["capabilities"]
        .as_array()
        .expect("capabilities in tauri.conf.json");
    capabilities
        .iter()
        .flat_map(|capability| capability["permissions"].as_array().into_iter().flatten())
        .filter_map(|permission| permission.as_str())
        .filter(|permission| !permission.contains(':'))
        .filter_map(|permission| permission.strip_prefix("allow-"))
        .map(|command| command.replace('-', "_"))
        .collect()
}

/// The commands `api.js` calls, directly or with a progress channel (plugins' are `plugin:…`).
fn called_by_the_page() -> BTreeSet<String> {
    let api = read("ui/js/api.js");
    ["invoke('", "withProgress('"]
        .iter()
        .flat_map(|call| api.split(call).skip(1))
        .filter_map(|call| call.split('\'').next())
        .filter(|name| !name.contains(':'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_is_registered_answered_granted_and_called() {
    let places = [
        ("src-tauri/build.rs", registered_in_build_script()),
        (
            "generate_handler! in commands/mod.rs",
            answered_by_the_handler(),
        ),
        ("the capability in tauri.conf.json", granted_to_the_window()),
        ("ui/js/api.js", called_by_the_page()),
    ];
    let every: BTreeSet<&String> = places.iter().flat_map(|(_, names)| names).collect();
    assert!(every.len() > 20, "the commands were not found: {every:?}");
    let mut missing = Vec::new();
    for name in every {
        let absent: Vec<&str> = places
            .iter()
            .filter(|(_, names)| !names.contains(name))
            .map(|(place, _)| *place)
            .collect();
        if !absent.is_empty() {
            missing.push(format!("{name}: not in {}", absent.join(", ")));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The page tells a failure that passes by itself from one that waits for the person with the same
/// codes the core's sender retries.
#[test]
fn the_page_knows_which_failures_the_sender_tries_again() {
    let in_core: BTreeSet<String> = hayon_core::publish::PASSES_BY_ITSELF
        .iter()
        .map(|code| code.as_str().to_owned())
        .collect();
    let in_page = read("ui/js/api.js")
        .split("export const PASSES_BY_ITSELF = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .map(|list| {
            list.split('\'')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<BTreeSet<_>>()
        })
        .expect("PASSES_BY_ITSELF in ui/js/api.js");
    assert_eq!(in_page, in_core);
}
