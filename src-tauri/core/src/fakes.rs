//! Fakes for the core's fast unit tests (compiled only under `cargo test`): [`FakeTokenStore`], tokens
//! in memory instead of the OS keychain, and [`FakeServer`], a scripted HTTP/1.1 server on loopback
//! that answers each connection with the next canned answer, in place of a PDS. The XRPC client talks
//! to it over real HTTP, so the code under test is the shipped code; the real keychain and the
//! reference PDS are exercised by the integration suites (`tests/`). [`core_with_account`] puts the
//! two together: a core whose one connected account lives on a fake server.

use crate::account::{Account, Health};
use crate::config::Config;
use crate::context::Core;
use crate::error::Result;
use crate::keychain::{TokenStore, Tokens};
use crate::link_card::CardPolicy;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// Tokens in a map, one entry per DID, as the keychain keeps them.
#[derive(Debug, Default)]
pub struct FakeTokenStore {
    entries: Mutex<HashMap<String, Tokens>>,
}

impl FakeTokenStore {
    /// What is stored for `did` now.
    pub fn get(&self, did: &str) -> Option<Tokens> {
        self.map().get(did).cloned()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Tokens>> {
        self.entries.lock().expect("fake token store")
    }
}

impl TokenStore for FakeTokenStore {
    fn load(&self, did: &str) -> Result<Option<Tokens>> {
        Ok(self.get(did))
    }

    fn save(&self, did: &str, tokens: &Tokens) -> Result<()> {
        self.map().insert(did.to_owned(), tokens.clone());
        Ok(())
    }

    fn delete(&self, did: &str) -> Result<()> {
        self.map().remove(did);
        Ok(())
    }
}

pub enum Answer {
    /// These bytes, then the connection is closed (none: the answer is lost).
    Raw(String),
    /// A 200 header and then zeros until the client goes away.
    Endless,
}

pub fn json_ok(body: &str) -> Answer {
    Answer::Raw(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
}

pub fn status(code: u16, headers: &str, body: &str) -> Answer {
    Answer::Raw(format!(
        "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
        body.len()
    ))
}

/// An XRPC error answer: `{"error": name, "message": message}` with `code`.
pub fn xrpc_error(code: u16, name: &str, message: &str) -> Answer {
    let body = serde_json::json!({ "error": name, "message": message }).to_string();
    status(code, "Content-Type: application/json\r\n", &body)
}

/// The request is read and the connection closed without an answer.
pub fn lost() -> Answer {
    Answer::Raw(String::new())
}

/// One request as received: its request line, its `Authorization` and `DPoP` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub line: String,
    pub authorization: Option<String>,
    pub dpop: Option<String>,
}

pub struct FakeServer {
    pub url: Url,
    received: Arc<Mutex<Vec<Received>>>,
}

impl FakeServer {
    pub async fn start(answers: Vec<Answer>) -> Self {
        Self::start_with(|_| answers).await
    }

    /// A server whose answers may name its own address (a DID document naming it as the PDS).
    pub async fn start_with(answers: impl FnOnce(&Url) -> Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url =
            Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
        let answers = answers(&url);
        let received = Arc::new(Mutex::new(Vec::new()));
        let seen = received.clone();
        tokio::spawn(async move {
            for answer in answers {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let request = answer_one(stream, answer).await;
                seen.lock().expect("requests").push(request);
            }
        });
        Self { url, received }
    }

    /// The request line of every request received.
    pub fn requests(&self) -> Vec<String> {
        self.received().into_iter().map(|r| r.line).collect()
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("requests").clone()
    }
}

/// Reads one request (head and a Content-Length body), answers, and returns what it received.
async fn answer_one(mut stream: TcpStream, answer: Answer) -> Received {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => {
                return Received {
                    line: String::new(),
                    authorization: None,
                    dpop: None,
                }
            }
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_string();
    let header = |wanted: &str| {
        head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case(wanted)
                .then(|| value.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
    match answer {
        Answer::Raw(text) => {
            let _ = stream.write_all(text.as_bytes()).await;
        }
        Answer::Endless => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
                .await;
            let zeros = vec![b' '; 64 * 1024];
            while stream.write_all(&zeros).await.is_ok() {}
        }
    }
    let _ = stream.shutdown().await;
    Received {
        line: head.lines().next().unwrap_or_default().to_owned(),
        authorization: header("authorization"),
        dpop: header("dpop"),
    }
}

/// A core in a fresh data folder with `tokens` as its token store and one connected account, `did` /
/// `handle`, whose PDS (and PLC directory, never asked off this computer) is `server`.
pub fn core_with_account(
    server: &FakeServer,
    tokens: Arc<FakeTokenStore>,
    did: &str,
    handle: &str,
) -> (Core, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        data_dir: dir.path().to_owned(),
        keychain_service: "unused: the tokens are in a fake".to_owned(),
        card_policy: CardPolicy::public_only(),
        http_timeout: Duration::from_secs(5),
        plc_directory: server.url.clone(),
        update_manifest: None,
        video_service: crate::config::VideoService {
            url: server.url.clone(),
            did: "did:web:video.fake".to_owned(),
        },
        sign_in: crate::config::SignInSettings {
            hosted_client: None,
            timeout: Duration::from_secs(5),
            browser: None,
        },
    };
    let core = Core::with_token_store(&config, tokens).expect("core");
    add_account(&core, server, did, handle);
    (core, dir)
}

/// Stores a connected account `did` (`handle`) of `core` whose PDS is `server`.
pub fn add_account(core: &Core, server: &FakeServer, did: &str, handle: &str) {
    let now = crate::store::now_rfc3339();
    let account = Account {
        did: did.to_owned(),
        handle: handle.to_owned(),
        service: server.url.to_string(),
        pds: server.url.to_string(),
        display_name: None,
        description: None,
        avatar: None,
        connected: true,
        health: Health::active(&now),
        sign_in: crate::account::SignIn::app_password(),
    };
    core.store.upsert_account(&account, &now).expect("account");
}
