//! The one owner of the flow table. Collectors send it updates; readers
//! take snapshots under a short read lock, or follow the deltas it
//! publishes on a broadcast channel.

mod id_map;
mod owner;
mod rate;
pub mod saved_keys;
pub mod slot;
mod sysctl;
mod table;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use app::query::{Filter, Sort};
use app::wire::{Flow, FlowKey, FlowPage, Status};
use tokio::sync::broadcast;

pub use slot::KeySpace;
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
    space: KeySpace,
    /// Where keys are kept across restarts; `None` keeps them in memory.
    /// Locked while it is written: a save at shutdown may meet a periodic
    /// one.
    keys_file: Option<Arc<Mutex<PathBuf>>>,
}

/// Counts one follower while it lives.
pub struct Following(Arc<AtomicUsize>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl StateHandle {
    /// A table for `space`, holding the keys a previous run saved in
    /// `state_dir`.
    pub fn new(space: KeySpace, state_dir: Option<&Path>) -> Self {
        let status = Status {
            netns: space.netns,
            ..Status::default()
        };
        let mut table = FlowTable::new(space);
        let keys_file = state_dir
            .map(|dir| saved_keys::path(dir, space, crate::netns::cookie()));
        if let Some(path) = &keys_file {
            match saved_keys::load(path, space) {
                Ok(saved) => table.restore(saved),
                Err(e) => tracing::warn!(
                    error = %e,
                    "flow keys of the last run are lost: flows get new ones"
                ),
            }
        }
        Self {
            shared: Arc::new(RwLock::new(Shared {
                table,
                status,
                seq: 0,
            })),
            deltas: broadcast::channel(WATCHER_BACKLOG).0,
            followers: Arc::default(),
            space,
            keys_file: keys_file.map(|p| Arc::new(Mutex::new(p))),
        }
    }

    /// Writes the keys a restart needs to give live flows the same keys
    /// again, if they changed since the last call. Blocking file I/O.
    pub fn save_keys(&self) {
        let Some(file) = &self.keys_file else {
            return;
        };
        let path = file.lock().unwrap_or_else(|e| e.into_inner());
        let Some(keys) = self.write(|s| s.table.keys_to_save()) else {
            return;
        };
        if let Err(e) = saved_keys::store(&path, self.space, &keys) {
            tracing::warn!(
                error = %e,
                "cannot save flow keys: a restart will give flows new keys"
            );
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
    now_ns() / 1_000_000
}

pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
