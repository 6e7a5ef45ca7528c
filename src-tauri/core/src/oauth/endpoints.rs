//! The authorization server's endpoints Hayon calls, each a form POST signed with the account's
//! DPoP key: pushed authorization (PAR, RFC 9126, with PKCE S256), the token endpoint (the code,
//! then refreshes) and revocation (RFC 7009).

use super::client::{Client, SCOPE};
use super::failed;
use super::metadata::ServerMetadata;
use crate::dpop::DpopKey;
use crate::error::Result;
use crate::secret::Secret;
use crate::xrpc::XrpcClient;
use serde::Deserialize;
use url::Url;

/// What the token endpoint gives.
#[derive(Debug, Deserialize)]
pub struct TokenAnswer {
    pub access_token: Secret,
    pub refresh_token: Secret,
    pub token_type: String,
    pub scope: String,
    /// The account (DID) the tokens are for.
    pub sub: String,
}

#[derive(Debug, Default, Deserialize)]
struct OAuthRefusal {
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct ParAnswer {
    request_uri: String,
}

/// How an endpoint's answer ended, when it was not a success.
#[derive(Debug)]
pub enum Refused {
    /// The server said no: `error` (e.g. `invalid_grant`) and its description.
    Said(String, String),
    /// No usable answer: the request may or may not have been carried out.
    Unknown(crate::xrpc::XrpcError),
}

impl Refused {
    pub fn describe(&self) -> String {
        match self {
            Self::Said(error, description) if description.is_empty() => error.clone(),
            Self::Said(error, description) => format!("{error}: {description}"),
            Self::Unknown(err) => err.to_string(),
        }
    }
}

/// Pushes the authorization request; the URL to open in the browser.
pub async fn push_authorization(
    xrpc: &XrpcClient,
    server: &ServerMetadata,
    client: &Client,
    key: &DpopKey,
    pkce_challenge: &str,
    state: &str,
    login_hint: Option<&str>,
) -> Result<Url> {
    let mut form = vec![
        ("client_id", client.client_id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("scope", SCOPE),
        ("state", state),
        ("code_challenge", pkce_challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(hint) = login_hint {
        form.push(("login_hint", hint));
    }
    let answer: ParAnswer = post(
        xrpc,
        &server.pushed_authorization_request_endpoint,
        &form,
        key,
    )
    .await
    .map_err(|refused| {
        failed(format!(
            "The sign-in server refused to start signing in ({}).",
            refused.describe()
        ))
    })?;
    let mut url = server.authorization_endpoint.clone();
    url.query_pairs_mut()
        .append_pair("client_id", &client.client_id)
        .append_pair("request_uri", &answer.request_uri);
    Ok(url)
}

/// The code the browser brought, exchanged for tokens.
pub async fn redeem_code(
    xrpc: &XrpcClient,
    server: &ServerMetadata,
    client: &Client,
    key: &DpopKey,
    code: &str,
    pkce_verifier: &Secret,
) -> std::result::Result<TokenAnswer, Refused> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", client.redirect_uri.as_str()),
        ("code_verifier", pkce_verifier.expose()),
        ("client_id", client.client_id.as_str()),
    ];
    post(xrpc, &server.token_endpoint, &form, key).await
}

/// A new token pair for the (single-use) refresh token.
pub async fn refresh(
    xrpc: &XrpcClient,
    server: &ServerMetadata,
    client_id: &str,
    key: &DpopKey,
    refresh_token: &Secret,
) -> std::result::Result<TokenAnswer, Refused> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id),
    ];
    post(xrpc, &server.token_endpoint, &form, key).await
}

/// Revokes the session behind `refresh_token` (the server ends the whole session, access token
/// included). True when the server confirmed it.
pub async fn revoke(
    xrpc: &XrpcClient,
    server: &ServerMetadata,
    client_id: &str,
    key: &DpopKey,
    refresh_token: &Secret,
) -> std::result::Result<(), Refused> {
    let Some(endpoint) = &server.revocation_endpoint else {
        return Err(Refused::Said(
            "unsupported".into(),
            "the server has no revocation endpoint".into(),
        ));
    };
    let form = [
        ("token", refresh_token.expose()),
        ("token_type_hint", "refresh_token"),
        ("client_id", client_id),
    ];
    match xrpc.post_form(endpoint, &form, key).await {
        Ok((status, _)) if (200..300).contains(&status) => Ok(()),
        Ok((_, body)) => Err(refusal(&body)),
        Err(err) => Err(Refused::Unknown(err)),
    }
}

async fn post<T: serde::de::DeserializeOwned>(
    xrpc: &XrpcClient,
    endpoint: &Url,
    form: &[(&str, &str)],
    key: &DpopKey,
) -> std::result::Result<T, Refused> {
    let (status, body) = xrpc
        .post_form(endpoint, form, key)
        .await
        .map_err(Refused::Unknown)?;
    if status == 429 || status >= 500 {
        // Server trouble, not a verdict on the request: what it did is unknown.
        let refusal: OAuthRefusal = serde_json::from_slice(&body).unwrap_or_default();
        return Err(Refused::Unknown(crate::xrpc::XrpcError::Api {
            status,
            error: refusal.error,
            message: refusal.error_description,
            retry_after: None,
        }));
    }
    if !(200..300).contains(&status) {
        return Err(refusal(&body));
    }
    serde_json::from_slice(&body).map_err(|err| {
        Refused::Said(
            "invalid_answer".into(),
            format!("the server's answer is not what OAuth says ({err})"),
        )
    })
}

fn refusal(body: &[u8]) -> Refused {
    let refusal: OAuthRefusal = serde_json::from_slice(body).unwrap_or_default();
    Refused::Said(
        refusal.error.unwrap_or_else(|| "refused".into()),
        refusal.error_description.unwrap_or_default(),
    )
}
