//! When a scheduled post goes: a moment (UTC, what the sender compares with the clock) and the time
//! zone the person chose it in (what the queue shows it in). A time typed without an offset is read
//! in that zone, and daylight-saving changes are settled here, once, when the post is queued: a time
//! that does not exist that day (02:30 when clocks jump from 02:00 to 03:00) goes at the first minute
//! that does, and a time that exists twice (when clocks go back) goes at the first of the two, once.
//!
//! jiff does the calendar work: it reads the system's time zone database (and carries its own copy,
//! for systems without one), and names the zone the way the person's settings do (`Europe/Vienna`).

use crate::error::{Error, Result};
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How far ahead a time picked in the window must be ([`Due::parse_picked`]).
const PICKED_LEAD: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// The longest text read as a time (an RFC 3339 time with nanoseconds and an offset is 35).
const MAX_TIME_TEXT: usize = 64;

/// A scheduled post's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Due {
    /// The moment it goes, as RFC 3339 in UTC.
    #[cfg_attr(test, ts(type = "string"))]
    pub at: Timestamp,
    /// The IANA name of the zone it was chosen in (`Europe/Vienna`), or the offset when the system
    /// names none.
    pub zone: String,
}

impl Due {
    /// `text` as the person gave it: RFC 3339 (`2026-12-24T09:00:00+01:00`), or a local
    /// `YYYY-MM-DD HH:MM` read in `zone`. Refused when it is not after `now`.
    pub fn parse(text: &str, zone: &TimeZone, now: Timestamp) -> Result<Self> {
        let due = Self::read(text, zone)?;
        due.check_ahead_of(now, zone)?;
        Ok(due)
    }

    /// A time picked in the window (its date and time fields give `YYYY-MM-DDTHH:MM`), read as
    /// [`Due::parse`] does, but refused unless it is at least [`PICKED_LEAD`] after `now`: a post
    /// scheduled from the window should not go before the person has looked away from the picker,
    /// and a time that passes while they pick is said plainly. The reason names no time or zone (the
    /// picker shows both, in the person's words).
    pub fn parse_picked(text: &str, zone: &TimeZone, now: Timestamp) -> Result<Self> {
        let due = Self::read(text, zone)?;
        if due.at <= now {
            return Err(Error::validation(
                "That time has passed. Choose a time in the future.",
            ));
        }
        if now
            .checked_add(PICKED_LEAD)
            .is_ok_and(|earliest| due.at < earliest)
        {
            return Err(Error::validation(
                "That is less than a minute from now. Choose a time at least a minute ahead, or \
                 use Post to send it now.",
            ));
        }
        Ok(due)
    }

    /// `text` picked in the window, read as [`Due::parse_picked`] does, in the system's time zone
    /// and against the clock now.
    pub fn parse_picked_here(text: &str) -> Result<Self> {
        Self::parse_picked(text, &TimeZone::system(), Timestamp::now())
    }

    /// The name of the zone local times are read in here (the system's): what the window's picker
    /// names, in the person's language.
    pub fn zone_here() -> String {
        zone_name(&TimeZone::system())
    }

    /// `text` as a moment, not yet compared with the clock.
    fn read(text: &str, zone: &TimeZone) -> Result<Self> {
        let text = text.trim();
        // A time is short; anything longer is not one (and is not echoed back whole).
        if text.len() > MAX_TIME_TEXT {
            return Err(unreadable(
                &text.chars().take(MAX_TIME_TEXT).collect::<String>(),
            ));
        }
        let at = match text.parse::<Timestamp>() {
            Ok(at) => at,
            Err(_) => {
                let local = text.parse::<DateTime>().map_err(|_| unreadable(text))?;
                first_moment_at(local, zone).ok_or_else(|| unreadable(text))?
            }
        };
        Ok(Self {
            at: whole_second_not_before(at)?,
            zone: zone_name(zone),
        })
    }

    /// `text` read as [`Due::parse`] does, in the system's time zone (`TZ` when set) and against
    /// the clock now.
    pub fn parse_here(text: &str) -> Result<Self> {
        Self::parse(text, &TimeZone::system(), Timestamp::now())
    }

    /// The time as the person reads it in `zone`: `2026-12-24 09:00 CET`.
    pub fn local(&self, zone: &TimeZone) -> String {
        self.at
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// [`Due::local`] in the system's time zone.
    pub fn local_here(&self) -> String {
        self.local(&TimeZone::system())
    }

    fn check_ahead_of(&self, now: Timestamp, zone: &TimeZone) -> Result<()> {
        if self.at <= now {
            return Err(Error::validation(format!(
                "{} has passed. Choose a time in the future.",
                self.local(zone)
            )));
        }
        Ok(())
    }
}

/// The first moment the clocks in `zone` show `local`, or the first minute after it when they skip
/// it. `None` only at the ends of the calendar.
pub(super) fn first_moment_at(local: DateTime, zone: &TimeZone) -> Option<Timestamp> {
    match zone.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok(),
        // Clocks went back: the first time round.
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local).ok(),
        // Clocks jumped over it: read with the offset after the jump, it falls before the jump, whose
        // moment is the first minute that exists after `local`.
        AmbiguousOffset::Gap { after, .. } => {
            let before_the_jump = after.to_timestamp(local).ok()?;
            zone.following(before_the_jump)
                .next()
                .map(|jump| jump.timestamp())
        }
    }
}

