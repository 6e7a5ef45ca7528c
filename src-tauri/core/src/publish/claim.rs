//! One sender per outbox row, across every window and CLI on the machine: a sender claims a row in
//! SQLite before it sends (`store::Claim`: who, and until when), renews the claim while it works and
//! lets it go when done. Another sender leaves a claimed row alone until the claim lapses, which only
//! happens when its holder died; the record keys chosen once per row then make its work safe to
//! finish (an earlier write is looked up before anything is written again). An in-process flag could
//! not see the other processes.

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

/// `holder`'s claim, good for [`CLAIM_FOR`] from now.
pub(super) fn until_later(holder: &str) -> Claim<'_> {
    let span = i64::try_from(CLAIM_FOR.as_millis()).unwrap_or(i64::MAX);
    Claim {
        holder,
        until_ms: now_ms().saturating_add(span),
    }
}
