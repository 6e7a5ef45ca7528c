//! Bounded fetching of a page and of its preview image.

use super::{LinkCard, PageMetadata};
use crate::error::{Error, ErrorCode, Result};
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
}

impl CardFetcher {
    pub fn new() -> Result<Self> {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "Hayon/",
                env!("CARGO_PKG_VERSION"),
                " (link preview)"
            ))
            .timeout(PAGE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|err| {
                Error::new(ErrorCode::Network, format!("could not set up HTTP: {err}"))
            })?;
        Ok(Self { http })
    }
}

/// Fetches `uri` and reads its card. Errors say why no card could be made (the composer shows it;
/// posting simply goes on without a card).
pub async fn fetch_card(fetcher: &CardFetcher, uri: &str) -> Result<LinkCard> {
    let response = get(fetcher, uri, "text/html,application/xhtml+xml").await?;
    let final_url = response.url().clone();
    let is_html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.contains("html"));
    if !is_html {
        return Err(unavailable(uri, "it is not a web page"));
    }
    let body = read_limited(response, MAX_PAGE_BYTES, true).await?;
    let html = String::from_utf8_lossy(&body);
    let meta = PageMetadata::parse(&html, &final_url);
    Ok(LinkCard {
        uri: uri.to_owned(),
        title: meta
            .title
            .unwrap_or_else(|| final_url.host_str().unwrap_or(uri).to_owned()),
        description: meta.description.unwrap_or_default(),
        image_url: meta.image_url,
    })
}

/// Downloads a card image (bounded); the caller prepares it like any other image.
pub async fn fetch_image(fetcher: &CardFetcher, uri: &str) -> Result<Vec<u8>> {
    let response = get(fetcher, uri, "image/*").await?;
    read_limited(response, MAX_IMAGE_BYTES, false).await
}

/// A GET of an http(s) URL that answered with a success status.
async fn get(fetcher: &CardFetcher, uri: &str, accept: &str) -> Result<reqwest::Response> {
    let response = fetcher
        .http
        .get(http_url(uri)?)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .await
        .map_err(|err| unavailable(uri, &err.without_url().to_string()))?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        return Err(unavailable(uri, &format!("HTTP {status}")));
    }
    Ok(response)
}

fn http_url(uri: &str) -> Result<Url> {
    Url::parse(uri)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| Error::validation(format!("{uri} is not a web (http or https) address.")))
}

/// Reads at most `limit` bytes. A page may be cut (its `<head>` comes first); an image may not.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    truncate: bool,
) -> Result<Vec<u8>> {
    let uri = response.url().to_string();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| unavailable(&uri, &err.without_url().to_string()))?
    {
        let room = limit.saturating_sub(body.len());
        if chunk.len() > room {
            if truncate {
                body.extend_from_slice(&chunk[..room]);
                return Ok(body);
            }
            return Err(unavailable(&uri, "the image is too large to download"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn unavailable(uri: &str, why: &str) -> Error {
    Error::new(ErrorCode::Network, format!("No preview for {uri}: {why}."))
}
