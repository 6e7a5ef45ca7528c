//! The local SQLite database (rusqlite, SQLite bundled so every platform gets the same version): the
//! account records and their health, the drafts, the settings, the outbox and the posted history. Opened in WAL mode with a busy timeout, because the window and the
//! CLI may use it at the same time; the file is created with mode 0600 (its `-wal`/`-shm` companions
//! inherit that mode from SQLite).

mod drafts;
mod history;
mod mentions;
mod migrations;
mod outbox;
mod server_limits;

use crate::account::{Account, Health, HealthStatus, SignIn, SignInKind};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub use drafts::DraftRow;
pub use migrations::latest_version as schema_version;
pub use outbox::Claim;

pub const DATABASE_FILE: &str = "hayon.sqlite3";

/// How long a connection waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Switches the database to WAL. While another process holds a lock on a new database (the window
/// and the CLI, or several CLIs, starting together), SQLite answers this with "database is locked"
/// at once instead of waiting out the busy timeout, so it is tried again for as long.
fn use_wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(err, _))
                if err.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other.map_err(Error::from),
        }
    }
}

#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// Profile fields shown for an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFields {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub avatar: Option<String>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Self> {
        crate::paths::create_private_dir(data_dir)?;
        Self::open(&data_dir.join(DATABASE_FILE))
    }

    pub fn open(path: &Path) -> Result<Self> {
        crate::paths::create_private_file(path)?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        use_wal(&conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `PRAGMA data_version` of this connection: it changes when another connection (the
    /// CLI, another window: another process) commits, never for this connection's own writes. The
    /// window polls it to notice changes made elsewhere.
    pub fn data_version(&self) -> Result<i64> {
        self.conn()
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(Error::from)
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (statements are atomic), so a
        // poisoned lock is still safe to use.
        self.conn
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Inserts the account or, for a DID already known (a reconnect), replaces its record.
    pub fn upsert_account(&self, account: &Account, now: &str) -> Result<()> {
        let health = &account.health;
        self.conn()
            .execute(
                "INSERT INTO accounts (did, handle, service, pds, display_name, description, avatar,
                    connected, health_status, needs_reconnection, last_successful_refresh, last_error,
                    consecutive_failures, created_at, updated_at, sign_in_kind, sign_in_scope,
                    sign_in_expires_at, sign_in_issuer, sign_in_client_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16,
                    ?17, ?18, ?19)
                 ON CONFLICT (did) DO UPDATE SET handle = excluded.handle, service = excluded.service,
                    pds = excluded.pds, display_name = excluded.display_name,
                    description = excluded.description, avatar = excluded.avatar,
                    connected = excluded.connected, health_status = excluded.health_status,
                    needs_reconnection = excluded.needs_reconnection,
                    last_successful_refresh = excluded.last_successful_refresh,
                    last_error = excluded.last_error,
                    consecutive_failures = excluded.consecutive_failures,
                    updated_at = excluded.updated_at, sign_in_kind = excluded.sign_in_kind,
                    sign_in_scope = excluded.sign_in_scope,
                    sign_in_expires_at = excluded.sign_in_expires_at,
                    sign_in_issuer = excluded.sign_in_issuer,
                    sign_in_client_id = excluded.sign_in_client_id, sign_in_reminded_at = NULL",
                params![
                    account.did,
                    account.handle,
                    account.service,
                    account.pds,
                    account.display_name,
                    account.description,
                    account.avatar,
                    account.connected,
                    health.status.as_str(),
                    health.needs_reconnection,
                    health.last_successful_refresh,
                    health.last_error,
                    health.consecutive_failures,
                    now,
                    account.sign_in.kind.as_str(),
                    account.sign_in.scope,
                    account.sign_in.expires_at,
                    account.sign_in.issuer,
                    account.sign_in.client_id,
                ],
            )?;
        Ok(())
    }

    /// Notes that the person was reminded that `did`'s sign-in ends soon.
    pub fn mark_sign_in_reminded(&self, did: &str, now: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE accounts SET sign_in_reminded_at = ?2 WHERE did = ?1",
            params![did, now],
        )?;
        Ok(())
    }

    pub fn list_accounts(&self) -> Result<Vec<Account>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare(&format!("{SELECT_ACCOUNT} ORDER BY created_at, handle"))?;
        let rows = statement.query_map([], account_from_row)?;
        rows.collect::<Result<_, _>>().map_err(Error::from)
    }

    /// Finds an account by DID or handle (a leading `@` and case are ignored for handles).
    pub fn find_account(&self, did_or_handle: &str) -> Result<Option<Account>> {
        let key = crate::identity::normalize_identifier(did_or_handle);
        self.conn()
            .query_row(
                &format!("{SELECT_ACCOUNT} WHERE did = ?1 OR handle = lower(?1) LIMIT 1"),
                [key],
                account_from_row,
            )
            .optional()
            .map_err(Error::from)
    }

    pub fn update_health(&self, did: &str, health: &Health, now: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE accounts SET health_status = ?2, needs_reconnection = ?3,
                    last_successful_refresh = ?4, last_error = ?5, consecutive_failures = ?6,
                    updated_at = ?7 WHERE did = ?1",
            params![
                did,
                health.status.as_str(),
                health.needs_reconnection,
                health.last_successful_refresh,
                health.last_error,
                health.consecutive_failures,
                now
            ],
        )?;
        Ok(())
    }

    pub fn update_identity(
        &self,
        did: &str,
        handle: &str,
        profile: &ProfileFields,
        now: &str,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE accounts SET handle = ?2, display_name = ?3, description = ?4, avatar = ?5,
                    updated_at = ?6 WHERE did = ?1",
            params![
                did,
                handle,
                profile.display_name,
                profile.description,
                profile.avatar,
                now
            ],
        )?;
        Ok(())
    }

    /// A new handle seen on a refreshed session; the stored profile stays as it is.
    pub fn update_handle(&self, did: &str, handle: &str, now: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE accounts SET handle = ?2, updated_at = ?3 WHERE did = ?1 AND handle <> ?2",
            params![did, handle, now],
        )?;
        Ok(())
    }

    /// The account's PDS moved: its DID document names another one.
    pub fn update_pds(&self, did: &str, pds: &str, now: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE accounts SET pds = ?2, updated_at = ?3 WHERE did = ?1",
            params![did, pds, now],
        )?;
        Ok(())
    }

    /// Removes the record of a disconnected account: DID, handle and profile are gone from disk.
    pub fn delete_account(&self, did: &str) -> Result<bool> {
        let removed = self
            .conn()
            .execute("DELETE FROM accounts WHERE did = ?1", [did])?;
        Ok(removed > 0)
    }
}

