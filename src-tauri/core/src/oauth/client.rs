//! Who Hayon is to the authorization server: a native public client (no secret to keep,
//! `token_endpoint_auth_method: none`) whose redirect is this computer's loopback address.
//!
//! Its `client_id` is, by default, the loopback development client (`http://localhost` with the
//! redirect and the scope in its query), which servers accept without any hosted file. A build or a
//! person may name a hosted client metadata document instead (`HAYON_OAUTH_CLIENT_ID`;
//! `packaging/oauth/client-metadata.json` is the one the maintainers publish), which lets the
//! server show Hayon's name and keep sessions as long as it allows such clients.

use super::failed;
use crate::error::Result;
use std::net::SocketAddr;
use url::Url;

/// The rights Hayon asks for. The narrowest the servers of 2026 accept for posting with images and
/// video, threadgates, postgates and reading profiles: `transition:generic` (what app passwords
/// grant), since granular permission sets need the server to resolve lexicons Hayon cannot name
/// for every server yet (protocol.md › OAuth).
pub const SCOPE: &str = "atproto transition:generic";

/// The client as it presents itself in one sign-in.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub redirect_uri: String,
}

impl Client {
    /// The client for a sign-in whose callback listens on `callback`: `hosted` when configured,
    /// otherwise the loopback development client.
    pub fn new(hosted: Option<&Url>, callback: SocketAddr) -> Self {
        let redirect_uri = format!("http://{callback}/callback");
        let client_id = match hosted {
            Some(url) => url.to_string(),
            None => {
                let mut id = Url::parse("http://localhost").expect("a constant address");
                id.query_pairs_mut()
                    .append_pair("redirect_uri", &redirect_uri)
                    .append_pair("scope", SCOPE);
                id.to_string()
            }
        };
        Self {
            client_id,
            redirect_uri,
        }
    }
}

/// A hosted client id must be an https address (the server fetches the document from it).
pub fn parse_hosted(text: &str) -> Result<Url> {
    match Url::parse(text.trim()) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(url),
        _ => Err(failed(format!(
            "HAYON_OAUTH_CLIENT_ID must be the https address of Hayon's client metadata, not {text:?}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_client_names_its_redirect_and_scope() {
        let client = Client::new(None, "127.0.0.1:4567".parse().expect("address"));
        assert_eq!(client.redirect_uri, "http://127.0.0.1:4567/callback");
        let id = Url::parse(&client.client_id).expect("url");
        assert_eq!((id.scheme(), id.host_str()), ("http", Some("localhost")));
        let pairs: Vec<(String, String)> = id.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("redirect_uri".into(), client.redirect_uri.clone()),
                ("scope".into(), SCOPE.into())
            ]
        );
    }

    #[test]
    fn the_published_client_document_matches_what_hayon_sends() {
        let document: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../packaging/oauth/client-metadata.json"
        ))
        .expect("JSON");
        let hosted = parse_hosted(document["client_id"].as_str().expect("client_id"))
            .expect("an https client_id");
        let client = Client::new(Some(&hosted), "127.0.0.1:53682".parse().expect("address"));
        assert_eq!(client.client_id, hosted.as_str());
        assert_eq!(document["scope"], SCOPE);
        assert_eq!(document["application_type"], "native");
        assert_eq!(document["token_endpoint_auth_method"], "none");
        assert_eq!(document["dpop_bound_access_tokens"], true);
        // The redirect, with its port left out (servers match a loopback redirect on any port).
        let mut redirect = Url::parse(&client.redirect_uri).expect("url");
        redirect.set_port(None).expect("a port can go");
        assert_eq!(
            document["redirect_uris"],
            serde_json::json!([redirect.as_str()])
        );
    }

    #[test]
    fn a_hosted_client_id_is_https_only() {
        let hosted = parse_hosted("https://hayon.app/oauth/client-metadata.json").expect("https");
        let client = Client::new(Some(&hosted), "127.0.0.1:80".parse().expect("address"));
        assert_eq!(
            client.client_id,
            "https://hayon.app/oauth/client-metadata.json"
        );
        assert!(parse_hosted("http://hayon.app/client.json").is_err());
        assert!(parse_hosted("hayon.app").is_err());
    }
}
