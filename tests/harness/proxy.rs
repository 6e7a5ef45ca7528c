//! A transparent TCP relay in front of the real PDS that counts the XRPC calls passing through it, so a
//! test can see how many `refreshSession` requests actually reached the server. It forwards bytes
//! unchanged in both directions; it only reads the request lines going up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct CountingProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    counts: Arc<Mutex<HashMap<String, usize>>>,
}

impl CountingProxy {
    /// Starts relaying to `upstream` (`host:port`) on a free loopback port.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let counts = Arc::new(Mutex::new(HashMap::new()));
        let shared = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                tokio::spawn(relay(client, server, shared.clone()));
            }
        });
        Self { url, counts }
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

async fn relay(client: TcpStream, server: TcpStream, counts: Arc<Mutex<HashMap<String, usize>>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let down =
        tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut client_write).await });
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
        count_request_lines(&window, &counts);
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

fn count_request_lines(window: &[u8], counts: &Mutex<HashMap<String, usize>>) {
    let text = String::from_utf8_lossy(window);
    for line in text.split("\r\n") {
        let mut words = line.split(' ');
        let (Some(method), Some(target), Some(version)) =
            (words.next(), words.next(), words.next())
        else {
            continue;
        };
        if !matches!(method, "GET" | "POST") || !version.starts_with("HTTP/1") {
            continue;
        }
        if let Some(nsid) = target.strip_prefix("/xrpc/") {
            let nsid = nsid.split('?').next().unwrap_or(nsid).to_owned();
            *counts.lock().expect("counts").entry(nsid).or_default() += 1;
        }
    }
}
