//! `hayon-cli`: the Hayon core from the command line, for scripts and the test suite. It shares the
//! database and the keychain entries with the window. The contract (flags, JSON shapes, exit codes) is
//! documented in the README and must stay stable.
//!
//! A library with a one-line `main.rs`, so that the package-time generator of the man pages and shell
//! completions (`src-tauri/cli/assets`) reads this very clap definition ([`command`]) and the shipped
//! binary carries no generator.
//!
//! Exit status: 0 on success, 1 on failure, 2 on bad usage. With `--json`, stdout carries exactly one
//! JSON document: the result, or `{"error":{"code","message","field"?}}`.

mod account;
mod compose;
mod media;
mod outbox;
mod outcome;
mod post;
mod schedule;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use hayon_core::{Config, Core, Error, ErrorCode};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "hayon-cli",
    version,
    about = "Publish to Bluesky from the command line"
)]
struct Cli {
    /// Where the database and logs live (default: $HAYON_DATA_DIR, else the window's data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The keychain service name the tokens are stored under (default: $HAYON_KEYCHAIN_SERVICE, else
    /// the app identifier).
    #[arg(long, global = true)]
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
    /// Publish a post or a thread (text from each --text-file, or stdin) to one or several accounts.
    Post(post::PostArgs),
    /// Posts not yet on every account: list, retry, discard.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Posts that go later: add, list, edit, cancel, and send what is due.
    #[command(subcommand)]
    Schedule(schedule::ScheduleCommand),
    /// Composer text analysis (needs no account).
    #[command(subcommand)]
    Compose(compose::ComposeCommand),
    /// Images prepared for upload, as the app does it (needs no account).
    #[command(subcommand)]
    Media(media::MediaCommand),
}

/// What a command prints, and whether everything it did succeeded (exit status 1 otherwise, e.g. a
/// post that failed for one of several accounts).
#[derive(Debug)]
struct Output {
    value: serde_json::Value,
    success: bool,
}

impl From<serde_json::Value> for Output {
    fn from(value: serde_json::Value) -> Self {
        Self {
            value,
            success: true,
        }
    }
}

/// The clap definition of `hayon-cli`: what it parses, and what its man pages and completions describe.
pub fn command() -> clap::Command {
    Cli::command()
}

/// The whole program: parses the arguments, runs the command, prints, and gives the exit status.
pub fn main() -> ExitCode {
    // The matches are kept: `post` reads where each flag stood (`--image` after `--text-file`).
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let json = cli.json;
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| {
            // Not the database: the system refused the threads (too many processes or too little
            // memory).
            Error::new(
                ErrorCode::Internal,
                format!("hayon-cli could not start its worker threads ({err}). Close some programs and try again."),
            )
        })
        .and_then(|runtime| runtime.block_on(run(cli, &matches)));
    match outcome {
        Ok(output) => {
            // Null: the command streamed its own output (`compose analyze --jsonl`).
            let printed = output.value.is_null() || print(&output.value, json);
            if output.success && printed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            if json {
                print(&serde_json::json!({ "error": err }), true);
            } else {
                warn(format_args!("error: {}", err.message));
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, matches: &ArgMatches) -> Result<Output, Error> {
    // Opened only by the commands that use accounts: `compose` and `media` work without store or
    // keychain.
    let core = || open_core(cli.data_dir, cli.keychain_service);
    match cli.command {
        Command::Account(command) => account::run(&core()?, command).await.map(Output::from),
        Command::Post(args) => {
            let post_matches = matches.subcommand_matches("post").unwrap_or(matches);
            let (value, success) = post::run(&core()?, args, post_matches).await?;
            Ok(Output { value, success })
        }
        Command::Outbox(command) => {
            let (value, success) = outbox::run(&core()?, command).await?;
            Ok(Output { value, success })
        }
        Command::Schedule(command) => {
            let add_matches = matches
                .subcommand_matches("schedule")
                .and_then(|schedule| schedule.subcommand_matches("add"))
                .unwrap_or(matches);
            let (value, success) = schedule::run(&core()?, command, add_matches).await?;
            Ok(Output { value, success })
        }
        Command::Compose(command) => compose::run(command),
        Command::Media(command) => media::run(command),
    }
}

/// The core context, for the commands that use accounts: the window's configuration
/// ([`Config::from_env`]) with the flags on top (a flag wins over the environment).
fn open_core(data_dir: Option<PathBuf>, keychain_service: Option<String>) -> Result<Core, Error> {
    let mut config = match data_dir {
        Some(dir) => Config::in_dir(dir)?,
        None => Config::from_env()?,
    };
    if let Some(service) = keychain_service {
        config.keychain_service = service;
    }
    hayon_core::logging::init(&config.data_dir)?;
    Core::open(&config)
}

/// Writes the result on stdout and says whether it got there. A closed stdout (`… | head -c1`) is
/// reported on stderr and in the exit status, not a crash (`println!` would panic).
fn print(value: &serde_json::Value, json: bool) -> bool {
    let text = if json {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    let written = text
        .map_err(std::io::Error::from)
        .and_then(|text| writeln!(std::io::stdout().lock(), "{text}"));
    if let Err(err) = &written {
        warn(format_args!("error: could not write the result: {err}"));
    }
    written.is_ok()
}

/// A line on stderr. If stderr is closed too, there is nobody left to tell, so it is dropped.
pub fn warn(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}
