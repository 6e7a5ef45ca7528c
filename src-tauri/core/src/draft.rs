//! The composer's draft: the [`Composition`] being written, saved in SQLite as the person types so it
//! survives a crash or a restart; cleared once it is posted. [`Drafts`] is the drafts service of the
//! core context (`core.drafts()`).
//!
//! Hayon before threads saved a single post (`{text, images, accounts, langs, linkCard: bool}`). Such a
//! draft is still read, as a composition of that one post, so nobody loses what they were writing
//! when they update.

use crate::composition::{CardChoice, ComposedImage, ComposedPost, Composition};
use crate::error::{Error, Result};
use crate::store::Store;
use serde::Deserialize;

/// The saved draft ([`crate::Core::drafts`]).
#[derive(Debug, Clone, Copy)]
pub struct Drafts<'a> {
    pub(crate) store: &'a Store,
}

impl Drafts<'_> {
    pub fn save(&self, draft: &Composition, now: &str) -> Result<()> {
        let body = serde_json::to_string(draft).map_err(Error::storage)?;
        self.store.save_draft(&body, now)
    }

    /// The saved draft; an unreadable one (from a broken write) is dropped rather than blocking the
    /// composer.
    pub fn load(&self) -> Result<Option<Composition>> {
        Ok(self.store.load_draft()?.and_then(|body| parse(&body)))
    }

    /// Forgets the draft (after it was posted).
    pub fn clear(&self) -> Result<()> {
        self.store.clear_draft()
    }
}

/// A stored draft body: a composition, or a single-post draft of an older version.
fn parse(body: &str) -> Option<Composition> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    if value.get("posts").is_some() {
        serde_json::from_value(value).ok()
    } else {
        serde_json::from_value::<SinglePostDraft>(value)
            .ok()
            .map(SinglePostDraft::into_composition)
    }
}

/// The draft as Hayon saved it before threads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SinglePostDraft {
    #[serde(default)]
    text: String,
    #[serde(default)]
    images: Vec<ComposedImage>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(default)]
    langs: Vec<String>,
    /// False when the person had removed the link card.
    #[serde(default = "yes")]
    link_card: bool,
}

fn yes() -> bool {
    true
}

impl SinglePostDraft {
    fn into_composition(self) -> Composition {
        Composition {
            posts: vec![ComposedPost {
                text: self.text,
                images: self.images,
                card: if self.link_card {
                    CardChoice::FirstLink
                } else {
                    CardChoice::None
                },
                ..ComposedPost::default()
            }],
            accounts: self.accounts,
            langs: self.langs,
            ..Composition::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::composition::{ContentLabel, WhoCanReply};

    #[test]
    fn a_thread_round_trips_through_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let drafts = Drafts { store: &store };
        let post = |text: &str, path: &str| ComposedPost {
            text: text.into(),
            images: vec![ComposedImage {
                path: path.into(),
                alt: "A cat".into(),
            }],
            labels: vec![ContentLabel::Nudity],
            ..ComposedPost::default()
        };
        let draft = Composition {
            posts: vec![
                post("Hello 👋🏽 #hayon", "/tmp/a.jpg"),
                post("2/2", "/tmp/b.jpg"),
            ],
            accounts: vec!["did:plc:abc".into()],
            langs: vec!["en".into()],
            who_can_reply: WhoCanReply::Nobody,
            quotes_allowed: false,
        };
        drafts.save(&draft, "t").expect("save");
        assert_eq!(drafts.load().expect("load"), Some(draft));
        store.save_draft("{not json", "t").expect("save broken");
        assert_eq!(drafts.load().expect("load"), None);
    }

    #[test]
    fn a_single_post_draft_of_the_previous_version_becomes_a_one_post_composition() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let drafts = Drafts { store: &store };
        let old = r#"{"text":"Half-written","images":[{"path":"/tmp/a.jpg","alt":"A cat"}],
                      "accounts":["did:plc:abc"],"langs":["en","de"],"linkCard":false}"#;
        store.save_draft(old, "t").expect("save");
        let draft = drafts.load().expect("load").expect("a draft");
        assert_eq!(
            draft,
            Composition {
                posts: vec![ComposedPost {
                    text: "Half-written".into(),
                    images: vec![ComposedImage {
                        path: "/tmp/a.jpg".into(),
                        alt: "A cat".into(),
                    }],
                    card: CardChoice::None,
                    ..ComposedPost::default()
                }],
                accounts: vec!["did:plc:abc".into()],
                langs: vec!["en".into(), "de".into()],
                ..Composition::default()
            }
        );
        store
            .save_draft(r#"{"text":"A link https://example.com"}"#, "t")
            .expect("save");
        let draft = drafts.load().expect("load").expect("a draft");
        assert_eq!(draft.posts[0].card, CardChoice::FirstLink);
    }
}
