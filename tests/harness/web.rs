//! A tiny web server on loopback that serves fixed pages and files, for link-card tests (the test
//! itself is the web site; nothing leaves the machine).

use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct WebServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl WebServer {
    /// Serves `routes` (path → (content type, body)); anything else is 404.
    pub async fn start(routes: HashMap<String, (String, Vec<u8>)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind web server");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let routes = Arc::new(routes);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let routes = routes.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
                        match stream.read(&mut byte).await {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let request = String::from_utf8_lossy(&head);
                    let path = request.split(' ').nth(1).unwrap_or("/").to_owned();
                    let (status, content_type, body) = match routes.get(&path) {
                        Some((content_type, body)) => {
                            ("200 OK", content_type.clone(), body.clone())
                        }
                        None => (
                            "404 Not Found",
                            "text/plain".to_owned(),
                            b"not found".to_vec(),
                        ),
                    };
                    let header = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(header.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { url }
    }
}
