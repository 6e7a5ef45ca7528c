//! The composer's drafts: one row per draft, saved on every edit, deleted once posted. A discarded
//! draft keeps its row, marked `discarded_at`, so Undo can bring it back; it is deleted when Undo is
//! no longer offered (or at the next start).

use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension, Row};

/// A stored draft as it is in the table (its body is the composition's JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub id: i64,
    pub body: String,
    pub updated_at: String,
    pub discarded: bool,
}

const SELECT_DRAFT: &str = "SELECT id, body, updated_at, discarded_at IS NOT NULL FROM drafts";

fn draft_from_row(row: &Row<'_>) -> rusqlite::Result<DraftRow> {
    Ok(DraftRow {
        id: row.get(0)?,
        body: row.get(1)?,
        updated_at: row.get(2)?,
        discarded: row.get(3)?,
    })
}

impl Store {
    /// Saves draft `id` (a new one when `None`, or when that draft is gone: deleted by another
    /// window) and returns its id. Saving a discarded draft brings it back: someone is still
    /// writing it.
    pub fn save_draft(&self, id: Option<i64>, body: &str, now: &str) -> Result<i64> {
        let conn = self.conn();
        if let Some(id) = id {
            let updated = conn.execute(
                "UPDATE drafts SET body = ?2, updated_at = ?3, discarded_at = NULL WHERE id = ?1",
                params![id, body, now],
            )?;
            if updated > 0 {
                return Ok(id);
            }
        }
        conn.execute(
            "INSERT INTO drafts (body, created_at, updated_at) VALUES (?1, ?2, ?2)",
            params![body, now],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Draft `id`, discarded or not.
    pub fn draft(&self, id: i64) -> Result<Option<DraftRow>> {
        self.conn()
            .query_row(
                &format!("{SELECT_DRAFT} WHERE id = ?1"),
                [id],
                draft_from_row,
            )
            .optional()
            .map_err(Error::from)
    }

    /// Every draft, discarded ones included, the most recently changed first.
    pub fn drafts(&self) -> Result<Vec<DraftRow>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare(&format!("{SELECT_DRAFT} ORDER BY updated_at DESC, id DESC"))?;
        let rows = statement.query_map([], draft_from_row)?;
        rows.collect::<Result<_, _>>().map_err(Error::from)
    }

    /// Marks draft `id` discarded (`Some(now)`) or not (`None`). False when there is no such draft.
    pub fn set_draft_discarded(&self, id: i64, at: Option<&str>) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE drafts SET discarded_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(changed > 0)
    }

    /// Deletes draft `id`. False when there was no such draft.
    pub fn delete_draft(&self, id: i64) -> Result<bool> {
        let removed = self
            .conn()
            .execute("DELETE FROM drafts WHERE id = ?1", [id])?;
        Ok(removed > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_saved_listed_discarded_restored_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        assert_eq!(store.drafts().expect("list"), []);
        let one = store.save_draft(None, r#"{"n":1}"#, "t1").expect("save");
        let two = store.save_draft(None, r#"{"n":2}"#, "t2").expect("save");
        assert_ne!(one, two);
        assert_eq!(
            store
                .save_draft(Some(one), r#"{"n":11}"#, "t3")
                .expect("save"),
            one
        );
        let listed: Vec<i64> = store.drafts().expect("list").iter().map(|d| d.id).collect();
        assert_eq!(listed, [one, two], "the most recently changed first");
        assert_eq!(
            store.draft(one).expect("load").map(|d| d.body).as_deref(),
            Some(r#"{"n":11}"#)
        );

        assert!(store.set_draft_discarded(two, Some("t4")).expect("discard"));
        assert!(store.draft(two).expect("load").expect("kept").discarded);
        assert!(store.set_draft_discarded(two, None).expect("restore"));
        assert!(!store.draft(two).expect("load").expect("kept").discarded);

        assert!(store.delete_draft(two).expect("delete"));
        assert!(!store.delete_draft(two).expect("delete again"));
        // A deleted id is never given again, and saving to it makes a new draft.
        let three = store
            .save_draft(Some(two), r#"{"n":3}"#, "t5")
            .expect("save");
        assert!(three > two);
    }
}
