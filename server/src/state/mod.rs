//! The one owner of the flow table. Collectors send it updates; readers
//! take snapshots under a short read lock, or follow the deltas it
//! publishes on a broadcast channel.

mod id_map;
mod owner;
mod rate;
mod sysctl;
mod table;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use app::query::{Filter, Sort};
use app::wire::{Flow, FlowKey, FlowPage, Status};
use tokio::sync::broadcast;

pub use table::FlowTable;

/// Published batches a watcher may fall behind before it is resynced.
const WATCHER_BACKLOG: usize = 256;

/// Changes of one publish tick.
#[derive(Debug)]
pub struct Published {
    pub seq: u64,
    /// Whether any flow changed. The flows themselves are only converted
    /// for the wire while someone follows every change (see
    /// [`StateHandle::follow`]).
    pub changed: bool,
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
    /// Rows `offset..offset + limit` of the flows `filter` selects, in
    /// `sort` order. Keeps only the best `offset + limit` flows while it
    /// scans, so the first screens of a big table cost little memory.
    pub fn page(
        &self,
        filter: &Filter,
        sort: &Sort,
        offset: usize,
        limit: usize,
    ) -> FlowPage {
        let cmp = |a: &Flow, b: &Flow| sort.compare(a, b);
        let keep = offset.saturating_add(limit);
        // Selecting once the buffer holds twice what is kept makes the
        // scan linear in the table.
        let buffer = keep.saturating_mul(2).max(64);
        let mut total = 0;
        let mut best = Vec::new();
        for flow in self.table.flows().filter(|f| filter.matches(f)) {
            total += 1;
            if keep == 0 {
                continue;
            }
            best.push(flow);
            if best.len() >= buffer {
                best.select_nth_unstable_by(keep - 1, cmp);
                best.truncate(keep);
            }
        }
        best.sort_unstable_by(cmp);
        best.truncate(keep);
        best.drain(..offset.min(best.len()));
        FlowPage { total, flows: best }
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
    /// Watchers that need every changed flow, not just the news that
    /// something changed.
    followers: Arc<AtomicUsize>,
}

/// Counts one follower while it lives.
pub struct Following(Arc<AtomicUsize>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
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
            followers: Arc::default(),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Shared> {
        self.shared.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Status {
        self.read().status.clone()
    }

    /// Publish ticks, telling whether anything changed. Subscribe first,
    /// then read the table, so no tick falls between.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.deltas.subscribe()
    }

    /// Publish ticks with every changed flow, for as long as the returned
    /// guard lives. Subscribe first, then take a snapshot.
    pub fn follow(&self) -> (broadcast::Receiver<Arc<Published>>, Following) {
        self.followers.fetch_add(1, Ordering::Relaxed);
        let following = Following(Arc::clone(&self.followers));
        (self.deltas.subscribe(), following)
    }

    fn has_followers(&self) -> bool {
        self.followers.load(Ordering::Relaxed) > 0
    }

    fn write<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> R {
        f(&mut self.shared.write().unwrap_or_else(|e| e.into_inner()))
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
