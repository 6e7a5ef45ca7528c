//! The XRPC calls Hayon makes, one typed method each (see protocol.md for what the server answers).

use super::types::{ActorBasic, ActorsOutput, Profile, ProfileRecord, SessionInfo, SessionOutput};
use super::{Credential, XrpcClient, XrpcError};
use crate::secret::Secret;
use serde::Serialize;
use url::Url;

#[derive(Serialize)]
struct CreateSessionInput<'a> {
    identifier: &'a str,
    password: &'a str,
}

impl XrpcClient {
    /// Logs in with an identifier (handle, email or DID) and a password.
    pub async fn create_session(
        &self,
        host: &Url,
        identifier: &str,
        password: &Secret,
    ) -> Result<SessionOutput, XrpcError> {
        let input = CreateSessionInput {
            identifier,
            password: password.expose(),
        };
        self.procedure(host, "com.atproto.server.createSession", Some(&input), None)
            .await
    }

    /// Exchanges the refresh token for a new token pair (the refresh token rotates).
    pub async fn refresh_session(
        &self,
        host: &Url,
        refresh_jwt: &Secret,
    ) -> Result<SessionOutput, XrpcError> {
        self.procedure::<(), _>(
            host,
            "com.atproto.server.refreshSession",
            None,
            Some(&Credential::Bearer(refresh_jwt.clone())),
        )
        .await
    }

    pub async fn get_session(
        &self,
        host: &Url,
        credential: &Credential,
    ) -> Result<SessionInfo, XrpcError> {
        self.query(host, "com.atproto.server.getSession", &[], Some(credential))
            .await
    }

    /// Revokes the session behind the refresh token on the server.
    pub async fn delete_session(&self, host: &Url, refresh_jwt: &Secret) -> Result<(), XrpcError> {
        let refresh = Credential::Bearer(refresh_jwt.clone());
        self.procedure_no_output(host, "com.atproto.server.deleteSession", Some(&refresh))
            .await
    }

    /// `app.bsky.actor.getProfile`, proxied by the PDS to the app view.
    pub async fn get_profile(
        &self,
        pds: &Url,
        credential: &Credential,
        actor: &str,
    ) -> Result<Profile, XrpcError> {
        self.query(
            pds,
            "app.bsky.actor.getProfile",
            &[("actor", actor)],
            Some(credential),
        )
        .await
    }

    /// `app.bsky.actor.searchActorsTypeahead`, proxied by the PDS to the app view: up to `limit`
    /// accounts whose handle or name starts like `q`.
    pub async fn search_actors_typeahead(
        &self,
        pds: &Url,
        credential: &Credential,
        q: &str,
        limit: u8,
    ) -> Result<Vec<ActorBasic>, XrpcError> {
        let limit = limit.to_string();
        let output: ActorsOutput = self
            .query(
                pds,
                "app.bsky.actor.searchActorsTypeahead",
                &[("q", q), ("limit", &limit)],
                Some(credential),
            )
            .await?;
        Ok(output.actors)
    }

    /// The account's own `app.bsky.actor.profile/self` record, or `None` when it has none.
    pub async fn get_profile_record(
        &self,
        pds: &Url,
        did: &str,
    ) -> Result<Option<ProfileRecord>, XrpcError> {
        let record = self
            .get_record::<ProfileRecord>(pds, did, "app.bsky.actor.profile", "self")
            .await?;
        Ok(record.map(|record| record.value))
    }
}

impl XrpcClient {
    /// A DID document, from where its method publishes it (`identity::did_document_url`): no
    /// sign-in, the same transport rules, size limit and retries as an XRPC query.
    pub async fn did_document(&self, url: &Url) -> Result<serde_json::Value, XrpcError> {
        self.get_document(url, "DID document").await
    }

