//! Ordered schema migrations, embedded in the binary. `PRAGMA user_version` records how many have been
//! applied. A database from a newer Hayon is refused rather than guessed at.
//!
//! The window and the CLI may start at the same moment on a fresh database: pending migrations run in
//! one `BEGIN IMMEDIATE` transaction that takes the write lock before reading the version, so the
//! second process waits (the connection's busy timeout) and then finds the work done, instead of
//! running migration 1 twice and failing on "table already exists".

use crate::error::{Error, Result, StorageError};
use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    // 1: connected accounts. Tokens are deliberately absent: they live in the OS keychain.
    "CREATE TABLE accounts (
        did                     TEXT PRIMARY KEY NOT NULL,
        handle                  TEXT NOT NULL,
        service                 TEXT NOT NULL,
        pds                     TEXT NOT NULL,
        display_name            TEXT,
        description             TEXT,
        avatar                  TEXT,
        connected               INTEGER NOT NULL DEFAULT 1,
        health_status           TEXT NOT NULL DEFAULT 'active',
        needs_reconnection      INTEGER NOT NULL DEFAULT 0,
        last_successful_refresh TEXT,
        last_error              TEXT,
        consecutive_failures    INTEGER NOT NULL DEFAULT 0,
        created_at              TEXT NOT NULL,
        updated_at              TEXT NOT NULL
    ) STRICT;
    CREATE INDEX accounts_handle ON accounts (handle);",
    // 2: the composer's draft (one at a time), saved as the user types. JSON, because its shape follows
    // the composer and is only ever read back whole.
    "CREATE TABLE drafts (
        id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        body       TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT;",
    // 3: user preferences, one row per setting (value is JSON).
    "CREATE TABLE settings (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    ) STRICT;",
    // 4: the outbox. A row per press of Post (the composition, as JSON, because it is only ever read
    // back whole) and per account the record keys of its thread (chosen once), its state (pending,
    // posted with the posts' URIs and CIDs, failed with the error) and the writes attempted. No
    // foreign key to `accounts`: a row outlives a disconnect, to show what happened.
    "CREATE TABLE outbox (
        id          TEXT PRIMARY KEY NOT NULL,
        composition TEXT NOT NULL,
        images      TEXT NOT NULL CHECK (images IN ('staged', 'named')),
        created_at  TEXT NOT NULL
    ) STRICT;
    CREATE TABLE outbox_accounts (
        entry      TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        did        TEXT NOT NULL,
        handle     TEXT NOT NULL,
        rkeys      TEXT NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('pending', 'posted', 'failed')),
        posts      TEXT,
        error      TEXT,
        attempts   INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (entry, did)
    ) STRICT;",
    // 5: handles mentioned in posts that went out, with the DID each resolved to: the composer
    // suggests them when the app view does not answer (mentions::history).
    "CREATE TABLE mentioned_handles (
        handle    TEXT PRIMARY KEY NOT NULL,
        did       TEXT NOT NULL,
        last_used TEXT NOT NULL
    ) STRICT;",
    // 6: several drafts. Each has its own id (never reused, so a window holding a deleted draft's id
    // cannot write into another one); `discarded_at` marks a draft discarded but still restorable
    // (Undo), until the window lets it go or the next start. The single draft of before becomes the
    // first of the list.
    "CREATE TABLE drafts_v6 (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        body         TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        discarded_at TEXT
    ) STRICT;
    INSERT INTO drafts_v6 (id, body, created_at, updated_at)
        SELECT id, body, updated_at, updated_at FROM drafts;
    DROP TABLE drafts;
    ALTER TABLE drafts_v6 RENAME TO drafts;",
    // 7: scheduled posts, and one sender at a time. `due_at` is when a scheduled row goes (unix
    // seconds; NULL for a row made by Post, due at once) and `zone` the time zone it was chosen in,
    // for showing it. `lease_holder` is the sender working on the row and `lease_until` (unix
    // milliseconds) when its claim lapses: another window or CLI takes the row only after that.
    // `draft` is the window's draft the row was posted from, deleted by whichever sender finishes it.
    "ALTER TABLE outbox ADD COLUMN due_at INTEGER;
    ALTER TABLE outbox ADD COLUMN draft INTEGER;
    ALTER TABLE outbox ADD COLUMN zone TEXT;
    ALTER TABLE outbox ADD COLUMN lease_holder TEXT;
    ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
    CREATE INDEX outbox_due ON outbox (due_at);",
    // 8: when the rate limit a failed send met ends (unix seconds; NULL when the server named no
    // time or the failure was another): senders do not try the account again before it.
    "ALTER TABLE outbox_accounts ADD COLUMN retry_at INTEGER;",
    // 9: the posts that reached every account, for the Queue's short history with links. A row is
    // written in the transaction that deletes its finished outbox row (`store/history.rs`), so a
    // crash can neither lose nor repeat it. `id` is the outbox row's; `posted_at` is RFC 3339 (as
    // shown) and `posted_unix` unix seconds (for ordering and trimming); `text` the first post's
    // opening words, `posts` how many the thread had, `accounts` per account its DID, handle and
    // the root post's URI and URL (JSON, only ever read back whole).
    "CREATE TABLE posted_history (
        id          TEXT PRIMARY KEY NOT NULL,
        posted_at   TEXT NOT NULL,
        posted_unix INTEGER NOT NULL,
        text        TEXT NOT NULL,
        posts       INTEGER NOT NULL,
        accounts    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX posted_history_newest ON posted_history (posted_unix);",
    // 10: the most bytes a server took for a post's image, learned when it refused a larger one (an
    // older PDS stops at 1,000,000; `store/server_limits.rs`), so the next post to it is prepared to
    // fit at once. `pds` is the server's URL as the account stores it.
    "CREATE TABLE server_image_limits (
        pds        TEXT PRIMARY KEY NOT NULL,
        max_bytes  INTEGER NOT NULL,
        learned_at TEXT NOT NULL
    ) STRICT;",
    // 11: how each account signed in: `app_password` or `oauth` (Sign in with Bluesky), and for
    // the latter the granted scope, when the server ends the session (RFC 3339), the issuer, the
    // client_id every refresh repeats, and when the person was reminded of the end. None of these
    // is a secret: tokens and the DPoP key are in the keychain only.
    "ALTER TABLE accounts ADD COLUMN sign_in_kind TEXT NOT NULL DEFAULT 'app_password';
    ALTER TABLE accounts ADD COLUMN sign_in_scope TEXT;
    ALTER TABLE accounts ADD COLUMN sign_in_expires_at TEXT;
    ALTER TABLE accounts ADD COLUMN sign_in_issuer TEXT;
    ALTER TABLE accounts ADD COLUMN sign_in_client_id TEXT;
    ALTER TABLE accounts ADD COLUMN sign_in_reminded_at TEXT;",
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    if user_version(conn)? == latest_version() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated while we waited for it.
    let current = user_version(&tx)?;
    if current > latest_version() {
        return Err(StorageError::NewerSchema {
            found: current,
            known: latest_version(),
        }
        .into());
    }
    for sql in MIGRATIONS
        .iter()
        .skip(usize::try_from(current).unwrap_or(usize::MAX))
    {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", latest_version())?;
    tx.commit().map_err(Error::from)
}

