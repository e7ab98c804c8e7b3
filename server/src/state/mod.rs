//! The one owner of the flow table. Collectors send it updates; readers
//! take snapshots under a short read lock, or follow the deltas it
//! publishes on a broadcast channel.

mod rate;
mod sysctl;
mod table;
#[cfg(test)]
mod tests;

use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::query::{Filter, Sort};
use app::wire::{Flow, FlowKey, FlowPage, Status};
use tokio::sync::{broadcast, mpsc};

use crate::collect::conntrack::{self, CtUpdate};

pub use table::FlowTable;

/// How often changes are published to watchers.
const PUBLISH_EVERY: Duration = Duration::from_millis(100);
/// Published batches a watcher may fall behind before it is resynced.
const WATCHER_BACKLOG: usize = 256;
/// Pause before retrying a dump that failed.
const DUMP_RETRY: Duration = Duration::from_secs(2);

/// Changes of one publish tick.
#[derive(Debug)]
pub struct Published {
    pub seq: u64,
    pub upsert: Vec<Flow>,
    pub remove: Vec<FlowKey>,
    pub status: Status,
}

pub struct Shared {
    pub table: FlowTable,
    pub status: Status,
    /// Sequence number of the last published batch.
    pub seq: u64,
}

impl Shared {
    /// The flows `filter` selects, best first by `sort`, at most `limit`.
    pub fn page(&self, filter: &Filter, sort: &Sort, limit: usize) -> FlowPage {
        let mut flows = self.matching(filter);
        let total = flows.len();
        let cmp = |a: &Flow, b: &Flow| sort.compare(a, b);
        if limit < flows.len() {
            flows.select_nth_unstable_by(limit, cmp);
            flows.truncate(limit);
        }
        flows.sort_unstable_by(cmp);
        FlowPage { total, flows }
    }

    pub fn matching(&self, filter: &Filter) -> Vec<Flow> {
        self.table.flows().filter(|f| filter.matches(f)).collect()
    }
}

/// A cheap handle to the state, cloned into every HTTP handler.
#[derive(Clone)]
pub struct StateHandle {
    shared: Arc<RwLock<Shared>>,
    deltas: broadcast::Sender<Arc<Published>>,
}

impl StateHandle {
    pub fn new(netns: u64) -> Self {
        let status = Status {
            netns,
            ..Status::default()
        };
        Self {
            shared: Arc::new(RwLock::new(Shared {
                table: FlowTable::new(netns),
                status,
                seq: 0,
            })),
            deltas: broadcast::channel(WATCHER_BACKLOG).0,
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Shared> {
        self.shared.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Status {
        self.read().status.clone()
    }

    /// Subscribe first, then take a snapshot, so no batch falls between.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.deltas.subscribe()
    }

    /// Records a collector that cannot run; the page shows it.
    pub fn set_error(&self, error: String) {
        self.write(|s| s.status.error = Some(error));
    }

    fn write<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        f(&mut self.shared.write().unwrap_or_else(|e| e.into_inner()))
    }

    /// Owns the table: applies collector updates, runs dumps, publishes.
    /// Returns when `updates` closes.
    pub async fn run(
        self,
        mut updates: mpsc::Receiver<CtUpdate>,
        dumps: mpsc::Sender<CtUpdate>,
        rcvbuf: usize,
    ) {
        let mut owner = Owner {
            handle: self,
            dumps,
            dumping: false,
            dump_again: false,
            initial: true,
            rate: rate::Rate::default(),
        };
        owner.handle.write(|s| s.status.rcvbuf = rcvbuf);
        owner.refresh_sysctls();
        owner.start_dump();
        let mut tick = tokio::time::interval(PUBLISH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut ticks = 0u64;
        loop {
            tokio::select! {
                update = updates.recv() => match update {
                    Some(update) => owner.apply(update),
                    None => return,
                },
                _ = tick.tick() => {
                    ticks += 1;
                    if ticks % 50 == 0 {
                        owner.refresh_sysctls();
                    }
                    owner.publish();
                }
            }
        }
    }
}

struct Owner {
    handle: StateHandle,
    /// Where dump threads send their entries (the same queue as events).
    dumps: mpsc::Sender<CtUpdate>,
    dumping: bool,
    /// Events were lost while a dump was running: dump once more after.
    dump_again: bool,
    /// The first dump fills the table; only later ones count as resyncs.
    initial: bool,
    rate: rate::Rate,
}

impl Owner {
    fn apply(&mut self, update: CtUpdate) {
        let now = now_ms();
        match update {
            CtUpdate::Events(batch) => {
                let live = batch
                    .iter()
                    .filter(|(k, _)| *k != conntrack::EventKind::Dumped)
                    .count() as u64;
                self.rate.add(live);
                self.handle.write(|s| {
                    s.status.events_received += live;
                    for (kind, entry) in batch {
                        if !s.table.apply(kind, entry, now) {
                            s.status.decode_errors += 1;
                        }
                    }
                    s.status.entries = s.table.len();
                });
            }
            CtUpdate::Lost => {
                tracing::warn!(
                    "the kernel dropped conntrack events (ENOBUFS); resyncing"
                );
                self.handle.write(|s| {
                    s.status.enobufs += 1;
                    s.status.resyncing = true;
                });
                if self.dumping {
                    self.dump_again = true;
                } else {
                    self.start_dump();
                }
            }
            CtUpdate::DumpStarted => {
                self.handle.write(|s| s.table.begin_dump());
            }
            CtUpdate::DumpDone(result) => {
                self.dumping = false;
                let ok = result.is_ok();
                let initial = self.initial;
                self.handle.write(|s| {
                    s.table.end_dump(ok);
                    s.status.entries = s.table.len();
                    match &result {
                        Ok(()) => {
                            s.status.error = None;
                            s.status.synced = true;
                            if !initial {
                                s.status.resyncs += 1;
                                s.status.last_resync = Some(now);
                            }
                        }
                        Err(e) => s.status.error = Some(e.clone()),
                    }
                });
                if ok {
                    self.initial = false;
                } else {
                    self.dumping = true;
                    self.spawn_dump(DUMP_RETRY);
                }
                if !self.dumping && std::mem::take(&mut self.dump_again) {
                    self.start_dump();
                } else if !self.dumping {
                    self.handle.write(|s| s.status.resyncing = false);
                }
            }
            CtUpdate::DecodeErrors(n) => {
                self.handle.write(|s| s.status.decode_errors += n);
            }
        }
    }

    fn start_dump(&mut self) {
        self.dumping = true;
        self.spawn_dump(Duration::ZERO);
    }

    fn spawn_dump(&self, after: Duration) {
        let tx = self.dumps.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            tokio::task::spawn_blocking(move || conntrack::dump(&tx));
        });
    }

    fn refresh_sysctls(&self) {
        let sysctls = sysctl::Conntrack::read();
        self.handle.write(|s| {
            s.status.accounting = sysctls.acct;
            s.status.timestamps = sysctls.timestamp;
            s.status.kernel_events = sysctls.events;
        });
    }

    /// Publishes under the write lock so that a snapshot (taken under the
    /// read lock) always matches exactly one sequence number.
    fn publish(&mut self) {
        let events_per_sec = self.rate.per_sec();
        let deltas = &self.handle.deltas;
        self.handle.write(|s| {
            s.status.events_per_sec = events_per_sec;
            let (upsert, remove) = s.table.take_changes();
            s.seq += 1;
            let batch = Published {
                seq: s.seq,
                upsert,
                remove,
                status: s.status.clone(),
            };
            // No watcher is not an error.
            let _ = deltas.send(Arc::new(batch));
        });
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
