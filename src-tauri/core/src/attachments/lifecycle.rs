//! When staged copies go: when their image leaves the saved draft, once their post is published, and
//! at start-up when no draft refers to them (orphans of a crash, or of images removed before the draft
//! was saved). Nothing outside the folder is ever deleted: only names that pass [`super::confine`].

use super::Attachments;
use crate::draft::{Draft, Drafts};
use crate::error::Result;
use std::collections::HashSet;
use std::ffi::OsString;

impl Attachments {
    /// Saves `draft`, whose images must be staged copies, and deletes the staged copies that were
    /// in the saved draft and are not any more (the person removed them).
    pub fn save_draft(&self, drafts: &Drafts<'_>, draft: &Draft, now: &str) -> Result<()> {
        let kept = self.names_in(draft)?;
        let previous = drafts.load()?;
        drafts.save(draft, now)?;
        if let Some(previous) = previous {
            let left: Vec<OsString> = self
                .known_names(&previous)
                .filter(|name| !kept.contains(name))
                .collect();
            self.forget(&left);
        }
        Ok(())
    }

    /// Deletes the staged copies among `paths` (posted, or no longer wanted). Paths that are not
    /// staged copies are left alone.
    pub fn forget_paths(&self, paths: &[String]) {
        let names: Vec<OsString> = paths
            .iter()
            .filter_map(|path| self.staged_name(path).ok())
            .collect();
        self.forget(&names);
    }

    /// Removes the copies that `draft` (the saved one, read at start-up) does not refer to, among
    /// those made before this process opened the folder. Returns how many were removed.
    pub fn sweep(&self, draft: Option<&Draft>) -> usize {
        let keep: HashSet<OsString> = draft
            .map(|draft| self.known_names(draft).collect())
            .unwrap_or_default();
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
    pub(super) fn names_in(&self, draft: &Draft) -> Result<Vec<OsString>> {
        draft
            .images
            .iter()
            .map(|image| self.staged_name(&image.path))
            .collect()
    }

    /// The staged copies a stored draft refers to (anything else in it is ignored).
    fn known_names<'a>(&'a self, draft: &'a Draft) -> impl Iterator<Item = OsString> + 'a {
        draft
            .images
            .iter()
            .filter_map(|image| self.staged_name(&image.path).ok())
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
