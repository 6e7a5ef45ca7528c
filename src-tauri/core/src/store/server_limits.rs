//! What Hayon learned about a server's limits on images: an older PDS refuses an image blob over
//! 1,000,000 bytes, and once it has, posts to it are prepared to that size from the start instead of
//! being refused and prepared again every time.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};

impl Store {
    /// The most bytes the server at `pds` takes for a post's image, when one was learned.
    pub fn server_image_bytes(&self, pds: &str) -> Result<Option<u64>> {
        self.conn()
            .query_row(
                "SELECT max_bytes FROM server_image_limits WHERE pds = ?1",
                [pds],
                |row| row.get::<_, i64>(0),
            )
            .optional()
            .map(|bytes| bytes.and_then(|bytes| u64::try_from(bytes).ok()))
            .map_err(Error::from)
    }

    /// Remembers that the server at `pds` takes at most `max_bytes` for a post's image.
    pub fn remember_server_image_bytes(&self, pds: &str, max_bytes: u64, now: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO server_image_limits (pds, max_bytes, learned_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (pds) DO UPDATE SET max_bytes = excluded.max_bytes,
                 learned_at = excluded.learned_at",
            params![pds, i64::try_from(max_bytes).unwrap_or(i64::MAX), now],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_limit_is_remembered_per_server() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let old = "https://old.example/";
        assert_eq!(store.server_image_bytes(old).expect("read"), None);
        store
            .remember_server_image_bytes(old, 1_000_000, "2026-12-07T09:00:00Z")
            .expect("remember");
        store
            .remember_server_image_bytes(old, 1_000_000, "2026-12-07T10:00:00Z")
            .expect("again");
        assert_eq!(
            store.server_image_bytes(old).expect("read"),
            Some(1_000_000)
        );
        let other = "https://new.example/";
        assert_eq!(store.server_image_bytes(other).expect("read"), None);
    }
}
