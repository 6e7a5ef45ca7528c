//! The outbox tables: a row per press of Post (the composition as JSON) and, per account, the record
//! keys chosen for its thread, the delivery state and how many writes were attempted. Written before
//! anything is sent, so a crash, a retry or a restart works from the same keys and never posts twice.

use super::Store;
use crate::composition::Composition;
use crate::error::{Error, Result, StorageError};
use crate::publish::{AccountDelivery, Delivery, Due, ImageFiles, OutboxEntry};
use rusqlite::{params, OptionalExtension, Row, Transaction};
use std::collections::HashMap;

impl Store {
    /// Saves a new row with its accounts, all in one transaction; `claim` when the process that
    /// makes it sends it at once (Post), so no other sender takes it meanwhile.
    pub fn insert_outbox(&self, entry: &OutboxEntry, claim: Option<&Claim<'_>>) -> Result<()> {
        let composition = serde_json::to_string(&entry.composition)
            .map_err(StorageError::encoding("outbox thread"))?;
        let due = entry.due.as_ref();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO outbox (id, composition, images, created_at, due_at, zone, lease_holder,
                lease_until, draft)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                entry.id,
                composition,
                entry.images.as_str(),
                entry.created_at,
                due.map(|due| due.at.as_second()),
                due.map(|due| due.zone.as_str()),
                claim.map(|claim| claim.holder),
                claim.map(|claim| claim.until_ms),
                entry.draft,
            ],
        )?;
        for (position, account) in entry.accounts.iter().enumerate() {
            insert_account(&tx, &entry.id, position, account, &entry.created_at)?;
        }
        tx.commit().map_err(Error::from)
    }

    /// Replaces what row `id` will send: its composition (whose paths name `images`), its draft, and
    /// the accounts that do not
    /// have the thread (`accounts` holds every account, in order; those the store has as posted
    /// keep their row and only take their new place). One transaction: a crash leaves the row as
    /// it was or as edited.
    pub fn outbox_revise(
        &self,
        id: &str,
        composition: &Composition,
        images: ImageFiles,
        accounts: &[AccountDelivery],
        draft: Option<i64>,
    ) -> Result<()> {
        let composition =
            serde_json::to_string(composition).map_err(StorageError::encoding("outbox thread"))?;
        let now = crate::store::now_rfc3339();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET composition = ?2, images = ?3, draft = ?4 WHERE id = ?1",
            params![id, composition, images.as_str(), draft],
        )?;
        tx.execute(
            "DELETE FROM outbox_accounts WHERE entry = ?1 AND state <> 'posted'",
            [id],
        )?;
        for (position, account) in accounts.iter().enumerate() {
            let moved = tx.execute(
                "UPDATE outbox_accounts SET position = ?3 WHERE entry = ?1 AND did = ?2",
                params![id, account.did, position as i64],
            )?;
            if moved == 0 {
                insert_account(&tx, id, position, account, &now)?;
            }
        }
        tx.commit().map_err(Error::from)
    }

    /// Every row, oldest first. Two statements whatever the number of rows (the rows, then all
    /// their accounts), in one read transaction so they agree: the Queue reads the whole outbox
    /// each time it opens, and a thousand queued posts read one by one cost a statement each.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut accounts: HashMap<String, Vec<AccountDelivery>> = HashMap::new();
        {
            let mut statement = tx.prepare(&format!("{ACCOUNTS} ORDER BY o.entry, o.position"))?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                let entry: String = row.get(ACCOUNT_ENTRY)?;
                accounts
                    .entry(entry)
                    .or_default()
                    .push(account_from_row(row)??);
            }
        }
        let mut statement = tx.prepare(&format!("{HEADS} ORDER BY created_at, id"))?;
        let heads = statement
            .query_map([], Head::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        heads
            .into_iter()
            .map(|head| {
                let accounts = accounts.remove(&head.id).unwrap_or_default();
                head.into_entry(accounts)
            })
            .collect()
    }

    /// One row, or `None` when there is no such row (finished, discarded or never made).
    pub fn outbox_entry(&self, id: &str) -> Result<Option<OutboxEntry>> {
        let conn = self.conn();
        let head = conn
            .query_row(&format!("{HEADS} WHERE id = ?1"), [id], Head::from_row)
            .optional()?;
        let Some(head) = head else {
            return Ok(None);
        };
        let mut statement = conn.prepare(&format!(
            "{ACCOUNTS} WHERE o.entry = ?1 ORDER BY o.position"
        ))?;
        let accounts = statement
            .query_map([id], account_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect::<Result<Vec<_>>>()?;
        head.into_entry(accounts).map(Some)
    }

    /// Counts a write about to be sent for the account. Committed before the request leaves, so
    /// after a crash the next try knows it must look the records up first.
    pub fn outbox_count_attempt(&self, id: &str, did: &str, now: &str) -> Result<u32> {
        self.conn()
            .query_row(
                "UPDATE outbox_accounts SET attempts = attempts + 1, updated_at = ?3
                 WHERE entry = ?1 AND did = ?2 RETURNING attempts",
                params![id, did, now],
                |row| row.get(0),
            )
            .map_err(Error::from)
    }

    /// Records where the thread stands on the account. A thread already posted stays posted: a
    /// slower process finishing later cannot turn it back into a failure.
    pub fn outbox_set_delivery(
        &self,
        id: &str,
        did: &str,
        delivery: &Delivery,
        now: &str,
    ) -> Result<()> {
        let (posts, error) = delivery_columns(delivery)?;
        self.conn().execute(
            "UPDATE outbox_accounts SET state = ?3, posts = ?4, error = ?5, updated_at = ?6,
                    retry_at = ?7
                 WHERE entry = ?1 AND did = ?2 AND state <> 'posted'",
            params![
                id,
                did,
                delivery.name(),
                posts,
                error,
                now,
                rate_limit_ends(delivery)
            ],
        )?;
        Ok(())
    }

    /// The rows due at `now` (unix seconds): made by Post, or scheduled for `now` or earlier; the
    /// earliest due first.
    pub fn outbox_due(&self, now: i64) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT id FROM outbox WHERE due_at IS NULL OR due_at <= ?1
             ORDER BY coalesce(due_at, 0), created_at, id",
        )?;
        let rows = statement.query_map([now], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether an account of some row failed with one of `codes` (the `code` of its stored error).
    pub fn outbox_failed_with(&self, codes: &[&str]) -> Result<bool> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT EXISTS (SELECT 1 FROM outbox_accounts
                 WHERE state = 'failed' AND json_extract(error, '$.code') = ?1)",
        )?;
        for code in codes {
            if statement.query_row([code], |row| row.get::<_, bool>(0))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The earliest due time later than `now` (unix seconds), if any.
    pub fn outbox_next_due(&self, now: i64) -> Result<Option<i64>> {
        Ok(self.conn().query_row(
            "SELECT min(due_at) FROM outbox WHERE due_at > ?1",
            [now],
            |row| row.get(0),
        )?)
    }

    /// The drafts scheduled posts were made from (kept with their rows until sent).
    pub fn drafts_of_scheduled_posts(&self) -> Result<std::collections::HashSet<i64>> {
        let conn = self.conn();
        let mut statement = conn
            .prepare("SELECT draft FROM outbox WHERE draft IS NOT NULL AND due_at IS NOT NULL")?;
        let drafts = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(drafts)
    }

    /// The earliest end later than `now` (unix seconds) of a rate limit a failed account met.
    pub fn outbox_next_retry(&self, now: i64) -> Result<Option<i64>> {
        Ok(self.conn().query_row(
            "SELECT min(retry_at) FROM outbox_accounts WHERE state = 'failed' AND retry_at > ?1",
            [now],
            |row| row.get(0),
        )?)
    }

    /// The due times (unix seconds) of the queued rows that go to any of `dids`.
    pub fn outbox_due_times(&self, dids: &[&str]) -> Result<std::collections::HashSet<i64>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT DISTINCT o.due_at FROM outbox o JOIN outbox_accounts a ON a.entry = o.id
             WHERE o.due_at IS NOT NULL AND a.did = ?1",
        )?;
        let mut times = std::collections::HashSet::new();
        for did in dids {
            for time in statement.query_map([did], |row| row.get(0))? {
                times.insert(time?);
            }
        }
        Ok(times)
    }

    /// Moves a scheduled row to `due`; false when there is no such row.
    pub fn outbox_reschedule(&self, id: &str, due: &Due) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE outbox SET due_at = ?2, zone = ?3 WHERE id = ?1",
            params![id, due.at.as_second(), due.zone],
        )?;
        Ok(changed > 0)
    }

    /// Takes (or renews) the row for `claim`'s sender when nobody else holds it: no claim, or one
    /// that lapsed before `now_ms`. False when another sender has it, or the row is gone.
    pub fn claim_outbox(&self, id: &str, claim: &Claim<'_>, now_ms: i64) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE outbox SET lease_holder = ?2, lease_until = ?3
             WHERE id = ?1 AND (lease_holder IS NULL OR lease_holder = ?2 OR lease_until < ?4)",
            params![id, claim.holder, claim.until_ms, now_ms],
        )?;
        Ok(changed > 0)
    }

    /// Who holds the row's claim, if anyone (lapsed or not).
    pub fn outbox_claim_holder(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT lease_holder FROM outbox WHERE id = ?1",
                [id],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Takes the row from `gone`, a holder whose process has ended, if it still holds it.
    pub fn take_over_outbox(&self, id: &str, gone: &str, claim: &Claim<'_>) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE outbox SET lease_holder = ?2, lease_until = ?3 WHERE id = ?1 AND lease_holder = ?4",
            params![id, claim.holder, claim.until_ms, gone],
        )?;
        Ok(changed > 0)
    }

    /// Lets the row go, if `holder` still has it.
    pub fn release_outbox(&self, id: &str, holder: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET lease_holder = NULL, lease_until = NULL
             WHERE id = ?1 AND lease_holder = ?2",
            params![id, holder],
        )?;
        Ok(())
    }

    /// Removes a row and its accounts if `holder` still has its claim; false otherwise.
    pub fn delete_outbox_held(&self, id: &str, holder: &str) -> Result<bool> {
        let removed = self.conn().execute(
            "DELETE FROM outbox WHERE id = ?1 AND lease_holder = ?2",
            params![id, holder],
        )?;
        Ok(removed > 0)
    }

    /// Removes a row and its accounts; false when it was not there.
    pub fn delete_outbox(&self, id: &str) -> Result<bool> {
        let removed = self
            .conn()
            .execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        Ok(removed > 0)
    }
}

