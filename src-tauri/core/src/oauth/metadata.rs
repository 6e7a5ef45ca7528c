//! Where an account signs in: its PDS names its authorization server
//! (`/.well-known/oauth-protected-resource`, RFC 9728), whose metadata (RFC 8414) gives the
//! endpoints. The metadata's `issuer` must be the very server the PDS named, or another server
//! could pose as it; every endpoint must be https (or plain http on this computer).

use super::failed;
use crate::error::Result;
use crate::xrpc::{check_transport, XrpcClient};
use serde::Deserialize;
use url::Url;

/// The authorization server's metadata, as far as Hayon uses it.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerMetadata {
    pub issuer: String,
    #[serde(deserialize_with = "address")]
    pub authorization_endpoint: Url,
    #[serde(deserialize_with = "address")]
    pub token_endpoint: Url,
    #[serde(deserialize_with = "address")]
    pub pushed_authorization_request_endpoint: Url,
    #[serde(default, deserialize_with = "optional_address")]
    pub revocation_endpoint: Option<Url>,
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
}

fn address<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let text = String::deserialize(deserializer)?;
    Url::parse(&text).map_err(serde::de::Error::custom)
}

fn optional_address<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Url>, D::Error> {
    address(deserializer).map(Some)
}

#[derive(Deserialize)]
struct ProtectedResource {
    #[serde(default)]
    authorization_servers: Vec<String>,
}

impl ServerMetadata {
    /// The authorization server of the account on `pds`.
    pub async fn of_pds(xrpc: &XrpcClient, pds: &Url) -> Result<Self> {
        let url = well_known(pds, "oauth-protected-resource")?;
        let resource: ProtectedResource = xrpc
            .get_document(&url, "the server's sign-in settings")
            .await
            .map_err(|err| {
                passing(&err).unwrap_or_else(|| {
                    failed(format!(
                    "{} does not offer Sign in with Bluesky ({err}). Connect with an app password \
                     instead.",
                    host(pds)
                ))
                })
            })?;
        let issuer = resource.authorization_servers.first().ok_or_else(|| {
            failed(format!(
                "{} names no sign-in server. Connect with an app password instead.",
                host(pds)
            ))
        })?;
        Self::of_issuer(xrpc, issuer).await
    }

    /// The metadata of the authorization server `issuer`, checked to be its own.
    pub async fn of_issuer(xrpc: &XrpcClient, issuer: &str) -> Result<Self> {
        let base = Url::parse(issuer).map_err(|_| {
            failed(format!(
                "The sign-in server's address {issuer:?} is not usable."
            ))
        })?;
        let url = well_known(&base, "oauth-authorization-server")?;
        let metadata: ServerMetadata = xrpc
            .get_document(&url, "the sign-in server's settings")
            .await
            .map_err(|err| {
                passing(&err).unwrap_or_else(|| {
                    failed(format!(
                        "Couldn't read the sign-in server's settings ({err})."
                    ))
                })
            })?;
        metadata.checked(issuer)
    }

    fn checked(self, issuer: &str) -> Result<Self> {
        if self.issuer != issuer {
            return Err(failed(format!(
                "The sign-in server at {issuer} calls itself {}; Hayon stopped, as another server \
                 may be posing as it.",
                self.issuer
            )));
        }
        // The browser is sent to the authorization page: it must be the issuer's own, or metadata
        // from anywhere could send the person to any page.
        let own = Url::parse(issuer).map(|url| url.origin());
        if own.as_ref().ok() != Some(&self.authorization_endpoint.origin()) {
            return Err(failed(format!(
                "The sign-in server at {issuer} sends the browser to another address ({}); Hayon \
                 stopped.",
                self.authorization_endpoint
                    .host_str()
                    .unwrap_or("an unknown host")
            )));
        }
        for endpoint in [
            &self.authorization_endpoint,
            &self.token_endpoint,
            &self.pushed_authorization_request_endpoint,
        ]
        .into_iter()
        .chain(self.revocation_endpoint.as_ref())
        {
            check_transport(endpoint).map_err(|err| failed(err.to_string()))?;
        }
        if !self
            .dpop_signing_alg_values_supported
            .iter()
            .any(|alg| alg == "ES256")
        {
            return Err(failed(
                "The sign-in server does not accept the keys Hayon signs with (ES256). Connect \
                 with an app password instead.",
            ));
        }
        Ok(self)
    }
}

/// The error of a failure that passes by itself (offline, server trouble, rate limits) as any call
/// says it, rather than as a refused sign-in: a refresh that meets it keeps the session.
fn passing(err: &crate::xrpc::XrpcError) -> Option<crate::error::Error> {
    let error = crate::accounts::describe_xrpc_error(err);
    crate::publish::PASSES_BY_ITSELF
        .contains(&error.code)
        .then_some(error)
}

fn well_known(base: &Url, name: &str) -> Result<Url> {
    check_transport(base).map_err(|err| failed(err.to_string()))?;
    base.join(&format!("/.well-known/{name}"))
        .map_err(|err| failed(format!("The server address is not usable ({err}).")))
}

fn host(url: &Url) -> String {
    url.host_str().unwrap_or("The server").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(issuer: &str, token: &str) -> ServerMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oauth/authorize"),
            "token_endpoint": token,
            "pushed_authorization_request_endpoint": format!("{issuer}/oauth/par"),
            "revocation_endpoint": format!("{issuer}/oauth/revoke"),
            "dpop_signing_alg_values_supported": ["RS256", "ES256"],
        }))
        .expect("metadata")
    }

    #[test]
    fn the_issuer_must_be_the_server_that_was_asked() {
        let good = metadata("https://as.example", "https://as.example/oauth/token");
        assert!(good.clone().checked("https://as.example").is_ok());
        let err = good.checked("https://other.example").expect_err("refused");
        assert!(err.message.contains("posing"), "{}", err.message);
    }

    #[test]
    fn the_browser_goes_only_to_the_issuers_own_page() {
        let mut elsewhere = metadata("https://as.example", "https://as.example/oauth/token");
        elsewhere.authorization_endpoint =
            Url::parse("https://phish.example/oauth/authorize").expect("url");
        let err = elsewhere
            .checked("https://as.example")
            .expect_err("refused");
        assert!(err.message.contains("phish.example"), "{}", err.message);
    }

    #[test]
    fn endpoints_must_not_send_codes_in_clear_text() {
        let bad = metadata("https://as.example", "http://as.example/oauth/token");
        let err = bad.checked("https://as.example").expect_err("refused");
        assert!(err.message.contains("https"), "{}", err.message);
        let local = metadata("http://localhost:2583", "http://localhost:2583/oauth/token");
        assert!(local.checked("http://localhost:2583").is_ok());
    }
}
