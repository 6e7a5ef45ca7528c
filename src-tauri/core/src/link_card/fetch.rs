//! Bounded, guarded fetching of a page and of its preview image.
//!
//! Redirects are followed here, one hop at a time, so that every hop's URL goes through
//! [`CardPolicy::check_url`] and every named host through the [`GuardedResolver`]; no proxy is used,
//! because a proxy would connect on our behalf to addresses the guard never sees.

use super::guard::{self, CardPolicy, GuardedResolver, RefusedName};
use super::{LinkCard, PageMetadata};
use crate::error::{Error, ErrorCode, Result};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

const PAGE_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// The image is prepared (scaled, re-encoded) afterwards; this only bounds the download.
const MAX_IMAGE_BYTES: usize = 15 * 1024 * 1024;
const MAX_REDIRECTS: usize = 5;

/// An HTTP client configured for other people's web pages (not for XRPC).
#[derive(Debug, Clone)]
pub struct CardFetcher {
    http: reqwest::Client,
    policy: Arc<CardPolicy>,
}

impl CardFetcher {
    pub fn new(policy: CardPolicy) -> Result<Self> {
        let policy = Arc::new(policy);
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "Hayon/",
                env!("CARGO_PKG_VERSION"),
                " (link preview)"
            ))
            .timeout(PAGE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .build()
            .map_err(|err| {
                Error::new(ErrorCode::Network, format!("could not set up HTTP: {err}"))
            })?;
        Ok(Self { http, policy })
    }
}

/// Fetches `uri` and reads its card, and the absolute URL of its preview image if it names one.
pub(super) async fn fetch_page(
    fetcher: &CardFetcher,
    uri: &str,
) -> Result<(LinkCard, Option<String>)> {
    let response = get(fetcher, uri, "text/html,application/xhtml+xml").await?;
    let final_url = response.url().clone();
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.contains("html"));
    if !is_html {
        return Err(unavailable(&final_url, "it is not a web page"));
    }
    let body = read_limited(response, MAX_PAGE_BYTES, true).await?;
    // Reading 2 MB is CPU work: on a blocking thread, not one of the async workers.
    let page_url = final_url.clone();
    let meta = tokio::task::spawn_blocking(move || {
        PageMetadata::parse(&String::from_utf8_lossy(&body), &page_url)
    })
    .await
    .map_err(|err| Error::internal("reading a link preview's page", &err))?;
    let title = meta
        .title
        .unwrap_or_else(|| final_url.host_str().unwrap_or(uri).to_owned());
    let card = LinkCard::new(uri, &title, &meta.description.unwrap_or_default());
    Ok((card, meta.image_url))
}

/// Downloads a card image (bounded); the caller prepares it like any other image.
pub(super) async fn fetch_image(fetcher: &CardFetcher, uri: &str) -> Result<Vec<u8>> {
    let response = get(fetcher, uri, "image/*").await?;
    read_limited(response, MAX_IMAGE_BYTES, false).await
}

/// A GET of an http(s) URL, following at most [`MAX_REDIRECTS`] redirects, each one checked,
/// that answered with a success status.
async fn get(fetcher: &CardFetcher, uri: &str, accept: &str) -> Result<reqwest::Response> {
    let mut url = Url::parse(uri)
        .map_err(|_| Error::validation(format!("{uri} is not a web (http or https) address.")))?;
    for _ in 0..=MAX_REDIRECTS {
        fetcher.policy.check_url(&url)?;
        let response = fetcher
            .http
            .get(url.clone())
            .header(ACCEPT, accept)
            .send()
            .await
            .map_err(|err| send_error(&url, &err))?;
        let status = response.status();
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            let next = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or_else(|| unavailable(&url, "it redirects nowhere"))?;
            url = next;
            continue;
        }
        if !status.is_success() {
            return Err(unavailable(&url, &format!("HTTP {}", status.as_u16())));
        }
        return Ok(response);
    }
    Err(unavailable(&url, "it redirects too many times"))
}

/// A request that failed: refused by the resolver, or a network error.
fn send_error(url: &Url, err: &reqwest::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RefusedName>() {
            return guard::refused(&guard::host_label(url), refused.why);
        }
        source = cause.source();
    }
    if err.is_timeout() {
        return unavailable(url, "it took too long to answer");
    }
    // The innermost cause ("Connection refused", a TLS failure) says the most and holds no URL.
    let Some(mut innermost) = std::error::Error::source(err) else {
        return unavailable(url, "it could not be reached");
    };
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    unavailable(url, &format!("it could not be reached ({innermost})"))
}

/// Reads at most `limit` bytes. A page may be cut (its `<head>` comes first); an image may not.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Vec<u8>> {
    let url = response.url().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| send_error(&url, &err))?
    {
        let room = limit.saturating_sub(body.len());
        if chunk.len() > room {
            if truncate {
                body.extend_from_slice(&chunk[..room]);
                return Ok(body);
            }
            return Err(unavailable(&url, "the image is too large to download"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Names the host only: paths and queries may hold private tokens and end up in the log.
fn unavailable(url: &Url, why: &str) -> Error {
    Error::new(
        ErrorCode::Network,
        format!("No preview for {}: {why}.", guard::host_label(url)),
    )
}
