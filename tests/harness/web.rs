//! A tiny web server on loopback: fixed pages and files for link-card tests, or answers computed per
//! request for the stand-in app view (the test itself is the web site; nothing leaves the machine).

use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct WebServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

/// What the server sends back for one request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status line text, like `"200 OK"`.
    pub status: &'static str,
    pub content_type: String,
    pub body: Vec<u8>,
    /// A `Location` header, for redirects.
    pub location: Option<String>,
    /// Send `Content-Length` (the default); without it the body ends when the connection closes.
    pub announce_length: bool,
}

impl Reply {
    pub fn ok(content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status: "200 OK",
            content_type: content_type.to_owned(),
            body,
            location: None,
            announce_length: true,
        }
    }

    /// `302 Found` to `location`.
    pub fn redirect(location: &str) -> Self {
        Self {
            status: "302 Found",
            content_type: "text/plain".to_owned(),
            body: Vec::new(),
            location: Some(location.to_owned()),
            announce_length: true,
        }
    }

    pub fn json(status: &'static str, body: &serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json".to_owned(),
            body: body.to_string().into_bytes(),
            location: None,
            announce_length: true,
        }
    }

    fn not_found() -> Self {
        Self {
            status: "404 Not Found",
            content_type: "text/plain".to_owned(),
            body: b"not found".to_vec(),
            location: None,
            announce_length: true,
        }
    }
}

/// One request as the handler sees it: the target (path and query) and the header lines.
#[derive(Debug)]
pub struct Request<'a> {
    pub target: &'a str,
    head: &'a str,
}

impl Request<'_> {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

impl WebServer {
    /// Serves `routes` (path → (content type, body)); anything else is 404.
    pub async fn start(routes: HashMap<String, (String, Vec<u8>)>) -> Self {
        Self::serve(move |request| match routes.get(request.target) {
            Some((content_type, body)) => Reply::ok(content_type, body.clone()),
            None => Reply::not_found(),
        })
        .await
    }

    /// Answers every request (bodies are not read: GET only) with what `handler` returns.
    pub async fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind web server");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let handler = handler.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut byte).await {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    let target = head.split(' ').nth(1).unwrap_or("/");
                    let reply = handler(&Request {
                        target,
                        head: &head,
                    });
                    let location = reply
                        .location
                        .as_ref()
                        .map(|to| format!("Location: {to}\r\n"))
                        .unwrap_or_default();
                    let length = if reply.announce_length {
                        format!("Content-Length: {}\r\n", reply.body.len())
                    } else {
                        String::new()
                    };
                    let header = format!(
                        "HTTP/1.1 {}\r\nContent-Type: {}\r\n{length}{location}Connection: close\r\n\r\n",
                        reply.status, reply.content_type,
                    );
                    let _ = stream.write_all(header.as_bytes()).await;
                    let _ = stream.write_all(&reply.body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { url }
    }
}

/// A hostile page for link cards: 2 MiB of HTML, a `<head>` with `title` (HTML-escaped) and an
/// `og:description`, then `unit` (`<div>`, `<ul><li>`, `<p>` …) repeated, never closed. Building a
/// tree of it is quadratic in the nesting depth.
pub fn nested_page(title: &str, unit: &str) -> Vec<u8> {
    let size = 2 * 1024 * 1024;
    let mut html = format!(
        "<!doctype html><html><head><title>{}</title>\
         <meta property=og:description content='Two mebibytes of {unit}'></head><body>",
        title.replace('&', "&amp;")
    );
    while html.len() + unit.len() <= size {
        html.push_str(unit);
    }
    html.into_bytes()
}
