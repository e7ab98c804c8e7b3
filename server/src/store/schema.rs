//! The database's layout, and the settings that make it safe to kill at
//! any moment (WAL, one transaction per batch) and bounded in size.

use rusqlite::Connection;

/// `PRAGMA user_version` of this layout. A file of an older one is
/// brought up to it in place (see [`MIGRATIONS`]); one of a newer one,
/// written by a later nfscope, is refused and left as it is.
pub const VERSION: i64 = 4;

/// Room kept for the write-ahead log within the size cap `max_bytes`:
/// an eighth of it, from 2 to 32 MiB. The log is checkpointed from a
/// quarter of its room on, so it holds that and one transaction at most,
/// and is cut back to its room after. Each checkpoint syncs the file:
/// the bigger the room, the fewer of them.
pub fn wal_bytes(max_bytes: u64) -> u64 {
    (max_bytes / 8).clamp(2 << 20, 32 << 20)
}

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS flows (
    id INTEGER PRIMARY KEY,
    -- the key's start (ns): flows are born in this order, so the one
    -- index that finds a key is appended to rather than written all over,
    -- and gives the order of searches and of retention
    start_ns INTEGER NOT NULL,
    key TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    -- app::wire::Flow as JSON, as of the flow's last moment; empty
    -- from layout 4 on where `fields` holds the whole flow
    flow TEXT NOT NULL,
    -- what a search's filter reads of it (store::fields), and from
    -- layout 4 on mostly the whole flow (store::record); NULL in rows
    -- written before layout 3, whose JSON is read instead
    fields BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS flows_by_start ON flows (start_ns, key);
CREATE TABLE IF NOT EXISTS moments (
    flow INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    state TEXT,
    -- the IPS_* status words, comma separated
    status TEXT NOT NULL,
    -- app::wire::Counters as JSON, when known
    counters TEXT
);
CREATE INDEX IF NOT EXISTS moments_by_flow ON moments (flow, at_ms);
CREATE TABLE IF NOT EXISTS commits (
    generation INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    -- app::wire::ruleset::RulesetChange as JSON
    change TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commits_by_age ON commits (at_ms);
";

/// Tables added to this layout since it began: created in a file that
/// lacks them, so that an older file of the same version still opens.
const ADDED: &str = "
CREATE TABLE IF NOT EXISTS findings (
    id TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    -- when it cleared; NULL while it held at its last writing
    cleared_ms INTEGER,
    seen_ms INTEGER NOT NULL,
    -- app::wire::finding::Finding as JSON
    finding TEXT NOT NULL,
    PRIMARY KEY (id, since_ms)
);
CREATE INDEX IF NOT EXISTS findings_by_age ON findings (seen_ms);
";

/// What brings a file of layout N up to N + 1, from layout 2 on: each
/// one quick whatever the file holds, as it runs while nfscope starts.
/// Layout 4 only writes rows an older nfscope cannot read (no JSON): the
/// step changes no row, and the version keeps the older one out.
const MIGRATIONS: [(i64, &str); 2] =
    [(2, "ALTER TABLE flows ADD COLUMN fields BLOB;"), (3, "")];

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "it was written by another version of nfscope (layout {found}, this \
         one reads {OLDEST} to {VERSION}): move it away or pass another --db"
    )]
    Version { found: i64 },
}

/// Sets a connection up; creates the tables in a new file. The main
/// file and its log together stay within `max_bytes`.
pub fn prepare(db: &Connection, max_bytes: u64) -> Result<(), SchemaError> {
    // Before any table exists, or it has no effect.
    db.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    db.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    // In WAL mode a commit survives the process being killed; only a
    // power cut may lose the last ones, never the file's integrity.
    db.pragma_update(None, "synchronous", "NORMAL")?;
    let wal = wal_bytes(max_bytes);
    let page = page_size(db)?;
    let checkpoint = (wal / 4 / page) as i64;
    db.pragma_update_and_check(None, "wal_autocheckpoint", checkpoint, |_| {
        Ok(())
    })?;
    let limit = wal as i64;
    db.pragma_update_and_check(None, "journal_size_limit", limit, |_| Ok(()))?;
    // The pages a batch touches stay at hand between transactions.
    db.pragma_update(None, "cache_size", -(32 << 10))?;
    let pages = (max_bytes.saturating_sub(wal) / page) as i64;
    db.pragma_update_and_check(None, "max_page_count", pages, |_| Ok(()))?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    let found: i64 =
        db.pragma_query_value(None, "user_version", |r| r.get(0))?;
    match found {
        0 => {
            db.execute_batch(TABLES)?;
            db.pragma_update(None, "user_version", VERSION)?;
        }
        OLDEST..=VERSION => migrate(db, found)?,
        found => return Err(SchemaError::Version { found }),
    }
    db.execute_batch(ADDED)?;
    Ok(())
}

