//! When staged copies go: when their image leaves its draft, when their draft is deleted (posted, or
//! discarded and no longer restorable), once their post is published, and at start-up when no draft
//! refers to them (orphans of a crash, or of images removed before the draft was saved). A copy stays
//! while anything still refers to it: any saved draft (a discarded one too, while Undo can bring it
//! back) and any thread still in the outbox (a retry reads them). A draft is a whole thread: the
//! images of every post, and a shown link card's thumbnail, are kept. Nothing outside the folder is
//! ever deleted: only names that pass [`super::confine`].

use super::Attachments;
use crate::composition::{CardChoice, Composition};
use crate::error::Result;
use std::collections::HashSet;
use std::ffi::OsString;

impl Attachments {
    /// Deletes the staged copies `gone` (a composition no longer stored) refers to, except those one
    /// of `kept` (every stored draft and every thread in the outbox: [`crate::draft::Drafts`] knows
    /// them) still refers to.
    pub(crate) fn forget_unused(&self, gone: &Composition, kept: &[Composition]) {
        let kept: HashSet<OsString> = kept
            .iter()
            .flat_map(|other| self.known_names(other))
            .collect();
        let left: Vec<OsString> = self
            .known_names(gone)
            .filter(|name| !kept.contains(name))
            .collect();
        self.forget(&left);
    }

    /// Removes the copies that none of `kept` (the saved draft, read at start-up, and any composition
    /// still waiting to be posted) refers to, among those made before this process opened the folder.
    /// Returns how many were removed.
    pub(crate) fn sweep(&self, kept: &[Composition]) -> usize {
        let keep: HashSet<OsString> = kept
            .iter()
            .flat_map(|composition| self.known_names(composition))
            .collect();
        let Ok(entries) = std::fs::read_dir(&self.canonical) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            // Not followed: a symlink is an entry of its own.
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            let old = metadata
                .modified()
                .is_ok_and(|modified| modified < self.opened);
            if metadata.is_dir() || !old || keep.contains(&entry.file_name()) {
                continue;
            }
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(err) => {
                    tracing::warn!(error = %err.kind(), "could not remove an unused attached image")
                }
            }
        }
        removed
    }

    /// The staged copies `draft` refers to; an error if it refers to anything else.
    pub(crate) fn names_in(&self, draft: &Composition) -> Result<Vec<OsString>> {
        paths_of(draft).map(|path| self.staged_name(path)).collect()
    }

    /// The staged copies a stored composition refers to (anything else in it is ignored).
    fn known_names<'a>(&'a self, draft: &'a Composition) -> impl Iterator<Item = OsString> + 'a {
        paths_of(draft).filter_map(|path| self.staged_name(path).ok())
    }

    fn forget(&self, names: &[OsString]) {
        for name in names {
            match std::fs::remove_file(self.canonical.join(name)) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    tracing::warn!(error = %err.kind(), "could not delete an attached image's copy")
                }
            }
        }
    }
}

/// Every file a composition names: each post's images, video and caption files, and a shown card's
/// thumbnail, in thread order.
pub fn paths_of(composition: &Composition) -> impl Iterator<Item = &str> {
    composition.posts.iter().flat_map(|post| {
        let thumb = match &post.card {
            CardChoice::Shown { thumb_path, .. } => thumb_path.as_deref(),
            CardChoice::FirstLink | CardChoice::None => None,
        };
        let video = post.video.iter().flat_map(|video| {
            std::iter::once(video.path.as_str())
                .chain(video.captions.iter().map(|caption| caption.path.as_str()))
        });
        post.images
            .iter()
            .map(|image| image.path.as_str())
            .chain(video)
            .chain(thumb)
    })
}
