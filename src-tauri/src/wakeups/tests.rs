//! The wake-ups, through the sender's own wake path. CI has neither logind nor NetworkManager, so a
//! real `dbus-daemon` of the test's own stands in for the system bus and the test emits their
//! signals on it, as they would; the listener is the one the app runs. The clock watch is driven by
//! a real set of the wall clock where the test may set it.

use super::*;
use crate::sender::Woken;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous on a busy machine.
const WAIT: Duration = Duration::from_secs(30);

/// A private bus: `dbus-daemon` with the session configuration, ended when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Self {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon runs (the dbus package)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().expect("its stdout"))
            .read_line(&mut address)
            .expect("it prints its address");
        Self {
            daemon,
            address: address.trim().to_owned(),
        }
    }

    async fn connect(&self) -> Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .expect("an address")
            .build()
            .await
            .expect("connected to the test's bus")
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Sends signal `member` with the one argument `arg` on `bus`.
async fn emit<T>(bus: &Connection, path: &str, interface: &str, member: &str, arg: T)
where
    T: serde::Serialize + zbus::zvariant::Type,
{
    bus.emit_signal(None::<()>, path, interface, member, &(arg,))
        .await
        .expect("the signal is sent");
}

/// Signal `member` with the one argument `arg`, as the listener would receive it.
fn signal<T>(path: &str, interface: &str, member: &str, arg: T) -> Message
where
    T: serde::Serialize + zbus::zvariant::Type,
{
    Message::signal(path, interface, member)
        .expect("a signal")
        .build(&(arg,))
        .expect("a body")
}

#[tokio::test]
async fn a_resume_and_the_network_coming_back_make_the_sender_try_waiting_posts_now() {
    let bus = Bus::start();
    let sender = Sender::default();
    let listening = bus.connect().await;
    let listener = {
        let sender = sender.clone();
        tokio::spawn(async move { listen(&listening, &sender).await })
    };
    let logind = bus.connect().await;

    // The listener subscribes in the background: the signal is sent again until it is heard.
    let deadline = Instant::now() + WAIT;
    let mut woken = Woken::Timer;
    while woken != Woken::Retry && Instant::now() < deadline {
        emit(
            &logind,
            LOGIN1_PATH,
            LOGIN1_MANAGER,
            PREPARE_FOR_SLEEP,
            false,
        )
        .await;
        woken = sender.until_woken(Duration::from_millis(250)).await;
    }
    assert_eq!(woken, Woken::Retry, "a resume makes the sender retry");

    // Both subscriptions are made before either is heard: one signal is enough now.
    let network_manager = bus.connect().await;
    emit(
        &network_manager,
        NETWORK_MANAGER_PATH,
        NETWORK_MANAGER,
        STATE_CHANGED,
        70_u32,
    )
    .await;
    assert_eq!(
        sender.until_woken(WAIT).await,
        Woken::Retry,
        "the network coming back makes the sender retry"
    );

    drop(bus);
    tokio::time::timeout(WAIT, listener)
        .await
        .expect("the listener ends when the bus goes away")
        .expect("without a panic");
}

#[test]
fn only_a_wake_up_and_a_connected_network_count() {
    let sleep = |going: bool| signal(LOGIN1_PATH, LOGIN1_MANAGER, PREPARE_FOR_SLEEP, going);
    let network = |state: u32| signal(NETWORK_MANAGER_PATH, NETWORK_MANAGER, STATE_CHANGED, state);
    assert!(connection_may_be_back(&sleep(false)), "resumed");
    assert!(!connection_may_be_back(&sleep(true)), "going to sleep");
    for connected in [50, 60, 70] {
        assert!(connection_may_be_back(&network(connected)), "{connected}");
    }
    // Asleep, disconnected, disconnecting, connecting.
    for not_yet in [10, 20, 30, 40] {
        assert!(!connection_may_be_back(&network(not_yet)), "{not_yet}");
    }
    let unreadable = signal(LOGIN1_PATH, LOGIN1_MANAGER, PREPARE_FOR_SLEEP, "yes");
    assert!(!connection_may_be_back(&unreadable));
}

/// A real set of the wall clock, to the time it reads (a jump of the microseconds in between; the
/// kernel cancels the watch's timer for any set). Setting the clock needs `CAP_SYS_TIME` (root, as
/// the suite runs in CI); without it the test fails, saying so, rather than pass untested.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn setting_the_wall_clock_makes_the_sender_look_at_the_queue_again() {
    let watch = clock::Watch::new().expect("a timerfd");
    let sender = Sender::default();
    watch.start(sender.clone()).expect("its thread starts");
    let clock = rustix::time::ClockId::Realtime;
    rustix::time::clock_settime(clock, rustix::time::clock_gettime(clock))
        .expect("set the wall clock (needs CAP_SYS_TIME: run the suite as root, as CI does)");
    assert_eq!(sender.until_woken(WAIT).await, Woken::Queue);
    // Armed again: a second set is noticed too.
    rustix::time::clock_settime(clock, rustix::time::clock_gettime(clock)).expect("set again");
    assert_eq!(sender.until_woken(WAIT).await, Woken::Queue);
}
