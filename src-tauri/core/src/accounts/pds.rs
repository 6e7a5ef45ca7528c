//! The PDS an account's calls go to is the one its DID document names, so an account that moved to
//! another PDS keeps working. The document comes with a session when the server sends it (bsky.social
//! does); otherwise it is fetched from where the DID method publishes it (`identity.rs`). A PDS must
//! pass the transport rules (plain http only on this computer) before it is used.

use super::session::LiveSession;
use super::Accounts;
use crate::error::Result;
use crate::identity;
use serde_json::Value;
use url::Url;

impl Accounts<'_> {
    /// The PDS named by `did`'s document: `given` (from a session answer) or the published one.
    /// `None` when there is no usable answer; the caller keeps what it had.
    pub(super) async fn pds_of(&self, did: &str, given: Option<&Value>) -> Option<Url> {
        match given {
            Some(doc) if is_document_of(did, doc) => identity::pds_from_did_doc(doc),
            Some(_) => None,
            None => identity::pds_from_did_doc(&self.did_document(did).await?),
        }
    }

    /// `did`'s document, from where its method publishes it; `None` when there is no usable
    /// answer or the document is another DID's.
    pub(super) async fn did_document(&self, did: &str) -> Option<Value> {
        let url = identity::did_document_url(did, &self.core.plc_directory)?;
        let doc = self
            .core
            .xrpc
            .did_document(&url)
            .await
            .map_err(|err| tracing::warn!(did, error = %err, "DID document unavailable"))
            .ok()?;
        is_document_of(did, &doc).then_some(doc)
    }

    /// After a refresh: stores and uses the PDS the DID document names now, if it changed.
    pub(super) async fn follow_did_document(
        &self,
        session: &LiveSession,
        given: Option<&Value>,
    ) -> Result<()> {
        let Some(pds) = self.pds_of(&session.did, given).await else {
            return Ok(());
        };
        if pds == session.pds() {
            return Ok(());
        }
        if let Err(err) = crate::xrpc::check_transport(&pds) {
            tracing::warn!(did = %session.did, error = %err, "the DID document names a PDS Hayon will not use; keeping the stored one");
            return Ok(());
        }
        self.core
            .store
            .update_pds(&session.did, pds.as_str(), &super::now_rfc3339())?;
        tracing::info!(did = %session.did, host = pds.host_str().unwrap_or_default(), "the account's PDS moved");
        session.set_hosts(session.service(), pds);
        Ok(())
    }
}

/// Whether `doc` is `did`'s own document; another DID's is ignored, with a warning.
fn is_document_of(did: &str, doc: &Value) -> bool {
    let own = doc.get("id").and_then(Value::as_str) == Some(did);
    if !own {
        tracing::warn!(did, "a DID document for another DID was ignored");
    }
    own
}
