//! Link cards from hostile pages: 2 MiB of nested tags (deep `<div>`, `<ul><li>`, unclosed `<p>`), on
//! loopback. Building a tree of such a page took minutes (quadratic in nesting depth) and posting
//! waited for it; the card is now read by a tokenizer pass, so posting with such a link takes seconds
//! and its whole `hayon-cli post` process under 2 s of CPU, and the card is still made.
//!
//! A page that keeps the card waiting (each hop of its redirects answered just within the request
//! timeout) costs the post its card once [`CARD_TIME_LIMIT`] is over, and the log says why.
//!
//! The CLI's CPU is its user + system time from `getrusage(RUSAGE_CHILDREN)` around its `wait`; the
//! tests that run the CLI take turns ([`CLI`]), so the difference is that one process's.

use harness::cli::CliEnv;
use harness::keychain;
use harness::pds::pds;
use harness::web::{nested_page, Reply, WebServer};
use hayon_core::link_card::{make_card, CardFetcher, CardPolicy, CARD_TIME_LIMIT};
use nix::sys::resource::{getrusage, UsageWho};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One test at a time runs the CLI here, so that the children's CPU time is one process's.
static CLI: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The nestings, by the path their page is served at.
const NESTINGS: &[(&str, &str)] = &[
    ("/deep-div", "<div>"),
    ("/nested-list", "<ul><li>"),
    ("/unclosed-p", "<p>"),
];

const MAX_CPU: Duration = Duration::from_secs(2);

/// The page's title, as its card must show it.
fn title_of(path: &str) -> String {
    format!("Nested {path} & more")
}

async fn nested_site() -> WebServer {
    let pages: Vec<(&'static str, Vec<u8>)> = NESTINGS
        .iter()
        .map(|(path, unit)| (*path, nested_page(&title_of(path), unit)))
        .collect();
    WebServer::serve(
        move |request| match pages.iter().find(|(path, _)| *path == request.target) {
            Some((_, html)) => Reply::ok("text/html", html.clone()),
            None => Reply::ok("text/html", b"<title>Not this one</title>".to_vec()),
        },
    )
    .await
}

fn children_cpu() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let time = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    time(usage.user_time()) + time(usage.system_time())
}

#[tokio::test]
async fn the_core_makes_the_card_of_a_deeply_nested_page_at_once() {
    let site = nested_site().await;
    let fetcher = CardFetcher::new(CardPolicy::allow_private()).expect("an HTTP client");
    for (path, unit) in NESTINGS {
        let started = Instant::now();
        let made = make_card(&fetcher, &format!("{}{path}", site.url))
            .await
            .unwrap_or_else(|err| panic!("{path}: no card: {}", err.message));
        let took = started.elapsed();
        assert_eq!(made.card.title, title_of(path));
        assert_eq!(made.card.description, format!("Two mebibytes of {unit}"));
        // Well within the card's time limit: it was made, not cut short.
        assert!(took < CARD_TIME_LIMIT / 2, "{path}: {took:?}");
    }
}

// The web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posting_a_link_to_a_deeply_nested_page_takes_seconds_and_keeps_its_card() {
    keychain::require_secret_service();
    let _turn = CLI.lock().await;
    let env = CliEnv::new();
    let alice = env.connect_new_user("nest").await;
    let site = nested_site().await;
    for (path, _) in NESTINGS {
        let link = format!("{}{path}", site.url);
        let (cpu_before, started) = (children_cpu(), Instant::now());
        let results = env
            .run_with_env(
                &["post", "--account", &alice.handle],
                &format!("Deep reading {link}"),
                &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")],
            )
            .expect_ok();
        let (cpu, took) = (children_cpu() - cpu_before, started.elapsed());
        eprintln!("{path}: posted in {took:?}, {cpu:?} of CPU");
        assert!(cpu < MAX_CPU, "{path}: hayon-cli post used {cpu:?} of CPU");
        let record = pds()
            .read_record(results[0]["uri"].as_str().expect("uri"))
            .await;
        assert_eq!(
            record["embed"]["external"]["title"],
            title_of(path).as_str(),
            "{path}: {record}"
        );
    }
}

/// Answers every request after `delay`: `/hop/N` redirects to `/hop/N+1` until the third, which is a
/// page. Each answer comes within a request's own timeout; together they take longer than a card may.
async fn slow_site(delay: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let read = stream.read(&mut head).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&head[..read]).into_owned();
                let hop: u32 = request
                    .split_whitespace()
                    .nth(1)
                    .and_then(|target| target.strip_prefix("/hop/"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                tokio::time::sleep(delay).await;
                let reply = if hop < 3 {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: /hop/{}\r\nContent-Length: 0\r\n\
                         Connection: close\r\n\r\n",
                        hop + 1
                    )
                } else {
                    let page = "<title>Finally</title>";
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
                         Connection: close\r\n\r\n{page}",
                        page.len()
                    )
                };
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    url
}

// The slow site runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_that_takes_too_long_is_left_out_and_the_log_says_why() {
    keychain::require_secret_service();
    let _turn = CLI.lock().await;
    let env = CliEnv::new();
    let alice = env.connect_new_user("slow").await;
    // Four answers of 5 s each: 20 s for the page, each within the 10 s request timeout.
    let site = slow_site(Duration::from_secs(5)).await;
    let link = format!("{site}/hop/0");
    let log = env.path().join("hayon.log");
    let logged_before = std::fs::metadata(&log).expect("log").len();
    let started = Instant::now();
    let results = env
        .run_with_env(
            &["post", "--account", &alice.handle],
            &format!("Slow reading {link}"),
            &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")],
        )
        .expect_ok();
    let took = started.elapsed();
    // Without the deadline the card waits for the whole 20 s; the margin below that is for a busy
    // machine (starting the CLI, signing in and posting), not a latency claim.
    assert!(
        took < Duration::from_secs(18),
        "posting took {took:?}: the card's {CARD_TIME_LIMIT:?} deadline did not cut the 20 s page"
    );
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    assert!(record.get("embed").is_none(), "a card was posted: {record}");
    assert_eq!(record["facets"][0]["features"][0]["uri"], link.as_str());
    let logged = std::fs::read(&log).expect("log");
    let logged = String::from_utf8_lossy(&logged[logged_before as usize..]);
    assert!(
        logged.contains("posting without a link card")
            && logged.contains(&format!(
                "longer than {} seconds",
                CARD_TIME_LIMIT.as_secs()
            )),
        "the log does not say why: {logged}"
    );
}
