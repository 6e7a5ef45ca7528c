//! The address check, range by range. Nothing here opens a connection: the addresses are only parsed
//! and classified (this machine must never send packets to private or metadata ranges).

use super::*;

fn why(addr: &str) -> Option<Refusal> {
    refusal(addr.parse().expect("an IP address"))
}

#[test]
fn loopback_in_every_form_is_refused() {
    for addr in [
        "127.0.0.1",
        "127.255.255.254",
        "::1",
        "::ffff:127.0.0.1", // IPv4-mapped
        "::127.0.0.1",      // IPv4-compatible
        "64:ff9b::7f00:1",  // NAT64 of 127.0.0.1
        "2002:7f00:1::1",   // 6to4 of 127.0.0.1
    ] {
        assert_eq!(why(addr), Some(Refusal::Loopback), "{addr}");
    }
}

#[test]
fn private_ranges_are_refused() {
    for addr in [
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.255",
        "198.18.0.1",
        "fc00::1",
        "fd12:3456:789a::1",
        "fec0::1",
        "::ffff:10.1.2.3",
        "::ffff:192.168.0.1",
        "64:ff9b::a00:1",
        "2002:c0a8:101::1",
    ] {
        assert_eq!(why(addr), Some(Refusal::Private), "{addr}");
    }
}

#[test]
fn link_local_and_the_metadata_service_are_refused() {
    for addr in [
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1",
        "febf::1",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
    ] {
        assert_eq!(why(addr), Some(Refusal::LinkLocal), "{addr}");
    }
}

#[test]
fn multicast_is_refused() {
    for addr in ["224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1"] {
        assert_eq!(why(addr), Some(Refusal::Multicast), "{addr}");
    }
}

#[test]
fn unspecified_reserved_and_documentation_ranges_are_refused() {
    for addr in [
        "0.0.0.0",
        "0.1.2.3",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.0.8",
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "192.88.99.1",
        "::",
        "::8.8.8.8", // IPv4-compatible: deprecated, never routed
        "::ffff:0.0.0.0",
        "2001:db8::1",
        "2001::1", // Teredo
        "3fff::1",
        "100::1",          // discard-only
        "64:ff9b:1::1",    // local-use NAT64
        "::ffff:0:7f00:1", // IPv4-translated
        "1234::1",
    ] {
        assert_eq!(why(addr), Some(Refusal::NotPublic), "{addr}");
    }
}

#[test]
fn public_addresses_are_allowed() {
    for addr in [
        "1.1.1.1",
        "8.8.8.8",
        "93.184.216.34",
        "100.63.255.255",
        "100.128.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "169.253.255.255",
        "223.255.255.255",
        "2606:4700:4700::1111",
        "2a00:1450:4001::1",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ] {
        assert_eq!(why(addr), None, "{addr}");
    }
}

#[test]
fn allowing_private_addresses_lifts_every_refusal() {
    let policy = CardPolicy::allow_private();
    for addr in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fc00::1"] {
        assert_eq!(policy.refusal(addr.parse().expect("ip")), None, "{addr}");
    }
    assert_eq!(
        CardPolicy::public_only().refusal("10.0.0.1".parse().expect("ip")),
        Some(Refusal::Private)
    );
}

fn check(policy: &CardPolicy, url: &str) -> Result<()> {
    policy.check_url(&Url::parse(url).expect("a URL"))
}

#[test]
fn ip_literal_urls_are_refused_in_every_spelling() {
    let policy = CardPolicy::public_only();
    for url in [
        "http://127.0.0.1:8080/admin",
        "http://2130706433/", // decimal
        "http://0x7f000001/", // hex
        "http://0177.0.0.1/", // octal
        "http://127.1/",      // short form
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "https://10.0.0.1/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://0/",
    ] {
        let err = check(&policy, url).expect_err(url);
        assert_eq!(err.code, ErrorCode::Validation, "{url}");
        assert!(
            err.message.contains(LINK_CARDS_ALLOW_PRIVATE_ENV),
            "{url}: {}",
            err.message
        );
        assert!(
            !err.message.contains("meta-data"),
            "no path in the message: {}",
            err.message
        );
    }
}

#[test]
fn only_http_and_https_are_fetched() {
    let policy = CardPolicy::allow_private();
    for url in [
        "file:///etc/passwd",
        "ftp://example.com/",
        "data:text/html,hi",
    ] {
        assert!(check(&policy, url).is_err(), "{url}");
    }
    assert!(check(&policy, "https://example.com/page").is_ok());
    assert!(check(&policy, "http://127.0.0.1/").is_ok());
}

#[test]
fn a_trusted_address_is_allowed_at_that_port_only() {
    let policy = CardPolicy::public_only().trusting("127.0.0.1:4000".parse().expect("addr"));
    assert!(check(&policy, "http://127.0.0.1:4000/page").is_ok());
    assert!(check(&policy, "http://127.0.0.1:4001/page").is_err());
    assert!(check(&policy, "http://127.0.0.2:4000/page").is_err());
    assert!(check(&policy, "http://[::ffff:127.0.0.1]:4000/page").is_err());
}

#[test]
fn named_hosts_are_left_to_the_resolver() {
    // A name is judged by what it resolves to, when connecting (GuardedResolver).
    assert!(check(&CardPolicy::public_only(), "http://localhost:8080/").is_ok());
}

#[test]
fn messages_name_the_host_without_path_or_query() {
    let url = Url::parse("https://user:pw@example.com:8443/a/b?token=secret#x").expect("url");
    assert_eq!(host_label(&url), "example.com:8443");
}
