//! `hayon-cli schedule …`: the queue of posts that go later, shared with the window. `add --at TIME`
//! queues a post (every `post` option applies; TIME is RFC 3339, or `YYYY-MM-DD HH:MM` in the
//! system's time zone); `history` lists the posts that went out, with their links; `list`, `edit ID
//! --at TIME` or `--composition FILE`, `send ID` and `cancel ID` manage the queue (a
//! post found long past its time is `held` until one of them is used); `pause` and `resume` stop
//! and restart sending by itself, everywhere; `send-due`
//! sends what is due (scheduled posts whose time has come, and posts that could not reach their
//! server before) and exits, for a cron job or a systemd timer on a machine where the window is not
//! running. Each row goes once, whichever process sends it.

use super::post::{self, PostArgs};
use clap::{ArgMatches, Subcommand};
use hayon_core::publish::slots::{Slot, Weekday};
use hayon_core::publish::{Due, OutboxEntry, Queued, Retry};
use hayon_core::{Core, Error};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Queue a post to go at TIME, or in the next free posting slot (takes every option of `post`).
    Add {
        /// When it goes: RFC 3339 (2026-12-24T09:00:00+01:00), or YYYY-MM-DD HH:MM in the system's
        /// time zone (a time the clocks skip goes at the first minute after it).
        #[arg(long, value_name = "TIME", required_unless_present = "next_slot")]
        at: Option<String>,
        /// In the next posting slot (see `schedule slots`) that none of its accounts has a queued
        /// post in yet.
        #[arg(long, conflicts_with = "at")]
        next_slot: bool,
        // Boxed: a post's flags are most of the size of this enum.
        #[command(flatten)]
        post: Box<PostArgs>,
    },
    /// The posts waiting for their time, and those held for being late; the soonest first.
    List,
    /// The posts that reached every account (scheduled or not, whichever process sent them), the
    /// newest first, with the link to each account's post; the last 50 are kept.
    History,
    /// Send post ID now (one held for being late, or one not yet due).
    Send { id: String },
    /// Change post ID: move it to another TIME (while nothing of it has been sent), or replace what
    /// it sends with a JSON composition (the accounts that have it already keep what they got).
    Edit {
        id: String,
        #[arg(long, value_name = "TIME", required_unless_present = "composition")]
        at: Option<String>,
        /// The post or thread as it is to go, as the JSON composition `post --composition` takes.
        #[arg(long, value_name = "FILE")]
        composition: Option<PathBuf>,
    },
    /// Take post ID off the queue (while nothing of it has been sent).
    Cancel { id: String },
    /// Send what is due now, then exit. The packages' systemd user timer runs it every minute once
    /// enabled: `systemctl --user enable --now hayon-send-due.timer`.
    SendDue,
    /// Stop sending by itself, as the tray's "Pause sending" does: scheduled posts and posts waiting
    /// for a connection stay queued (`send ID` still sends one), here and in the window.
    Pause,
    /// Send what is due by itself again.
    Resume,
    /// The posting slots `add --next-slot` uses; with --set, replaces them.
    Slots {
        /// Days and times, like "mon-fri 09:00,12:30,17:00" or "sat,sun 10:00" (repeatable).
        #[arg(long = "set", value_name = "DAYS TIMES", value_parser = parse_slots)]
        set: Vec<Vec<Slot>>,
    },
}

