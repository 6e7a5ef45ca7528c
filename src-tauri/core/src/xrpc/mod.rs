//! A small typed XRPC client over reqwest (rustls): `GET|POST {host}/xrpc/{nsid}`, JSON in and out,
//! errors parsed from the `{"error","message"}` body together with the HTTP status and the rate-limit
//! headers. It knows nothing about accounts; [`crate::accounts`] decides what an error means to a user.
//!
//! Only the calls Hayon makes are here, each a method with typed input and output (see `calls.rs`).
//!
//! Every request goes through [`XrpcClient::request`], which refuses plain `http://` to other machines
//! ([`check_transport`]) and sends plain `http://` without a proxy, to loopback addresses only
//! (`loopback.rs`); redirects are never followed; answers are read up to a size limit and within a
//! timeout (`transport.rs`); failed requests are sent again only when that is safe (`retry.rs`).

mod calls;
mod credential;
mod error;
mod loopback;
pub mod repo;
mod retry;
mod transport;
pub mod types;
pub mod video;

#[cfg(test)]
mod tests;

pub use credential::Credential;
pub use error::XrpcError;
pub use transport::{check_transport, DEFAULT_TIMEOUT};

use reqwest::{header, redirect, Method, RequestBuilder};
use retry::Repeat;
use serde::{de::DeserializeOwned, Serialize};
use std::time::{Duration, Instant};
use transport::{read_capped, Body, JSON_ANSWER_LIMIT};
use url::Url;

/// Shared HTTP client; cheap to clone (reqwest pools connections internally).
#[derive(Debug, Clone)]
pub struct XrpcClient {
    /// For `https://`, through the system's proxy when one is set.
    http: reqwest::Client,
    /// For plain `http://` to this computer: no proxy, loopback addresses only (`loopback.rs`).
    local: reqwest::Client,
    /// The time one request may take ([`crate::Config::http_timeout`]); uploads get more.
    timeout: Duration,
}

impl XrpcClient {
    /// A client whose requests may each take `timeout` (uploads get more for their size).
    pub fn new(timeout: Duration) -> Result<Self, XrpcError> {
        crate::tls::install_crypto_provider();
        let http = Self::builder().build().map_err(Self::setup_failed)?;
        let local = Self::builder()
            .no_proxy()
            .dns_resolver(std::sync::Arc::new(loopback::LoopbackResolver))
            .build()
            .map_err(Self::setup_failed)?;
        Ok(Self {
            http,
            local,
            timeout,
        })
    }

