//! The history: every flow's last state and the moments of its life
//! (born, state changes, end with its final counters) and the ruleset's
//! commits, in an embedded SQLite database. It outlives flows and
//! restarts: permalinks resolve from here once the kernel forgot.
//!
//! The state owner hands over batches without ever waiting (see
//! [`Recorder`]); one thread writes them, in transactions of up to a
//! thousand moments in WAL mode, so a `kill -9` at any moment loses at
//! most the moments not yet committed and never the file. Retention forgets by age and keeps
//! the file under its size cap.

mod bytes;
mod fields;
mod flow_row;
mod read;
mod record;
mod retention;
mod schema;
mod search;
mod unwritten;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::wire::finding::Finding;
use app::wire::history::HistoryStatus;
use app::wire::ruleset::RulesetChange;
use rusqlite::{Connection, OpenFlags};

use crate::state::journal::Moment;
use crate::state::KeySpace;
pub use read::Stored;
use retention::Retention;
pub use search::{Rows, SCAN_BUDGET};
use unwritten::Unwritten;

/// Batches that may wait for the writer; past that the owner's next ones
/// are counted as lost (see [`HistoryStatus::lost`]).
const QUEUE: usize = 16;

/// Where the history lives and how much of it is kept.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// The database and its log stay within this many bytes.
    pub max_bytes: u64,
    /// Ended flows (and commits) older than this are forgotten.
    pub max_age: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("history database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: schema::SchemaError,
    },
    #[error("history database {path}: the folder: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("history database {path}: a cap of {max_bytes} bytes leaves no room beside the log's {} (use at least 8M)", schema::wal_bytes(*max_bytes))]
    TooSmall { path: PathBuf, max_bytes: u64 },
    #[error("starting the history writer: {0}")]
    Thread(#[source] std::io::Error),
}

/// What writes are to do, in order.
enum Batch {
    /// Also readable in [`Unwritten`] until written.
    Moments(Arc<Vec<Moment>>),
    Commit(Box<RulesetChange>),
    /// A finding that came, changed or cleared.
    Finding(Box<Finding>),
    /// Everything before is written: answers once it is.
    Flush(mpsc::Sender<()>),
}

/// The owner's side: hands batches to the writer, never waiting.
#[derive(Clone)]
pub struct Recorder {
    batches: SyncSender<Batch>,
    stats: Arc<Stats>,
    unwritten: Arc<Unwritten>,
}

impl Recorder {
    pub fn moments(&self, moments: Arc<Vec<Moment>>) {
        if moments.is_empty() {
            return;
        }
        let n = moments.len() as u64;
        self.unwritten.hand_over(moments, |moments| {
            self.send(Batch::Moments(moments), n)
        });
    }

    pub fn commit(&self, change: RulesetChange) {
        self.send(Batch::Commit(Box::new(change)), 0);
    }

    pub fn finding(&self, finding: Finding) {
        self.send(Batch::Finding(Box::new(finding)), 0);
    }

    /// Counts moments the journal had no room for.
    pub fn lost(&self, n: u64) {
        self.stats.lost.fetch_add(n, Ordering::Relaxed);
    }

    /// Says whether the writer took the batch; counts its moments lost
    /// when not.
    fn send(&self, batch: Batch, moments: u64) -> bool {
        match self.batches.try_send(batch) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.lost(moments);
                false
            }
        }
    }

    /// Waits until what was handed over is written, at most `wait`.
    /// Blocking.
    pub fn flush(&self, wait: Duration) {
        let (done, written) = mpsc::channel();
        if self.batches.send(Batch::Flush(done)).is_ok() {
            let _ = written.recv_timeout(wait);
        }
    }
}

/// The readers' side.
pub struct History {
    /// For single flows, so that a long search never holds up a page.
    db: Mutex<Connection>,
    search: Mutex<Connection>,
    config: StoreConfig,
    stats: Arc<Stats>,
    unwritten: Arc<Unwritten>,
}

/// Counts the writer keeps for the status.
#[derive(Default)]
struct Stats {
    written: AtomicU64,
    lost: AtomicU64,
    /// Time spent in write transactions, µs.
    busy_us: AtomicU64,
    /// Of the file, as of the last retention.
    bytes: AtomicU64,
    flows: AtomicU64,
    moments: AtomicU64,
    oldest_ms: AtomicU64,
    error: Mutex<Option<String>>,
}

impl Stats {
    fn set_error(&self, error: Option<String>) {
        if let Some(e) = &error {
            tracing::warn!(error = %e, "writing the history");
        }
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = error;
    }

