//! Ordered schema migrations, embedded in the binary. `PRAGMA user_version` records how many have been
//! applied; each one runs in its own transaction. A database from a newer Hayon is refused rather than
//! guessed at.

use crate::error::{Error, ErrorCode, Result};
use rusqlite::Connection;

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
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(Error::storage)?;
    if current > latest_version() {
        return Err(Error::new(
            ErrorCode::Storage,
            format!(
                "This Hayon database was written by a newer version of Hayon (schema {current}; this \
                 version knows up to {}). Update Hayon to open it.",
                latest_version()
            ),
        ));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(Error::storage)?;
        tx.execute_batch(sql).map_err(Error::storage)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(Error::storage)?;
        tx.commit().map_err(Error::storage)?;
    }
    Ok(())
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

    #[test]
    fn refuses_a_database_from_a_newer_version() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.pragma_update(None, "user_version", latest_version() + 1)
            .expect("set version");
        let err = migrate(&mut conn).expect_err("newer schema is refused");
        assert_eq!(err.code, ErrorCode::Storage);
        assert!(err.message.contains("newer version"), "{}", err.message);
    }
}
