//! The thread that writes the history: batches from the state owner,
//! one transaction each, and the retention between them.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::wire::finding::Finding;
use app::wire::history::MomentKind;
use app::wire::ruleset::RulesetChange;
use rusqlite::{params, Connection, ErrorCode};

use super::fields;
use super::retention::{self, Retention};
use super::unwritten::Unwritten;
use super::{clamp, Batch, Stats};
use crate::state::journal::Moment;

/// How often the retention runs when nothing else wakes the writer.
const RETENTION_EVERY: Duration = Duration::from_secs(10);
/// Moments per transaction at most (~250 KB): each transaction's pages
/// go through the log, which must stay within its room
/// (`schema::wal_bytes`), and one must fit in the room retention makes.
const TRANSACTION: usize = 250;

/// What the writer shares with the readers.
pub struct Shared {
    pub stats: Arc<Stats>,
    pub unwritten: Arc<Unwritten>,
}

pub fn run(
    mut db: Connection,
    batches: Receiver<Batch>,
    retention: Retention,
    shared: Shared,
) {
    let stats = &shared.stats;
    let mut kept = Instant::now();
    loop {
        let wait = RETENTION_EVERY.saturating_sub(kept.elapsed());
        match batches.recv_timeout(wait) {
            Ok(Batch::Moments(moments)) => {
                for part in moments.chunks(TRANSACTION) {
                    let written =
                        write_or_make_room(&mut db, &retention, stats, |tx| {
                            part.iter().try_for_each(|m| write_moment(tx, m))
                        });
                    let n = part.len() as u64;
                    let count =
                        if written { &stats.written } else { &stats.lost };
                    count.fetch_add(n, Ordering::Relaxed);
                }
                shared.unwritten.done(&moments);
            }
            Ok(Batch::Commit(change)) => {
                write_or_make_room(&mut db, &retention, stats, |tx| {
                    write_commit(tx, &change)
                });
            }
            Ok(Batch::Finding(finding)) => {
                write_or_make_room(&mut db, &retention, stats, |tx| {
                    write_finding(tx, &finding)
                });
            }
            Ok(Batch::Flush(done)) => {
                // The log folded into the file: a clean stop leaves one file.
                let _ = db.pragma_update(None, "wal_checkpoint", "TRUNCATE");
                let _ = done.send(());
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if kept.elapsed() >= RETENTION_EVERY {
            keep(&db, &retention, stats);
            kept = Instant::now();
        }
    }
}

/// Writes in one transaction; a file at its cap first makes room by
/// forgetting the oldest flows, then tries once more. Says whether the
/// batch is written.
fn write_or_make_room(
    db: &mut Connection,
    retention: &Retention,
    stats: &Stats,
    write: impl Fn(&rusqlite::Transaction) -> rusqlite::Result<()>,
) -> bool {
    let began = Instant::now();
    let attempt = |db: &mut Connection| {
        let tx = db.transaction()?;
        write(&tx)?;
        tx.commit()
    };
    let mut result = attempt(db);
    if matches!(&result, Err(e) if e.sqlite_error_code() == Some(ErrorCode::DiskFull))
    {
        keep(db, retention, stats);
        result = attempt(db);
    }
    let written = result.is_ok();
    stats.set_error(result.err().map(|e| e.to_string()));
    let busy = u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX);
    stats.busy_us.fetch_add(busy, Ordering::Relaxed);
    written
}

fn keep(db: &Connection, retention: &Retention, stats: &Stats) {
    if let Err(e) = retention::keep(db, retention) {
        stats.set_error(Some(format!("retention: {e}")));
    }
    stats.refresh(db);
}

fn write_moment(
    tx: &rusqlite::Transaction,
    m: &Moment,
) -> rusqlite::Result<()> {
    let Some(flow) = m.flow() else {
        return Ok(());
    };
    let at_ms = m.at_ns / 1_000_000;
    let ended = (m.kind == MomentKind::End).then_some(at_ms);
    let json = serde_json::to_string(&flow).map_err(text_error)?;
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO flows
                 (start_ns, key, first_ms, last_ms, ended_ms, flow, fields)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (start_ns, key) DO UPDATE SET
                 last_ms = excluded.last_ms, ended_ms = excluded.ended_ms,
                 flow = excluded.flow, fields = excluded.fields
             RETURNING id",
        )?
        .query_row(
            params![
                clamp(flow.key.start),
                flow.key.to_string(),
                flow.first_seen_ms,
                at_ms,
                ended,
                json,
                fields::encode(&flow)
            ],
            |r| r.get(0),
        )?;
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
    tx: &rusqlite::Transaction,
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
fn write_finding(
    tx: &rusqlite::Transaction,
    finding: &Finding,
) -> rusqlite::Result<()> {
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

fn text_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}
