//! What a request carries to show whose it is. An app-password session (and a service-auth token)
//! sends its token as `Bearer`; a Sign in with Bluesky session sends `DPoP` and, with every request,
//! a proof made with the key the token is bound to ([`crate::dpop`]). Everything above the XRPC
//! client holds a [`Credential`] and does not care which.

use super::XrpcError;
use crate::dpop::DpopKey;
use crate::secret::Secret;
use reqwest::header::HeaderValue;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::sync::Arc;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Bearer(Secret),
    Dpop { token: Secret, key: Arc<DpopKey> },
}

impl Credential {
    /// The token itself (to tell whether a refresh replaced it).
    pub fn token(&self) -> &Secret {
        match self {
            Self::Bearer(token) | Self::Dpop { token, .. } => token,
        }
    }

    /// The `Authorization` header's value.
    pub(super) fn authorization(&self) -> String {
        match self {
            Self::Bearer(token) => format!("Bearer {}", token.expose()),
            Self::Dpop { token, .. } => format!("DPoP {}", token.expose()),
        }
    }

    /// The key that must sign a proof for each request, for a DPoP-bound token.
    pub(super) fn dpop_key(&self) -> Option<&DpopKey> {
        match self {
            Self::Bearer(_) => None,
            Self::Dpop { key, .. } => Some(key),
        }
    }
}

impl super::XrpcClient {
    /// Sends one request. With a DPoP credential each try carries a new proof, and a refusal for
    /// want of the server's new nonce (401 `use_dpop_nonce`, RFC 9449 › 9) is sent once more with
    /// it: the server refused it unread, so sending it again cannot do anything twice.
    pub(super) async fn send(
        &self,
        host: &Url,
        builder: RequestBuilder,
        auth: Option<&Credential>,
    ) -> Result<Response, XrpcError> {
        match auth.and_then(Credential::dpop_key) {
            None => builder
                .send()
                .await
                .map_err(|err| XrpcError::network(host, &err)),
            Some(key) => send_with_proof(host, builder, key, auth.map(Credential::token)).await,
        }
    }
}

/// [`XrpcClient::send`] for a request to a resource server (the PDS) signed with `key`.
async fn send_with_proof(
    host: &Url,
    builder: RequestBuilder,
    key: &DpopKey,
    access: Option<&Secret>,
) -> Result<Response, XrpcError> {
    let again = builder.try_clone();
    let response = send_proved(host, builder, key, access).await?;
    let new_nonce = learn_nonce(key, &response);
    match again {
        Some(again) if new_nonce && asks_for_nonce(&response) => {
            tracing::debug!(host = %host, "the server asked for its new DPoP nonce; sending again");
            let response = send_proved(host, again, key, access).await?;
            learn_nonce(key, &response);
            Ok(response)
        }
        _ => Ok(response),
    }
}

/// A resource server's refusal for want of its nonce: 401 with `WWW-Authenticate: DPoP
/// error="use_dpop_nonce"` (an authorization server says it in its JSON body: `calls.rs`).
fn asks_for_nonce(response: &Response) -> bool {
    response.status() == StatusCode::UNAUTHORIZED
        && response
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .any(|value| {
                value
                    .to_str()
                    .is_ok_and(|text| text.contains("use_dpop_nonce"))
            })
}

/// Sends the request with a new proof made with `key`.
pub(super) async fn send_proved(
    host: &Url,
    builder: RequestBuilder,
    key: &DpopKey,
    access: Option<&Secret>,
) -> Result<Response, XrpcError> {
    let (client, request) = builder.build_split();
    let mut request = request.map_err(|err| XrpcError::network(host, &err))?;
    let proof = key.proof(request.method().as_str(), request.url(), access);
    let proof =
        HeaderValue::try_from(proof).map_err(|_| XrpcError::InvalidHost(host.to_string()))?;
    request.headers_mut().insert("DPoP", proof);
    client
        .execute(request)
        .await
        .map_err(|err| XrpcError::network(host, &err))
}

/// Keeps the nonce the answer carries; true when it is a new one.
pub(super) fn learn_nonce(key: &DpopKey, response: &Response) -> bool {
    response
        .headers()
        .get("DPoP-Nonce")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|nonce| key.learn_nonce(response.url(), nonce))
}
