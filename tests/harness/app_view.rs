//! A STAND-IN for the Bluesky app view — not the real one, which cannot run here. It answers only
//! `app.bsky.actor.getProfile`, from profiles the test sets, and
//! `app.bsky.actor.searchActorsTypeahead`, from the profiles whose handle starts with `q` (in the order
//! they were set), and remembers the service-auth token of each getProfile call. A PDS started with [`crate::pds::TestPds::start_with_app_view`] proxies app.bsky calls to
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
    profiles: Arc<Mutex<Profiles>>,
    tokens: Arc<Mutex<Vec<Value>>>,
}

/// The profiles set, by DID and in the order they were set (the typeahead's answer order).
#[derive(Debug, Default)]
struct Profiles {
    by_did: HashMap<String, Value>,
    order: Vec<Value>,
}

impl StandInAppView {
    pub async fn start() -> Self {
        let profiles: Arc<Mutex<Profiles>> = Arc::default();
        let tokens: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (known, seen) = (profiles.clone(), tokens.clone());
        let server = WebServer::serve(move |request| {
            let Ok(url) = url::Url::parse(&format!("http://stand-in{}", request.target)) else {
                return Reply::json("400 Bad Request", &json!({"error": "InvalidRequest"}));
            };
            if url.path() == "/xrpc/app.bsky.actor.searchActorsTypeahead" {
                let q = url
                    .query_pairs()
                    .find(|(key, _)| key == "q")
                    .map(|(_, value)| value.to_lowercase())
                    .unwrap_or_default();
                let actors: Vec<Value> = known
                    .lock()
                    .expect("profiles")
                    .order
                    .iter()
                    .filter(|profile| {
                        profile["handle"]
                            .as_str()
                            .is_some_and(|handle| handle.starts_with(&q))
                    })
                    .cloned()
                    .collect();
                return Reply::json("200 OK", &json!({ "actors": actors }));
            }
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
            match known.lock().expect("profiles").by_did.get(&actor) {
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

    /// What getProfile answers for `did` from now on (and, when it has a `handle`, what the typeahead
    /// finds by it).
    pub fn set_profile(&self, did: &str, profile: Value) {
        let mut profiles = self.profiles.lock().expect("profiles");
        profiles
            .order
            .retain(|known| known["did"].as_str() != Some(did));
        let mut listed = profile.clone();
        listed["did"] = json!(did);
        profiles.order.push(listed);
        profiles.by_did.insert(did.to_owned(), profile);
    }

    /// The claims of the service-auth token of every getProfile call so far.
    pub fn token_claims(&self) -> Vec<Value> {
        self.tokens.lock().expect("tokens").clone()
    }
}
