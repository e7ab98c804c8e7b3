//! What the history forgets: ended flows older than the age limit, and
//! the oldest flows whenever the file nears its size cap, so that it
//! never grows past it.

use std::time::Duration;

use rusqlite::{params, Connection};

use super::schema;

/// Above this share of the cap, the oldest flows go...
const HIGH: f64 = 0.9;
/// ...until the file is below this share.
const LOW: f64 = 0.75;
/// Flows forgotten per transaction: a long delete would hold up writes.
const STEP: usize = 2000;
/// Flows forgotten per transaction to make room: few, so that no more
/// go than the cap asks.
const ROOM_STEP: usize = 100;

#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub max_age: Duration,
    pub max_bytes: u64,
}

impl Retention {
    /// The bytes the main file may hold: the log has its room apart.
    fn room(&self) -> u64 {
        self.max_bytes
            .saturating_sub(schema::wal_bytes(self.max_bytes))
    }
}

/// Applies both limits once; says how many flows it forgot.
pub fn keep(db: &Connection, r: &Retention) -> rusqlite::Result<usize> {
    let horizon = crate::state::now_ns() / 1_000_000;
    let horizon = horizon.saturating_sub(r.max_age.as_millis() as u64);
    let mut forgotten = 0;
    loop {
        let n = forget(db, Some(horizon), STEP)?;
        forgotten += n;
        if n < STEP {
            break;
        }
    }
    db.execute("DELETE FROM commits WHERE at_ms < ?1", params![horizon])?;
    db.execute("DELETE FROM findings WHERE seen_ms < ?1", params![horizon])?;
    let room = r.room() as f64;
    if schema::used_bytes(db)? as f64 > room * HIGH {
        while schema::used_bytes(db)? as f64 > room * LOW {
            match forget(db, None, ROOM_STEP)? {
                0 => break,
                n => forgotten += n,
            }
        }
        db.execute(
            "DELETE FROM commits WHERE rowid IN
             (SELECT rowid FROM commits ORDER BY at_ms LIMIT ?1)",
            params![STEP],
        )?;
        db.execute(
            "DELETE FROM findings WHERE rowid IN
             (SELECT rowid FROM findings ORDER BY seen_ms LIMIT ?1)",
            params![STEP],
        )?;
    }
    // Freed pages go back to the file system, a bounded amount at a time.
    db.execute_batch("PRAGMA incremental_vacuum(4096)")?;
    Ok(forgotten)
}

/// Forgets up to `step` of the oldest flows (by start), those that ended before
/// `ended_before` if given, with their moments; says how many went.
fn forget(
    db: &Connection,
    ended_before: Option<u64>,
    step: usize,
) -> rusqlite::Result<usize> {
    let tx = db.unchecked_transaction()?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS gone (id INTEGER PRIMARY KEY);
         DELETE FROM gone;",
    )?;
    let taken = tx.execute(
        "INSERT INTO gone SELECT id FROM flows
         WHERE ?1 IS NULL OR ended_ms < ?1
         ORDER BY start_ns LIMIT ?2",
        params![ended_before, step],
    )?;
    tx.execute_batch(
        "DELETE FROM moments WHERE flow IN (SELECT id FROM gone);
         DELETE FROM flows WHERE id IN (SELECT id FROM gone);",
    )?;
    tx.commit()?;
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh database in a file of its own, removed on drop.
    struct Db(Connection, std::path::PathBuf);

    impl Drop for Db {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!(
                    "{}{suffix}",
                    self.1.display()
                ));
            }
        }
    }

    fn db(max_bytes: u64) -> Db {
        use std::hash::{BuildHasher, RandomState};
        let name = format!(
            "nfs-t-retention-{:x}.db",
            RandomState::new().hash_one(0u8)
        );
        let path = std::env::temp_dir().join(name);
        let db = Connection::open(&path).unwrap();
        schema::prepare(&db, max_bytes).unwrap();
        Db(db, path)
    }

    /// A flow born and last seen at `last_ms` (ended then if `ended`),
    /// with two moments and a body of `body` bytes.
    fn flow(
        db: &Connection,
        key: &str,
        last_ms: u64,
        ended: bool,
        body: usize,
    ) -> rusqlite::Result<()> {
        let tx = db.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO flows (start_ns, key, first_ms, last_ms, ended_ms, flow)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
            params![
                last_ms * 1_000_000,
                key,
                last_ms,
                ended.then_some(last_ms),
                "x".repeat(body)
            ],
        )?;
        let id = tx.last_insert_rowid();
        for kind in ["new", "end"] {
            tx.execute(
                "INSERT INTO moments (flow, at_ms, kind, status)
                 VALUES (?1, ?2, ?3, '')",
                params![id, last_ms, kind],
            )?;
        }
        tx.commit()
    }

    fn keys(db: &Connection) -> Vec<String> {
        let mut q = db.prepare("SELECT key FROM flows ORDER BY key").unwrap();
        q.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn count(db: &Connection, sql: &str) -> u64 {
        db.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn ended_flows_past_the_age_go_and_live_ones_stay() {
        let d = db(64 << 20);
        let now = crate::state::now_ns() / 1_000_000;
        let day = 86_400_000;
        flow(&d.0, "old-ended", now - 3 * day, true, 10).unwrap();
        flow(&d.0, "old-live", now - 3 * day, false, 10).unwrap();
        flow(&d.0, "new-ended", now - 1000, true, 10).unwrap();
        let r = Retention {
            max_age: Duration::from_secs(86_400),
            max_bytes: 64 << 20,
        };
        keep(&d.0, &r).unwrap();
        assert_eq!(keys(&d.0), ["new-ended", "old-live"]);
        assert_eq!(count(&d.0, "SELECT count(*) FROM moments"), 4);
    }

    #[test]
    fn a_file_near_its_cap_forgets_its_oldest_flows() {
        let max_bytes = 8 << 20;
        let d = db(max_bytes);
        let r = Retention {
            max_age: Duration::from_secs(86_400),
            max_bytes,
        };
        let now = crate::state::now_ns() / 1_000_000;
        // 1 KB flows, oldest first, until the file is full.
        let mut made = 0;
        while flow(
            &d.0,
            &format!("{made:05}"),
            now - 9000 + made,
            made % 2 == 0,
            1000,
        )
        .is_ok()
        {
            made += 1;
        }
        keep(&d.0, &r).unwrap();
        let used = schema::used_bytes(&d.0).unwrap() as f64;
        assert!(used <= r.room() as f64 * LOW, "{used}");
        let left = keys(&d.0);
        assert!(left.len() as u64 > made * 2 / 3, "{} of {made}", left.len());
        // The newest stay: whatever went was older than whatever is left.
        let newest = format!("{:05}", made - 1);
        assert_eq!(left.last(), Some(&newest));
        assert_eq!(
            left.first(),
            Some(&format!("{:05}", made - left.len() as u64))
        );
        assert_eq!(
            count(&d.0, "SELECT count(*) FROM moments"),
            2 * left.len() as u64
        );
        // And there is room again.
        flow(&d.0, "next", now, false, 1000).unwrap();
    }
}
