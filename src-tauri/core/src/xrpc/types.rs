//! The lexicon shapes Hayon reads (camelCase on the wire). Unknown fields are ignored.

use crate::records::Blob;
use crate::secret::Secret;
use serde::Deserialize;

/// `com.atproto.server.createSession` and `refreshSession` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionOutput {
    pub access_jwt: Secret,
    pub refresh_jwt: Secret,
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub did_doc: Option<serde_json::Value>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `com.atproto.server.getSession` output (no tokens).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub status: Option<String>,
}

/// The part of `app.bsky.actor.defs#profileViewDetailed` shown in the account list.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// An image URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// `app.bsky.actor.profile` record value (the fallback when no app view answers).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRecord {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub avatar: Option<Blob>,
}

/// `com.atproto.repo.getRecord` output: the record's location and its value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Record<T> {
    pub uri: String,
    pub cid: String,
    pub value: T,
}

#[derive(Debug, Deserialize)]
pub(super) struct UploadBlobOutput {
    pub blob: Blob,
}

#[derive(Debug, Deserialize)]
pub(super) struct ResolveHandleOutput {
    pub did: String,
}

/// The part of `app.bsky.actor.defs#profileViewBasic` a mention suggestion shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorBasic {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// An image URL.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// `app.bsky.actor.searchActorsTypeahead` output.
#[derive(Debug, Deserialize)]
pub(super) struct ActorsOutput {
    #[serde(default)]
    pub actors: Vec<ActorBasic>,
}
