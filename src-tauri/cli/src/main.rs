//! The `hayon-cli` binary. Everything lives in the library (`lib.rs`), which the package-time
//! generator of the man pages and completions (`src-tauri/cli/assets`) reads too.

fn main() -> std::process::ExitCode {
    hayon_cli::main()
}
