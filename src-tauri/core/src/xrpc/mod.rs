//! A small typed XRPC client over reqwest (rustls): `GET|POST {host}/xrpc/{nsid}`, JSON in and out,
//! errors parsed from the `{"error","message"}` body together with the HTTP status and the rate-limit
//! headers. It knows nothing about accounts; [`crate::accounts`] decides what an error means to a user.
//!
//! Only the calls Hayon makes are here, each a method with typed input and output (see `calls.rs`).

mod calls;
mod error;
mod repo;
pub mod types;

pub use error::XrpcError;

use crate::secret::Secret;
use reqwest::{header, Method, RequestBuilder};
use serde::{de::DeserializeOwned, Serialize};
use std::time::Duration;
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Shared HTTP client; cheap to clone (reqwest pools connections internally).
#[derive(Debug, Clone)]
pub struct XrpcClient {
    http: reqwest::Client,
}

impl XrpcClient {
    pub fn new() -> Result<Self, XrpcError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!(
                "Hayon/",
                env!("CARGO_PKG_VERSION"),
                " (desktop; +https://hayon.app)"
            ))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|err| XrpcError::Network {
                host: String::new(),
                detail: err.to_string(),
            })?;
        Ok(Self { http })
    }

    fn request(
        &self,
        method: Method,
        host: &Url,
        nsid: &str,
        auth: Option<&Secret>,
    ) -> Result<RequestBuilder, XrpcError> {
        let url = host
            .join(&format!("xrpc/{nsid}"))
            .map_err(|err| XrpcError::InvalidHost(err.to_string()))?;
        let mut builder = self.http.request(method, url);
        if let Some(token) = auth {
            builder = builder.bearer_auth(token.expose());
        }
        Ok(builder)
    }

    /// Sends the request and returns the successful response, or the parsed XRPC error.
    async fn send(
        &self,
        host: &Url,
        builder: RequestBuilder,
    ) -> Result<reqwest::Response, XrpcError> {
        let response = builder
            .send()
            .await
            .map_err(|err| XrpcError::network(host, &err))?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(XrpcError::from_response(response).await)
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        builder: RequestBuilder,
    ) -> Result<T, XrpcError> {
        let response = self.send(host, builder).await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|err| XrpcError::network(host, &err))?;
        serde_json::from_slice(&bytes).map_err(|err| XrpcError::Decode {
            nsid: nsid.to_owned(),
            detail: err.to_string(),
        })
    }

    /// A query (GET) with URL parameters.
    pub async fn query<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        params: &[(&str, &str)],
        auth: Option<&Secret>,
    ) -> Result<T, XrpcError> {
        let builder = self.request(Method::GET, host, nsid, auth)?.query(params);
        self.send_json(host, nsid, builder).await
    }

    /// A procedure (POST) with an optional JSON body and a JSON answer.
    pub async fn procedure<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        body: Option<&B>,
        auth: Option<&Secret>,
    ) -> Result<T, XrpcError> {
        let mut builder = self.request(Method::POST, host, nsid, auth)?;
        if let Some(body) = body {
            builder = builder.json(body);
        }
        self.send_json(host, nsid, builder).await
    }

    /// A procedure whose input is raw bytes (uploadBlob), with a JSON answer.
    pub async fn procedure_bytes<T: DeserializeOwned>(
        &self,
        host: &Url,
        nsid: &str,
        bytes: Vec<u8>,
        content_type: &str,
        auth: Option<&Secret>,
    ) -> Result<T, XrpcError> {
        let builder = self
            .request(Method::POST, host, nsid, auth)?
            .header(header::CONTENT_TYPE, content_type)
            .body(bytes);
        self.send_json(host, nsid, builder).await
    }

    /// A procedure whose success answer has no body worth reading (e.g. deleteSession, which answers
    /// 200 with an empty body and no Content-Type).
    pub async fn procedure_no_output(
        &self,
        host: &Url,
        nsid: &str,
        auth: Option<&Secret>,
    ) -> Result<(), XrpcError> {
        let builder = self
            .request(Method::POST, host, nsid, auth)?
            .header(header::CONTENT_LENGTH, 0);
        self.send(host, builder).await.map(drop)
    }
}