/// Now, as RFC 3339 in UTC: the format of every timestamp in the database.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

const SELECT_ACCOUNT: &str = "SELECT did, handle, service, pds, display_name, description, avatar,
    connected, health_status, needs_reconnection, last_successful_refresh, last_error,
    consecutive_failures, sign_in_kind, sign_in_scope, sign_in_expires_at, sign_in_issuer,
    sign_in_client_id, sign_in_reminded_at IS NOT NULL FROM accounts";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let status: String = row.get(8)?;
    Ok(Account {
        did: row.get(0)?,
        handle: row.get(1)?,
        service: row.get(2)?,
        pds: row.get(3)?,
        display_name: row.get(4)?,
        description: row.get(5)?,
        avatar: row.get(6)?,
        connected: row.get(7)?,
        health: Health {
            status: HealthStatus::parse(&status),
            needs_reconnection: row.get(9)?,
            last_successful_refresh: row.get(10)?,
            last_error: row.get(11)?,
            consecutive_failures: row.get(12)?,
        },
        sign_in: SignIn {
            kind: SignInKind::parse(&row.get::<_, String>(13)?),
            scope: row.get(14)?,
            expires_at: row.get(15)?,
            issuer: row.get(16)?,
            client_id: row.get(17)?,
            reminded: row.get(18)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(did: &str, handle: &str) -> Account {
        Account {
            did: did.into(),
            handle: handle.into(),
            service: "https://bsky.social/".into(),
            pds: "https://pds.example/".into(),
            display_name: None,
            description: None,
            avatar: None,
            connected: true,
            health: Health::active("2026-11-26T00:00:00Z"),
            sign_in: SignIn::app_password(),
        }
    }

    #[test]
    fn stores_finds_updates_and_deletes_accounts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        store
            .upsert_account(&sample("did:plc:a", "alice.test"), "t0")
            .expect("insert");
        store
            .upsert_account(&sample("did:plc:b", "bob.test"), "t1")
            .expect("insert");
        assert_eq!(store.list_accounts().expect("list").len(), 2);
        let found = store
            .find_account("@Alice.test")
            .expect("find")
            .expect("present");
        assert_eq!(found.did, "did:plc:a");

        let profile = ProfileFields {
            display_name: Some("Alice".into()),
            ..ProfileFields::default()
        };
        store
            .update_identity("did:plc:a", "alice2.test", &profile, "t2")
            .expect("update");
        let found = store
            .find_account("did:plc:a")
            .expect("find")
            .expect("present");
        assert_eq!(found.handle, "alice2.test");
        assert_eq!(found.display_name.as_deref(), Some("Alice"));

        store
            .update_handle("did:plc:a", "alice3.test", "t3")
            .expect("update handle");
        let found = store
            .find_account("did:plc:a")
            .expect("find")
            .expect("present");
        assert_eq!(found.handle, "alice3.test");
        assert_eq!(found.display_name.as_deref(), Some("Alice"));

        assert!(store.delete_account("did:plc:a").expect("delete"));
        assert!(store.find_account("did:plc:a").expect("find").is_none());
    }

    #[test]
    fn data_version_changes_for_other_connections_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let window = Store::open_in(dir.path()).expect("open");
        let cli = Store::open_in(dir.path()).expect("open again");
        let before = window.data_version().expect("version");
        window
            .upsert_account(&sample("did:plc:a", "alice.test"), "t0")
            .expect("own write");
        assert_eq!(window.data_version().expect("version"), before);
        cli.upsert_account(&sample("did:plc:b", "bob.test"), "t1")
            .expect("other write");
        assert_ne!(window.data_version().expect("version"), before);
    }

    #[cfg(unix)]
    #[test]
    fn database_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let mode = std::fs::metadata(store.path())
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
