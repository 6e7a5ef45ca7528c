//! One sender per outbox row, across every window and CLI on the machine: a sender claims a row in
//! SQLite before it sends (`store::Claim`: who, and until when), renews the claim while it works and
//! lets it go when done. Another sender leaves a claimed row alone until the claim lapses (its holder
//! died, or stalled or slept past it); the record keys chosen once per row then make its work safe to
//! finish (an earlier write is looked up before anything is written again). An in-process flag could
//! not see the other processes.
//!
//! A holder names its process (id, start time and process-id namespace), so a claim left by a
//! process that is gone (a crash, a kill) is taken over at once on this machine rather than after it
//! lapses: "Retry" right after a crash works. A holder from another namespace (a sandboxed copy of
//! Hayon sharing the data folder) or where the process table cannot be read is only ever outlived.

use crate::store::Claim;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a claim holds without being renewed: long enough that a busy machine renews it in time,
/// short enough that a post whose sender died goes within a minute or two.
pub(super) const CLAIM_FOR: Duration = Duration::from_secs(60);
/// How often a sender renews its claim while it works.
pub(super) const RENEW_EVERY: Duration = Duration::from_secs(20);

/// Milliseconds since 1970 by the wall clock, as claims are kept.
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A new holder: this process and this send.
pub(super) fn new_holder() -> String {
    let pid = std::process::id();
    format!(
        "{pid}.{}.{}.{}",
        started(pid).unwrap_or_default(),
        namespace().unwrap_or_default(),
        crate::tid::next_tid()
    )
}

/// Whether the process that made `holder` has ended (its id is free, or taken by a newer process).
pub(super) fn holder_is_gone(holder: &str) -> bool {
    let mut parts = holder.split('.');
    let (Some(pid), Some(start), Some(space)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    // Only a process of this namespace can be looked up by its id.
    if space.is_empty() || namespace().as_deref() != Some(space) {
        return false;
    }
    started(pid).is_none_or(|now| now != start)
}

/// This process's process-id namespace (`pid:[4026531836]`), on Linux.
fn namespace() -> Option<String> {
    std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .map(|link| link.to_string_lossy().into_owned())
}

/// When process `pid` started (clock ticks since boot, `/proc/PID/stat` field 22), on Linux.
fn started(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19).map(str::to_owned)
}

/// `holder`'s claim, good for [`CLAIM_FOR`] from now.
pub(super) fn until_later(holder: &str) -> Claim<'_> {
    let span = i64::try_from(CLAIM_FOR.as_millis()).unwrap_or(i64::MAX);
    Claim {
        holder,
        until_ms: now_ms().saturating_add(span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_of_this_process_is_alive_and_one_of_an_ended_process_is_gone() {
        let mine = new_holder();
        assert!(!holder_is_gone(&mine), "{mine}");
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("a short-lived process");
        let pid = child.id();
        let theirs = format!(
            "{pid}.{}.{}.3kx",
            started(pid).unwrap_or_default(),
            namespace().unwrap_or_default()
        );
        child.wait().expect("it ends");
        assert!(holder_is_gone(&theirs), "{theirs}");
        let elsewhere = format!("{pid}.1.pid:[1].3kx");
        assert!(
            !holder_is_gone(&elsewhere),
            "another namespace's is outlived"
        );
        assert!(!holder_is_gone("not a holder"));
    }
}
