//! The client against [`FakeServer`], a scripted HTTP/1.1 fake on loopback that answers each
//! connection with the next canned answer. It checks the transport rules byte for byte; the real PDS
//! behind a fault-injecting proxy is exercised by `tests/faults.rs`.

use super::*;
use crate::fakes::{json_ok, status, Answer, FakeServer};
use serde_json::Value;

fn client() -> XrpcClient {
    XrpcClient::new(super::DEFAULT_TIMEOUT).expect("client")
}

async fn get(server: &FakeServer) -> Result<Value, XrpcError> {
    client()
        .query(&server.url, "com.atproto.repo.getRecord", &[], None)
        .await
}

async fn post(server: &FakeServer) -> Result<Value, XrpcError> {
    client()
        .procedure(
            &server.url,
            "com.atproto.repo.createRecord",
            Some(&serde_json::json!({"rkey": "3k"})),
            None,
        )
        .await
}

#[tokio::test]
async fn a_redirect_is_an_error_and_is_not_followed() {
    let server = FakeServer::start(vec![
        status(307, "Location: http://127.0.0.1:9/xrpc/elsewhere\r\n", ""),
        json_ok("{}"),
    ])
    .await;
    let err = client()
        .create_session(
            &server.url,
            "alice.test",
            &crate::Secret::new("abcd-efgh-ijkl-mnop".into()),
        )
        .await
        .expect_err("a redirect is not a session");
    assert_eq!(
        err,
        XrpcError::Redirect {
            status: 307,
            to: Some("127.0.0.1".into())
        }
    );
    assert_eq!(server.requests().len(), 1, "the body was sent only once");
}

