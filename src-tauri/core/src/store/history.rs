//! The posted history (`posted_history`): a line per thread that reached every account, written in
//! the transaction that deletes its outbox row, so a crash between the two can neither lose the line
//! nor (the row still there, finished again later) write it twice.
//!
//! Bounded by count, the newest [`KEEP`]: a short history whatever the pace of posting, and one that
//! still shows the last posts after weeks away (a bound by age would empty it then).

use super::Store;
use crate::error::{Error, Result, StorageError};
use crate::publish::{Posted, PostedAccount};
use rusqlite::params;

/// How many posted threads are kept.
pub const KEEP: i64 = 50;

impl Store {
    /// Deletes finished outbox row `id` and, when this call deleted it, records `posted` (posted at
    /// `posted_unix`, unix seconds) in the history, trimmed to the newest [`KEEP`]: one transaction.
    /// False when the row was already gone (another sender finished it: that one wrote the line).
    pub fn finish_outbox(&self, id: &str, posted: &Posted, posted_unix: i64) -> Result<bool> {
        let accounts = serde_json::to_string(&posted.accounts)
            .map_err(StorageError::encoding("posted accounts"))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if tx.execute("DELETE FROM outbox WHERE id = ?1", [id])? == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT OR REPLACE INTO posted_history (id, posted_at, posted_unix, text, posts, accounts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                posted.id,
                posted.posted_at,
                posted_unix,
                posted.text,
                posted.posts,
                accounts
            ],
        )?;
        tx.execute(
            "DELETE FROM posted_history WHERE id NOT IN
             (SELECT id FROM posted_history ORDER BY posted_unix DESC, id DESC LIMIT ?1)",
            [KEEP],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The history, the newest first.
    pub fn posted_history(&self) -> Result<Vec<Posted>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT id, posted_at, text, posts, accounts FROM posted_history
             ORDER BY posted_unix DESC, id DESC",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, u32>(3)?,
                row.get::<_, String>(4)?,
            ))
        })?;
        let mut history = Vec::new();
        for row in rows {
            let (id, posted_at, text, posts, accounts) = row?;
            let accounts: Vec<PostedAccount> = serde_json::from_str(&accounts)
                .map_err(|err| Error::from(StorageError::encoding("posted accounts")(err)))?;
            history.push(Posted {
                id,
                posted_at,
                text,
                posts,
                accounts,
            });
        }
        Ok(history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::{AccountDelivery, OutboxEntry};

    fn row(id: &str) -> OutboxEntry {
        let account = AccountDelivery::for_test("did:plc:a", "alice.test", &[id]);
        OutboxEntry::for_test(id, &[&format!("post {id}")], vec![account])
    }

    fn posted(id: &str, at: i64) -> Posted {
        Posted {
            id: id.into(),
            posted_at: format!("t{at}"),
            text: format!("post {id}"),
            posts: 1,
            accounts: vec![PostedAccount {
                did: "did:plc:a".into(),
                handle: "alice.test".into(),
                uri: format!("at://did:plc:a/app.bsky.feed.post/{id}"),
                url: format!("https://bsky.app/profile/alice.test/post/{id}"),
            }],
        }
    }

    #[test]
    fn a_finished_row_leaves_the_outbox_for_the_history_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        store.insert_outbox(&row("3ka"), None).expect("insert");
        assert!(store
            .finish_outbox("3ka", &posted("3ka", 10), 10)
            .expect("finished"));
        assert_eq!(store.outbox_entry("3ka").expect("read"), None);
        assert_eq!(
            store.posted_history().expect("history"),
            [posted("3ka", 10)]
        );
        // A second sender finishing it later finds the row gone and writes nothing.
        assert!(!store
            .finish_outbox("3ka", &posted("3ka", 11), 11)
            .expect("finished again"));
        assert_eq!(
            store.posted_history().expect("history"),
            [posted("3ka", 10)]
        );
        // A row that is not in the outbox (discarded, never made) never enters the history.
        assert!(!store
            .finish_outbox("3kb", &posted("3kb", 12), 12)
            .expect("no row"));
        assert_eq!(store.posted_history().expect("history").len(), 1);
    }

    #[test]
    fn the_history_is_newest_first_and_keeps_the_newest_fifty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        // Finished out of order: the order is by when each finished.
        let times: Vec<i64> = (0..60).map(|n| (n * 37) % 60).collect();
        for (n, at) in times.iter().enumerate() {
            let id = format!("3k{n:02}");
            store.insert_outbox(&row(&id), None).expect("insert");
            store
                .finish_outbox(&id, &posted(&id, *at), *at)
                .expect("finished");
        }
        let history = store.posted_history().expect("history");
        assert_eq!(history.len(), KEEP as usize);
        let shown: Vec<&str> = history.iter().map(|p| p.posted_at.as_str()).collect();
        let expected: Vec<String> = (10..60).rev().map(|at| format!("t{at}")).collect();
        assert_eq!(shown, expected, "the newest fifty, newest first");
    }
}
