//! A STAND-IN for the Bluesky app view — not the real one, which cannot run here. It answers only
//! `app.bsky.actor.getProfile`, from profiles the test sets, and remembers the service-auth token of
//! each call. A PDS started with [`crate::pds::TestPds::start_with_app_view`] proxies app.bsky calls to
//! it exactly as bsky.social proxies them to api.bsky.app, so the client's primary profile path runs
//! through the real PDS.

use crate::web::{Reply, WebServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct StandInAppView {
    pub url: String,
    /// The DID the PDS is told the app view has; the audience of its service-auth tokens.
    pub did: String,
    profiles: Arc<Mutex<HashMap<String, Value>>>,
    tokens: Arc<Mutex<Vec<Value>>>,
}

impl StandInAppView {
    pub async fn start() -> Self {
        let profiles: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
        let tokens: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (known, seen) = (profiles.clone(), tokens.clone());
        let server = WebServer::serve(move |request| {
            let Ok(url) = url::Url::parse(&format!("http://stand-in{}", request.target)) else {
                return Reply::json("400 Bad Request", &json!({"error": "InvalidRequest"}));
            };
            if url.path() != "/xrpc/app.bsky.actor.getProfile" {
                return Reply::json(
                    "501 Not Implemented",
                    &json!({"error": "MethodNotImplemented"}),
                );
            }
            if let Some(claims) = request
                .header("authorization")
                .and_then(|value| value.strip_prefix("Bearer "))
                .and_then(crate::jwt_claims)
            {
                seen.lock().expect("tokens").push(claims);
            }
            let actor = url
                .query_pairs()
                .find(|(key, _)| key == "actor")
                .map(|(_, value)| value.into_owned())
                .unwrap_or_default();
            match known.lock().expect("profiles").get(&actor) {
                Some(profile) => Reply::json("200 OK", profile),
                None => Reply::json(
                    "400 Bad Request",
                    &json!({"error": "InvalidRequest", "message": "Profile not found"}),
                ),
            }
        })
        .await;
        Self {
            url: server.url,
            did: "did:web:stand-in-appview.test".to_owned(),
            profiles,
            tokens,
        }
    }

    /// What getProfile answers for `did` from now on.
    pub fn set_profile(&self, did: &str, profile: Value) {
        self.profiles
            .lock()
            .expect("profiles")
            .insert(did.to_owned(), profile);
    }

    /// The claims of the service-auth token of every getProfile call so far.
    pub fn token_claims(&self) -> Vec<Value> {
        self.tokens.lock().expect("tokens").clone()
    }
}
