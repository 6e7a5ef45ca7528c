//! Service-auth tokens checked as Bluesky's video service checks them: the compact JWS a PDS signs
//! for its user (`com.atproto.server.getServiceAuth`), verified with the `#atproto` key of the
//! issuer's DID document, fetched from the test's loopback PLC directory.
//!
//! Only ES256K (secp256k1, the key the reference PDS gives its accounts) is accepted; the signature
//! check is RustCrypto's `k256` (which also refuses high-S signatures, as atproto does).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use k256::ecdsa::signature::Verifier;
use k256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;

/// Why a request's token was refused: the XRPC error name and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub error: &'static str,
    pub message: String,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal {
        error: "InvalidToken",
        message: message.into(),
    }
}

/// The `Authorization: Bearer` value, or `AuthRequired` when there is none.
pub fn bearer(header: Option<&str>) -> Result<&str, Refusal> {
    header
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or(Refusal {
            error: "AuthRequired",
            message: "Authentication Required".to_owned(),
        })
}

/// Verifies `token` for a call of `lxm` addressed to `aud`; returns its claims, with `iss` (the
/// user's DID, any `#fragment` removed) as the caller's identity.
pub async fn verify(token: &str, aud: &str, lxm: &str, plc_url: &str) -> Result<Value, Refusal> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("poorly formatted jwt"));
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
    let json =
        |part: &str| decode(part).and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let header = json(header).ok_or_else(|| invalid("poorly formatted jwt header"))?;
    let mut claims = json(payload).ok_or_else(|| invalid("poorly formatted jwt payload"))?;
    if header["alg"] != "ES256K" {
        return Err(invalid(format!("unsupported jwt alg {}", header["alg"])));
    }
    let iss = claims["iss"].as_str().unwrap_or_default();
    let did = iss.split('#').next().unwrap_or_default().to_owned();
    if !did.starts_with("did:plc:") {
        return Err(invalid(format!("jwt issuer is not a did:plc: {iss:?}")));
    }
    if claims["aud"] != aud {
        return Err(invalid(format!(
            "jwt audience does not match service did {aud}"
        )));
    }
    if claims["lxm"] != lxm {
        return Err(invalid(format!(
            "bad jwt lexicon method (\"lxm\"): expected {lxm}"
        )));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    if claims["exp"].as_u64().is_none_or(|exp| exp <= now) {
        return Err(invalid("jwt expired"));
    }
    let signature = decode(signature)
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("poorly formatted jwt signature"))?;
    let key = atproto_key(&did, plc_url).await?;
    let signed = token
        .rsplit_once('.')
        .map(|(input, _)| input)
        .unwrap_or_default();
    key.verify(signed.as_bytes(), &signature)
        .map_err(|_| invalid("jwt signature does not match jwt issuer"))?;
    claims["iss"] = Value::String(did);
    Ok(claims)
}

/// The `#atproto` verification key of `did`'s document in the PLC directory: the legacy form this
/// PLC writes (`EcdsaSecp256k1VerificationKey2019`, the bare uncompressed point) or a `Multikey`
/// (multicodec 0xe7 0x01, secp256k1-pub, then the compressed point).
async fn atproto_key(did: &str, plc_url: &str) -> Result<VerifyingKey, Refusal> {
    let document = document(did, plc_url)
        .await
        .ok_or_else(|| invalid(format!("could not resolve the DID document of {did}")))?;
    let method = document["verificationMethod"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|method| {
            method["id"]
                .as_str()
                .is_some_and(|id| id == "#atproto" || id == format!("{did}#atproto"))
        })
        .ok_or_else(|| invalid(format!("{did} has no #atproto key")))?;
    let multibase = method["publicKeyMultibase"].as_str().unwrap_or_default();
    key(method["type"].as_str(), multibase).ok_or_else(|| {
        invalid(format!(
            "{did}'s #atproto key is no secp256k1 key in a form known here"
        ))
    })
}

/// A secp256k1 key from a verification method's `type` and `publicKeyMultibase` (`z` + base58btc):
/// the legacy `EcdsaSecp256k1VerificationKey2019` holds the bare point, a `Multikey` the multicodec
/// secp256k1-pub (0xe7 0x01) and then the compressed point.
fn key(kind: Option<&str>, multibase: &str) -> Option<VerifyingKey> {
    let bytes = bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()?;
    let point = match kind? {
        "EcdsaSecp256k1VerificationKey2019" => &bytes[..],
        "Multikey" => bytes.strip_prefix(&[0xe7, 0x01])?,
        _ => return None,
    };
    VerifyingKey::from_sec1_bytes(point).ok()
}

/// The PDS `did`'s document names (its `#atproto_pds` service): where its blobs go.
pub async fn pds_of(did: &str, plc_url: &str) -> Option<String> {
    let document = document(did, plc_url).await?;
    let service = document["service"].as_array()?.iter().find(|service| {
        service["id"]
            .as_str()
            .is_some_and(|id| id == "#atproto_pds" || id == format!("{did}#atproto_pds"))
    })?;
    service["serviceEndpoint"].as_str().map(str::to_owned)
}

async fn document(did: &str, plc_url: &str) -> Option<Value> {
    let response = crate::http_client()
        .get(format!("{plc_url}/{did}"))
        .send()
        .await
        .ok()?;
    response.status().is_success().then_some(())?;
    response.json().await.ok()
}

#[cfg(test)]
mod tests {
    use super::key;
    use k256::ecdsa::SigningKey;

    /// Both forms of the same key read as that key; a key of another curve or form does not.
    #[test]
    fn reads_the_legacy_and_the_multikey_forms() {
        let public = *SigningKey::from_bytes(&[7u8; 32].into())
            .expect("a valid secret")
            .verifying_key();
        let base58 = |bytes: &[u8]| format!("z{}", bs58::encode(bytes).into_string());
        let bare = public.to_encoded_point(false);
        let compressed = public.to_encoded_point(true);
        let multicodec = [&[0xe7, 0x01], compressed.as_bytes()].concat();
        let legacy = "EcdsaSecp256k1VerificationKey2019";
        assert_eq!(key(Some(legacy), &base58(bare.as_bytes())), Some(public));
        assert_eq!(key(Some("Multikey"), &base58(&multicodec)), Some(public));
        let p256 = [&[0x80, 0x24], compressed.as_bytes()].concat();
        assert_eq!(key(Some("Multikey"), &base58(&p256)), None);
        assert_eq!(key(Some(legacy), &base58(&multicodec)), None);
        assert_eq!(
            key(Some("Multikey"), &bs58::encode(&multicodec).into_string()),
            None
        );
    }
}
