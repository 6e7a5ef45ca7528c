//! Which addresses a link card may be fetched from. A card's title and picture end up in a public post,
//! so a link must not make Hayon read a page that only this computer can reach (a router's admin page,
//! a cloud metadata service, a local dev server) and publish it.
//!
//! The decision is made on the address actually connected to: host names go through
//! [`GuardedResolver`], which resolves once and hands reqwest only the allowed addresses (so DNS
//! rebinding cannot switch to another one), and IP-literal hosts, which reqwest never resolves, are
//! checked by [`CardPolicy::check_url`] before every request, including each redirect and the
//! thumbnail. `HAYON_LINK_CARDS_ALLOW_PRIVATE=1` lifts the refusal (tests, intranets).

use crate::config::LINK_CARDS_ALLOW_PRIVATE_ENV;
use crate::error::{Error, ErrorCode, Result};
use ipnet::{Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// Why an address is not one a public card may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Loopback,
    /// RFC 1918, carrier-grade NAT, unique local, benchmarking.
    Private,
    /// 169.254/16 (which holds cloud metadata services), fe80::/10.
    LinkLocal,
    Multicast,
    /// Unspecified, documentation, reserved, broadcast and other special-purpose ranges.
    NotPublic,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Loopback => "this computer (loopback)",
            Self::Private => "a private network",
            Self::LinkLocal => "the local link",
            Self::Multicast => "a multicast group",
            Self::NotPublic => "a reserved, non-public range",
        })
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

/// IANA's IPv4 special-purpose registry, less what is globally reachable.
const V4_SPECIAL: [(Ipv4Net, Refusal); 15] = [
    (v4(0, 0, 0, 0, 8), Refusal::NotPublic), // "this network"; 0.0.0.0 reaches this host on Linux
    (v4(10, 0, 0, 0, 8), Refusal::Private),
    (v4(100, 64, 0, 0, 10), Refusal::Private), // carrier-grade NAT
    (v4(127, 0, 0, 0, 8), Refusal::Loopback),
    (v4(169, 254, 0, 0, 16), Refusal::LinkLocal), // incl. 169.254.169.254, cloud metadata
    (v4(172, 16, 0, 0, 12), Refusal::Private),
    (v4(192, 0, 0, 0, 24), Refusal::NotPublic), // IETF protocol assignments
    (v4(192, 0, 2, 0, 24), Refusal::NotPublic), // documentation
    (v4(192, 88, 99, 0, 24), Refusal::NotPublic), // deprecated 6to4 relays
    (v4(192, 168, 0, 0, 16), Refusal::Private),
    (v4(198, 18, 0, 0, 15), Refusal::Private), // benchmarking
    (v4(198, 51, 100, 0, 24), Refusal::NotPublic), // documentation
    (v4(203, 0, 113, 0, 24), Refusal::NotPublic), // documentation
    (v4(224, 0, 0, 0, 4), Refusal::Multicast),
    (v4(240, 0, 0, 0, 4), Refusal::NotPublic), // reserved, incl. 255.255.255.255
];

const fn v6(segments: [u16; 8], prefix: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), prefix)
}

/// Global unicast: the only IPv6 space handed out for the public internet.
const V6_GLOBAL: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

/// Special-purpose blocks inside global unicast.
const V6_SPECIAL_GLOBAL: [Ipv6Net; 3] = [
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments, incl. Teredo (2001::/32)
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation (RFC 9637)
];

const V6_NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
const V6_6TO4: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);
const V6_COMPAT: Ipv6Net = v6([0, 0, 0, 0, 0, 0, 0, 0], 96);
const V6_SITE_LOCAL: Ipv6Net = v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10);

