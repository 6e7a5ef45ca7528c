//! The one-shot listener the browser comes back to: `http://127.0.0.1:<port>/callback`.
//!
//! Bound to 127.0.0.1 only (another machine cannot reach it, by construction) on a port the system
//! picks. It reads request heads only (a few KiB, each within seconds), answers anything but
//! `GET /callback` with 404, and hands the first callback to the sign-in, which answers the browser
//! once it knows how the sign-in ended. Then the listener is closed: a second callback finds nobody.

use super::failed;
use crate::error::Result;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// The longest request head read.
const HEAD_LIMIT: usize = 8 * 1024;
/// How long one connection may take to send its head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
}

/// The browser's arrival: the query it brought and the connection to answer it on.
pub struct Callback {
    pub params: HashMap<String, String>,
    browser: TcpStream,
}

impl CallbackListener {
    pub async fn bind() -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|err| {
                failed(format!(
                    "Hayon could not listen for the browser on this computer ({err})."
                ))
            })?;
        Ok(Self { listener })
    }

    pub fn address(&self) -> Result<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|err| failed(format!("Hayon could not listen for the browser ({err}).")))
    }

    /// Waits for `GET /callback?…`; other requests are answered 404 and waiting goes on.
    pub async fn next_callback(self) -> Result<Callback> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|err| failed(format!("Hayon stopped hearing the browser ({err}).")))?;
            let target = match tokio::time::timeout(HEAD_TIMEOUT, read_target(&mut stream)).await {
                Ok(Some(target)) => target,
                _ => continue,
            };
            match callback_params(&target) {
                Some(params) => {
                    return Ok(Callback {
                        params,
                        browser: stream,
                    })
                }
                None => {
                    let _ = answer(&mut stream, "404 Not Found", "Not found").await;
                }
            }
        }
    }
}

/// The code in the query is a secret until redeemed: only the names are shown.
impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("params", &self.params.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Callback {
    /// Shows the person how the sign-in ended, in the tab that came back.
    pub async fn answer(mut self, outcome: &Result<String>) {
        let (status, text) = match outcome {
            Ok(handle) => (
                "200 OK",
                format!("You can close this tab — Hayon is connected to {handle}."),
            ),
            Err(err) => (
                "400 Bad Request",
                format!("Hayon is not connected. {}", err.message),
            ),
        };
        if let Err(err) = answer(&mut self.browser, status, &text).await {
            tracing::info!(error = %err, "the browser left before hearing how the sign-in ended");
        }
    }
}

/// The request target of `GET <target> HTTP/1.x`, once the head has arrived.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || head.len() + read > HEAD_LIMIT {
            return None;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let line = head.split(|byte| *byte == b'\r').next()?;
    let mut parts = std::str::from_utf8(line).ok()?.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

/// The query of a `/callback` target (the last value of a repeated name).
fn callback_params(target: &str) -> Option<HashMap<String, String>> {
    let url = Url::parse("http://127.0.0.1").ok()?.join(target).ok()?;
    (url.path() == "/callback").then(|| url.query_pairs().into_owned().collect())
}

async fn answer(stream: &mut TcpStream, status: &str, text: &str) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Hayon</title>\
         <body style=\"font:1.1rem system-ui;margin:3rem;color-scheme:light dark\"><p>{}</p>",
        escape(text)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_path_is_a_callback() {
        let params = callback_params("/callback?state=s&code=c&iss=http%3A%2F%2Flocalhost%3A1")
            .expect("callback");
        assert_eq!(params["state"], "s");
        assert_eq!(params["iss"], "http://localhost:1");
        assert!(callback_params("/favicon.ico").is_none());
        assert!(callback_params("/callbackx?state=s").is_none());
    }

    #[tokio::test]
    async fn the_listener_is_on_loopback_and_skips_other_requests() {
        let listener = CallbackListener::bind().await.expect("bound");
        let address = listener.address().expect("address");
        assert!(address.ip().is_loopback());
        let waiting = tokio::spawn(listener.next_callback());
        let mut other = TcpStream::connect(address).await.expect("connects");
        other
            .write_all(b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("sent");
        let mut reply = String::new();
        other.read_to_string(&mut reply).await.expect("answered");
        assert!(reply.starts_with("HTTP/1.1 404"), "{reply}");

        let mut browser = TcpStream::connect(address).await.expect("connects");
        browser
            .write_all(b"GET /callback?state=s&code=c HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("sent");
        let callback = waiting.await.expect("joined").expect("a callback");
        assert_eq!(callback.params["code"], "c");
        callback.answer(&Ok("alice.test".into())).await;
        let mut page = String::new();
        browser.read_to_string(&mut page).await.expect("answered");
        assert!(page.contains("Hayon is connected to alice.test"), "{page}");
    }
}
