//! Queue slots: the times of the week the person likes to post at (`hayon-cli schedule slots`; by
//! default Monday to Friday at 09:00, 12:30 and 17:00), so adding a post to the queue spaces
//! unrelated posts out without picking times by hand. A post added to the queue takes the next slot, in the person's time zone,
//! that is later than now and that no queued post of any of its accounts holds yet.

use super::due::{first_moment_at, zone_name};
use super::Due;
use crate::error::{Error, Result};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How far ahead a free slot is looked for.
const WEEKS_AHEAD: i64 = 8;

/// One posting time of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    pub weekday: Weekday,
    /// Minutes after midnight, local time (09:00 is 540).
    pub minute: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Self; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    fn of(date: Date) -> Self {
        Self::ALL[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())]
    }
}

/// The slots new settings start with: weekdays at 09:00, 12:30 and 17:00.
pub fn default_slots() -> Vec<Slot> {
    Weekday::ALL[..5]
        .iter()
        .flat_map(|&weekday| [540, 750, 1020].map(|minute| Slot { weekday, minute }))
        .collect()
}

/// Refuses a slot that is not a time of day.
pub fn check(slots: &[Slot]) -> Result<()> {
    if slots.iter().any(|slot| slot.minute >= 24 * 60) {
        return Err(Error::validation(
            "A posting slot is a time of day, from 00:00 to 23:59.",
        ));
    }
    Ok(())
}

/// The first of `slots` after `now` in `zone` whose moment is not in `taken` (unix seconds).
pub(super) fn next_free(
    slots: &[Slot],
    zone: &TimeZone,
    now: Timestamp,
    taken: &HashSet<i64>,
) -> Result<Due> {
    let mut ordered = slots.to_vec();
    ordered.sort_by_key(|slot| slot.minute);
    let today = now.to_zoned_datetime(zone.clone()).date();
    for day in 0..WEEKS_AHEAD * 7 {
        let Ok(date) = today.checked_add(jiff::Span::new().days(day)) else {
            break;
        };
        for slot in ordered
            .iter()
            .filter(|slot| slot.weekday == Weekday::of(date))
        {
            let time = Time::new(
                i8::try_from(slot.minute / 60).unwrap_or_default(),
                i8::try_from(slot.minute % 60).unwrap_or_default(),
                0,
                0,
            );
            let Some(at) = time
                .ok()
                .and_then(|time| first_moment_at(date.to_datetime(time), zone))
            else {
                continue;
            };
            if at > now && !taken.contains(&at.as_second()) {
                return Ok(Due {
                    at,
                    zone: zone_name(zone),
                });
            }
        }
    }
    Err(Error::validation(if slots.is_empty() {
        "There are no posting times to add the post to. Add some in Settings › Schedule (or \
         with hayon-cli schedule slots --set \"mon-fri 09:00\"), or choose a time."
            .to_owned()
    } else {
        format!(
            "Every posting time of the next {WEEKS_AHEAD} weeks is taken. Add more in Settings › \
             Schedule (or with hayon-cli schedule slots --set), or choose a time."
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::super::due::tests::{utc, vienna};
    use super::*;

    // Monday 2026-12-07, 10:00 in Vienna.
    const NOW: &str = "2026-12-07T09:00:00Z";

    #[test]
    fn the_next_slot_is_the_first_later_one_not_taken() {
        let slots = default_slots();
        let next = next_free(&slots, &vienna(), utc(NOW), &HashSet::new()).expect("a slot");
        assert_eq!(next.local(&vienna()), "2026-12-07 12:30 CET");
        let taken = HashSet::from([next.at.as_second()]);
        let after = next_free(&slots, &vienna(), utc(NOW), &taken).expect("a slot");
        assert_eq!(after.local(&vienna()), "2026-12-07 17:00 CET");
    }

    #[test]
    fn friday_evening_goes_on_to_monday_morning() {
        let slots = default_slots();
        // Friday 2026-12-11, 18:00 in Vienna.
        let next = next_free(
            &slots,
            &vienna(),
            utc("2026-12-11T17:00:00Z"),
            &HashSet::new(),
        )
        .expect("a slot");
        assert_eq!(next.local(&vienna()), "2026-12-14 09:00 CET");
    }

    #[test]
    fn without_slots_or_free_ones_the_reason_says_what_to_do() {
        let none = next_free(&[], &vienna(), utc(NOW), &HashSet::new()).expect_err("no slots");
        assert!(none.message.contains("schedule slots"), "{}", none.message);
        let one = [Slot {
            weekday: Weekday::Monday,
            minute: 720,
        }];
        let taken: HashSet<i64> = (0..9)
            .filter_map(|week| {
                next_free(&one, &vienna(), utc(NOW), &HashSet::new())
                    .ok()
                    .map(|first| first.at.as_second() + week * 7 * 24 * 3600)
            })
            .collect();
        let full = next_free(&one, &vienna(), utc(NOW), &taken).expect_err("all taken");
        assert!(full.message.contains("taken"), "{}", full.message);
    }

    #[test]
    fn a_slot_is_a_time_of_day() {
        check(&default_slots()).expect("the defaults are fine");
        let bad = [Slot {
            weekday: Weekday::Sunday,
            minute: 24 * 60,
        }];
        assert!(check(&bad).is_err());
    }
}
