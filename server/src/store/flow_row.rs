//! Writing a flow's row: by its id while the flow lives, so that each
//! later moment updates the row it knows without a search of the key
//! index, and by its key when the id is not known (the flow's first
//! moment, or after a restart or retention).
//!
//! Only ids of committed rows are kept: SQLite may give the id of a
//! row rolled back or forgotten to the next flow, whose row a stale id
//! would overwrite.

use std::collections::HashMap;

use app::wire::{Flow, FlowKey};
use rusqlite::{params, Transaction};

use super::{clamp, record, text_error};

/// Ids known at most: about as many flows as a busy box has alive at
/// once (~15 MB). Past it they are forgotten, and found by key again.
const MOST: usize = 1 << 18;

/// The ids of the rows of flows written and not ended yet.
#[derive(Default)]
pub struct FlowIds {
    ids: HashMap<FlowKey, i64>,
    /// Learnt in the transaction under way.
    fresh: Vec<FlowKey>,
}

impl FlowIds {
    /// The transaction under way is committed: what it taught holds.
    pub fn committed(&mut self) {
        self.fresh.clear();
        if self.ids.len() > MOST {
            self.ids.clear();
        }
    }

    /// The transaction under way was rolled back: what it taught goes.
    pub fn rolled_back(&mut self) {
        for key in self.fresh.drain(..) {
            self.ids.remove(&key);
        }
    }

    /// Rows were deleted: any id may now be given to another flow.
    pub fn forget(&mut self) {
        self.ids.clear();
        self.fresh.clear();
    }
}

/// Writes `flow` as of `at_ms` (ended then if `ended`) and says the id
/// of its row.
pub fn write(
    tx: &Transaction,
    ids: &mut FlowIds,
    flow: &Flow,
    at_ms: u64,
    ended: bool,
) -> rusqlite::Result<i64> {
    let (record, json) = record::encode(flow).map_err(text_error)?;
    let ended_ms = ended.then_some(at_ms);
    let known = ids.ids.get(&flow.key).copied();
    // A known row may have been forgotten since: then it is made again.
    let updated = match known {
        Some(id) => {
            let changed = tx
                .prepare_cached(
                    "UPDATE flows SET last_ms = ?2, ended_ms = ?3, flow = ?4,
                     fields = ?5 WHERE id = ?1",
                )?
                .execute(params![id, at_ms, ended_ms, json, record])?;
            (changed == 1).then_some(id)
        }
        None => None,
    };
    let id = match updated {
        Some(id) => id,
        None => by_key(tx, flow, at_ms, ended_ms, &json, &record)?,
    };
    if ended {
        ids.ids.remove(&flow.key);
    } else if known != Some(id) {
        ids.ids.insert(flow.key, id);
        ids.fresh.push(flow.key);
    }
    Ok(id)
}

/// The row is found, or made, by its key.
fn by_key(
    tx: &Transaction,
    flow: &Flow,
    at_ms: u64,
    ended_ms: Option<u64>,
    json: &str,
    record: &[u8],
) -> rusqlite::Result<i64> {
    let key = flow.key.to_string();
    let start = clamp(flow.key.start);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO flows
                 (start_ns, key, first_ms, last_ms, ended_ms, flow, fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (start_ns, key) DO NOTHING",
        )?
        .execute(params![
            start,
            key,
            flow.first_seen_ms,
            at_ms,
            ended_ms,
            json,
            record
        ])?;
    if inserted == 1 {
        return Ok(tx.last_insert_rowid());
    }
    tx.prepare_cached(
        "UPDATE flows SET last_ms = ?3, ended_ms = ?4, flow = ?5, fields = ?6
         WHERE start_ns = ?1 AND key = ?2 RETURNING id",
    )?
    .query_row(params![start, key, at_ms, ended_ms, json, record], |r| {
        r.get(0)
    })
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::{fields, schema};
    use super::*;

    fn db() -> Connection {
        let db = Connection::open_in_memory().unwrap();
        schema::prepare(&db, 64 << 20).unwrap();
        db
    }

    fn rows(db: &Connection) -> Vec<(i64, Option<u64>)> {
        db.prepare("SELECT id, ended_ms FROM flows ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_flow_keeps_one_row_from_birth_to_end() {
        let mut db = db();
        let mut ids = FlowIds::default();
        let [flow, _] = fields::tests::flows();
        let tx = db.transaction().unwrap();
        let born = write(&tx, &mut ids, &flow, 1, false).unwrap();
        assert_eq!(write(&tx, &mut ids, &flow, 2, false).unwrap(), born);
        tx.commit().unwrap();
        ids.committed();
        assert_eq!(ids.ids.get(&flow.key), Some(&born));
        let tx = db.transaction().unwrap();
        assert_eq!(write(&tx, &mut ids, &flow, 3, true).unwrap(), born);
        tx.commit().unwrap();
        assert_eq!(rows(&db), [(born, Some(3))]);
        assert!(ids.ids.is_empty());
    }

    #[test]
    fn an_id_rolled_back_or_forgotten_is_not_used_again() {
        let mut db = db();
        let mut ids = FlowIds::default();
        let [flow, other] = fields::tests::flows();
        let tx = db.transaction().unwrap();
        write(&tx, &mut ids, &flow, 1, false).unwrap();
        drop(tx);
        ids.rolled_back();
        assert!(ids.ids.is_empty());

        // A row deleted behind the writer's back is made again.
        let tx = db.transaction().unwrap();
        write(&tx, &mut ids, &flow, 1, false).unwrap();
        tx.commit().unwrap();
        ids.committed();
        db.execute("DELETE FROM flows", []).unwrap();
        let tx = db.transaction().unwrap();
        let again = write(&tx, &mut ids, &flow, 2, false).unwrap();
        tx.commit().unwrap();
        assert_eq!(rows(&db), [(again, None)]);

        // And one whose id went to another flow is not overwritten
        // once retention said it forgot rows.
        db.execute("DELETE FROM flows", []).unwrap();
        ids.forget();
        let tx = db.transaction().unwrap();
        let taken = write(&tx, &mut ids, &other, 3, false).unwrap();
        assert_eq!(taken, again, "SQLite gives a freed id again");
        let mine = write(&tx, &mut ids, &flow, 4, false).unwrap();
        tx.commit().unwrap();
        assert_ne!(taken, mine);
        assert_eq!(rows(&db).len(), 2);
    }
}
