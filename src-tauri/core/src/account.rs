//! A connected account as the UI and the CLI see it: identity, profile and health. Never a token.
//! The JSON shape (camelCase) is the CLI contract in architecture.md.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub did: String,
    pub handle: String,
    /// The hosting provider the user logged in at.
    pub service: String,
    /// The PDS named in the account's DID document; every call after login goes there.
    pub pds: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub avatar: Option<String>,
    pub connected: bool,
    pub health: Health,
    pub sign_in: SignIn,
}

/// How an account signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub kind: SignInKind,
    /// The rights the server granted (Sign in with Bluesky).
    pub scope: Option<String>,
    /// When the server ends the session however much it is used (RFC 3339): two weeks after signing
    /// in with Bluesky on today's servers. `None` for app passwords, whose sessions are renewed for
    /// as long as the password exists.
    pub expires_at: Option<String>,
    /// The authorization server that issued the tokens (its `issuer`).
    pub issuer: Option<String>,
    /// The `client_id` Hayon signed in as, which every refresh must repeat.
    #[serde(skip)]
    #[cfg_attr(test, ts(skip))]
    pub client_id: Option<String>,
    /// The person was reminded that this sign-in ends soon (`accounts/reminders.rs`).
    #[serde(skip)]
    #[cfg_attr(test, ts(skip))]
    pub reminded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SignInKind {
    AppPassword,
    /// Sign in with Bluesky (ATProto OAuth).
    Oauth,
}

impl SignInKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AppPassword => "app_password",
            Self::Oauth => "oauth",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "oauth" => Self::Oauth,
            _ => Self::AppPassword,
        }
    }
}

impl SignIn {
    pub fn app_password() -> Self {
        Self {
            kind: SignInKind::AppPassword,
            scope: None,
            expires_at: None,
            issuer: None,
            client_id: None,
            reminded: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// The session works.
    Active,
    /// The refresh token expired: the user must reconnect.
    Expired,
    /// The session was revoked (app password deleted, signed out elsewhere): reconnect.
    Revoked,
    /// The last attempt failed for another reason (offline, server trouble); the session is kept.
    Error,
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "active" => Self::Active,
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => Self::Error,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: HealthStatus,
    pub needs_reconnection: bool,
    /// RFC 3339.
    pub last_successful_refresh: Option<String>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
}

impl Health {
    /// A session that just worked.
    pub fn active(now: &str) -> Self {
        Self {
            status: HealthStatus::Active,
            needs_reconnection: false,
            last_successful_refresh: Some(now.to_owned()),
            last_error: None,
            consecutive_failures: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_json_shape_matches_the_cli_contract() {
        let account = Account {
            did: "did:plc:abc".into(),
            handle: "alice.test".into(),
            service: "https://bsky.social/".into(),
            pds: "https://pds.example/".into(),
            display_name: Some("Alice".into()),
            description: None,
            avatar: None,
            connected: true,
            health: Health::active("2026-11-26T00:00:00Z"),
            sign_in: SignIn::app_password(),
        };
        let json = serde_json::to_value(&account).expect("serializable");
        let keys: Vec<&str> = json
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "avatar",
                "connected",
                "description",
                "did",
                "displayName",
                "handle",
                "health",
                "pds",
                "service",
                "signIn"
            ]
        );
        assert_eq!(
            json["health"],
            serde_json::json!({
                "status": "active", "needsReconnection": false,
                "lastSuccessfulRefresh": "2026-11-26T00:00:00Z", "lastError": null, "consecutiveFailures": 0
            })
        );
    }
}
