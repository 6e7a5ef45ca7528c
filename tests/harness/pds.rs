//! The reference PDS (Bluesky's own server, npm `@atproto/pds`) with an in-memory PLC, started once per
//! test binary by `tests/pds/start-pds.mjs` on loopback. scripts/setup-test-peers.sh installs Node 22 and
//! the packages and writes their paths to `HAYON_NODE` / `HAYON_PDS_MODULES`.
//!
//! Closing the launcher's stdin stops the server; that happens when the test process exits (or when a
//! test's own [`TestPds`] is dropped).

use crate::app_view::StandInAppView;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

#[derive(Debug)]
pub struct TestPds {
    /// `http://localhost:PORT`, the PDS's public URL.
    pub url: String,
    /// `http://localhost:PORT` of its in-memory PLC directory, where its accounts' DIDs resolve.
    pub plc_url: String,
    pub jwt_secret: String,
    pub admin_password: String,
    _launcher: Mutex<Child>,
}

/// A test account made on the server, with its main password and a main-password session.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub handle: String,
    pub email: String,
    pub password: String,
    pub did: String,
    pub access_jwt: String,
}

/// A client per call: each `#[tokio::test]` has its own runtime, and a pooled connection must not
/// outlive the runtime that opened it.
fn http() -> reqwest::Client {
    crate::http_client()
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the suite with scripts/test.sh, which installs the reference PDS \
             and exports it (or source ~/.cache/hayon-dev/test-peers.env)"
        )
    })
}

/// The PDS of this test binary, started on first use. Its app view is an unreachable host.
pub fn pds() -> &'static TestPds {
    static PDS: OnceLock<TestPds> = OnceLock::new();
    PDS.get_or_init(|| TestPds::start(&[]))
}

impl TestPds {
    /// A PDS of the caller's own (stopped when dropped) that proxies app.bsky calls to `app_view`.
    pub fn start_with_app_view(app_view: &StandInAppView) -> Self {
        Self::start(&[
            ("PDS_APP_VIEW_URL", &app_view.url),
            ("PDS_APP_VIEW_DID", &app_view.did),
        ])
    }

    /// A PDS of the caller's own (stopped when dropped) whose public URL is `public_url`: accounts
    /// made on it name that address as their PDS (a fault proxy forwarding to [`TestPds::address`]).
    pub fn start_behind(public_url: &str) -> Self {
        Self::start(&[("PDS_PUBLIC_URL", public_url)])
    }

    /// The loopback socket the PDS listens on.
    pub fn address(&self) -> std::net::SocketAddr {
        let port = self
            .url
            .rsplit(':')
            .next()
            .and_then(|port| port.trim_end_matches('/').parse::<u16>().ok())
            .expect("the PDS URL ends in its port");
        std::net::SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// A PDS of the caller's own (stopped when dropped) whose session answers carry no DID document,
    /// as PDSes without `enableDidDocWithSession` answer.
    pub fn start_without_did_doc_in_sessions() -> Self {
        Self::start(&[("PDS_DID_DOC_WITH_SESSION", "0")])
    }

    fn start(env: &[(&str, &str)]) -> Self {
        let node = required_env("HAYON_NODE");
        required_env("HAYON_PDS_MODULES");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/pds/start-pds.mjs");
        let mut child = Command::new(node)
            .arg(script)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the reference PDS");
        let stdout = child.stdout.take().expect("launcher stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the launcher's first line");
        let info: Value = serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("the PDS did not start ({err}); it printed {line:?}"));
        let text = |key: &str| info[key].as_str().expect("launcher field").to_owned();
        Self {
            url: text("pdsUrl"),
            plc_url: text("plcUrl"),
            jwt_secret: text("jwtSecret"),
            admin_password: text("adminPassword"),
            _launcher: Mutex::new(child),
        }
    }

