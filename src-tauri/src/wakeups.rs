//! What wakes the window's sender besides the queue itself (`sender.rs`): the machine resuming from
//! suspend, the network coming back, and the wall clock being set.
//!
//! - Resume: logind's `PrepareForSleep(false)` on the system bus. The sender sleeps on the monotonic
//!   clock, which stops while the machine is suspended, so a post that fell due during the sleep
//!   would otherwise wait out the rest of the sender's sleep after the resume. A resume is also when
//!   the network tends to change: posts waiting for a connection are tried at once.
//! - Network: NetworkManager's `StateChanged` to a connected state. Posts waiting for a connection
//!   are tried at once instead of after the rest of their backoff (up to 15 minutes).
//! - Wall clock: a timer on `CLOCK_REALTIME` armed with `TFD_TIMER_CANCEL_ON_SET`, which the kernel
//!   cancels whenever the clock is set (by hand, `timedatectl`, an NTP step), forward or back. The
//!   due times are wall-clock times and the sender's sleep is not: it looks at the queue again. This
//!   costs nothing until the clock is set; comparing wall and monotonic progress instead would only
//!   notice a jump at the sender's next wake (up to a minute late) and needs a threshold to tell a
//!   jump from drift.
//!
//! D-Bus through zbus: a pure-Rust client, already built (same major version, default features) for
//! the single-instance plugin, so it adds no library to the app. GIO's network monitor would bring
//! GLib's main loop into the sender and still leave logind to D-Bus. The bus is the system bus as
//! every D-Bus client finds it (`DBUS_SYSTEM_BUS_ADDRESS`, else the standard socket); tests point
//! that variable at a bus of their own and emit the signals there. Where there is no system bus (a
//! container, a minimal session) or the clock cannot be watched, the sender keeps its timer and
//! backoff: said once in the log, never an error.

use crate::sender::Sender;
use futures_util::StreamExt;
use zbus::message::Type;
use zbus::{Connection, MatchRule, Message, MessageStream};

const LOGIN1_PATH: &str = "/org/freedesktop/login1";
const LOGIN1_MANAGER: &str = "org.freedesktop.login1.Manager";
const PREPARE_FOR_SLEEP: &str = "PrepareForSleep";
const NETWORK_MANAGER_PATH: &str = "/org/freedesktop/NetworkManager";
const NETWORK_MANAGER: &str = "org.freedesktop.NetworkManager";
const STATE_CHANGED: &str = "StateChanged";
/// `NM_STATE_CONNECTED_LOCAL`, the lowest of NetworkManager's connected states (site: 60, global:
/// 70). A try on a network that turns out to reach nothing costs one failed attempt.
const NM_CONNECTED: u32 = 50;

/// Starts watching the system bus and the wall clock for `sender`.
pub fn start(sender: &Sender) {
    let on_bus = sender.clone();
    tauri::async_runtime::spawn(async move {
        match Connection::system().await {
            Ok(bus) => listen(&bus, &on_bus).await,
            Err(err) => tracing::info!(
                error = %err,
                "no system bus: the sender will not hear of resumes or of the network coming back, \
                 and relies on its timer and backoff"
            ),
        }
    });
    #[cfg(target_os = "linux")]
    if let Err(err) = clock::Watch::new().and_then(|watch| watch.start(sender.clone())) {
        tracing::info!(
            error = %err,
            "the wall clock cannot be watched: a change of it is noticed within a minute"
        );
    }
}

