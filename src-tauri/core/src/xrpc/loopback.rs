//! Plain `http://` requests, which [`super::check_transport`] allows only to this computer, go out
//! on a client of their own: without any proxy (`HTTP_PROXY`, `ALL_PROXY`…), since a proxy would
//! carry the sign-in in clear text off the machine, and with a resolver that keeps only loopback
//! addresses, since a name (`localhost`, `*.localhost`) is only a claim: what it resolves to decides.
//! Addresses written as numbers are checked by `check_transport` and never resolved.

use std::net::{IpAddr, SocketAddr};

/// The system resolver, keeping only loopback addresses; a name with none is refused.
#[derive(Debug)]
pub(super) struct LoopbackResolver;

impl reqwest::dns::Resolve for LoopbackResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let loopback: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|addr| is_loopback(addr.ip()))
                .collect();
            if loopback.is_empty() {
                return Err(Box::new(NotLoopback) as Box<_>);
            }
            Ok(Box::new(loopback.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// 127.0.0.0/8, `::1`, and `::ffff:127.x.y.z`.
pub(super) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => ip
            .to_ipv4_mapped()
            .map_or(ip.is_loopback(), |v4| v4.is_loopback()),
    }
}

/// A plain-http name that resolved to no loopback address (found in reqwest's error chain).
#[derive(Debug)]
struct NotLoopback;

impl std::fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the name does not resolve to this computer, and http:// is accepted only for this \
             computer; use https://",
        )
    }
}

impl std::error::Error for NotLoopback {}