/// `at`, or the next whole second when it has a fraction: the queue keeps seconds, and a post may go
/// late by a fraction, never early.
fn whole_second_not_before(at: Timestamp) -> Result<Timestamp> {
    let seconds = at.as_second() + i64::from(at.subsec_nanosecond() > 0);
    Timestamp::from_second(seconds)
        .map_err(|_| Error::validation("That time is too far in the future."))
}

pub(super) fn zone_name(zone: &TimeZone) -> String {
    zone.iana_name()
        .map(str::to_owned)
        .unwrap_or_else(|| zone.to_offset(Timestamp::now()).to_string())
}

fn unreadable(text: &str) -> Error {
    Error::validation(format!(
        "\"{text}\" is not a time Hayon can read. Give it as YYYY-MM-DD HH:MM in your local time \
         (2026-12-24 09:00), or as RFC 3339 (2026-12-24T09:00:00+01:00)."
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A zone with daylight saving, for the tests of times (here and in `slots.rs`).
    pub(in crate::publish) fn vienna() -> TimeZone {
        TimeZone::get("Europe/Vienna").expect("the bundled time zone database knows Vienna")
    }

    pub(in crate::publish) fn utc(text: &str) -> Timestamp {
        text.parse().expect("a timestamp")
    }

    const NOW: &str = "2026-12-07T08:00:00Z";

    #[test]
    fn a_local_time_is_read_in_the_persons_zone() {
        let due = Due::parse("2026-12-24 09:00", &vienna(), utc(NOW)).expect("a time");
        assert_eq!(due.at, utc("2026-12-24T08:00:00Z"));
        assert_eq!(due.zone, "Europe/Vienna");
        assert_eq!(due.local(&vienna()), "2026-12-24 09:00 CET");
    }

    #[test]
    fn rfc_3339_keeps_its_own_offset() {
        let due = Due::parse("2026-12-24T09:00:00-05:00", &vienna(), utc(NOW)).expect("a time");
        assert_eq!(due.at, utc("2026-12-24T14:00:00Z"));
    }

    #[test]
    fn a_time_the_clocks_skip_goes_at_the_first_minute_after_it() {
        // 2027-03-28: Vienna's clocks jump from 02:00 to 03:00.
        let due = Due::parse("2027-03-28 02:30", &vienna(), utc(NOW)).expect("a time");
        assert_eq!(due.at, utc("2027-03-28T01:00:00Z"));
        assert_eq!(due.local(&vienna()), "2027-03-28 03:00 CEST");
    }

    #[test]
    fn a_time_the_clocks_show_twice_goes_at_the_first() {
        // 2027-10-31: Vienna's clocks go back from 03:00 to 02:00.
        let due = Due::parse("2027-10-31 02:30", &vienna(), utc(NOW)).expect("a time");
        assert_eq!(due.at, utc("2027-10-31T00:30:00Z"));
    }

    #[test]
    fn the_past_is_refused_with_the_reason() {
        let past = Due::parse("2026-12-07 08:59", &vienna(), utc(NOW)).expect_err("past");
        assert!(past.message.contains("has passed"), "{}", past.message);
        assert!(
            past.message.contains("2026-12-07 08:59 CET"),
            "{}",
            past.message
        );
        Due::parse(NOW, &vienna(), utc(NOW)).expect_err("now is not later");
        Due::parse("2026-12-07T08:00:01Z", &vienna(), utc(NOW)).expect("a second ahead is later");
    }

    #[test]
    fn a_picked_time_must_be_a_minute_ahead_and_the_reason_names_no_zone() {
        let past = Due::parse_picked("2026-12-07T08:59", &vienna(), utc(NOW)).expect_err("past");
        assert!(past.message.contains("has passed"), "{}", past.message);
        let soon =
            Due::parse_picked("2026-12-07T08:00:59Z", &vienna(), utc(NOW)).expect_err("too soon");
        assert!(
            soon.message.contains("less than a minute"),
            "{}",
            soon.message
        );
        for refused in [&past, &soon] {
            assert!(!refused.message.contains("CET"), "{}", refused.message);
        }
        let due = Due::parse_picked("2026-12-07T09:01", &vienna(), utc(NOW)).expect("a minute on");
        assert_eq!(due.at, utc("2026-12-07T08:01:00Z"));
        assert_eq!(due.zone, "Europe/Vienna");
    }

    #[test]
    fn a_long_text_is_not_read_nor_echoed_whole() {
        let long = "9".repeat(10_000);
        let err = Due::parse_picked(&long, &vienna(), utc(NOW)).expect_err("not a time");
        assert!(err.message.len() < 400, "{}", err.message);
    }

    #[test]
    fn what_is_not_a_time_says_how_to_write_one() {
        for text in ["tomorrow", "2026-13-01 09:00", "24.12.2026 09:00", ""] {
            let err = Due::parse(text, &vienna(), utc(NOW)).expect_err(text);
            assert!(
                err.message.contains("YYYY-MM-DD HH:MM"),
                "{text}: {}",
                err.message
            );
        }
    }

    #[test]
    fn a_fraction_of_a_second_rounds_up_never_early() {
        let due = Due::parse("2026-12-24T08:00:00.2Z", &vienna(), utc(NOW)).expect("a time");
        assert_eq!(due.at, utc("2026-12-24T08:00:01Z"));
    }

    #[test]
    fn it_travels_as_rfc_3339_in_utc() {
        let due = Due::parse("2026-12-24 09:00", &vienna(), utc(NOW)).expect("a time");
        let json = serde_json::to_value(&due).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"at": "2026-12-24T08:00:00Z", "zone": "Europe/Vienna"})
        );
    }
}
