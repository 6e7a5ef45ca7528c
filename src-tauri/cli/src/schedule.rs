//! `hayon-cli schedule …`: the queue of posts that go later, shared with the window. `add --at TIME`
//! queues a post (every `post` option applies; TIME is RFC 3339, or `YYYY-MM-DD HH:MM` in the
//! system's time zone); `list`, `edit ID --at TIME`, `send ID` and `cancel ID` manage the queue (a
//! post found long past its time is `held` until one of them is used); `send-due`
//! sends what is due (scheduled posts whose time has come, and posts that could not reach their
//! server before) and exits, for a cron job or a systemd timer on a machine where the window is not
//! running. Each row goes once, whichever process sends it.

use super::post::{self, PostArgs};
use clap::{ArgMatches, Subcommand};
use hayon_core::publish::{Due, OutboxEntry, Queued, Retry};
use hayon_core::{Core, Error};
use serde_json::{json, Value};

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Queue a post to go at TIME (takes every option of `post`).
    Add {
        /// When it goes: RFC 3339 (2026-12-24T09:00:00+01:00), or YYYY-MM-DD HH:MM in the system's
        /// time zone (a time the clocks skip goes at the first minute after it).
        #[arg(long, value_name = "TIME")]
        at: String,
        #[command(flatten)]
        post: PostArgs,
    },
    /// The posts waiting for their time, and those held for being late; the soonest first.
    List,
    /// Send post ID now (one held for being late, or one not yet due).
    Send { id: String },
    /// Move post ID to another TIME (while nothing of it has been sent).
    Edit {
        id: String,
        #[arg(long, value_name = "TIME")]
        at: String,
    },
    /// Take post ID off the queue (while nothing of it has been sent).
    Cancel { id: String },
    /// Send what is due now, then exit.
    SendDue,
}

/// The result, and whether everything it did succeeded.
pub async fn run(
    core: &Core,
    command: ScheduleCommand,
    matches: &ArgMatches,
) -> Result<(Value, bool), Error> {
    match command {
        ScheduleCommand::Add { at, post } => {
            let due = Due::parse_here(&at)?;
            let (composition, options) = post::composition(post, matches)?;
            let entry = core.posting().schedule(composition, options, due).await?;
            Ok((queued(&entry), true))
        }
        ScheduleCommand::List => {
            let queued = core.posting().scheduled()?;
            Ok((Value::Array(queued.iter().map(listed).collect()), true))
        }
        ScheduleCommand::Send { id } => {
            super::post::results(core.posting().send_now(&id, &|_| {}).await?)
        }
        ScheduleCommand::Edit { id, at } => {
            let due = Due::parse_here(&at)?;
            Ok((queued(&core.posting().reschedule(&id, due)?), true))
        }
        ScheduleCommand::Cancel { id } => {
            core.posting().cancel(&id)?;
            Ok((json!({"id": id, "state": "cancelled"}), true))
        }
        ScheduleCommand::SendDue => {
            let sent = core.posting().send_due(Retry::Temporary, &|_| {}).await?;
            let everywhere = sent.iter().all(|sent| sent.posted_everywhere());
            let rows = sent
                .iter()
                .map(|sent| json!({"id": sent.id, "results": super::outcome::outcomes(&sent.accounts)}))
                .collect();
            Ok((Value::Array(rows), everywhere))
        }
    }
}

/// `{"id","at","zone","accounts","state":"scheduled"}`: a row in the queue.
fn queued(entry: &OutboxEntry) -> Value {
    let due = entry.due.as_ref();
    json!({
        "id": entry.id,
        "at": due.map(|due| due.at.to_string()),
        "zone": due.map(|due| due.zone.as_str()),
        "accounts": entry.accounts.iter().map(|account| account.did.as_str()).collect::<Vec<_>>(),
        "state": "scheduled",
    })
}

/// A queued row with where it stands and the first words of its first post.
fn listed(Queued { entry, state }: &Queued) -> Value {
    let mut value = queued(entry);
    value["state"] = json!(state);
    let text = entry
        .composition
        .posts
        .first()
        .map_or("", |post| post.text.as_str());
    value["text"] = Value::from(text);
    value
}
