//! Handles mentioned in posts that went out (`mentioned_handles`), newest first: the composer's
//! mention suggestions fall back to them when the app view does not answer. Bounded, so a person who
//! mentions a great many accounts keeps only the most recent ones.

use super::Store;
use crate::error::{Error, Result};
use rusqlite::params;

/// The most handles remembered; older ones are forgotten.
const MAX_REMEMBERED: i64 = 500;

impl Store {
    /// Remembers each `(handle, did)` as mentioned at `now` (handles in lower case).
    pub fn remember_mentions(&self, mentioned: &[(String, String)], now: &str) -> Result<()> {
        if mentioned.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for (handle, did) in mentioned {
            tx.execute(
                "INSERT INTO mentioned_handles (handle, did, last_used) VALUES (?1, ?2, ?3)
                 ON CONFLICT (handle) DO UPDATE SET did = excluded.did, last_used = excluded.last_used",
                params![handle.to_lowercase(), did, now],
            )?;
        }
        tx.execute(
            "DELETE FROM mentioned_handles WHERE handle NOT IN
             (SELECT handle FROM mentioned_handles ORDER BY last_used DESC, handle LIMIT ?1)",
            [MAX_REMEMBERED],
        )?;
        tx.commit().map_err(Error::from)
    }

    /// The remembered `(handle, did)` pairs whose handle starts with `prefix` (lower case), most
    /// recently mentioned first, at most `limit`.
    pub fn mentioned_handles(&self, prefix: &str, limit: usize) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT handle, did FROM mentioned_handles WHERE substr(handle, 1, length(?1)) = ?1
                 ORDER BY last_used DESC, handle LIMIT ?2",
        )?;
        let rows = statement.query_map(
            params![prefix, i64::try_from(limit).unwrap_or(i64::MAX)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        rows.collect::<rusqlite::Result<_>>().map_err(Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_remembered_newest_first_and_found_by_prefix() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let pair = |h: &str, d: &str| (h.to_owned(), d.to_owned());
        store
            .remember_mentions(
                &[
                    pair("Hana.test", "did:plc:h"),
                    pair("bob.test", "did:plc:b"),
                ],
                "t1",
            )
            .expect("remember");
        store
            .remember_mentions(&[pair("hannah.test", "did:plc:n")], "t2")
            .expect("remember");
        assert_eq!(
            store.mentioned_handles("han", 10).expect("find"),
            [
                pair("hannah.test", "did:plc:n"),
                pair("hana.test", "did:plc:h")
            ]
        );
        assert_eq!(store.mentioned_handles("han", 1).expect("find").len(), 1);
        // Mentioned again: the newest, with the DID it resolves to now.
        store
            .remember_mentions(&[pair("hana.test", "did:plc:h2")], "t3")
            .expect("remember");
        assert_eq!(
            store.mentioned_handles("ha", 10).expect("find")[0],
            pair("hana.test", "did:plc:h2")
        );
        assert!(store.mentioned_handles("zed", 10).expect("find").is_empty());
        // A LIKE wildcard in the prefix is a character like any other.
        assert!(store.mentioned_handles("h%", 10).expect("find").is_empty());
    }
}
