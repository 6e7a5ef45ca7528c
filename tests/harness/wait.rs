//! Waiting in tests: a test that waits polls the very condition it then asserts, ends as soon as that
//! holds, and gives up only after [`WAIT`] (generous: suites run on busy machines), failing with the
//! last value it saw. Never a fixed sleep, never a condition that was already true before the action.
//! A claim that something does *not* happen has nothing to wait for: [`assert_stays`] watches it for
//! the whole period the claim is about.

use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long a wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);
/// How often a condition is read again.
const EVERY: Duration = Duration::from_millis(100);

/// Reads `read` every 100 ms until `done` holds, for up to [`WAIT`]; returns the last value read,
/// which the caller asserts on (so a timeout fails with what was actually seen).
pub async fn poll_until<T, Fut>(mut read: impl FnMut() -> Fut, done: impl Fn(&T) -> bool) -> T
where
    Fut: Future<Output = T>,
{
    let deadline = Instant::now() + WAIT;
    let mut value = read().await;
    while !done(&value) && Instant::now() < deadline {
        tokio::time::sleep(EVERY).await;
        value = read().await;
    }
    value
}

/// Reads `read` until it returns `want` (for up to [`WAIT`]) and fails, saying `what` and showing the
/// last value read, if it never does.
pub async fn assert_becomes<T, Fut>(what: &str, want: T, read: impl FnMut() -> Fut)
where
    T: PartialEq + Debug,
    Fut: Future<Output = T>,
{
    let seen = poll_until(read, |seen| *seen == want).await;
    assert_eq!(
        seen, want,
        "{what} (the last value read, after up to {WAIT:?})"
    );
}

/// Reads `read` every 100 ms for `period` and fails, saying `what`, at the first value for which
/// `holds` is false: for something that must not happen within `period` of an action.
pub async fn assert_stays<T, Fut>(
    what: &str,
    period: Duration,
    mut read: impl FnMut() -> Fut,
    holds: impl Fn(&T) -> bool,
) where
    T: Debug,
    Fut: Future<Output = T>,
{
    let until = Instant::now() + period;
    loop {
        let value = read().await;
        assert!(holds(&value), "{what}: {value:?}");
        if Instant::now() >= until {
            return;
        }
        tokio::time::sleep(EVERY).await;
    }
}
