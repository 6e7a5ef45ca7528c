//! The window's JavaScript against Rust's types: `tsc -p tests/typescript/tsconfig.json` (no output, `noEmit`)
//! checks every `// @ts-check`ed file of `ui/js`, whose IPC data is typed by `ui/js/ipc.d.ts`, the
//! file hayon-core's `ipc_contract` test generates from the Rust types. A field renamed in Rust, once
//! the file is written again, fails here where the page still uses the old name.
//!
//! TypeScript comes from npm (tests/typescript), installed by scripts/setup-test-peers.sh, which
//! exports the path of its `bin/tsc` as `HAYON_TSC` (run with `HAYON_NODE`); without them the test
//! fails and says so. No app build is needed.

use harness::window::required_env;
use std::path::PathBuf;
use std::process::Command;

const HOW: &str = "scripts/setup-test-peers.sh installs TypeScript (tests/typescript) and Node 22 \
                   and writes their paths to ~/.cache/hayon-dev/test-peers.env";

#[test]
fn ui_js_type_checks_against_the_generated_ipc_types() {
    let node = required_env("HAYON_NODE", HOW);
    let tsc = required_env("HAYON_TSC", HOW);
    let tsconfig = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("typescript/tsconfig.json");
    let output = Command::new(&node)
        .arg(&tsc)
        .arg("-p")
        .arg(&tsconfig)
        .arg("--pretty")
        .arg("false")
        .output()
        .unwrap_or_else(|err| panic!("running {node} {tsc}: {err}"));
    assert!(
        output.status.success(),
        "tsc -p tests/typescript/tsconfig.json found errors ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
