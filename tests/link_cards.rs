//! Link cards are public-safe: the SSRF matrix, through the core and through `hayon-cli post`.
//!
//! Every address used here is loopback. A trap listener counts the connections it accepts and must see
//! none; a control test shows it does count one when private addresses are allowed. Private,
//! link-local and metadata ranges (10/8, 192.168/16, 169.254.169.254, fc00::/7 …) are never sent a
//! packet: the core's unit tests classify them (link_card/guard/tests.rs), and here each is first
//! checked to be refused by the pure URL check, which runs before any connection is opened.

use harness::cli::CliEnv;
use harness::images;
use harness::keychain;
use harness::pds::pds;
use harness::web::{Reply, WebServer};
use hayon_core::link_card::{make_card, CardFetcher, CardPolicy, PreparedCard};
use hayon_core::Error;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET_TITLE: &str = "Router admin: do not publish";

/// A listener on loopback that counts accepted connections and answers like a router's admin page,
/// so that a fetch that gets through would make a card of it.
struct Trap {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl Trap {
    async fn on(ip: &str) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind the trap");
        let addr = listener.local_addr().expect("trap address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut head = [0u8; 4096];
                    let _ = stream.read(&mut head).await;
                    let page = format!(
                        "<html><head><title>{SECRET_TITLE}</title>\
                         <meta property=og:image content=/secret.png></head></html>"
                    );
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
                         Connection: close\r\n\r\n{page}",
                        page.len()
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                });
            }
        });
        Self { addr, accepted }
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

fn fetcher(policy: CardPolicy) -> CardFetcher {
    CardFetcher::new(policy).expect("an HTTP client")
}

/// The guard's refusal (not a network error): its message names the switch that would lift it.
fn assert_refused_by_guard(url: &str, result: Result<PreparedCard, Error>) {
    let err = result.err().unwrap_or_else(|| panic!("{url} made a card"));
    assert!(
        err.message.contains("HAYON_LINK_CARDS_ALLOW_PRIVATE"),
        "{url} was not refused by the guard: {}",
        err.message
    );
}

#[tokio::test]
async fn loopback_in_every_spelling_is_refused_and_the_trap_sees_nothing() {
    let trap = Trap::on("127.0.0.1").await;
    let trap6 = Trap::on("::1").await;
    let (port, port6) = (trap.port(), trap6.port());
    let fetcher = fetcher(CardPolicy::public_only());
    let urls = [
        format!("http://127.0.0.1:{port}/admin"),
        format!("http://2130706433:{port}/admin"), // decimal
        format!("http://0x7f000001:{port}/admin"), // hex
        format!("http://0177.0.0.1:{port}/admin"), // octal
        format!("http://127.1:{port}/admin"),      // short form
        format!("http://[::ffff:127.0.0.1]:{port}/admin"), // IPv4-mapped
        format!("http://localhost:{port}/admin"),  // a name resolving to loopback
        format!("http://[::1]:{port6}/admin"),
        format!("http://[::ffff:7f00:1]:{port}/admin"),
    ];
    for url in &urls {
        assert_refused_by_guard(url, make_card(&fetcher, url).await);
    }
    assert_eq!(trap.accepted(), 0, "the IPv4 trap was reached");
    assert_eq!(trap6.accepted(), 0, "the IPv6 trap was reached");
}

#[tokio::test]
async fn the_trap_does_count_a_fetch_that_gets_through() {
    let trap = Trap::on("127.0.0.1").await;
    let url = format!("http://localhost:{}/admin", trap.port());
    let made = make_card(&fetcher(CardPolicy::allow_private()), &url)
        .await
        .expect("with private addresses allowed, the page is read");
    assert_eq!(made.card.title, SECRET_TITLE);
    assert!(trap.accepted() >= 1, "the trap counted nothing");

    // An exact trusted address is allowed for an IP-literal URL, and only that one.
    let literal = format!("http://127.0.0.1:{}/admin", trap.port());
    let trusting = fetcher(CardPolicy::public_only().trusting(trap.addr));
    let before = trap.accepted();
    let made = make_card(&trusting, &literal)
        .await
        .expect("trusted address");
    assert_eq!(made.card.title, SECRET_TITLE);
    assert!(trap.accepted() > before);
}

/// A web server on loopback that the fetcher trusts (the "public" first hop), and a fetcher for it.
async fn trusted_site(
    handler: impl Fn(&harness::web::Request) -> Reply + Send + Sync + 'static,
) -> (WebServer, CardFetcher) {
    let site = WebServer::serve(handler).await;
    let addr: SocketAddr = site
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the site's address");
    (site, fetcher(CardPolicy::public_only().trusting(addr)))
}

const PUBLIC_PAGE: &str = "<html><head><title>A public page</title></head></html>";

