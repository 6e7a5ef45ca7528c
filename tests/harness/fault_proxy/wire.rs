//! Just enough HTTP/1.1 for the fault proxy: one request head and body read, forwarded upstream, and
//! the canned answers written (gateway errors, HTML, huge or endless bodies, refusals).

use super::*;

/// Reads one request head and its `Content-Length` body.
pub(super) async fn read_request(client: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut received = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let head_end = loop {
        if let Some(end) = find_head_end(&received) {
            break end;
        }
        if received.len() > MAX_HEAD {
            return None;
        }
        let read = client.read(&mut buffer).await.ok().filter(|&n| n > 0)?;
        received.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&received[..head_end]).into_owned();
    let length = header(&head, "content-length")
        .and_then(|value| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = received[head_end..].to_vec();
    while body.len() < length {
        let read = client.read(&mut buffer).await.ok().filter(|&n| n > 0)?;
        body.extend_from_slice(&buffer[..read]);
    }
    Some((head, body))
}

/// Sends the request to the server with `Connection: close` and reads its whole answer.
pub(super) async fn forward(upstream: SocketAddr, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    let mut lines: Vec<&str> = head
        .trim_end()
        .split("\r\n")
        .filter(|line| {
            !line
                .split(':')
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case("connection"))
        })
        .collect();
    lines.push("Connection: close");
    let mut request = lines.join("\r\n").into_bytes();
    request.extend_from_slice(b"\r\n\r\n");
    request.extend_from_slice(body);
    server.write_all(&request).await.ok()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await.ok()?;
    Some(response)
}

pub(super) async fn send_canned(client: &mut TcpStream, canned: Canned) {
    let (status, extra, content_type, body): (u16, Vec<(String, String)>, &str, Vec<u8>) =
        match canned {
            Canned::Gateway(status) => (
                status,
                Vec::new(),
                "text/html",
                format!("<html><body><h1>{status} Gateway error</h1><hr>nginx</body></html>")
                    .into_bytes(),
            ),
            Canned::Html200 => (
                200,
                Vec::new(),
                "text/html",
                b"<!doctype html><title>Maintenance</title><p>Back soon.</p>".to_vec(),
            ),
            Canned::Json {
                status,
                headers,
                body,
            } => (
                status,
                headers,
                "application/json",
                body.to_string().into_bytes(),
            ),
            Canned::TwoGigabytes => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Content-Length: 2147483648\r\nConnection: close\r\n\r\n";
                if client.write_all(head.as_bytes()).await.is_ok() {
                    stream_spaces(client, false, 2 * 1024 * 1024 * 1024).await;
                }
                return;
            }
            Canned::Endless => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
                if client.write_all(head.as_bytes()).await.is_ok() {
                    stream_spaces(client, true, u64::MAX).await;
                }
                return;
            }
        };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut answer = head.into_bytes();
    answer.extend_from_slice(&body);
    let _ = client.write_all(&answer).await;
}

/// Writes up to `total` bytes of spaces (as chunks when `chunked`), 64 KiB at a time, until the
/// client stops reading.
pub(super) async fn stream_spaces(client: &mut TcpStream, chunked: bool, total: u64) {
    const BLOCK: usize = 64 * 1024;
    let mut block = Vec::with_capacity(BLOCK + 16);
    if chunked {
        block.extend_from_slice(format!("{BLOCK:x}\r\n").as_bytes());
    }
    block.resize(block.len() + BLOCK, b' ');
    if chunked {
        block.extend_from_slice(b"\r\n");
    }
    let mut sent = 0u64;
    while sent < total {
        if client.write_all(&block).await.is_err() {
            return;
        }
        sent += BLOCK as u64;
    }
}

pub(super) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The index just past the `\r\n\r\n` that ends a head.
pub(super) fn find_head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|start| start + 4)
}

/// `head` with its `Content-Length` set to `length`.
pub(super) fn with_content_length(head: &str, length: usize) -> String {
    let mut lines: Vec<String> = head
        .trim_end()
        .split("\r\n")
        .filter(|line| {
            !line
                .split(':')
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case("content-length"))
        })
        .map(str::to_owned)
        .collect();
    lines.push(format!("Content-Length: {length}"));
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

pub(super) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// `com.atproto.repo.createRecord` from `POST /xrpc/com.atproto.repo.createRecord?… HTTP/1.1`.
pub(super) fn nsid_of(head: &str) -> String {
    let target = head.split(' ').nth(1).unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default();
    path.strip_prefix("/xrpc/").unwrap_or(path).to_owned()
}
