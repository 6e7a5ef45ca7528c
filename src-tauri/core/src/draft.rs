//! The composer's drafts: each [`Composition`] being written, saved in SQLite as the person types so
//! it survives a crash or a restart; deleted once it is posted. Several can be kept (the window lists
//! them and switches between them). Discarding is undoable: a discarded draft stays stored, out of
//! the list, until [`Drafts::remove`] (the window's Undo has expired) or the next start
//! ([`Drafts::remove_discarded`]). [`Drafts`] is the drafts service of the core context
//! (`core.drafts()`). It also decides which staged images are still in use — by any stored draft or
//! any thread in the outbox — when a draft changes or goes, and at start-up ([`Drafts::sweep`]); when
//! a copy goes is told in [`crate::attachments`].
//!
//! Hayon before threads saved a single post (`{text, images, accounts, langs, linkCard: bool}`). Such a
//! draft is still read, as a composition of that one post, so nobody loses what they were writing
//! when they update.

use crate::attachments::Attachments;
use crate::composition::{CardChoice, ComposedImage, ComposedPost, Composition};
use crate::error::{Error, ErrorCode, Result, StorageError};
use crate::store::{DraftRow, Store};
use serde::{Deserialize, Serialize};

/// The saved drafts ([`crate::Core::drafts`]).
#[derive(Debug, Clone, Copy)]
pub struct Drafts<'a> {
    pub(crate) store: &'a Store,
    pub(crate) attachments: &'a Attachments,
}

/// A stored draft: its id, when it last changed, and the composition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SavedDraft {
    pub id: i64,
    pub updated_at: String,
    pub composition: Composition,
}