#[tokio::test]
async fn a_redirect_to_loopback_is_refused_at_every_hop() {
    let trap = Trap::on("127.0.0.1").await;
    let port = trap.port();
    let (site, fetcher) = trusted_site(move |request| match request.target {
        "/to-ip" => Reply::redirect(&format!("http://127.0.0.1:{port}/admin")),
        "/to-name" => Reply::redirect(&format!("http://localhost:{port}/admin")),
        "/to-decimal" => Reply::redirect(&format!("http://2130706433:{port}/admin")),
        "/to-mapped" => Reply::redirect(&format!("http://[::ffff:127.0.0.1]:{port}/admin")),
        "/twice" => Reply::redirect("/to-ip"),
        "/to-page" => Reply::redirect("/page"),
        _ => Reply::ok("text/html", PUBLIC_PAGE.as_bytes().to_vec()),
    })
    .await;
    // Control: the trusted first hop, and a redirect that stays on it, make a card.
    let made = make_card(&fetcher, &format!("{}/to-page", site.url))
        .await
        .expect("a redirect within the trusted site");
    assert_eq!(made.card.title, "A public page");

    for path in ["/to-ip", "/to-name", "/to-decimal", "/to-mapped", "/twice"] {
        let url = format!("{}{path}", site.url);
        assert_refused_by_guard(&url, make_card(&fetcher, &url).await);
    }
    assert_eq!(trap.accepted(), 0, "a redirect reached the trap");
}

#[tokio::test]
async fn an_og_image_on_loopback_is_not_fetched_but_the_card_is_made() {
    let trap = Trap::on("127.0.0.1").await;
    let port = trap.port();
    let picture = images::oversized_png_bytes(600, 400);
    let (site, fetcher) = trusted_site(move |request| match request.target {
        "/article" => Reply::ok(
            "text/html",
            format!(
                "<title>Article</title><meta property=og:image \
                 content='http://127.0.0.1:{port}/secret.png'>"
            )
            .into_bytes(),
        ),
        "/own-picture" => Reply::ok(
            "text/html",
            b"<title>Own</title><meta property=og:image content=/card.png>".to_vec(),
        ),
        _ => Reply::ok("image/png", picture.clone()),
    })
    .await;
    let made = make_card(&fetcher, &format!("{}/article", site.url))
        .await
        .expect("the page itself is allowed");
    assert_eq!(made.card.title, "Article");
    assert!(made.thumb.is_none(), "a thumbnail came from loopback");
    assert_eq!(trap.accepted(), 0, "the og:image request reached the trap");

    // Control: a picture on the trusted site itself is fetched and prepared.
    let made = make_card(&fetcher, &format!("{}/own-picture", site.url))
        .await
        .expect("card");
    let thumb = made.thumb.expect("the site's own picture is the thumbnail");
    assert_eq!((thumb.width, thumb.height), (600, 400));
}

#[tokio::test]
async fn private_link_local_and_metadata_addresses_are_refused_before_connecting() {
    let policy = CardPolicy::public_only();
    let fetcher = fetcher(policy.clone());
    for url in [
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/admin",
        "http://100.64.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
    ] {
        // The pure check first: if it let the address through, stop here, before any packet.
        let parsed = url::Url::parse(url).expect("url");
        assert!(policy.check_url(&parsed).is_err(), "{url} would be fetched");
        assert_refused_by_guard(url, make_card(&fetcher, url).await);
    }
}

// The trap runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_posts_a_loopback_link_without_a_card_and_without_fetching_it() {
    keychain::require_secret_service();
    let trap = Trap::on("127.0.0.1").await;
    let env = CliEnv::new();
    let alice = env.connect_new_user("ssrf").await;
    let link = format!("http://127.0.0.1:{}/admin", trap.port());
    let results = env
        .run_with_env(
            &["post", "--account", &alice.handle],
            &format!("My router {link}"),
            &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "0")],
        )
        .expect_ok();
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    assert!(record.get("embed").is_none(), "a card was posted: {record}");
    assert_eq!(
        record["facets"][0]["features"][0]["uri"],
        link.as_str(),
        "the link is in the post, so a card was considered: {record}"
    );
    assert_eq!(trap.accepted(), 0, "the CLI reached the trap");
}

// The web server runs on this runtime while the CLI call blocks a thread: use two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_description_is_trimmed_and_the_post_goes_through() {
    keychain::require_secret_service();
    let env = CliEnv::new();
    let alice = env.connect_new_user("huge").await;
    let description = "All work and no play makes a long card. ".repeat(26_000);
    assert!(description.len() > 1_000_000);
    let page = format!(
        "<html><head><meta property=og:title content='{}'>\
         <meta property=og:description content='{description}'></head></html>",
        "Long title ".repeat(1_000)
    );
    let site = WebServer::serve(move |_| Reply::ok("text/html", page.clone().into_bytes())).await;
    let link = format!("{}/long", site.url);
    let results = env
        .run_with_env(
            &["post", "--account", &alice.handle],
            &format!("Long read {link}"),
            &[("HAYON_LINK_CARDS_ALLOW_PRIVATE", "1")],
        )
        .expect_ok();
    let record = pds()
        .read_record(results[0]["uri"].as_str().expect("uri"))
        .await;
    let external = &record["embed"]["external"];
    let title = external["title"].as_str().expect("a title");
    let posted = external["description"].as_str().expect("a description");
    // The texts are ASCII plus the final "…": characters are graphemes here.
    assert_eq!(title.chars().count(), 300, "{title}");
    assert_eq!(posted.chars().count(), 1_000);
    assert!(posted.starts_with("All work and no play makes a long card."));
    assert!(posted.ends_with('…'));
}