/// A sender's claim on an outbox row: who (its process and a TID per send, `publish/claim.rs`) and
/// until when (unix milliseconds).
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub holder: &'a str,
    pub until_ms: i64,
}

fn insert_account(
    tx: &Transaction<'_>,
    id: &str,
    position: usize,
    account: &AccountDelivery,
    now: &str,
) -> Result<()> {
    let rkeys =
        serde_json::to_string(&account.rkeys).map_err(StorageError::encoding("record keys"))?;
    let (posts, error) = delivery_columns(&account.state)?;
    tx.execute(
        "INSERT INTO outbox_accounts (entry, position, did, handle, rkeys, state, posts, error,
            attempts, retry_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            position as i64,
            account.did,
            account.handle,
            rkeys,
            account.state.name(),
            posts,
            error,
            account.attempts,
            account.retry_at,
            now
        ],
    )?;
    Ok(())
}

/// The `posts` and `error` columns of a delivery state, as JSON.
fn delivery_columns(delivery: &Delivery) -> Result<(Option<String>, Option<String>)> {
    Ok(match delivery {
        Delivery::Pending => (None, None),
        Delivery::Posted { posts } => (
            Some(serde_json::to_string(posts).map_err(StorageError::encoding("posts"))?),
            None,
        ),
        Delivery::Failed { error } => (
            None,
            Some(serde_json::to_string(error).map_err(StorageError::encoding("error"))?),
        ),
    })
}

