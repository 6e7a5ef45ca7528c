//! A transparent TCP relay in front of the real PDS that counts the XRPC calls passing through it, so a
//! test can see how many `refreshSession` requests actually reached the server. It forwards bytes
//! unchanged in both directions; it only reads the request lines going up.
//!
//! It can also lose answers on purpose ([`CountingProxy::lose_next_answer_to`],
//! [`CountingProxy::lose_next_answers_to`]): the request reaches the server, but the connection is
//! closed before any byte of the response comes back, as when a network drops at the worst moment.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct CountingProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    lose_answer_to: Arc<Mutex<Option<(String, usize)>>>,
}

/// What the relay tasks share.
#[derive(Debug, Clone)]
struct Shared {
    counts: Arc<Mutex<HashMap<String, usize>>>,
    /// The method whose answers are lost, and how many more to lose.
    lose_answer_to: Arc<Mutex<Option<(String, usize)>>>,
}

impl CountingProxy {
    /// Starts relaying to `upstream` (`host:port`) on a free loopback port.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let shared = Shared {
            counts: Arc::new(Mutex::new(HashMap::new())),
            lose_answer_to: Arc::new(Mutex::new(None)),
        };
        let proxy = Self {
            url,
            counts: shared.counts.clone(),
            lose_answer_to: shared.lose_answer_to.clone(),
        };
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                tokio::spawn(relay(client, server, shared.clone()));
            }
        });
        proxy
    }

    /// The next request for `nsid` reaches the server, but its answer is lost.
    pub fn lose_next_answer_to(&self, nsid: &str) {
        self.lose_next_answers_to(nsid, 1);
    }

    /// The next `count` requests for `nsid` reach the server, but their answers are lost.
    pub fn lose_next_answers_to(&self, nsid: &str, count: usize) {
        *self.lose_answer_to.lock().expect("lose") = Some((nsid.to_owned(), count));
    }

    /// How many requests went through in all.
    pub fn total(&self) -> usize {
        self.counts.lock().expect("counts").values().sum()
    }

    /// How many requests for `nsid` went through.
    pub fn count(&self, nsid: &str) -> usize {
        self.counts
            .lock()
            .expect("counts")
            .get(nsid)
            .copied()
            .unwrap_or(0)
    }
}

async fn relay(client: TcpStream, server: TcpStream, shared: Shared) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let lose_answer = Arc::new(AtomicBool::new(false));
    let losing = lose_answer.clone();
    let down = tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match server_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                // The answer to the marked request: drop it and close the connection.
                Ok(_) if losing.load(Ordering::SeqCst) => break,
                Ok(read) => {
                    if client_write.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut buffer = vec![0u8; 64 * 1024];
    // Request lines may straddle reads: keep a short tail of the previous read to scan with the next.
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let read = match client_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let mut window = std::mem::take(&mut tail);
        window.extend_from_slice(&buffer[..read]);
        for nsid in request_nsids(&window) {
            *shared
                .counts
                .lock()
                .expect("counts")
                .entry(nsid.clone())
                .or_default() += 1;
            let mut armed = shared.lose_answer_to.lock().expect("lose");
            if let Some((target, left)) = armed.as_mut() {
                if *target == nsid {
                    *left -= 1;
                    if *left == 0 {
                        *armed = None;
                    }
                    lose_answer.store(true, Ordering::SeqCst);
                }
            }
        }
        let keep = window.len().min(200);
        tail = window[window.len() - keep..].to_vec();
        if let Some(pos) = tail.iter().rposition(|&byte| byte == b'\n') {
            tail.drain(..=pos);
        }
        if server_write.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    drop(server_write);
    let _ = down.await;
}

/// The XRPC methods of the complete request lines in `window`. A line is looked for anywhere, not
/// only after a line break: on a kept-alive connection a request may follow a binary body (an
/// uploaded image) with no line break between them. Only a line with its `\r\n` counts, so the
/// tail kept for the next read (after the last `\n`) never holds one already counted.
fn request_nsids(window: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(window);
    let mut found: Vec<(usize, String)> = ["GET /xrpc/", "POST /xrpc/"]
        .iter()
        .flat_map(|start| {
            text.match_indices(start).filter_map(|(at, start)| {
                let rest = &text[at + start.len()..];
                let (target, after) = rest.split_once(' ')?;
                let complete =
                    after.starts_with("HTTP/1.1\r\n") || after.starts_with("HTTP/1.0\r\n");
                let nsid = target.split('?').next().unwrap_or(target);
                complete.then(|| (at, nsid.to_owned()))
            })
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, nsid)| nsid).collect()
}