    fn builder() -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .user_agent(concat!(
                "Hayon/",
                env!("CARGO_PKG_VERSION"),
                " (desktop; +https://hayon.app)"
            ))
            .connect_timeout(transport::CONNECT_TIMEOUT)
            // A redirect would re-send the request (password or token included) elsewhere.
            .redirect(redirect::Policy::none())
    }

    /// The client for `url` (already through [`check_transport`]).
    fn client_for(&self, url: &Url) -> &reqwest::Client {
        if url.scheme() == "http" {
            &self.local
        } else {
            &self.http
        }
    }

    fn setup_failed(err: reqwest::Error) -> XrpcError {
        XrpcError::Network {
            host: String::new(),
            detail: err.to_string(),
            maybe_delivered: false,
        }
    }

    /// The request to `{host}/xrpc/{nsid}`, after checking that the address may carry a sign-in.
    fn request(
        &self,
        method: Method,
        host: &Url,
        nsid: &str,
        auth: Option<&Credential>,
    ) -> Result<RequestBuilder, XrpcError> {
        check_transport(host)?;
        let url = host
            .join(&format!("xrpc/{nsid}"))
            .map_err(|err| XrpcError::InvalidHost(err.to_string()))?;
        let mut builder = self
            .client_for(&url)
            .request(method, url)
            .timeout(self.timeout);
        if let Some(credential) = auth {
            let mut value = header::HeaderValue::try_from(credential.authorization())
                .map_err(|_| XrpcError::InvalidHost("the saved sign-in is unusable".into()))?;
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        Ok(builder)
    }

    /// Sends the request (again, as [`retry`] allows) and returns the body of the success answer, read
    /// up to `limit` bytes; otherwise the parsed XRPC error.
    async fn fetch(
        &self,
        host: &Url,
        nsid: &str,
        builder: RequestBuilder,
        auth: Option<&Credential>,
        repeat: Repeat,
        limit: u64,
    ) -> Result<Vec<u8>, XrpcError> {
        let started = Instant::now();
        let mut failed = 0;
        loop {
            // Bodies here are bytes, never streams, so a request can always be copied.
            let Some(this_try) = builder.try_clone() else {
                return self.fetch_once(host, nsid, builder, auth, limit).await;
            };
            let err = match self.fetch_once(host, nsid, this_try, auth, limit).await {
                Ok(body) => return Ok(body),
                Err(err) => err,
            };
            failed += 1;
            let Some(wait) = retry::next_wait(&err, repeat, failed, started.elapsed()) else {
                return Err(err);
            };
            tracing::info!(nsid, error = %err, ?wait, "XRPC request failed; trying again");
            tokio::time::sleep(wait).await;
        }
    }

    async fn fetch_once(
        &self,
        host: &Url,
        nsid: &str,
        builder: RequestBuilder,
        auth: Option<&Credential>,
        limit: u64,
    ) -> Result<Vec<u8>, XrpcError> {
        let response = self.send(host, builder, auth).await?;
        Self::answer(host, nsid, response, limit).await
    }

    /// The body of a success answer, read up to `limit` bytes; otherwise the parsed XRPC error.
    async fn answer(
        host: &Url,
        nsid: &str,
        response: reqwest::Response,
        limit: u64,
    ) -> Result<Vec<u8>, XrpcError> {
        if !response.status().is_success() {
            return Err(XrpcError::from_response(response).await);
        }
        read_body(host, nsid, response, limit).await
    }

    async fn fetch_json<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        builder: RequestBuilder,
        auth: Option<&Credential>,
        repeat: Repeat,
    ) -> Result<T, XrpcError> {
        let bytes = self
            .fetch(host, nsid, builder, auth, repeat, JSON_ANSWER_LIMIT)
            .await?;
        Self::decode(nsid, &bytes)
    }

    /// A JSON answer of `nsid` as the lexicon's type.
    fn decode<T: DeserializeOwned>(nsid: &str, bytes: &[u8]) -> Result<T, XrpcError> {
        serde_json::from_slice(bytes).map_err(|err| XrpcError::Decode {
            nsid: nsid.to_owned(),
            detail: err.to_string(),
        })
    }

    /// A query (GET) with URL parameters. Queries change nothing, so they are repeated on failure.
    pub async fn query<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        params: &[(&str, &str)],
        auth: Option<&Credential>,
    ) -> Result<T, XrpcError> {
        let builder = self.request(Method::GET, host, nsid, auth)?.query(params);
        self.fetch_json(host, nsid, builder, auth, Repeat::Safe)
            .await
    }

    /// A procedure (POST) with an optional JSON body and a JSON answer. Never repeated after a failure
    /// that may have reached the server: the caller decides what to do about an unknown outcome.
    pub async fn procedure<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        body: Option<&B>,
        auth: Option<&Credential>,
    ) -> Result<T, XrpcError> {
        let mut builder = self.request(Method::POST, host, nsid, auth)?;
        if let Some(body) = body {
            builder = builder.json(body);
        }
        self.fetch_json(host, nsid, builder, auth, Repeat::OnlyWhenRateLimited)
            .await
    }

    /// A procedure whose input is raw bytes and whose effect does not depend on how often it is sent
    /// (uploadBlob stores a blob under its content's hash), with a JSON answer. Its timeout grows with
    /// the size of the body.
    pub async fn idempotent_upload<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        bytes: Vec<u8>,
        content_type: &str,
        auth: Option<&Credential>,
    ) -> Result<T, XrpcError> {
        let timeout = transport::upload_timeout(self.timeout, bytes.len());
        let builder = self
            .request(Method::POST, host, nsid, auth)?
            .timeout(timeout)
            .header(header::CONTENT_TYPE, content_type)
            .body(bytes);
        self.fetch_json(host, nsid, builder, auth, Repeat::Safe)
            .await
    }

    /// A procedure whose success answer has no body worth reading (e.g. deleteSession, which answers
    /// 200 with an empty body and no Content-Type).
    pub async fn procedure_no_output(
        &self,
        host: &Url,
        nsid: &str,
        auth: Option<&Credential>,
    ) -> Result<(), XrpcError> {
        let builder = self
            .request(Method::POST, host, nsid, auth)?
            .header(header::CONTENT_LENGTH, 0);
        match self
            .fetch(
                host,
                nsid,
                builder,
                auth,
                Repeat::OnlyWhenRateLimited,
                transport::ERROR_ANSWER_LIMIT,
            )
            .await
        {
            // Done is done, whatever the server chose to say about it.
            Ok(_) | Err(XrpcError::TooLarge { .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// The body of an answer of `nsid` from `host`, read up to `limit` bytes.
async fn read_body(
    host: &Url,
    nsid: &str,
    response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, XrpcError> {
    match read_capped(response, limit).await {
        Ok(Body::Complete(bytes)) => Ok(bytes),
        Ok(Body::TooLarge) => Err(XrpcError::TooLarge {
            nsid: nsid.to_owned(),
            limit,
        }),
        Err(err) => Err(XrpcError::network(host, &err)),
    }
}