/// The columns of an outbox row, as [`Head::from_row`] reads them.
const HEADS: &str = "SELECT id, composition, images, created_at, due_at, zone, draft FROM outbox";

/// The columns of a row's accounts, as [`account_from_row`] reads them, and (at
/// [`ACCOUNT_ENTRY`]) the row they belong to. The handle shown is the account's current one when
/// it is still stored.
const ACCOUNTS: &str = "SELECT o.did, coalesce(a.handle, o.handle), o.rkeys, o.state, o.posts,
        o.error, o.attempts, o.retry_at, o.entry
    FROM outbox_accounts o LEFT JOIN accounts a ON a.did = o.did";
const ACCOUNT_ENTRY: usize = 8;

/// An outbox row as stored, before its JSON is read and its accounts are added.
struct Head {
    id: String,
    composition: String,
    images: String,
    created_at: String,
    due_at: Option<i64>,
    zone: Option<String>,
    draft: Option<i64>,
}

impl Head {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            composition: row.get(1)?,
            images: row.get(2)?,
            created_at: row.get(3)?,
            due_at: row.get(4)?,
            zone: row.get(5)?,
            draft: row.get(6)?,
        })
    }

    /// The row with `accounts`; its JSON is checked here (a broken one is a storage error).
    fn into_entry(self, accounts: Vec<AccountDelivery>) -> Result<OutboxEntry> {
        let due = match self.due_at {
            Some(seconds) => Some(Due {
                at: jiff::Timestamp::from_second(seconds)
                    .map_err(|_| StorageError::OutOfRange("a scheduled time"))?,
                zone: self.zone.unwrap_or_default(),
            }),
            None => None,
        };
        let composition: Composition = serde_json::from_str(&self.composition)
            .map_err(StorageError::encoding("outbox thread"))?;
        Ok(OutboxEntry {
            id: self.id,
            created_at: self.created_at,
            due,
            draft: self.draft,
            images: ImageFiles::parse(&self.images),
            composition,
            accounts,
        })
    }
}