/// Why `ip` is not a public address, or `None` when it is.
pub fn refusal(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(ip) => refusal_v4(ip),
        IpAddr::V6(ip) => refusal_v6(ip),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<Refusal> {
    V4_SPECIAL
        .iter()
        .find(|(net, _)| net.contains(&ip))
        .map(|(_, why)| *why)
}

fn refusal_v6(ip: Ipv6Addr) -> Option<Refusal> {
    // Forms that carry an IPv4 address: judged by that address (a public one stays reachable).
    if let Some(inner) = ip.to_ipv4_mapped() {
        return refusal_v4(inner);
    }
    if V6_NAT64.contains(&ip) || V6_COMPAT.contains(&ip) {
        if ip.is_loopback() {
            return Some(Refusal::Loopback);
        }
        let [.., a, b, c, d] = ip.octets();
        let inner = refusal_v4(Ipv4Addr::new(a, b, c, d));
        // IPv4-compatible addresses (::a.b.c.d) are deprecated and never routed: refuse them all.
        return inner.or_else(|| V6_COMPAT.contains(&ip).then_some(Refusal::NotPublic));
    }
    if V6_6TO4.contains(&ip) {
        let [_, _, a, b, c, d, ..] = ip.octets();
        if let Some(why) = refusal_v4(Ipv4Addr::new(a, b, c, d)) {
            return Some(why);
        }
    }
    if ip.is_unique_local() || V6_SITE_LOCAL.contains(&ip) {
        return Some(Refusal::Private);
    }
    if ip.is_unicast_link_local() {
        return Some(Refusal::LinkLocal);
    }
    if ip.is_multicast() {
        return Some(Refusal::Multicast);
    }
    if !V6_GLOBAL.contains(&ip) || V6_SPECIAL_GLOBAL.iter().any(|net| net.contains(&ip)) {
        return Some(Refusal::NotPublic);
    }
    None
}

/// Where link cards may be fetched from: public addresses only, unless private ones are allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardPolicy {
    allow_private: bool,
    /// Exact addresses (IP and port) allowed whatever their range, for IP-literal URLs only.
    trusted: Vec<SocketAddr>,
}

impl CardPolicy {
    /// Public addresses only: what the app uses unless [`LINK_CARDS_ALLOW_PRIVATE_ENV`] is `1`
    /// ([`crate::Config::card_policy`]).
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Any address, private ones included.
    pub fn allow_private() -> Self {
        Self {
            allow_private: true,
            trusted: Vec::new(),
        }
    }

    /// Also allows the one address `addr` (IP and port) when a URL names it literally, for a site
    /// the caller runs itself (the test suite's web server on loopback); names are never matched.
    pub fn trusting(mut self, addr: SocketAddr) -> Self {
        self.trusted.push(addr);
        self
    }

    /// Why connecting to `ip` is not allowed, if it is not.
    pub fn refusal(&self, ip: IpAddr) -> Option<Refusal> {
        if self.allow_private {
            return None;
        }
        refusal(ip)
    }

    /// Checks a URL before a request: http(s) only, and an IP-literal host must be allowed (a named
    /// host is checked when it is resolved, by [`GuardedResolver`]).
    pub fn check_url(&self, url: &Url) -> Result<()> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::validation(format!(
                "{} is not a web (http or https) address.",
                host_label(url)
            )));
        }
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(Host::Domain(_)) => return Ok(()),
            None => {
                return Err(Error::validation(format!(
                    "{url} has no host to fetch a preview from."
                )))
            }
        };
        let port = url.port_or_known_default().unwrap_or(80);
        if self.trusted.contains(&SocketAddr::new(ip, port)) {
            return Ok(());
        }
        match self.refusal(ip) {
            Some(why) => Err(refused(&host_label(url), why)),
            None => Ok(()),
        }
    }
}

/// The host (and port, if any) of `url`, for messages and logs: no path, no query.
pub fn host_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => url.scheme().to_owned(),
    }
}

/// The error for a card refused by the guard.
pub fn refused(host: &str, why: Refusal) -> Error {
    Error::new(
        ErrorCode::Validation,
        format!(
            "No preview for {host}: it is on {why}, and link cards are only made from public web \
             pages (set {LINK_CARDS_ALLOW_PRIVATE_ENV}=1 to allow private addresses)."
        ),
    )
}

/// A name that resolved only to refused addresses (found again in reqwest's error chain).
#[derive(Debug)]
pub struct RefusedName {
    pub why: Refusal,
}

impl fmt::Display for RefusedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the name resolves only to {}", self.why)
    }
}

impl std::error::Error for RefusedName {}

/// reqwest's resolver for card fetches: the system resolver, then only allowed addresses are kept.
#[derive(Debug)]
pub struct GuardedResolver {
    pub policy: Arc<CardPolicy>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.refusal(addr.ip()) {
                    Some(why) => {
                        first_refusal.get_or_insert(why);
                        false
                    }
                    None => true,
                })
                .collect();
            if let (true, Some(why)) = (allowed.is_empty(), first_refusal) {
                return Err(Box::new(RefusedName { why }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests;
