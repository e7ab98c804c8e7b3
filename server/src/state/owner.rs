//! The task that owns the state: applies what the collectors send, in
//! the order they send it, and publishes changes. When to dump, resync or
//! poll is each collector's own business (see their supervisors).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use app::wire::ruleset::RulesetChange;
use app::wire::CollectorHealth;

use super::{now_ns, Published, StateHandle};
use crate::collect::conntrack::{Settings, TableOp};
use crate::collect::nftables::counters::Counters;
use crate::collect::nftables::ruleset::Ruleset;

/// How often changes are published to watchers.
const PUBLISH_EVERY: Duration = Duration::from_millis(100);
/// How often flow keys are saved for a restart (and at shutdown): a
/// flow younger than this gets a new key after `kill -9`.
const KEYS_EVERY: Duration = Duration::from_secs(10);

/// What collectors send the state owner.
#[derive(Debug)]
pub enum Update {
    /// Conntrack entries and the edges of dumps, in the order read.
    Conntrack(TableOp),
    /// The conntrack sysctls that change what can be shown.
    ConntrackSettings(Settings),
    /// A collector's health, by its name.
    Health(&'static str, CollectorHealth),
    /// The ruleset as of a commit, and what the commit changed (none for
    /// the first).
    Ruleset {
        ruleset: Arc<Ruleset>,
        change: Option<RulesetChange>,
    },
    /// The ruleset's counters, polled at `at_ms`.
    RuleCounters { counters: Counters, at_ms: u64 },
}

/// Where collectors send updates, in two lanes that the owner serves in
/// turn: live changes (events), and bulk ones (what a dump read). Events
/// then wait for a batch or two of a dump, never for all of it. A dump
/// keeps its place in the order of things by waiting, at its start and
/// at its end, until the owner has applied that edge.
#[derive(Clone, Debug)]
pub struct Inbox {
    pub live: mpsc::Sender<Update>,
    pub bulk: mpsc::Sender<Update>,
}

/// The owner's end of an [`Inbox`].
pub struct Mailbox {
    live: mpsc::Receiver<Update>,
    bulk: mpsc::Receiver<Update>,
}

/// An inbox whose lanes each hold `capacity` updates; a collector that
/// finds its lane full waits.
pub fn inbox(capacity: usize) -> (Inbox, Mailbox) {
    let (live, live_rx) = mpsc::channel(capacity);
    let (bulk, bulk_rx) = mpsc::channel(capacity);
    let mailbox = Mailbox {
        live: live_rx,
        bulk: bulk_rx,
    };
    (Inbox { live, bulk }, mailbox)
}

/// Tells the sender that its update was applied.
pub type Applied = oneshot::Sender<()>;

impl StateHandle {
    /// Owns the state until every collector is gone.
    pub async fn run(self, mut updates: Mailbox) {
        let mut publish = tokio::time::interval(PUBLISH_EVERY);
        publish.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut keys = tokio::time::interval(KEYS_EVERY);
        keys.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            // Unbiased: when both lanes wait, each gets its turn.
            tokio::select! {
                update = updates.live.recv() => match update {
                    Some(update) => self.apply(update),
                    None => return,
                },
                Some(update) = updates.bulk.recv() => self.apply(update),
                _ = publish.tick() => self.publish(),
                _ = keys.tick() => {
                    let handle = self.clone();
                    tokio::task::spawn_blocking(move || handle.save_keys());
                }
            }
        }
    }

    fn apply(&self, update: Update) {
        match update {
            Update::Conntrack(TableOp::Entries(batch)) => self.write(|s| {
                let now = now_ns();
                for event in batch {
                    // The kernel's time of the event where it says it.
                    let at = event.at_ns.unwrap_or(now);
                    s.table.apply(event.kind, event.entry, at);
                }
                s.status.entries = s.table.len();
            }),
            Update::Conntrack(TableOp::DumpBegins { applied }) => {
                self.write(|s| s.table.begin_dump());
                let _ = applied.send(());
            }
            Update::Conntrack(TableOp::DumpEnds { complete, applied }) => {
                self.write(|s| {
                    s.table.end_dump(complete);
                    s.status.entries = s.table.len();
                    s.status.synced |= complete;
                });
                let _ = applied.send(());
            }
            Update::ConntrackSettings(settings) => self.write(|s| {
                s.status.accounting = settings.acct;
                s.status.timestamps = settings.timestamp;
                s.status.kernel_events = settings.events;
            }),
            Update::Health(name, health) => self.write(|s| {
                s.status.collectors.insert(name.to_owned(), health);
            }),
            Update::Ruleset { ruleset, change } => {
                if let (Some(recorder), Some(change)) =
                    (&self.recorder, &change)
                {
                    recorder.commit(change.clone());
                }
                self.write(|s| s.ruleset.replace(ruleset, change))
            }
            Update::RuleCounters { counters, at_ms } => {
                self.write(|s| s.ruleset.count(counters, at_ms))
            }
        }
    }

    fn publish(&self) {
        self.write(|s| {
            let changed = s.table.has_changes();
            // Converting changed flows for the wire (a whole table after a
            // refresh dump) only pays off for a follower. Asked under the
            // lock: one that starts following after this takes its
            // snapshot after this tick, which then holds these changes.
            if !self.has_followers() {
                s.table.discard_changes();
            }
            let (upsert, remove) = s.table.take_changes();
            // Readers of the next tick take a new snapshot.
            s.seq += 1;
            let batch = Published {
                seq: s.seq,
                changed,
                upsert,
                remove,
                status: s.status.clone(),
            };
            // No watcher is not an error.
            let _ = self.deltas.send(Arc::new(batch));
        });
        self.hand_over_moments();
    }

    /// Gives the history, and the diagnosis, the moments journaled since
    /// the last time.
    fn hand_over_moments(&self) {
        // Handed to the history under the lock that takes them: a reader
        // looks in the journal and then in the history, and must find
        // each moment in one of them.
        let taken = self.write(|s| {
            let journal = s.table.journal()?;
            let moments = Arc::new(journal.take());
            let lost = std::mem::take(&mut journal.lost);
            if let Some(recorder) = &self.recorder {
                recorder.lost(lost);
                recorder.moments(Arc::clone(&moments));
            }
            Some(moments)
        });
        if let (Some(rewrites), Some(moments)) = (&self.rewrites, taken) {
            rewrites.add(
                moments
                    .iter()
                    .filter(|m| m.is_port_rewrite_birth())
                    .filter_map(|m| m.flow()),
            );
        }
    }

    /// At a stop: hands the history what it has not had yet, and waits
    /// up to `wait` for it to be written. Blocking.
    pub fn flush_history(&self, wait: std::time::Duration) {
        self.hand_over_moments();
        if let Some(recorder) = &self.recorder {
            recorder.flush(wait);
        }
    }
}