fn user_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_an_empty_database_to_the_latest_version() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("migrate");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("version");
        assert_eq!(version, latest_version());
        // Running again is a no-op.
        migrate(&mut conn).expect("migrate twice");
    }

    /// Eight first starts at once on one fresh file (separate connections, as separate processes
    /// would have): every one opens it, and the schema is complete exactly once.
    #[test]
    fn simultaneous_first_starts_all_open_the_database() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(super::super::DATABASE_FILE);
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            let opens: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        super::super::Store::open(&path).map(drop)
                    })
                })
                .collect();
            for open in opens {
                open.join()
                    .expect("no panic")
                    .expect("every start opens the database");
            }
        });
        let conn = Connection::open(&path).expect("open");
        assert_eq!(user_version(&conn).expect("version"), latest_version());
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('accounts', 'drafts', 'settings')",
                [],
                |row| row.get(0),
            )
            .expect("tables");
        assert_eq!(tables, 3);
    }

    /// The one draft of a version-5 database is the first of the list after the update.
    #[test]
    fn the_single_draft_of_before_becomes_a_listed_draft() {
        let mut conn = Connection::open_in_memory().expect("open");
        let tx = conn.transaction().expect("tx");
        for sql in &MIGRATIONS[..5] {
            tx.execute_batch(sql).expect("old schema");
        }
        tx.pragma_update(None, "user_version", 5).expect("version");
        tx.execute(
            "INSERT INTO drafts (id, body, updated_at) VALUES (1, '{\"posts\":[]}', 't')",
            [],
        )
        .expect("old draft");
        tx.commit().expect("commit");
        migrate(&mut conn).expect("migrate");
        let row: (i64, String, String, Option<String>) = conn
            .query_row(
                "SELECT id, body, created_at, discarded_at FROM drafts",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .expect("the draft");
        assert_eq!(row, (1, r#"{"posts":[]}"#.into(), "t".into(), None));
        conn.execute(
            "INSERT INTO drafts (body, created_at, updated_at) VALUES ('{}', 't', 't')",
            [],
        )
        .expect("a second draft");
    }

    #[test]
    fn refuses_a_database_from_a_newer_version() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .expect("set version");
        let err = migrate(&mut conn).expect_err("newer schema is refused");
        assert_eq!(err.code, crate::ErrorCode::Storage);
        assert!(err.message.contains("newer version"), "{}", err.message);
    }
}
