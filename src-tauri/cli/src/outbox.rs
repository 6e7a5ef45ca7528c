//! `hayon-cli outbox …`: the posts still waiting in the outbox (a failure, a crash), so a post can be
//! finished from the command line: `list` shows each row and where its thread stands per account,
//! `retry ID` sends it to the accounts that do not have it (looking up first where an earlier write
//! may have arrived, so never twice; Ctrl-C cancels it as it cancels `post`), `discard ID` gives up
//! on it.

use clap::Subcommand;
use hayon_core::{Core, Error};
use serde_json::{json, Value};

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Posts still in the outbox, oldest first, with each account's state (as last known: nothing
    /// is sent or looked up).
    List,
    /// Send post ID again to the accounts that do not have it.
    Retry { id: String },
    /// Forget post ID (what is posted stays posted).
    Discard { id: String },
}

/// The result, and whether everything it did succeeded.
pub async fn run(core: &Core, command: OutboxCommand) -> Result<(Value, bool), Error> {
    match command {
        OutboxCommand::List => {
            let entries = core.posting().outbox()?;
            let value = serde_json::to_value(entries)
                .map_err(|err| Error::internal("writing the result", &err))?;
            Ok((value, true))
        }
        OutboxCommand::Retry { id } => {
            let cancel = super::post::cancelled_by_ctrl_c();
            super::post::results(core.posting().retry(&id, &|_| {}, &cancel).await?)
        }
        OutboxCommand::Discard { id } => {
            core.posting().discard(&id)?;
            Ok((json!({"id": id, "discarded": true}), true))
        }
    }
}