    /// A JSON document at `url` that is not an XRPC call (a DID document, a server's
    /// `/.well-known/…` metadata), named `what` in errors: no sign-in, the same transport rules,
    /// size limit and retries as an XRPC query.
    pub async fn get_document<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        what: &str,
    ) -> Result<T, XrpcError> {
        super::check_transport(url)?;
        let builder = self.client_for(url).get(url.clone()).timeout(self.timeout);
        self.fetch_json(url, what, builder, None, super::retry::Repeat::Safe)
            .await
    }

    /// A form POST to an OAuth endpoint (PAR, token, revocation), signed with `key` (DPoP): the
    /// status and the body, read up to the JSON limit, whatever the status (OAuth errors are JSON
    /// of their own shape, `{error, error_description}`). Sent a second time only when refused for
    /// want of the server's new nonce (400 `use_dpop_nonce`, RFC 9449 › 8), which it did not act on.
    pub(crate) async fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        key: &crate::dpop::DpopKey,
    ) -> Result<(u16, Vec<u8>), XrpcError> {
        super::check_transport(url)?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let builder = self
            .client_for(url)
            .post(url.clone())
            .timeout(self.timeout)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body);
        let again = builder.try_clone();
        let (status, bytes, new_nonce) = form_answer(url, builder, key).await?;
        #[derive(serde::Deserialize)]
        struct Refusal {
            error: Option<String>,
        }
        let wants_nonce = status == 400
            && serde_json::from_slice::<Refusal>(&bytes)
                .is_ok_and(|refusal| refusal.error.as_deref() == Some("use_dpop_nonce"));
        match again {
            Some(again) if new_nonce && wants_nonce => {
                let (status, bytes, _) = form_answer(url, again, key).await?;
                Ok((status, bytes))
            }
            _ => Ok((status, bytes)),
        }
    }
}

/// One try of a form POST: its status, its body (up to the JSON limit) and whether it brought a new
/// DPoP nonce.
async fn form_answer(
    url: &Url,
    builder: reqwest::RequestBuilder,
    key: &crate::dpop::DpopKey,
) -> Result<(u16, Vec<u8>, bool), XrpcError> {
    let response = super::credential::send_proved(url, builder, key, None).await?;
    let new_nonce = super::credential::learn_nonce(key, &response);
    let status = response.status().as_u16();
    let bytes = super::read_body(
        url,
        url.path(),
        response,
        super::transport::JSON_ANSWER_LIMIT,
    )
    .await?;
    Ok((status, bytes, new_nonce))
}

/// The URL that serves a blob of `did`'s repository from its PDS.
pub fn blob_url(pds: &Url, did: &str, cid: &str) -> Option<String> {
    let mut url = pds.join("xrpc/com.atproto.sync.getBlob").ok()?;
    url.query_pairs_mut()
        .append_pair("did", did)
        .append_pair("cid", cid);
    Some(url.into())
}

impl ProfileRecord {
    /// The record as a profile, with the avatar blob turned into a URL on the PDS.
    pub fn into_profile(self, pds: &Url, did: &str) -> Profile {
        Profile {
            display_name: self.display_name,
            description: self.description,
            avatar: self
                .avatar
                .and_then(|blob| blob_url(pds, did, &blob.link.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_record_avatar_becomes_blob_url() {
        const CID: &str = "bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu";
        let record: ProfileRecord = serde_json::from_value(serde_json::json!({
            "$type": "app.bsky.actor.profile",
            "displayName": "Alice",
            "avatar": {"$type": "blob", "ref": {"$link": CID}, "mimeType": "image/png", "size": 10}
        }))
        .expect("valid record");
        let pds = Url::parse("http://localhost:2583").expect("url");
        let profile = record.into_profile(&pds, "did:plc:xyz");
        assert_eq!(profile.display_name.as_deref(), Some("Alice"));
        assert_eq!(
            profile.avatar.as_deref(),
            Some("http://localhost:2583/xrpc/com.atproto.sync.getBlob?did=did%3Aplc%3Axyz&cid=bafkreicp62vwocsyyfbhbybu4ieq3gsdfsvcmoqu4crfpbjynmgbf6eawu")
        );
    }
}