impl Drafts<'_> {
    /// Saves draft `id` (a new draft when `None`), whose images must be staged copies, and returns
    /// its id. The staged copies that were in it and are not any more (the person removed them) are
    /// deleted, unless another draft or a thread still in the outbox uses them.
    pub fn save(&self, id: Option<i64>, draft: &Composition, now: &str) -> Result<i64> {
        self.attachments.names_in(draft)?;
        let previous = match id {
            Some(id) => self.load(id)?,
            None => None,
        };
        let body = serde_json::to_string(draft).map_err(StorageError::encoding("draft"))?;
        let saved = self.store.save_draft(id, &body, now)?;
        if let Some(previous) = previous {
            self.forget_unused_images(&previous)?;
        }
        Ok(saved)
    }

    /// Draft `id` (also when discarded); an unreadable one (from a broken write) is `None` rather
    /// than blocking the composer.
    pub fn load(&self, id: i64) -> Result<Option<Composition>> {
        Ok(self.store.draft(id)?.and_then(|row| parse(&row.body)))
    }

    /// The drafts that are not discarded, the most recently changed first: the window's list, whose
    /// first is the draft it opens at start. A draft a scheduled post was made from is not listed:
    /// the post is in the Queue, and posting its draft again would post it twice.
    pub fn list(&self) -> Result<Vec<SavedDraft>> {
        let scheduled = self.store.drafts_of_scheduled_posts()?;
        Ok(self
            .store
            .drafts()?
            .into_iter()
            .filter(|row| !row.discarded && !scheduled.contains(&row.id))
            .filter_map(saved)
            .collect())
    }

    /// Every stored composition, discarded ones included (Undo can still bring them back): the
    /// drafts whose staged images must be kept.
    pub fn every(&self) -> Result<Vec<Composition>> {
        Ok(self
            .store
            .drafts()?
            .into_iter()
            .filter_map(|row| parse(&row.body))
            .collect())
    }

    /// Takes draft `id` out of the list; [`Self::restore`] brings it back.
    pub fn discard(&self, id: i64, now: &str) -> Result<()> {
        if self.store.set_draft_discarded(id, Some(now))? {
            Ok(())
        } else {
            Err(missing(id))
        }
    }

    /// Undo of [`Self::discard`]: the draft is listed again, as it was.
    pub fn restore(&self, id: i64) -> Result<SavedDraft> {
        if !self.store.set_draft_discarded(id, None)? {
            return Err(missing(id));
        }
        self.store
            .draft(id)?
            .and_then(saved)
            .ok_or_else(|| missing(id))
    }

    /// Deletes draft `id` (posted, or discarded for good) with the staged copies it alone used:
    /// those another draft or a thread in the outbox refers to stay.
    pub fn delete(&self, id: i64) -> Result<()> {
        let row = self.store.draft(id)?;
        self.store.delete_draft(id)?;
        match row.and_then(|row| parse(&row.body)) {
            Some(removed) => self.forget_unused_images(&removed),
            None => Ok(()),
        }
    }

    /// Deletes the staged copies `gone` (a draft or outbox thread no longer stored) refers to,
    /// except those a stored draft or a thread in the outbox still refers to.
    pub(crate) fn forget_unused_images(&self, gone: &Composition) -> Result<()> {
        self.attachments.forget_unused(gone, &self.in_use()?);
        Ok(())
    }

    /// At start-up: deletes the discarded drafts (no window offers their Undo any more), then the
    /// staged copies made before this start that no stored draft or outbox thread refers to.
    /// Returns how many copies went. If either cannot be read, nothing is removed.
    pub fn sweep(&self) -> Result<usize> {
        self.remove_discarded()?;
        Ok(self.attachments.sweep(&self.in_use()?))
    }

    /// Every composition whose staged images must be kept: each stored draft (discarded ones too)
    /// and each thread in the outbox (a retry reads them).
    fn in_use(&self) -> Result<Vec<Composition>> {
        let mut in_use = self.every()?;
        in_use.extend(
            self.store
                .outbox_entries()?
                .into_iter()
                .map(|entry| entry.composition),
        );
        Ok(in_use)
    }

    /// Deletes every discarded draft. Their images go with the start-up sweep.
    fn remove_discarded(&self) -> Result<usize> {
        let mut removed = 0;
        for row in self.store.drafts()?.into_iter().filter(|row| row.discarded) {
            if self.store.delete_draft(row.id)? {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn saved(row: DraftRow) -> Option<SavedDraft> {
    Some(SavedDraft {
        id: row.id,
        composition: parse(&row.body)?,
        updated_at: row.updated_at,
    })
}

fn missing(id: i64) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("Draft {id} is no longer saved: it was posted or deleted."),
    )
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

    /// A store and an attachments folder in `dir`, as the core opens them.
    fn open(dir: &std::path::Path) -> (Store, Attachments) {
        let store = Store::open_in(dir).expect("open");
        let attachments = Attachments::open(dir).expect("attachments");
        (store, attachments)
    }

    #[test]
    fn a_thread_round_trips_through_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, attachments) = open(dir.path());
        let drafts = Drafts {
            store: &store,
            attachments: &attachments,
        };
        let staged = |name: &str| {
            let path = dir.path().join(crate::attachments::FOLDER).join(name);
            path.to_str().expect("utf-8").to_owned()
        };
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
                post("Hello 👋🏽 #hayon", &staged("3lbaaaaaaaaaa.jpg")),
                post("2/2", &staged("3lbbbbbbbbbbb.jpg")),
            ],
            accounts: vec!["did:plc:abc".into()],
            langs: vec!["en".into()],
            who_can_reply: WhoCanReply::Nobody,
            quotes_allowed: false,
        };
        let id = drafts.save(None, &draft, "t").expect("save");
        assert_eq!(drafts.load(id).expect("load"), Some(draft));
        store
            .save_draft(Some(id), "{not json", "t")
            .expect("save broken");
        assert_eq!(drafts.load(id).expect("load"), None);
        assert_eq!(
            drafts.list().expect("list"),
            [],
            "an unreadable draft is not listed"
        );
    }

    #[test]
    fn a_single_post_draft_of_the_previous_version_becomes_a_one_post_composition() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, attachments) = open(dir.path());
        let drafts = Drafts {
            store: &store,
            attachments: &attachments,
        };
        let old = r#"{"text":"Half-written","images":[{"path":"/tmp/a.jpg","alt":"A cat"}],
                      "accounts":["did:plc:abc"],"langs":["en","de"],"linkCard":false}"#;
        let id = store.save_draft(None, old, "t").expect("save");
        let draft = drafts.load(id).expect("load").expect("a draft");
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
            .save_draft(Some(id), r#"{"text":"A link https://example.com"}"#, "t")
            .expect("save");
        let draft = drafts.load(id).expect("load").expect("a draft");
        assert_eq!(draft.posts[0].card, CardChoice::FirstLink);
    }

    #[test]
    fn a_discarded_draft_leaves_the_list_until_undone_or_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (store, attachments) = open(dir.path());
        let drafts = Drafts {
            store: &store,
            attachments: &attachments,
        };
        let text = |text: &str| Composition {
            posts: vec![ComposedPost {
                text: text.into(),
                ..ComposedPost::default()
            }],
            ..Composition::default()
        };
        let first = drafts.save(None, &text("first"), "t1").expect("save");
        let second = drafts.save(None, &text("second"), "t2").expect("save");
        let ids = |list: Vec<SavedDraft>| list.iter().map(|d| d.id).collect::<Vec<_>>();
        assert_eq!(ids(drafts.list().expect("list")), [second, first]);

        drafts.discard(second, "t3").expect("discard");
        assert_eq!(ids(drafts.list().expect("list")), [first]);
        assert_eq!(drafts.every().expect("every").len(), 2, "its images stay");
        let back = drafts.restore(second).expect("undo");
        assert_eq!(back.composition, text("second"));
        assert_eq!(ids(drafts.list().expect("list")), [second, first]);

        drafts.discard(second, "t4").expect("discard");
        assert_eq!(drafts.remove_discarded().expect("at start"), 1);
        assert_eq!(drafts.every().expect("every"), [text("first")]);
        let err = drafts.restore(second).expect_err("gone");
        assert_eq!(err.code, ErrorCode::NotFound);
        drafts.delete(first).expect("posted");
        assert_eq!(drafts.every().expect("every"), []);
    }
}