/// The result, and whether everything it did succeeded.
pub async fn run(
    core: &Core,
    command: ScheduleCommand,
    matches: &ArgMatches,
) -> Result<(Value, bool), Error> {
    match command {
        ScheduleCommand::Add {
            at,
            next_slot,
            post,
        } => {
            let (composition, options) = post::composition(*post, matches)?;
            let posting = core.posting();
            let entry = match at {
                Some(at) if !next_slot => {
                    let due = Due::parse_here(&at)?;
                    posting.schedule(composition, options, due).await?
                }
                _ => posting.schedule_in_next_slot(composition, options).await?,
            };
            Ok((queued(&entry), true))
        }
        ScheduleCommand::Slots { set } => {
            let settings = core.settings();
            let mut preferences = settings.load()?;
            if !set.is_empty() {
                let mut slots: Vec<Slot> = set.into_iter().flatten().collect();
                slots.sort();
                slots.dedup();
                preferences.queue_slots = slots;
                settings.save(&preferences)?;
            }
            let shown = preferences.queue_slots.iter().map(|slot| {
                json!({
                    "weekday": slot.weekday,
                    "time": format!("{:02}:{:02}", slot.minute / 60, slot.minute % 60),
                })
            });
            Ok((Value::Array(shown.collect()), true))
        }
        ScheduleCommand::Pause | ScheduleCommand::Resume => {
            let paused = matches!(command, ScheduleCommand::Pause);
            core.settings().set_sending_paused(paused)?;
            Ok((
                json!({"sending": if paused { "paused" } else { "on" }}),
                true,
            ))
        }
        ScheduleCommand::List => {
            let queued = core.posting().scheduled()?;
            Ok((Value::Array(queued.iter().map(listed).collect()), true))
        }
        ScheduleCommand::History => {
            let history = core.posting().history()?;
            let value = serde_json::to_value(history)
                .map_err(|err| Error::internal("writing the result", &err))?;
            Ok((value, true))
        }
        ScheduleCommand::Send { id } => {
            super::post::results(core.posting().send_now(&id, &|_| {}).await?)
        }
        ScheduleCommand::Edit {
            id,
            at,
            composition,
        } => {
            // Both checked before anything changes.
            let due = at.as_deref().map(Due::parse_here).transpose()?;
            let composition = composition
                .map(|file| post::from_file(&file, Vec::new(), Vec::new()))
                .transpose()?;
            let mut entry = None;
            if let Some(composition) = composition {
                let options = post::options(false);
                entry = Some(core.posting().edit(&id, composition, options).await?);
            }
            if let Some(due) = due {
                entry = Some(core.posting().reschedule(&id, due)?);
            }
            let entry = entry.ok_or_else(|| Error::validation("Give --at or --composition."))?;
            Ok((queued(&entry), true))
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

/// `DAYS TIMES`: days as `mon`, `mon-fri` or `sat,sun`; times as `09:00,12:30`.
fn parse_slots(text: &str) -> Result<Vec<Slot>, String> {
    let (days, times) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("\"{text}\": give days and times, like \"mon-fri 09:00,17:00\""))?;
    let mut weekdays = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                if from > to {
                    return Err(format!(
                        "\"{part}\": a range of days runs from Monday to Sunday, like mon-fri"
                    ));
                }
                weekdays.extend(Weekday::ALL.iter().filter(|day| (from..=to).contains(day)));
            }
            None => weekdays.push(day(part)?),
        }
    }
    let mut slots = Vec::new();
    for time in times.split(',') {
        let minute = time
            .trim()
            .split_once(':')
            .and_then(|(hours, minutes)| {
                Some((hours.parse::<u16>().ok()?, minutes.parse::<u16>().ok()?))
            })
            .filter(|&(hours, minutes)| hours < 24 && minutes < 60 && time.trim().len() == 5)
            .map(|(hours, minutes)| hours * 60 + minutes)
            .ok_or_else(|| format!("\"{time}\" is not a time like 09:00"))?;
        slots.extend(weekdays.iter().map(|&weekday| Slot { weekday, minute }));
    }
    Ok(slots)
}

fn day(text: &str) -> Result<Weekday, String> {
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    names
        .iter()
        .position(|name| text.trim().eq_ignore_ascii_case(name))
        .map(|index| Weekday::ALL[index])
        .ok_or_else(|| format!("\"{text}\" is not a day: use mon, tue, wed, thu, fri, sat or sun"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times_become_slots() {
        let slots = parse_slots("mon-wed 09:00,17:30").expect("slots");
        assert_eq!(slots.len(), 6);
        assert!(slots.contains(&Slot {
            weekday: Weekday::Tuesday,
            minute: 17 * 60 + 30
        }));
        let weekend = parse_slots("sat,sun 10:00").expect("slots");
        assert_eq!(
            weekend,
            [
                Slot {
                    weekday: Weekday::Saturday,
                    minute: 600
                },
                Slot {
                    weekday: Weekday::Sunday,
                    minute: 600
                }
            ]
        );
        for bad in [
            "mon",
            "moon 09:00",
            "mon 9:00",
            "mon 24:00",
            "mon 09:60",
            "fri-mon 09:00",
        ] {
            assert!(parse_slots(bad).is_err(), "{bad}");
        }
    }
}