    pub fn xrpc(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.url)
    }

    /// POSTs JSON, returning the status and the JSON body (`null` when empty).
    pub async fn post(&self, nsid: &str, bearer: Option<&str>, body: &Value) -> (u16, Value) {
        let mut request = http().post(self.xrpc(nsid)).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        Self::answer(request).await
    }

    /// A POST with a bearer token and no body (session calls).
    pub async fn post_empty(&self, nsid: &str, bearer: &str) -> (u16, Value) {
        Self::answer(http().post(self.xrpc(nsid)).bearer_auth(bearer)).await
    }

    pub async fn get(
        &self,
        nsid: &str,
        bearer: Option<&str>,
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = http().get(self.xrpc(nsid)).query(query);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        Self::answer(request).await
    }

    /// The record behind an `at://` URI (its `value`), read with getRecord.
    pub async fn read_record(&self, uri: &str) -> Value {
        let parts: Vec<&str> = uri.trim_start_matches("at://").split('/').collect();
        let [repo, collection, rkey] = parts[..] else {
            panic!("not a record URI: {uri}");
        };
        let (status, body) = self
            .get(
                "com.atproto.repo.getRecord",
                None,
                &[("repo", repo), ("collection", collection), ("rkey", rkey)],
            )
            .await;
        assert_eq!(status, 200, "getRecord {uri}: {body}");
        body["value"].clone()
    }

    /// A blob's bytes as the PDS serves them (`com.atproto.sync.getBlob`).
    pub async fn blob(&self, did: &str, cid: &str) -> Vec<u8> {
        let response = http()
            .get(self.xrpc("com.atproto.sync.getBlob"))
            .query(&[("did", did), ("cid", cid)])
            .send()
            .await
            .expect("the PDS answers getBlob");
        assert_eq!(response.status().as_u16(), 200, "getBlob {did} {cid}");
        response.bytes().await.expect("blob bytes").to_vec()
    }

    /// The whole getRecord answer (`uri`, `cid`, `value`) for `repo`/`collection`/`rkey`, or `None`
    /// when there is no such record.
    pub async fn find_record(&self, repo: &str, collection: &str, rkey: &str) -> Option<Value> {
        let (status, body) = self
            .get(
                "com.atproto.repo.getRecord",
                None,
                &[("repo", repo), ("collection", collection), ("rkey", rkey)],
            )
            .await;
        match status {
            200 => Some(body),
            400 if body["error"] == "RecordNotFound" => None,
            _ => panic!("getRecord {repo}/{collection}/{rkey}: {status} {body}"),
        }
    }

    /// Every record of `collection` in `repo` (up to 100), newest first.
    pub async fn list_records(&self, repo: &str, collection: &str) -> Vec<Value> {
        let (status, listing) = self
            .get(
                "com.atproto.repo.listRecords",
                None,
                &[("repo", repo), ("collection", collection), ("limit", "100")],
            )
            .await;
        assert_eq!(status, 200, "listRecords: {listing}");
        listing["records"].as_array().cloned().unwrap_or_default()
    }

    /// The records of `did`'s posts whose text is `text`.
    pub async fn posts_with_text(&self, did: &str, text: &str) -> Vec<Value> {
        self.list_records(did, "app.bsky.feed.post")
            .await
            .into_iter()
            .filter(|record| record["value"]["text"] == text)
            .collect()
    }

    async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("the PDS answers");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Creates an account `<prefix><random>.test` with a main password.
    pub async fn create_user(&self, prefix: &str) -> TestUser {
        let name = crate::unique(prefix);
        let handle = format!("{name}.test");
        let email = format!("{name}@example.com");
        let password = format!("main-{name}-Password1");
        let (status, body) = self
            .post(
                "com.atproto.server.createAccount",
                None,
                &json!({"handle": handle, "email": email, "password": password}),
            )
            .await;
        assert_eq!(status, 200, "createAccount: {body}");
        TestUser {
            did: body["did"].as_str().expect("did").to_owned(),
            access_jwt: body["accessJwt"].as_str().expect("accessJwt").to_owned(),
            handle,
            email,
            password,
        }
    }

    /// Creates an app password named `name` and returns it (`xxxx-xxxx-xxxx-xxxx`).
    pub async fn create_app_password(&self, user: &TestUser, name: &str) -> String {
        let (status, body) = self
            .post(
                "com.atproto.server.createAppPassword",
                Some(&user.access_jwt),
                &json!({"name": name}),
            )
            .await;
        assert_eq!(status, 200, "createAppPassword: {body}");
        body["password"].as_str().expect("password").to_owned()
    }

    pub async fn revoke_app_password(&self, user: &TestUser, name: &str) {
        let (status, body) = self
            .post(
                "com.atproto.server.revokeAppPassword",
                Some(&user.access_jwt),
                &json!({"name": name}),
            )
            .await;
        assert_eq!(status, 200, "revokeAppPassword: {body}");
    }

    /// Writes the user's `app.bsky.actor.profile/self` record.
    pub async fn put_profile(&self, user: &TestUser, display_name: &str, description: &str) {
        self.put_profile_record(
            user,
            json!({
                "$type": "app.bsky.actor.profile",
                "displayName": display_name,
                "description": description,
            }),
        )
        .await;
    }

    /// Writes the user's profile record with `jpeg` uploaded as its avatar.
    pub async fn put_profile_with_avatar(
        &self,
        user: &TestUser,
        display_name: &str,
        jpeg: Vec<u8>,
    ) {
        let upload = http()
            .post(self.xrpc("com.atproto.repo.uploadBlob"))
            .bearer_auth(&user.access_jwt)
            .header("content-type", "image/jpeg")
            .body(jpeg);
        let (status, body) = Self::answer(upload).await;
        assert_eq!(status, 200, "uploadBlob: {body}");
        self.put_profile_record(
            user,
            json!({
                "$type": "app.bsky.actor.profile",
                "displayName": display_name,
                "avatar": body["blob"],
            }),
        )
        .await;
    }

    async fn put_profile_record(&self, user: &TestUser, record: Value) {
        let (status, body) = self
            .post(
                "com.atproto.repo.putRecord",
                Some(&user.access_jwt),
                &json!({"repo": user.did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": record}),
            )
            .await;
        assert_eq!(status, 200, "putRecord: {body}");
    }

    /// A copy of a real access token whose `iat`/`exp` lie in the past, signed (HS256) with the test
    /// server's JWT secret: the server accepts its signature and answers `ExpiredToken`.
    pub fn expired_copy_of(&self, access_jwt: &str) -> String {
        let header = access_jwt.split('.').next().expect("jwt header");
        let mut claims = crate::jwt_claims(access_jwt).expect("jwt claims");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        claims["iat"] = json!(now - 3 * 3600);
        claims["exp"] = json!(now - 3600);
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut mac =
            Hmac::<sha2::Sha256>::new_from_slice(self.jwt_secret.as_bytes()).expect("hmac key");
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }
}
