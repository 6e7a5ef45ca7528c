//! The sends the window has under way (Post, Retry), each under a ticket the page chose for it, so
//! that the page's Cancel can reach the send's [`Cancel`] (what a cancel stops, and what it never
//! interrupts: `hayon_core::publish::Cancel`).
//!
//! The page is untrusted: a ticket is a short name of letters, digits and dashes (a UUID fits),
//! taken by one send at a time; a ticket that names no send under way cancels nothing. A ticket
//! names a send of this window process only; nothing of it is stored.

use hayon_core::publish::Cancel;
use hayon_core::Error;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The longest ticket taken.
const MAX_TICKET: usize = 64;

#[derive(Debug, Default)]
pub struct InFlight {
    sends: Mutex<HashMap<String, Cancel>>,
}

impl InFlight {
    /// Registers a send under `ticket`, until the returned [`Sending`] is dropped.
    pub fn start(&self, ticket: &str) -> Result<Sending<'_>, Error> {
        check(ticket)?;
        let cancel = Cancel::new();
        let mut sends = self.sends();
        if sends.contains_key(ticket) {
            return Err(Error::validation(
                "Another post is being sent under the same ticket.",
            ));
        }
        sends.insert(ticket.to_owned(), cancel.clone());
        Ok(Sending {
            in_flight: self,
            ticket: ticket.to_owned(),
            cancel,
        })
    }

    /// Cancels the send under `ticket`; whether there was one.
    pub fn cancel(&self, ticket: &str) -> Result<bool, Error> {
        check(ticket)?;
        let cancel = self.sends().get(ticket).cloned();
        Ok(cancel.inspect(Cancel::cancel).is_some())
    }

    fn sends(&self) -> MutexGuard<'_, HashMap<String, Cancel>> {
        // A panic while holding the map cannot leave it half-changed (one insert or remove).
        self.sends
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A send under way: its cancel, registered under its ticket until this is dropped.
#[derive(Debug)]
pub struct Sending<'a> {
    in_flight: &'a InFlight,
    ticket: String,
    pub cancel: Cancel,
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.in_flight.sends().remove(&self.ticket);
    }
}

fn check(ticket: &str) -> Result<(), Error> {
    let fits = (1..=MAX_TICKET).contains(&ticket.len())
        && ticket
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if fits {
        Ok(())
    } else {
        Err(Error::validation("That is not the ticket of a post."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_cancels_its_own_send_while_it_runs_and_odd_tickets_are_refused() {
        let in_flight = InFlight::default();
        let ticket = "0f8e2c1a-5b7d-4e6f-9a0b-1c2d3e4f5a6b";
        assert_eq!(in_flight.cancel(ticket).ok(), Some(false), "none yet");
        let sending = in_flight.start(ticket).expect("a send");
        assert!(in_flight.start(ticket).is_err(), "one send per ticket");
        let other = in_flight.start("other").expect("another send");
        assert_eq!(in_flight.cancel(ticket).ok(), Some(true));
        assert!(sending.cancel.is_cancelled());
        assert!(!other.cancel.is_cancelled(), "only its own");
        drop(sending);
        assert_eq!(in_flight.cancel(ticket).ok(), Some(false), "gone when done");
        for odd in ["", "../x", "a b", "é", &"a".repeat(MAX_TICKET + 1)] {
            assert!(in_flight.cancel(odd).is_err(), "{odd:?}");
            assert!(in_flight.start(odd).is_err(), "{odd:?}");
        }
    }
}
