//! `hayon-cli account …`: connect, list, refresh, check, disconnect.

use clap::Subcommand;
use hayon_core::{ConnectRequest, Core, Error, Secret};
use serde_json::Value;
use std::io::BufRead;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Connect an account: with an app password read from stdin (one line), or with `--oauth`
    /// (Sign in with Bluesky) in the browser.
    Connect {
        /// Handle (`name.bsky.social` or `@name.bsky.social`), email or DID. With `--oauth`, a
        /// handle or DID, or empty to sign in whoever signs in at `--service`.
        #[arg(long)]
        identifier: String,
        /// Hosting provider (with `--oauth`: where the handle is looked up, or the server itself).
        #[arg(long, default_value = "https://bsky.social")]
        service: String,
        /// Read the app password from stdin (it is never taken as an argument).
        #[arg(long, required_unless_present = "oauth", conflicts_with = "oauth")]
        password_stdin: bool,
        /// Sign in with Bluesky: prints the address of the sign-in page (and opens the browser
        /// there), waits for the approval, and prints the connected account.
        #[arg(long)]
        oauth: bool,
        /// With `--oauth`: only print the address; do not open a browser.
        #[arg(long, requires = "oauth")]
        no_browser: bool,
    },
    /// List connected accounts.
    List,
    /// Renew the session and the profile of ACCOUNT (handle or DID).
    Refresh { account: String },
    /// Check that ACCOUNT's session still works, refreshing it if needed.
    Check { account: String },
    /// End ACCOUNT's session on the server and forget it here.
    Disconnect { account: String },
}

pub async fn run(core: &Core, command: AccountCommand) -> Result<Value, Error> {
    let accounts = core.accounts();
    match command {
        AccountCommand::Connect {
            identifier,
            service,
            oauth: true,
            no_browser,
            ..
        } => {
            let started = accounts.begin_sign_in(&identifier, &service).await?;
            super::warn(format_args!(
                "To sign in, open this address in your browser:\n{}",
                started.authorize_url()
            ));
            if !no_browser {
                if let Err(err) = accounts.open_sign_in_page(&started) {
                    super::warn(format_args!("warning: {}", err.message));
                }
            }
            super::warn(format_args!("Waiting for your approval in the browser…"));
            to_json(
                &accounts
                    .finish_sign_in(started, std::future::pending())
                    .await?
                    .account,
            )
        }
        AccountCommand::Connect {
            identifier,
            service,
            ..
        } => {
            let password = read_password()?;
            let connected = accounts
                .connect(ConnectRequest {
                    identifier,
                    password,
                    service,
                })
                .await?;
            for warning in &connected.warnings {
                super::warn(format_args!("warning: {warning}"));
            }
            to_json(&connected.account)
        }
        AccountCommand::List => to_json(&accounts.list()?),
        AccountCommand::Refresh { account } => to_json(&accounts.refresh(&account).await?),
        AccountCommand::Check { account } => to_json(&accounts.check(&account).await?),
        AccountCommand::Disconnect { account } => to_json(&accounts.disconnect(&account).await?),
    }
}

/// One line from stdin, without its line ending, held as a [`Secret`] from the start.
fn read_password() -> Result<Secret, Error> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|err| {
            Error::validation(format!("could not read the app password from stdin: {err}"))
                .with_field(hayon_core::ErrorField::Password)
        })?;
    let secret = Secret::new(line.trim_end_matches(['\r', '\n']).to_owned());
    zeroize::Zeroize::zeroize(&mut line);
    Ok(secret)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|err| Error::internal("writing the result", &err))
}
