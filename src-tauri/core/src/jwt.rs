//! Reads the claims of an access token without verifying it. The client cannot check the signature (only
//! the server holds the key) and does not need to: it only wants to know *how* the user logged in
//! (`scope`) and when the token expires.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

/// The scope a main-password login gets; app passwords get `com.atproto.appPass(Privileged)`.
pub const MAIN_PASSWORD_SCOPE: &str = "com.atproto.access";

#[derive(Debug, Default, Deserialize)]
pub struct Claims {
    pub scope: Option<String>,
    /// Expiry, unix seconds.
    pub exp: Option<i64>,
}

/// The claims of a JWT, or `None` when it is not a readable JWT.
pub fn claims(jwt: &str) -> Option<Claims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt_with(payload: &serde_json::Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"at+jwt"}"#);
        let body = URL_SAFE_NO_PAD.encode(payload.to_string());
        format!("{header}.{body}.c2ln")
    }

    #[test]
    fn reads_scope_and_expiry() {
        let jwt = jwt_with(&serde_json::json!({"scope": "com.atproto.appPass", "exp": 1700000000}));
        let claims = claims(&jwt).expect("readable");
        assert_eq!(claims.scope.as_deref(), Some("com.atproto.appPass"));
        assert_eq!(claims.exp, Some(1_700_000_000));
    }

    #[test]
    fn garbage_is_none() {
        assert!(claims("not-a-jwt").is_none());
        assert!(claims("a.!!!.c").is_none());
    }
}
