//! The stand-in's HTTP/1.1 side, as small as the client's calls need: one request per connection
//! (every answer closes it), the head read line by line, a body read only by its `Content-Length`.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub type Connection = BufReader<TcpStream>;

/// The request line and headers of one request.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    url: url::Url,
    headers: Vec<(String, String)>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The value of query parameter `key`, if present.
    pub fn query(&self, key: &str) -> Option<String> {
        self.url
            .query_pairs()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.into_owned())
    }

    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads a request's head (at most 64 KiB); `None` when the peer closes first or sends garbage.
pub async fn read_head(connection: &mut Connection) -> Option<Request> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = String::new();
        let read = connection.read_line(&mut line).await.ok()?;
        total += read;
        if read == 0 || total > 64 * 1024 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut request_line = lines.first()?.split(' ');
    let method = request_line.next()?.to_owned();
    let url = url::Url::parse(&format!("http://stand-in{}", request_line.next()?)).ok()?;
    let headers = lines[1..]
        .iter()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            Some((key.trim().to_owned(), value.trim().to_owned()))
        })
        .collect();
    Some(Request {
        method,
        url,
        headers,
    })
}

/// Reads a body of `length` bytes into memory (its one copy); `None` when the peer stops early.
pub async fn read_body(connection: &mut Connection, length: u64) -> Option<Vec<u8>> {
    const MOST_RESERVED: u64 = 512 * 1024 * 1024;
    let mut body = Vec::with_capacity(usize::try_from(length.min(MOST_RESERVED)).ok()?);
    let read = connection.take(length).read_to_end(&mut body).await.ok()?;
    (read as u64 == length).then_some(body)
}

/// Waits while `holding` is true; false when the client hung up meanwhile (it sends nothing after
/// its body, so anything read is its end).
pub async fn answer_awaited(
    connection: &mut Connection,
    holding: &tokio::sync::watch::Sender<bool>,
) -> bool {
    let mut held = holding.subscribe();
    let mut byte = [0u8; 1];
    tokio::select! {
        released = held.wait_for(|held| !held) => released.is_ok(),
        _ = connection.read(&mut byte) => false,
    }
}

/// Reads and drops a body of `length` bytes, so that a refusal is read by a client still sending.
pub async fn skip_body(connection: &mut Connection, length: u64) {
    let _ = tokio::io::copy(&mut connection.take(length), &mut tokio::io::sink()).await;
}

/// Sends `body` as JSON with `status` (like `"200 OK"`) and closes the connection.
pub async fn answer(connection: &mut Connection, status: &str, body: &Value) {
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let stream = connection.get_mut();
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}
