//! HTTPS as the app does it. The core's clients check a server's certificate against the system's
//! store (rustls-platform-verifier, which on Linux reads the system's bundle, or the file named by
//! `SSL_CERT_FILE`), with ring as rustls's crypto. A loopback HTTPS server whose certificate is made
//! by the test stands in for a PDS at `https://localhost`: `hayon-cli account connect` to it is
//! refused with a message about the certificate while the system does not trust it, and nothing
//! reaches the server; once `SSL_CERT_FILE` names that certificate, the sign-in reaches the server
//! and its answer comes back.

use harness::cli::CliEnv;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What the stand-in answers every request: the PDS's refusal of a wrong password.
const REFUSAL: &str =
    r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#;

struct HttpsServer {
    url: String,
    certificate_pem: String,
    /// Requests read after a completed handshake.
    requests: Arc<AtomicUsize>,
}

/// An HTTPS server on 127.0.0.1 with a new self-signed certificate for `localhost`.
async fn start_https_server() -> HttpsServer {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a certificate for localhost");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let chain: Vec<CertificateDer<'static>> = vec![certified.cert.der().clone()];
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("the server's certificate");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the handshake here.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|window| window == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => head.extend_from_slice(&buffer[..read]),
                    }
                }
                counted.fetch_add(1, Ordering::SeqCst);
                let answer = format!(
                    "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{REFUSAL}",
                    REFUSAL.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    HttpsServer {
        url: format!("https://localhost:{port}"),
        certificate_pem: certified.cert.pem(),
        requests,
    }
}

fn connect(
    env: &CliEnv,
    server: &HttpsServer,
    extra_env: &[(&str, &str)],
) -> harness::cli::CliOutput {
    env.run_with_env(
        &[
            "account",
            "connect",
            "--identifier",
            "someone.test",
            "--service",
            &server.url,
            "--password-stdin",
        ],
        "not-a-real-password\n",
        extra_env,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_refused_and_a_trusted_one_is_used() {
    let server = start_https_server().await;
    let env = CliEnv::new();

    // The system's store does not know the test's certificate: refused before anything is sent.
    let refused = tokio::task::block_in_place(|| connect(&env, &server, &[]));
    assert_ne!(
        refused.code, 0,
        "connected through an untrusted certificate"
    );
    let message = refused.json["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        message.contains("certificate"),
        "the error does not say the certificate is the problem: {}",
        refused.json
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "a request reached a server whose certificate was refused"
    );

    // Trusted (SSL_CERT_FILE names the bundle to read instead of the system's, as with OpenSSL): the
    // sign-in reaches the server, and the server's answer is what the user hears.
    let dir = tempfile::tempdir().expect("temp dir");
    let certificate = dir.path().join("test-ca.pem");
    std::fs::write(&certificate, &server.certificate_pem).expect("write the certificate");
    let certificate = certificate.to_str().expect("UTF-8 path");
    let answered =
        tokio::task::block_in_place(|| connect(&env, &server, &[("SSL_CERT_FILE", certificate)]));
    assert_ne!(answered.code, 0, "a refused password connected");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        1,
        "the sign-in did not reach the trusted server once: {}",
        answered.json
    );
    let message = answered.json["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        !message.to_lowercase().contains("certificate"),
        "still refused for its certificate: {}",
        answered.json
    );
    assert!(env.list().is_empty(), "an account was stored");
}
