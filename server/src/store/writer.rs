//! The thread that writes the history: batches from the state owner,
//! one transaction each, and the retention between them.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::wire::finding::Finding;
use app::wire::history::MomentKind;
use app::wire::ruleset::RulesetChange;
use rusqlite::{params, Connection, ErrorCode, Transaction};

use super::flow_row::{self, FlowIds};
use super::retention::{self, Retention};
use super::unwritten::Unwritten;
use super::{clamp, text_error, Batch, Stats};
use crate::state::journal::Moment;

/// How often the retention runs when nothing else wakes the writer.
const RETENTION_EVERY: Duration = Duration::from_secs(10);
/// Moments per transaction at most (some 300 KB of pages, twice that
/// were every flow one of JSON): each transaction's pages go through the
/// log, which must stay within its room (`schema::wal_bytes`), and one
/// must fit in the room retention makes. The fewer commits, the less
/// each moment costs.
const TRANSACTION: usize = 1000;

/// What the writer shares with the readers.
pub struct Shared {
    pub stats: Arc<Stats>,
    pub unwritten: Arc<Unwritten>,
}

pub fn run(
    db: Connection,
    batches: Receiver<Batch>,
    retention: Retention,
    shared: Shared,
) {
    let mut writer = Writer {
        db,
        retention,
        stats: Arc::clone(&shared.stats),
        ids: FlowIds::default(),
    };
    let mut kept = Instant::now();
    loop {
        let wait = RETENTION_EVERY.saturating_sub(kept.elapsed());
        match batches.recv_timeout(wait) {
            Ok(Batch::Moments(moments)) => {
                for part in moments.chunks(TRANSACTION) {
                    let written = writer.write(|tx, ids| {
                        part.iter().try_for_each(|m| write_moment(tx, ids, m))
                    });
                    let n = part.len() as u64;
                    let stats = &writer.stats;
                    let count =
                        if written { &stats.written } else { &stats.lost };
                    count.fetch_add(n, Ordering::Relaxed);
                }
                shared.unwritten.done(&moments);
            }
            Ok(Batch::Commit(change)) => {
                writer.write(|tx, _| write_commit(tx, &change));
            }
            Ok(Batch::Finding(finding)) => {
                writer.write(|tx, _| write_finding(tx, &finding));
            }
            Ok(Batch::Flush(done)) => {
                // The log folded into the file: a clean stop leaves one file.
                let db = &writer.db;
                let _ = db.pragma_update(None, "wal_checkpoint", "TRUNCATE");
                let _ = done.send(());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if kept.elapsed() >= RETENTION_EVERY {
            writer.keep();
            kept = Instant::now();
        }
    }
}

struct Writer {
    db: Connection,
    retention: Retention,
    stats: Arc<Stats>,
    ids: FlowIds,
}

impl Writer {
    /// Writes in one transaction; a file at its cap first makes room by
    /// forgetting the oldest flows, then tries once more. Says whether
    /// the batch is written.
    fn write(
        &mut self,
        write: impl Fn(&Transaction, &mut FlowIds) -> rusqlite::Result<()>,
    ) -> bool {
        let began = Instant::now();
        let mut result = self.attempt(&write);
        if matches!(&result, Err(e) if e.sqlite_error_code() == Some(ErrorCode::DiskFull))
        {
            self.keep();
            result = self.attempt(&write);
        }
        let written = result.is_ok();
        self.stats.set_error(result.err().map(|e| e.to_string()));
        let busy =
            u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.stats.busy_us.fetch_add(busy, Ordering::Relaxed);
        written
    }

    fn attempt(
        &mut self,
        write: impl Fn(&Transaction, &mut FlowIds) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<()> {
        let result = (|| {
            let tx = self.db.transaction()?;
            write(&tx, &mut self.ids)?;
            tx.commit()
        })();
        match result {
            Ok(()) => self.ids.committed(),
            Err(_) => self.ids.rolled_back(),
        }
        result
    }

    fn keep(&mut self) {
        match retention::keep(&self.db, &self.retention) {
            Ok(0) => {}
            Ok(_) => self.ids.forget(),
            Err(e) => {
                self.ids.forget();
                self.stats.set_error(Some(format!("retention: {e}")));
            }
        }
        self.stats.refresh(&self.db);
    }
}

fn write_moment(
    tx: &Transaction,
    ids: &mut FlowIds,
    m: &Moment,
) -> rusqlite::Result<()> {
    let Some(flow) = m.flow() else {
        return Ok(());
    };
    let at_ms = m.at_ns / 1_000_000;
    let ended = m.kind == MomentKind::End;
    let id = flow_row::write(tx, ids, &flow, at_ms, ended)?;
    let counters = flow
        .counters
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(text_error)?;
    tx.prepare_cached(
        "INSERT INTO moments (flow, at_ms, kind, state, status, counters)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        at_ms,
        m.kind.name(),
        flow.state.as_deref(),
        flow.status.join(","),
        counters
    ])?;
    Ok(())
}

fn write_commit(
    tx: &Transaction,
    change: &RulesetChange,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(change).map_err(text_error)?;
    tx.prepare_cached(
        "INSERT INTO commits (generation, at_ms, change) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![change.generation, change.at_ms, json])?;
    Ok(())
}

/// One row per finding and start: written when it comes, changes and
/// clears.
fn write_finding(tx: &Transaction, finding: &Finding) -> rusqlite::Result<()> {
    let json = serde_json::to_string(finding).map_err(text_error)?;
    tx.prepare_cached(
        "INSERT INTO findings (id, since_ms, cleared_ms, seen_ms, finding)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id, since_ms) DO UPDATE SET cleared_ms = excluded.cleared_ms,
         seen_ms = excluded.seen_ms, finding = excluded.finding",
    )?
    .execute(params![
        finding.id,
        clamp(finding.since_ms),
        finding.cleared_ms.map(clamp),
        clamp(finding.seen_ms),
        json
    ])?;
    Ok(())
}