/// Tells `sender` of every resume and every return of the network announced on `bus`, until the bus
/// goes away.
async fn listen(bus: &Connection, sender: &Sender) {
    let signals = async {
        let rule = |path, interface, member| -> zbus::Result<MatchRule<'static>> {
            Ok(MatchRule::builder()
                .msg_type(Type::Signal)
                .path(path)?
                .interface(interface)?
                .member(member)?
                .build())
        };
        let sleep = rule(LOGIN1_PATH, LOGIN1_MANAGER, PREPARE_FOR_SLEEP)?;
        let network = rule(NETWORK_MANAGER_PATH, NETWORK_MANAGER, STATE_CHANGED)?;
        Ok::<_, zbus::Error>(futures_util::stream::select(
            MessageStream::for_match_rule(sleep, bus, None).await?,
            MessageStream::for_match_rule(network, bus, None).await?,
        ))
    };
    let mut signals = match signals.await {
        Ok(signals) => signals,
        Err(err) => {
            tracing::info!(
                error = %err,
                "cannot listen on the system bus: the sender relies on its timer and backoff"
            );
            return;
        }
    };
    while let Some(signal) = signals.next().await {
        if signal.is_ok_and(|signal| connection_may_be_back(&signal)) {
            sender.retry_now();
        }
    }
    tracing::info!("the system bus went away: the sender relies on its timer and backoff");
}

/// Whether `signal` says the machine woke up (`PrepareForSleep(false)`; `true` is it going to
/// sleep) or the network is connected.
fn connection_may_be_back(signal: &Message) -> bool {
    let header = signal.header();
    let body = signal.body();
    match header.member().map(|member| member.as_str()) {
        Some(PREPARE_FOR_SLEEP) => body.deserialize::<bool>().is_ok_and(|going| !going),
        Some(STATE_CHANGED) => body
            .deserialize::<u32>()
            .is_ok_and(|state| state >= NM_CONNECTED),
        _ => false,
    }
}

#[cfg(target_os = "linux")]
mod clock {
    //! The wall-clock watch: a timerfd far in the future that the kernel cancels when the clock is
    //! set (through rustix, already a dependency; no unsafe code). It is read on a thread of its
    //! own, blocked in `read` until the clock is set: tokio's `AsyncFd` would need unsafe code to
    //! register the descriptor, and an idle blocked thread costs no CPU.

    use crate::sender::Sender;
    use rustix::io::Errno;
    use rustix::time::{Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec};
    use std::os::fd::OwnedFd;

    /// How far ahead the timer is set; when it does expire it is set again.
    const A_YEAR: i64 = 365 * 24 * 3600;

    #[derive(Debug)]
    pub struct Watch {
        timer: OwnedFd,
    }

    impl Watch {
        /// Arms the watch: from now on a set of the clock is noticed.
        pub fn new() -> std::io::Result<Self> {
            let timer =
                rustix::time::timerfd_create(TimerfdClockId::Realtime, TimerfdFlags::CLOEXEC)?;
            arm(&timer)?;
            Ok(Self { timer })
        }

        /// Starts the watch's thread, which wakes `sender` each time the wall clock is set.
        pub fn start(self, sender: Sender) -> std::io::Result<()> {
            std::thread::Builder::new()
                .name("clock-watch".into())
                .spawn(move || self.run(&sender))
                .map(drop)
        }

        fn run(self, sender: &Sender) {
            loop {
                let mut expirations = [0_u8; 8];
                let rearmed = match rustix::io::read(&self.timer, &mut expirations) {
                    Err(Errno::CANCELED) => {
                        // Armed again before the sender looks: a set from then on is noticed.
                        let rearmed = arm(&self.timer);
                        tracing::info!("the wall clock was set: the queue is looked at again");
                        sender.wake();
                        rearmed
                    }
                    Err(Errno::INTR) => Ok(()),
                    // A year went by without a change of the clock.
                    Ok(_) => arm(&self.timer),
                    Err(err) => Err(err.into()),
                };
                if let Err(err) = rearmed {
                    tracing::info!(error = %err, "the wall clock can no longer be watched");
                    return;
                }
            }
        }
    }

    /// Sets `timer` to a year from now by the wall clock, cancelled if the clock is set before.
    fn arm(timer: &OwnedFd) -> std::io::Result<()> {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::Realtime);
        let later = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: Timespec {
                tv_sec: now.tv_sec.saturating_add(A_YEAR),
                tv_nsec: 0,
            },
        };
        rustix::time::timerfd_settime(
            timer,
            TimerfdTimerFlags::ABSTIME | TimerfdTimerFlags::CANCEL_ON_SET,
            &later,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
