//! The composer's draft: everything needed to pick up where the user left off after a crash or a
//! restart. Saved in SQLite as the user types; cleared after a successful post. [`Drafts`] is the
//! drafts service of the core context (`core.drafts()`).

use crate::error::{Error, Result};
use crate::store::Store;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Draft {
    pub text: String,
    pub images: Vec<DraftImage>,
    /// DIDs of the accounts chosen to post to.
    pub accounts: Vec<String>,
    pub langs: Vec<String>,
    /// False when the user removed the link card.
    pub link_card: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DraftImage {
    pub path: String,
    pub alt: String,
}

/// The saved draft ([`crate::Core::drafts`]).
#[derive(Debug, Clone, Copy)]
pub struct Drafts<'a> {
    pub(crate) store: &'a Store,
}

impl Drafts<'_> {
    pub fn save(&self, draft: &Draft, now: &str) -> Result<()> {
        let body = serde_json::to_string(draft).map_err(Error::storage)?;
        self.store.save_draft(&body, now)
    }

    /// The saved draft; an unreadable one (from a broken write) is dropped rather than blocking the
    /// composer.
    pub fn load(&self) -> Result<Option<Draft>> {
        Ok(self
            .store
            .load_draft()?
            .and_then(|body| serde_json::from_str(&body).ok()))
    }

    /// Forgets the draft (after it was posted).
    pub fn clear(&self) -> Result<()> {
        self.store.clear_draft()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_round_trips_through_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let drafts = Drafts { store: &store };
        let draft = Draft {
            text: "Hello 👋🏽 #hayon".into(),
            images: vec![DraftImage {
                path: "/tmp/a.jpg".into(),
                alt: "A cat".into(),
            }],
            accounts: vec!["did:plc:abc".into()],
            langs: vec!["en".into()],
            link_card: true,
        };
        drafts.save(&draft, "t").expect("save");
        assert_eq!(drafts.load().expect("load"), Some(draft));
        store.save_draft("{not json", "t").expect("save broken");
        assert_eq!(drafts.load().expect("load"), None);
    }
}