    fn refresh(&self, db: &Connection) {
        let count = |sql: &str| {
            db.query_row(sql, [], |r| r.get::<_, Option<u64>>(0))
                .ok()
                .flatten()
                .unwrap_or(0)
        };
        let bytes = schema::file_bytes(db).unwrap_or(0);
        self.bytes.store(bytes, Ordering::Relaxed);
        self.flows
            .store(count("SELECT count(*) FROM flows"), Ordering::Relaxed);
        self.moments
            .store(count("SELECT count(*) FROM moments"), Ordering::Relaxed);
        // The first moment of the flow that started first: found in the
        // start index, where the oldest moment would need every one read.
        let oldest = "SELECT first_ms FROM flows ORDER BY start_ns LIMIT 1";
        self.oldest_ms.store(count(oldest), Ordering::Relaxed);
    }
}

/// Opens (or creates) the database and starts its writer. `space` is
/// the table this process watches.
pub fn open(
    config: StoreConfig,
    space: KeySpace,
) -> Result<(Recorder, Arc<History>), StoreError> {
    let path = &config.path;
    if config.max_bytes < 8 << 20 {
        return Err(StoreError::TooSmall {
            path: path.clone(),
            max_bytes: config.max_bytes,
        });
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
            path: path.clone(),
            source,
        })?;
    }
    let opened = |flags| connect(path, flags, config.max_bytes);
    let writer = opened(OpenFlags::default())?;
    presume_ended(&writer, space).map_err(|source| StoreError::Open {
        path: path.clone(),
        source: source.into(),
    })?;
    let reader = opened(OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let searcher = opened(OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let stats = Arc::new(Stats::default());
    stats.refresh(&writer);
    let (batches, to_write) = mpsc::sync_channel(QUEUE);
    let retention = Retention {
        max_age: config.max_age,
        max_bytes: config.max_bytes,
    };
    let unwritten = Arc::new(Unwritten::default());
    let shared = writer::Shared {
        stats: Arc::clone(&stats),
        unwritten: Arc::clone(&unwritten),
    };
    std::thread::Builder::new()
        .name("history-writer".into())
        .spawn(move || writer::run(writer, to_write, retention, shared))
        .map_err(StoreError::Thread)?;
    let history = History {
        db: Mutex::new(reader),
        search: Mutex::new(searcher),
        config,
        stats: Arc::clone(&stats),
        unwritten: Arc::clone(&unwritten),
    };
    let recorder = Recorder {
        batches,
        stats,
        unwritten,
    };
    Ok((recorder, Arc::new(history)))
}

/// Flows the history saw last while nfscope was watching, and that did
/// not end then, ended at that last sight as far as anyone knows: those
/// still alive are seen again in the first dump, which revives them.
/// Flows of another namespace of this boot may be another nfscope's.
fn presume_ended(db: &Connection, space: KeySpace) -> rusqlite::Result<()> {
    let boot = format!("{:08x}-%", space.boot);
    let ours = format!("{:08x}-{}-%", space.boot, space.netns);
    db.execute(
        "UPDATE flows SET ended_ms = last_ms WHERE ended_ms IS NULL
         AND (key NOT LIKE ?1 OR key LIKE ?2)",
        rusqlite::params![boot, ours],
    )?;
    Ok(())
}

fn connect(
    path: &Path,
    flags: OpenFlags,
    max_bytes: u64,
) -> Result<Connection, StoreError> {
    let open = || -> Result<Connection, schema::SchemaError> {
        let db = Connection::open_with_flags(path, flags)?;
        if flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
            db.busy_timeout(Duration::from_secs(5))?;
        } else {
            schema::prepare(&db, max_bytes)?;
        }
        Ok(db)
    };
    open().map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })
}

/// SQLite integers are signed; no time here comes near the end of it.
fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A value that cannot be written as JSON.
fn text_error(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// A stored JSON column that no longer reads as its type.
fn unreadable(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(e),
    )
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("config", &self.config)
            .finish()
    }
}

impl History {
    pub fn status(&self) -> HistoryStatus {
        let s = &self.stats;
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        HistoryStatus {
            path: self.config.path.display().to_string(),
            bytes: get(&s.bytes),
            max_bytes: self.config.max_bytes,
            max_age_secs: self.config.max_age.as_secs(),
            flows: get(&s.flows),
            moments: get(&s.moments),
            oldest_ms: Some(get(&s.oldest_ms)).filter(|&ms| ms > 0),
            written: get(&s.written),
            lost: get(&s.lost),
            busy_ms: get(&s.busy_us) / 1000,
            error: s.error.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    pub fn max_age(&self) -> Duration {
        self.config.max_age
    }
}
