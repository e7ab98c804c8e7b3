//! The one owner of the flow table. Collectors send it updates; readers
//! scan [`Snapshot`]s without holding any lock, or follow the deltas it
//! publishes on a broadcast channel.

mod id_map;
pub mod journal;
mod owner;
pub mod rewrites;
mod row;
pub mod ruleset;
pub mod saved_keys;
pub mod slot;
pub mod snapshot;
mod table;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use app::wire::{Flow, FlowKey, Health};
use tokio::sync::broadcast;

use crate::collect::nftables::ruleset::Ruleset;
use crate::store::Recorder;
use ruleset::Rates;

pub use owner::{inbox, Applied, Inbox, Mailbox, Update};
pub use slot::KeySpace;
pub use snapshot::Snapshot;
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
    pub status: Health,
}

/// A flow looked up by its key.
pub struct Lookup {
    /// `None` once it is gone from the table, or was never in it.
    pub live: Option<Flow>,
    /// The moments of its life the table journaled and has not handed
    /// to the history yet.
    pub journaled: Vec<journal::Moment>,
}

pub struct Shared {
    pub table: FlowTable,
    pub ruleset: ruleset::RulesetState,
    pub status: Health,
    /// Sequence number of the last published batch.
    pub seq: u64,
    /// The last snapshot, while readers still hold it: one taken when a
    /// reader first asks in a tick, shared by the readers of that tick.
    /// Held weakly: once its readers are done, the writer no longer
    /// copies the chunks it changes.
    snapshot: Mutex<Weak<Snapshot>>,
}

impl Shared {
    fn new(table: FlowTable, status: Health) -> Self {
        Self {
            table,
            ruleset: ruleset::RulesetState::default(),
            status,
            seq: 0,
            snapshot: Mutex::new(Weak::new()),
        }
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
    /// Where the moments of flows' lives and the ruleset's commits go.
    recorder: Option<Recorder>,
    /// Flows born with a rewritten source port, for the diagnosis.
    rewrites: Option<Arc<rewrites::Rewrites>>,
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
        let status = Health {
            netns: space.netns,
            ..Health::default()
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
            shared: Arc::new(RwLock::new(Shared::new(table, status))),
            deltas: broadcast::channel(WATCHER_BACKLOG).0,
            followers: Arc::default(),
            space,
            keys_file: keys_file.map(|p| Arc::new(Mutex::new(p))),
            recorder: None,
            rewrites: None,
        }
    }

    /// Keeps the flows born with a rewritten source port, short-lived
    /// ones included, until the diagnosis takes them.
    pub fn keep_rewrites(mut self) -> (Self, Arc<rewrites::Rewrites>) {
        self.write(|s| s.table.keep_journal());
        let rewrites = Arc::new(rewrites::Rewrites::default());
        self.rewrites = Some(Arc::clone(&rewrites));
        (self, rewrites)
    }

    /// Records the moments of flows' lives, and the ruleset's commits,
    /// from now on.
    pub fn record_to(mut self, recorder: Recorder) -> Self {
        self.write(|s| s.table.keep_journal());
        self.recorder = Some(recorder);
        self
    }

    /// Writes the keys a restart needs to give live flows the same keys
    /// again, if they changed since the last call. Blocking file I/O.
    pub fn save_keys(&self) {
        let Some(file) = &self.keys_file else {
            return;
        };
        let path = file.lock().unwrap_or_else(|e| e.into_inner());
        // Written from a copy of the table, record by record: no lock is
        // held, and no list of 250k keys is built first.
        let Some(view) =
            self.write(|s| s.table.take_keys_changed().then(|| s.table.view()))
        else {
            return;
        };
        let keys = view.saved_keys();
        if let Err(e) = saved_keys::store(&path, self.space, view.len(), keys) {
            tracing::warn!(
                error = %e,
                "cannot save flow keys: a restart will give flows new keys"
            );
            // Not saved: the next tick tries again.
            self.write(|s| s.table.keys_unsaved());
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Shared> {
        self.shared.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Health {
        self.read().status.clone()
    }

    /// The ruleset last read, with its counters' rates; `None` until the
    /// collector has read it.
    pub fn ruleset(&self) -> Option<(Arc<Ruleset>, Arc<Rates>)> {
        let shared = self.read();
        let state = &shared.ruleset;
        Some((state.current.clone()?, Arc::clone(&state.rates)))
    }

    /// The table as of the last publish tick, or later. Taking one costs a
    /// pointer per 32 entries under the read lock, at most once per tick
    /// while readers hold it; scanning it holds no lock at all.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let shared = self.read();
        let mut last =
            shared.snapshot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = last.upgrade().filter(|s| s.seq == shared.seq) {
            return s;
        }
        let snapshot = Arc::new(Snapshot::new(
            shared.seq,
            shared.status.clone(),
            shared.table.view(),
        ));
        *last = Arc::downgrade(&snapshot);
        snapshot
    }

    /// The live flow with this key: a lookup, under the read lock.
    pub fn flow(&self, key: &FlowKey) -> Option<Flow> {
        self.read().table.get(key)
    }

    /// The flow with this key, live or just gone, with the moments of
    /// its life not yet handed to the history.
    pub fn look_up(&self, key: &FlowKey) -> Lookup {
        let shared = self.read();
        Lookup {
            live: shared.table.get(key),
            journaled: shared.table.journaled(key),
        }
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
