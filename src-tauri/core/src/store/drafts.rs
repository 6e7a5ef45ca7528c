//! The composer's draft row: saved on every edit, read once at start-up, cleared after a post.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::OptionalExtension;

impl Store {
    pub fn save_draft(&self, body: &str, now: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO drafts (id, body, updated_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                [body, now],
            )
            .map_err(Error::storage)?;
        Ok(())
    }

    pub fn load_draft(&self) -> Result<Option<String>> {
        self.conn()
            .query_row("SELECT body FROM drafts WHERE id = 1", [], |row| row.get(0))
            .optional()
            .map_err(Error::storage)
    }

    pub fn clear_draft(&self) -> Result<()> {
        self.conn()
            .execute("DELETE FROM drafts", [])
            .map_err(Error::storage)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_saved_replaced_and_cleared() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        assert_eq!(store.load_draft().expect("load"), None);
        store.save_draft(r#"{"text":"one"}"#, "t1").expect("save");
        store.save_draft(r#"{"text":"two"}"#, "t2").expect("save");
        assert_eq!(
            store.load_draft().expect("load").as_deref(),
            Some(r#"{"text":"two"}"#)
        );
        store.clear_draft().expect("clear");
        assert_eq!(store.load_draft().expect("load"), None);
    }
}
