//! DPoP (RFC 9449): the proof an OAuth session sends with every request, so a stolen access token is
//! useless without the private key that it is bound to.
//!
//! One ES256 key per account, made when the person signs in and kept in the OS keychain beside the
//! tokens (as PKCS#8; never in SQLite, never in a log). Each request carries a fresh proof: a JWT over
//! the method and the address (no query), with a random `jti`, the time, the server's latest nonce
//! and, towards the PDS, `ath` (the token's SHA-256). Servers rotate their nonces; the key remembers
//! the latest per server (origin), and a refusal that comes with a new nonce is sent once more
//! (`xrpc::XrpcClient::send`).
//!
//! The cryptography is ring's (already linked for TLS): key generation, P-256 ECDSA with SHA-256 in
//! JOSE's fixed `r‖s` form, SHA-256 and the system's random numbers. This file only encodes JSON.

use crate::secret::Secret;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::collections::HashMap;
use std::sync::Mutex;
use url::Url;
use zeroize::Zeroizing;

/// A DPoP key pair and the nonces servers gave it.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    /// The private key as stored (PKCS#8 DER), kept to write it back to the keychain.
    pkcs8: Zeroizing<Vec<u8>>,
    /// The latest nonce of each server, by origin.
    nonces: Mutex<HashMap<String, String>>,
}

/// Why a stored key could not be used.
#[derive(Debug, thiserror::Error)]
#[error("the saved DPoP key is unreadable")]
pub struct UnreadableKey;

impl DpopKey {
    /// A new random key.
    pub fn generate() -> Self {
        let rng = SystemRandom::new();
        let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            // ring fails only when the system has no random numbers, which nothing could survive.
            .expect("the system's random number generator works");
        Self::from_pkcs8(Zeroizing::new(document.as_ref().to_vec()))
            .expect("ring reads the key it made")
    }

    /// The key as the keychain keeps it (base64 of PKCS#8).
    pub fn to_stored(&self) -> Secret {
        Secret::new(STANDARD.encode(self.pkcs8.as_slice()))
    }

    /// The key read back from [`DpopKey::to_stored`].
    pub fn from_stored(stored: &Secret) -> Result<Self, UnreadableKey> {
        let bytes = STANDARD
            .decode(stored.expose())
            .map_err(|_| UnreadableKey)?;
        Self::from_pkcs8(Zeroizing::new(bytes))
    }

    fn from_pkcs8(pkcs8: Zeroizing<Vec<u8>>) -> Result<Self, UnreadableKey> {
        let pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &pkcs8,
            &SystemRandom::new(),
        )
        .map_err(|_| UnreadableKey)?;
        Ok(Self {
            pair,
            pkcs8,
            nonces: Mutex::new(HashMap::new()),
        })
    }

    /// The public key as a JWK (RFC 7518 › 6.2): ring gives the uncompressed point `04‖x‖y`.
    fn public_jwk(&self) -> serde_json::Value {
        let point = self.pair.public_key().as_ref();
        let (x, y) = point[1..].split_at(32);
        serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(x),
            "y": URL_SAFE_NO_PAD.encode(y),
        })
    }

    /// A proof for one request: `method` to `url`, carrying `access_token` when it is sent along.
    pub fn proof(&self, method: &str, url: &Url, access_token: Option<&Secret>) -> String {
        let mut htu = url.clone();
        htu.set_query(None);
        htu.set_fragment(None);
        let mut claims = serde_json::json!({
            "jti": random_token(16),
            "htm": method,
            "htu": htu.as_str(),
            "iat": unix_now(),
        });
        if let Some(nonce) = self.nonce_for(url) {
            claims["nonce"] = nonce.into();
        }
        if let Some(token) = access_token {
            let hash = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
            claims["ath"] = URL_SAFE_NO_PAD.encode(hash.as_ref()).into();
        }
        let header =
            serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("the system's random number generator works");
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }

    fn nonce_for(&self, url: &Url) -> Option<String> {
        self.locked_nonces().get(&origin(url)).cloned()
    }

    /// Remembers the nonce a server sent; true when it differs from the one the key had.
    pub fn learn_nonce(&self, url: &Url, nonce: &str) -> bool {
        let previous = self.locked_nonces().insert(origin(url), nonce.to_owned());
        previous.as_deref() != Some(nonce)
    }

    fn locked_nonces(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // Each write is one insert: a poisoned map is still whole.
        self.nonces
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl PartialEq for DpopKey {
    fn eq(&self, other: &Self) -> bool {
        self.pkcs8 == other.pkcs8
    }
}

impl Eq for DpopKey {}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(<redacted>)")
    }
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// `bytes` random bytes from the system, base64url: unguessable values (`jti`, `state`, PKCE).
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .expect("the system's random number generator works");
    URL_SAFE_NO_PAD.encode(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("json")
    }

    #[test]
    fn a_proof_verifies_with_the_key_in_its_header() {
        let key = DpopKey::generate();
        let url = Url::parse("https://pds.example/xrpc/com.atproto.repo.createRecord?x=1#f")
            .expect("url");
        let token = Secret::new("token".into());
        let proof = key.proof("POST", &url, Some(&token));
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let (header, claims) = (decode(parts[0]), decode(parts[1]));
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(
            claims["htu"],
            "https://pds.example/xrpc/com.atproto.repo.createRecord"
        );
        assert_eq!(claims["htm"], "POST");
        assert!(claims.get("nonce").is_none());
        let hash = ring::digest::digest(&ring::digest::SHA256, b"token");
        assert_eq!(claims["ath"], URL_SAFE_NO_PAD.encode(hash.as_ref()));

        let jwk = &header["jwk"];
        let coordinate = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("coordinate"))
                .expect("base64url")
        };
        let mut point = vec![4];
        point.extend(coordinate("x"));
        point.extend(coordinate("y"));
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("signature");
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(signed.as_bytes(), &signature)
            .expect("the signature verifies");
        assert!(jwk.get("d").is_none(), "the private key never leaves");
    }

    #[test]
    fn proofs_are_unique_and_carry_the_servers_latest_nonce() {
        let key = DpopKey::generate();
        let url = Url::parse("https://as.example/oauth/token").expect("url");
        let other = Url::parse("https://pds.example/xrpc/x").expect("url");
        assert!(key.learn_nonce(&url, "n1"));
        assert!(!key.learn_nonce(&url, "n1"));
        assert!(key.learn_nonce(&url, "n2"));
        let first = decode(
            key.proof("POST", &url, None)
                .split('.')
                .nth(1)
                .expect("claims"),
        );
        let second = decode(
            key.proof("POST", &url, None)
                .split('.')
                .nth(1)
                .expect("claims"),
        );
        assert_eq!(first["nonce"], "n2");
        assert_ne!(first["jti"], second["jti"]);
        let elsewhere = decode(
            key.proof("GET", &other, None)
                .split('.')
                .nth(1)
                .expect("claims"),
        );
        assert!(elsewhere.get("nonce").is_none());
    }

    #[test]
    fn a_stored_key_comes_back_the_same_and_garbage_is_refused() {
        let key = DpopKey::generate();
        let back = DpopKey::from_stored(&key.to_stored()).expect("readable");
        assert_eq!(key, back);
        assert_eq!(key.public_jwk(), back.public_jwk());
        assert!(DpopKey::from_stored(&Secret::new("not a key".into())).is_err());
        assert!(DpopKey::from_stored(&Secret::new(STANDARD.encode(b"short"))).is_err());
        assert_eq!(format!("{key:?}"), "DpopKey(<redacted>)");
    }
}