/// The oldest layout a file may have and still be opened.
const OLDEST: i64 = MIGRATIONS[0].0;

/// Brings a file of layout `found` up to [`VERSION`], all steps in one
/// transaction: a kill halfway leaves the file as it was.
fn migrate(db: &Connection, found: i64) -> rusqlite::Result<()> {
    if found == VERSION {
        return Ok(());
    }
    let tx = db.unchecked_transaction()?;
    for (_, step) in MIGRATIONS.iter().filter(|(from, _)| *from >= found) {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()?;
    tracing::info!(
        from = found,
        to = VERSION,
        "history layout brought up to date"
    );
    Ok(())
}

/// The bytes the main file holds in pages that are in use.
pub fn used_bytes(db: &Connection) -> rusqlite::Result<u64> {
    let free: u64 =
        db.pragma_query_value(None, "freelist_count", |r| r.get(0))?;
    Ok(file_bytes(db)?.saturating_sub(free * page_size(db)?))
}

/// The size of the main file.
pub fn file_bytes(db: &Connection) -> rusqlite::Result<u64> {
    let pages: u64 = db.pragma_query_value(None, "page_count", |r| r.get(0))?;
    Ok(pages * page_size(db)?)
}

pub fn page_size(db: &Connection) -> rusqlite::Result<u64> {
    db.pragma_query_value(None, "page_size", |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file as nfscope wrote it with layout 2, holding one flow.
    fn layout_2() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE TABLE flows (
                 id INTEGER PRIMARY KEY, start_ns INTEGER NOT NULL,
                 key TEXT NOT NULL, first_ms INTEGER NOT NULL,
                 last_ms INTEGER NOT NULL, ended_ms INTEGER, flow TEXT NOT NULL);
             CREATE UNIQUE INDEX flows_by_start ON flows (start_ns, key);
             CREATE TABLE moments (flow INTEGER NOT NULL, at_ms INTEGER NOT NULL,
                 kind TEXT NOT NULL, state TEXT, status TEXT NOT NULL, counters TEXT);
             CREATE TABLE commits (generation INTEGER NOT NULL,
                 at_ms INTEGER NOT NULL, change TEXT NOT NULL);
             INSERT INTO flows (start_ns, key, first_ms, last_ms, flow)
                 VALUES (1, 'k', 1, 1, '{}');
             PRAGMA user_version = 2;",
        )
        .unwrap();
        db
    }

    fn version(db: &Connection) -> i64 {
        db.pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_file_of_layout_2_is_brought_up_to_date_keeping_its_flows() {
        let db = layout_2();
        prepare(&db, 64 << 20).unwrap();
        assert_eq!(version(&db), VERSION);
        let (flow, fields): (String, Option<Vec<u8>>) = db
            .query_row(
                "SELECT flow, fields FROM flows WHERE key = 'k'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((flow.as_str(), fields), ("{}", None));
        // And opening it again changes nothing.
        prepare(&db, 64 << 20).unwrap();
        assert_eq!(version(&db), VERSION);
    }

    #[test]
    fn a_file_of_a_newer_layout_is_refused_and_left_as_it_is() {
        let db = layout_2();
        db.pragma_update(None, "user_version", VERSION + 1).unwrap();
        let e = prepare(&db, 64 << 20).unwrap_err();
        assert!(
            matches!(e, SchemaError::Version { found } if found == VERSION + 1)
        );
        assert!(e.to_string().contains("reads 2 to 4"), "{e}");
        assert_eq!(version(&db), VERSION + 1);
        let columns: i64 = db
            .query_row(
                "SELECT count(*) FROM pragma_table_info('flows')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(columns, 7);
    }

    #[test]
    fn a_file_older_than_the_first_migration_is_refused() {
        let db = layout_2();
        db.pragma_update(None, "user_version", 1).unwrap();
        assert!(matches!(
            prepare(&db, 64 << 20),
            Err(SchemaError::Version { found: 1 })
        ));
    }
}