/// A stored account row; its JSON columns are checked here (a broken one is a storage error).
fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Result<AccountDelivery>> {
    let did: String = row.get(0)?;
    let handle: String = row.get(1)?;
    let rkeys: String = row.get(2)?;
    let state: String = row.get(3)?;
    let posts: Option<String> = row.get(4)?;
    let error: Option<String> = row.get(5)?;
    let attempts: u32 = row.get(6)?;
    let retry_at: Option<i64> = row.get(7)?;
    let broken = |what, err| Error::from(StorageError::encoding(what)(err));
    Ok((|| {
        let rkeys = serde_json::from_str(&rkeys).map_err(|err| broken("record keys", err))?;
        let state = match (state.as_str(), posts, error) {
            ("posted", Some(posts), _) => Delivery::Posted {
                posts: serde_json::from_str(&posts).map_err(|err| broken("posts", err))?,
            },
            ("failed", _, Some(error)) => Delivery::Failed {
                error: serde_json::from_str(&error).map_err(|err| broken("error", err))?,
            },
            _ => Delivery::Pending,
        };
        Ok(AccountDelivery {
            did,
            handle,
            rkeys,
            attempts,
            state,
            retry_at,
        })
    })())
}

/// When the rate limit `delivery` failed on ends (unix seconds), if the server named a time.
fn rate_limit_ends(delivery: &Delivery) -> Option<i64> {
    let Delivery::Failed { error } = delivery else {
        return None;
    };
    let wait = std::error::Error::source(error)?
        .downcast_ref::<crate::xrpc::XrpcError>()?
        .retry_after()?;
    let wait = i64::try_from(wait.as_secs()).unwrap_or(i64::MAX);
    Some(jiff::Timestamp::now().as_second().saturating_add(wait))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::PublishedPost;
    use crate::records::StrongRef;

    fn entry(id: &str, created_at: &str) -> OutboxEntry {
        let accounts = vec![
            AccountDelivery::for_test("did:plc:b", "bob.test", &["3kb1", "3kb2"]),
            AccountDelivery::for_test("did:plc:a", "alice.test", &["3ka1", "3ka2"]),
        ];
        OutboxEntry {
            created_at: created_at.into(),
            ..OutboxEntry::for_test(id, &["one", "two"], accounts)
        }
    }

    #[test]
    fn the_drafts_of_scheduled_posts_are_known_and_those_of_posts_sent_at_once_are_not() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let scheduled = OutboxEntry {
            due: Some(crate::publish::Due {
                at: jiff::Timestamp::from_second(1_900_000_000).expect("a time"),
                zone: "Europe/Vienna".into(),
            }),
            draft: Some(7),
            ..entry("3ks", "2026-12-01T12:00:00Z")
        };
        let posted_at_once = OutboxEntry {
            draft: Some(8),
            ..entry("3kp", "2026-12-01T12:00:00Z")
        };
        store.insert_outbox(&scheduled, None).expect("insert");
        store.insert_outbox(&posted_at_once, None).expect("insert");
        assert_eq!(
            store.drafts_of_scheduled_posts().expect("read"),
            std::collections::HashSet::from([7])
        );
    }

    #[test]
    fn a_row_keeps_its_keys_and_each_accounts_state_until_it_is_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let saved = entry("3kx", "2026-12-01T12:00:00Z");
        store.insert_outbox(&saved, None).expect("insert");
        store
            .insert_outbox(&entry("3kw", "2026-12-01T11:00:00Z"), None)
            .expect("insert older");
        assert_eq!(
            store.outbox_entry("3kx").expect("read"),
            Some(saved.clone())
        );
        let ids: Vec<String> = store
            .outbox_entries()
            .expect("list")
            .into_iter()
            .map(|entry| entry.id)
            .collect();
        assert_eq!(ids, ["3kw", "3kx"], "oldest first");

        assert_eq!(
            store
                .outbox_count_attempt("3kx", "did:plc:a", "t1")
                .expect("count"),
            1
        );
        assert_eq!(
            store
                .outbox_count_attempt("3kx", "did:plc:a", "t2")
                .expect("count"),
            2
        );
        let posted = Delivery::Posted {
            posts: vec![PublishedPost::new(
                StrongRef {
                    uri: "at://did:plc:a/app.bsky.feed.post/3ka1".into(),
                    cid: "bafy1".into(),
                },
                "alice.test",
            )],
        };
        store
            .outbox_set_delivery("3kx", "did:plc:a", &posted, "t3")
            .expect("posted");
        let failed = Delivery::Failed {
            error: Error::new(crate::ErrorCode::Network, "Offline."),
        };
        store
            .outbox_set_delivery("3kx", "did:plc:b", &failed, "t3")
            .expect("failed");
        // A late failure report cannot undo a post.
        store
            .outbox_set_delivery("3kx", "did:plc:a", &failed, "t4")
            .expect("ignored");

        assert!(store.outbox_failed_with(&["network"]).expect("asked"));
        assert!(!store
            .outbox_failed_with(&["validation", "rate_limited"])
            .expect("asked"));

        let read = store.outbox_entry("3kx").expect("read").expect("present");
        assert_eq!(read.accounts[0].did, "did:plc:b", "the composition's order");
        assert_eq!(read.accounts[0].state, failed);
        assert_eq!(read.accounts[0].attempts, 0);
        assert_eq!(read.accounts[1].state, posted);
        assert_eq!(read.accounts[1].attempts, 2);
        assert_eq!(read.accounts[1].rkeys, ["3ka1", "3ka2"]);
        assert!(!read.done());

        assert!(store.delete_outbox("3kx").expect("delete"));
        assert!(!store.delete_outbox("3kx").expect("delete again"));
        assert_eq!(store.outbox_entry("3kx").expect("read"), None);
        let left: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM outbox_accounts WHERE entry = '3kx'",
                [],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(left, 0, "the accounts go with their row");
    }

    #[test]
    fn the_shown_handle_is_the_accounts_current_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        store
            .insert_outbox(&entry("3kx", "2026-12-01T12:00:00Z"), None)
            .expect("insert");
        let account = crate::Account {
            did: "did:plc:a".into(),
            handle: "alice-renamed.test".into(),
            service: "https://pds.example/".into(),
            pds: "https://pds.example/".into(),
            display_name: None,
            description: None,
            avatar: None,
            connected: true,
            health: crate::Health::active("t"),
            sign_in: crate::SignIn::app_password(),
        };
        store.upsert_account(&account, "t").expect("account");
        let read = store.outbox_entry("3kx").expect("read").expect("present");
        assert_eq!(read.accounts[1].handle, "alice-renamed.test");
        assert_eq!(read.accounts[0].handle, "bob.test", "not stored: as saved");
    }

    #[test]
    fn a_claimed_row_is_left_to_its_holder_until_the_claim_lapses() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let first = Claim {
            holder: "first",
            until_ms: 2_000,
        };
        store
            .insert_outbox(&entry("3kx", "2026-12-01T12:00:00Z"), Some(&first))
            .expect("insert, claimed");
        let second = Claim {
            holder: "second",
            until_ms: 9_000,
        };
        assert!(!store.claim_outbox("3kx", &second, 1_000).expect("claim"));
        assert!(store.claim_outbox("3kx", &first, 1_500).expect("renewed"));
        store
            .release_outbox("3kx", "second")
            .expect("not second's to release");
        assert!(!store.claim_outbox("3kx", &second, 1_999).expect("claim"));
        assert!(
            store.claim_outbox("3kx", &second, 2_001).expect("claim"),
            "a lapsed claim is taken over"
        );
        assert!(!store.claim_outbox("3kx", &first, 2_500).expect("claim"));
        store.release_outbox("3kx", "second").expect("release");
        assert!(store.claim_outbox("3kx", &first, 2_500).expect("claim"));
        assert!(!store.claim_outbox("gone", &first, 0).expect("claim"));
        // Only its holder removes a claimed row that way (a cancelled Post's).
        assert!(!store.delete_outbox_held("3kx", "second").expect("delete"));
        assert!(store.outbox_entry("3kx").expect("read").is_some());
        assert!(store.delete_outbox_held("3kx", "first").expect("delete"));
        assert!(store.outbox_entry("3kx").expect("read").is_none());
    }

    #[test]
    fn a_scheduled_row_is_due_from_its_time_and_keeps_its_zone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path()).expect("open");
        let at = |seconds| jiff::Timestamp::from_second(seconds).expect("a time");
        let mut later = entry("3kx", "2026-12-01T12:00:00Z");
        later.due = Some(Due {
            at: at(2_000),
            zone: "Europe/Vienna".into(),
        });
        store.insert_outbox(&later, None).expect("insert");
        let made_by_post = entry("3kw", "2026-12-01T11:00:00Z");
        store
            .insert_outbox(&made_by_post, None)
            .expect("insert a row made by Post");
        assert_eq!(store.outbox_due(1_999).expect("due"), ["3kw"]);
        assert_eq!(store.outbox_due(2_000).expect("due"), ["3kw", "3kx"]);
        assert_eq!(
            store.outbox_entries().expect("read all"),
            [made_by_post, later.clone()],
            "read together as one by one: each row with its own accounts, in their order"
        );
        assert_eq!(store.outbox_entry("3kx").expect("read"), Some(later));
        let moved = Due {
            at: at(5_000),
            zone: "America/New_York".into(),
        };
        assert!(store.outbox_reschedule("3kx", &moved).expect("moved"));
        let read = store.outbox_entry("3kx").expect("read").expect("present");
        assert_eq!(read.due, Some(moved));
        assert_eq!(store.outbox_due(2_000).expect("due"), ["3kw"]);
    }
}
