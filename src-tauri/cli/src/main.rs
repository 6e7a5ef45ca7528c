//! `hayon-cli`: the Hayon core from the command line, for scripts and the test suite. It shares the
//! database and the keychain entries with the window. The contract (flags, JSON shapes, exit codes) is
//! documented in the README and must stay stable.
//!
//! Exit status: 0 on success, 1 on failure, 2 on bad usage. With `--json`, stdout carries exactly one
//! JSON document: the result, or `{"error":{"code","message"}}`.

mod account;

use clap::{Parser, Subcommand};
use hayon_core::{Accounts, Config, Error};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "hayon-cli",
    version,
    about = "Publish to Bluesky from the command line"
)]
struct Cli {
    /// Where the database and logs live (default: the window's data folder).
    #[arg(long, env = "HAYON_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// The keychain service name the tokens are stored under (default: the app identifier).
    #[arg(long, env = "HAYON_KEYCHAIN_SERVICE", global = true)]
    keychain_service: Option<String>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Connected Bluesky accounts.
    #[command(subcommand)]
    Account(account::AccountCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::storage(format!("could not start: {err}")))
        .and_then(|runtime| runtime.block_on(run(cli)));
    match outcome {
        Ok(output) => {
            print(&output, json);
            ExitCode::SUCCESS
        }
        Err(err) => {
            if json {
                print(&serde_json::json!({ "error": err }), true);
            } else {
                eprintln!("error: {}", err.message);
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<serde_json::Value, Error> {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => hayon_core::paths::default_data_dir()?,
    };
    hayon_core::logging::init(&data_dir)?;
    let config = Config {
        data_dir,
        keychain_service: cli
            .keychain_service
            .unwrap_or_else(|| hayon_core::paths::APP_IDENTIFIER.to_owned()),
    };
    let accounts = Accounts::open(&config)?;
    match cli.command {
        Command::Account(command) => account::run(&accounts, command).await,
    }
}

fn print(value: &serde_json::Value, json: bool) {
    let text = if json {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    match text {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("error: could not print the result: {err}"),
    }
}
