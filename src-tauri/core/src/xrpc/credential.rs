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
    /// Sends one request. With a DPoP credential each try carries a new proof, and a refusal that
    /// comes with a new server nonce (`use_dpop_nonce`, RFC 9449 › 8 and 9) is sent once more with
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

/// [`XrpcClient::send`] for a request signed with `key`: also the OAuth endpoints' path, whose
/// proofs carry no access token (`access: None`).
pub(crate) async fn send_with_proof(
    host: &Url,
    builder: RequestBuilder,
    key: &DpopKey,
    access: Option<&Secret>,
) -> Result<Response, XrpcError> {
    let again = builder.try_clone();
    let response = send_proved(host, builder, key, access).await?;
    let new_nonce = learn_nonce(key, &response);
    match again {
        Some(again)
            if new_nonce
                && matches!(
                    response.status(),
                    StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED
                ) =>
        {
            tracing::debug!(host = %host, "the server asked for its new DPoP nonce; sending again");
            let response = send_proved(host, again, key, access).await?;
            learn_nonce(key, &response);
            Ok(response)
        }
        _ => Ok(response),
    }
}

async fn send_proved(
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
fn learn_nonce(key: &DpopKey, response: &Response) -> bool {
    response
        .headers()
        .get("DPoP-Nonce")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|nonce| key.learn_nonce(response.url(), nonce))
}