#[tokio::test]
async fn an_endless_answer_is_cut_off_at_the_limit() {
    let server = FakeServer::start(vec![Answer::Endless]).await;
    let started = Instant::now();
    let err = get(&server).await.expect_err("too large");
    assert!(
        matches!(err, XrpcError::TooLarge { limit, .. } if limit == JSON_ANSWER_LIMIT),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn an_announced_huge_answer_is_not_read_at_all() {
    let server = FakeServer::start(vec![Answer::Raw(
        "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\nConnection: close\r\n\r\n{".into(),
    )])
    .await;
    let err = get(&server).await.expect_err("too large");
    assert!(matches!(err, XrpcError::TooLarge { .. }), "{err:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "a too-large answer is not retried"
    );
}

#[tokio::test]
async fn a_huge_error_answer_keeps_its_status() {
    let body = format!("{{\"error\":\"Big\",\"pad\":\"{}\"}}", "x".repeat(100_000));
    let server = FakeServer::start(vec![status(400, "", &body)]).await;
    let err = get(&server).await.expect_err("error");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.name(), None, "a body over the limit is not parsed");
}

#[tokio::test]
async fn an_html_page_is_not_a_json_answer() {
    let server = FakeServer::start(vec![status(
        200,
        "Content-Type: text/html\r\n",
        "<html>Service unavailable</html>",
    )])
    .await;
    let err = post(&server).await.expect_err("not JSON");
    assert!(matches!(err, XrpcError::Decode { .. }), "{err:?}");
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn a_query_is_sent_again_after_a_server_error() {
    let server = FakeServer::start(vec![
        status(502, "", "<html>Bad gateway</html>"),
        json_ok(r#"{"ok":true}"#),
    ])
    .await;
    let answer = get(&server).await.expect("second try answers");
    assert_eq!(answer["ok"], true);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_lost_upload_answer_is_sent_again() {
    let server = FakeServer::start(vec![
        Answer::Raw(String::new()),
        json_ok(
            r#"{"blob":{"$type":"blob","ref":{"$link":"bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu"},"mimeType":"image/png","size":70}}"#,
        ),
    ])
    .await;
    let blob = client()
        .upload_blob(
            &server.url,
            &super::Credential::Bearer(crate::Secret::new("token".into())),
            vec![7; 10_000],
            "image/png",
        )
        .await
        .expect("the second upload answers");
    assert_eq!(
        blob.link.to_string(),
        "bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests
        .iter()
        .all(|line| line.starts_with("POST /xrpc/com.atproto.repo.uploadBlob")));
}

#[tokio::test]
async fn a_write_is_not_sent_again_after_a_server_error() {
    let server = FakeServer::start(vec![
        status(502, "", ""),
        json_ok(r#"{"uri":"at://x","cid":"y"}"#),
    ])
    .await;
    let err = post(&server).await.expect_err("not retried");
    assert_eq!(err.status(), Some(502));
    assert!(err.outcome_unknown());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_short_rate_limit_is_waited_out_even_for_a_write() {
    let server = FakeServer::start(vec![
        status(
            429,
            "Retry-After: 1\r\n",
            r#"{"error":"RateLimitExceeded"}"#,
        ),
        json_ok(r#"{"uri":"at://x","cid":"y"}"#),
    ])
    .await;
    let started = Instant::now();
    let answer = post(&server).await.expect("posted after the wait");
    assert_eq!(answer["cid"], "y");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_long_rate_limit_fails_at_once_with_the_wait() {
    let server = FakeServer::start(vec![status(
        429,
        "Retry-After: 600\r\n",
        r#"{"error":"RateLimitExceeded"}"#,
    )])
    .await;
    let started = Instant::now();
    let err = get(&server).await.expect_err("rate limited");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(600)));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn plain_http_to_another_machine_is_refused_before_connecting() {
    // Refused while building the request: nothing is sent anywhere.
    let url = Url::parse("http://pds.example.com/").expect("url");
    let err = client()
        .create_session(
            &url,
            "alice.test",
            &crate::Secret::new("abcd-efgh-ijkl-mnop".into()),
        )
        .await
        .expect_err("refused");
    assert_eq!(
        err,
        XrpcError::Insecure {
            host: "pds.example.com".into()
        }
    );
}

/// The claims of a DPoP proof as received.
fn proof_claims(received: &crate::fakes::Received) -> Value {
    use base64::Engine;
    let proof = received.dpop.as_deref().expect("a DPoP proof");
    let claims = proof.split('.').nth(1).expect("claims");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn a_dpop_request_follows_the_servers_nonce_as_it_rotates() {
    use crate::dpop::DpopKey;
    let use_nonce = |nonce: &str| {
        status(
            401,
            &format!(
                "DPoP-Nonce: {nonce}\r\nWWW-Authenticate: DPoP error=\"use_dpop_nonce\"\r\n\
                 Content-Type: application/json\r\n"
            ),
            r#"{"error":"use_dpop_nonce","message":"Resource server requires nonce in DPoP proof"}"#,
        )
    };
    let server = FakeServer::start(vec![
        use_nonce("first"),
        json_ok("{}"),
        json_ok("{}"),
        use_nonce("second"),
        json_ok("{}"),
    ])
    .await;
    let credential = Credential::Dpop {
        token: crate::Secret::new("access".into()),
        key: std::sync::Arc::new(DpopKey::generate()),
    };
    let client = client();
    for _ in 0..3 {
        let answer: Value = client
            .query(
                &server.url,
                "com.atproto.server.getSession",
                &[],
                Some(&credential),
            )
            .await
            .expect("answered after the nonce");
        assert_eq!(answer, serde_json::json!({}));
    }
    let received = server.received();
    assert_eq!(received.len(), 5);
    let nonces: Vec<Value> = received
        .iter()
        .map(|request| proof_claims(request)["nonce"].clone())
        .collect();
    assert_eq!(
        nonces,
        [
            Value::Null,
            "first".into(),
            "first".into(),
            "first".into(),
            "second".into()
        ]
    );
    let jtis: std::collections::HashSet<String> = received
        .iter()
        .map(|request| {
            proof_claims(request)["jti"]
                .as_str()
                .expect("jti")
                .to_owned()
        })
        .collect();
    assert_eq!(jtis.len(), 5, "every try has its own proof");
    for request in &received {
        assert_eq!(request.authorization.as_deref(), Some("DPoP access"));
        assert!(proof_claims(request)["ath"].is_string());
    }
}

#[tokio::test]
async fn a_refusal_without_a_new_nonce_is_not_sent_again() {
    let server = FakeServer::start(vec![
        status(
            401,
            "Content-Type: application/json\r\n",
            r#"{"error":"InvalidToken","message":"bad token"}"#,
        ),
        json_ok("{}"),
    ])
    .await;
    let credential = Credential::Dpop {
        token: crate::Secret::new("access".into()),
        key: std::sync::Arc::new(crate::dpop::DpopKey::generate()),
    };
    let err = client()
        .procedure::<(), Value>(
            &server.url,
            "com.atproto.repo.createRecord",
            None,
            Some(&credential),
        )
        .await
        .expect_err("refused");
    assert_eq!(err.status(), Some(401));
    assert_eq!(server.received().len(), 1);
}
