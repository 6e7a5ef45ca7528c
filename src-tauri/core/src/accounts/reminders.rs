//! Before a Sign in with Bluesky session ends: the server ends it two weeks after signing in however
//! much it is used, so Hayon says so two days before, once per sign-in, with how many scheduled posts
//! of the account are due after the end (they would wait for a new sign-in). The window shows the
//! reminder as a notification; signing in again starts a new two weeks and a new reminder.

use super::Accounts;
use crate::error::Result;
use jiff::{SignedDuration, Timestamp};

/// How long before the end the person is reminded.
pub const REMIND_BEFORE: SignedDuration = SignedDuration::from_hours(48);

/// A sign-in that ends soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingSignIn {
    pub did: String,
    pub handle: String,
    pub ends_at: Timestamp,
    /// The account's scheduled posts due after the end.
    pub scheduled_after: usize,
}

impl EndingSignIn {
    /// The end in the person's own time zone, as "Tue 22 Dec at 18:20".
    pub fn ends_locally(&self) -> String {
        self.ends_at
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%a %-d %b at %H:%M")
            .to_string()
    }
}

impl Accounts<'_> {
    /// The sign-ins with Bluesky that end within [`REMIND_BEFORE`] and were not reminded of yet;
    /// each is marked reminded, so it is told once.
    pub fn sign_ins_to_remind(&self) -> Result<Vec<EndingSignIn>> {
        let now = Timestamp::now();
        let horizon = now.checked_add(REMIND_BEFORE).unwrap_or(Timestamp::MAX);
        let ending: Vec<_> = self
            .list()?
            .into_iter()
            .filter(|account| account.connected && !account.sign_in.reminded)
            .filter_map(|account| {
                let ends_at = super::sign_in::expires_at(&account.sign_in)?;
                (ends_at <= horizon).then_some((account, ends_at))
            })
            .collect();
        if ending.is_empty() {
            return Ok(Vec::new());
        }
        let scheduled = self.core.posting().scheduled()?;
        let mut reminders = Vec::new();
        for (account, ends_at) in ending {
            let scheduled_after = scheduled
                .iter()
                .filter(|queued| {
                    queued
                        .entry
                        .due
                        .as_ref()
                        .is_some_and(|due| due.at > ends_at)
                        && queued
                            .entry
                            .accounts
                            .iter()
                            .any(|delivery| delivery.did == account.did)
                })
                .count();
            self.core
                .store
                .mark_sign_in_reminded(&account.did, &super::now_rfc3339())?;
            reminders.push(EndingSignIn {
                did: account.did,
                handle: account.handle,
                ends_at,
                scheduled_after,
            });
        }
        Ok(reminders)
    }
}
