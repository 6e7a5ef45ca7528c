//! Identifiers as people type them, and the PDS an account lives on: read from the DID document, which
//! the server sends with a session or which is fetched from where the DID method publishes it.

use url::Url;

/// Trims the identifier and drops one leading `@`: the server reads `@name` as an email address.
pub fn normalize_identifier(input: &str) -> String {
    let trimmed = input.trim();
    trimmed
        .strip_prefix('@')
        .unwrap_or(trimmed)
        .trim()
        .to_owned()
}

/// True for `xxxx-xxxx-xxxx-xxxx` with lowercase base32 letters (a-z, 2-7), the shape of an app
/// password. Anything else is probably a main password: a warning, not a block (the server decides).
pub fn looks_like_app_password(password: &str) -> bool {
    let groups: Vec<&str> = password.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|group| {
            group.len() == 4
                && group
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        })
}

/// Parses the hosting provider the user gave: http(s) only, a trailing slash added so `join` keeps
/// any path prefix.
pub fn parse_service_url(input: &str) -> Option<Url> {
    let mut url = Url::parse(input.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Some(url)
}

/// The handle a DID document claims (`alsoKnownAs: ["at://name"]`), lowercase.
pub fn handle_from_did_doc(doc: &serde_json::Value) -> Option<String> {
    doc.get("alsoKnownAs")?
        .as_array()?
        .iter()
        .filter_map(|name| name.as_str()?.strip_prefix("at://"))
        .find(|handle| !handle.is_empty() && !handle.contains('/'))
        .map(str::to_ascii_lowercase)
}

/// The `#atproto_pds` service endpoint of a DID document, if it names a usable URL.
pub fn pds_from_did_doc(doc: &serde_json::Value) -> Option<Url> {
    doc.get("service")?
        .as_array()?
        .iter()
        .filter(|service| {
            service
                .get("id")
                .and_then(|id| id.as_str())
                .is_some_and(|id| id.ends_with("#atproto_pds"))
        })
        .find_map(|service| parse_service_url(service.get("serviceEndpoint")?.as_str()?))
}

/// Where `did:plc` documents are published, unless `HAYON_PLC_DIRECTORY` names another
/// ([`crate::Config::plc_directory`]).
pub const PLC_DIRECTORY: &str = "https://plc.directory/";

/// Where the DID document of `did` is published: `{plc_directory}/{did}` for `did:plc`, and
/// `https://{host}/.well-known/did.json` for `did:web` (plain http only for `localhost`, as atproto's
/// own resolver does for development). `None` for other methods and malformed DIDs.
pub fn did_document_url(did: &str, plc_directory: &Url) -> Option<Url> {
    if let Some(id) = did.strip_prefix("did:plc:") {
        let base32 = |b: u8| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b);
        return (id.len() == 24 && id.bytes().all(base32))
            // "./" keeps the DID a path: on its own, "did:" would read as a URL scheme.
            .then(|| plc_directory.join(&format!("./{did}")).ok())
            .flatten();
    }
    // atproto allows host-level did:web only; a port is percent-encoded (`localhost%3A2583`).
    let host = did.strip_prefix("did:web:")?.replace("%3A", ":");
    if host.is_empty() || host.contains(['/', '%', '@', '?', '#']) || host.split(':').count() > 2 {
        return None;
    }
    let scheme = if host.split(':').next() == Some("localhost") {
        "http"
    } else {
        "https"
    };
    let url = Url::parse(&format!("{scheme}://{host}/.well-known/did.json")).ok()?;
    (url.host_str().is_some() && url.path() == "/.well-known/did.json").then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_is_trimmed_and_loses_its_at() {
        assert_eq!(
            normalize_identifier("  @alice.bsky.social "),
            "alice.bsky.social"
        );
        assert_eq!(
            normalize_identifier("alice@example.com"),
            "alice@example.com"
        );
        assert_eq!(normalize_identifier("did:plc:abc"), "did:plc:abc");
    }

    #[test]
    fn app_password_shape() {
        assert!(looks_like_app_password("abcd-efgh-ij2k-7mnz"));
        assert!(!looks_like_app_password("ABCD-efgh-ijkl-mnop"));
        assert!(!looks_like_app_password("abcd-efgh-ijkl-mno8"));
        assert!(!looks_like_app_password("hunter2hunter2"));
        assert!(!looks_like_app_password("abcd-efgh-ijkl"));
    }

    #[test]
    fn service_url_accepts_http_and_https_only() {
        assert_eq!(
            parse_service_url("https://bsky.social")
                .map(String::from)
                .as_deref(),
            Some("https://bsky.social/")
        );
        assert_eq!(
            parse_service_url("http://localhost:2583/pds")
                .map(String::from)
                .as_deref(),
            Some("http://localhost:2583/pds/")
        );
        assert!(parse_service_url("ftp://example.com").is_none());
        assert!(parse_service_url("bsky.social").is_none());
    }

    #[test]
    fn pds_is_read_from_the_did_document() {
        let doc = serde_json::json!({
            "id": "did:plc:abc",
            "service": [
                {"id": "#bsky_notif", "type": "X", "serviceEndpoint": "https://notif.example"},
                {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "https://pds.example.com"}
            ]
        });
        assert_eq!(
            pds_from_did_doc(&doc).map(String::from).as_deref(),
            Some("https://pds.example.com/")
        );
        assert!(pds_from_did_doc(&serde_json::json!({"service": []})).is_none());
    }

    #[test]
    fn did_documents_are_found_where_their_method_publishes_them() {
        let plc = Url::parse("https://plc.directory/").expect("url");
        assert_eq!(
            did_document_url("did:plc:s4ftoopqakowoct6b66glb4s", &plc)
                .map(String::from)
                .as_deref(),
            Some("https://plc.directory/did:plc:s4ftoopqakowoct6b66glb4s")
        );
        let local = Url::parse("http://localhost:2582/").expect("url");
        assert_eq!(
            did_document_url("did:plc:s4ftoopqakowoct6b66glb4s", &local)
                .map(String::from)
                .as_deref(),
            Some("http://localhost:2582/did:plc:s4ftoopqakowoct6b66glb4s")
        );
        assert_eq!(
            did_document_url("did:web:example.com", &plc)
                .map(String::from)
                .as_deref(),
            Some("https://example.com/.well-known/did.json")
        );
        assert_eq!(
            did_document_url("did:web:localhost%3A2583", &plc)
                .map(String::from)
                .as_deref(),
            Some("http://localhost:2583/.well-known/did.json")
        );
        for bad in [
            "did:plc:short",
            "did:plc:S4FTOOPQAKOWOCT6B66GLB4S",
            "did:plc:../../admin/aaaaaaaaaaaaaaaaaa",
            "did:web:example.com:path:user",
            "did:web:evil.com%2F@x",
            "did:web:",
            "did:key:z6Mk",
        ] {
            assert!(did_document_url(bad, &plc).is_none(), "{bad}");
        }
    }
}
