//! The task that owns the table: applies collector updates, schedules
//! dumps (the first fill, resyncs after lost events, periodic refreshes),
//! and publishes changes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::{now_ms, now_ns, rate::Rate, sysctl, Published, StateHandle};
use crate::collect::conntrack::{self, CtUpdate, EventKind};

/// How often changes are published to watchers.
const PUBLISH_EVERY: Duration = Duration::from_millis(100);
/// How often the conntrack sysctls are read again.
const SYSCTLS_EVERY: Duration = Duration::from_secs(5);
/// How often flow keys are saved for a restart (and at shutdown): a
/// flow younger than this gets a new key after `kill -9`.
const KEYS_EVERY: Duration = Duration::from_secs(10);
/// Pause before retrying a dump that failed.
const DUMP_RETRY: Duration = Duration::from_secs(2);
/// Events carry no counters, so a dump refreshes them now and then; its
/// cost stays a small share of the time: at most 1/REFRESH_SHARE of it.
const REFRESH_MIN: Duration = Duration::from_secs(5);
const REFRESH_SHARE: u32 = 20;

/// Why a dump runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dump {
    /// The first fill of the table.
    Initial,
    /// Repair after the kernel dropped events.
    Resync,
    /// Fresh counters and timeouts, and a safety net.
    Refresh,
}

struct Owner {
    handle: StateHandle,
    /// Where dump threads send their entries: the events' queue, so both
    /// arrive in one order.
    dumps: mpsc::Sender<CtUpdate>,
    running: Option<(Dump, Instant)>,
    /// Events were lost while a dump ran, or a resync failed: resync next.
    resync_pending: bool,
    /// Why live events ended, if they did: a good dump must not hide it.
    events_stopped: Option<String>,
    next_dump: Instant,
    rate: Rate,
}

impl StateHandle {
    /// Owns the table until `updates` closes. `dumps` sends into
    /// `updates`.
    pub async fn run(
        self,
        mut updates: mpsc::Receiver<CtUpdate>,
        dumps: mpsc::Sender<CtUpdate>,
        rcvbuf: usize,
    ) {
        self.write(|s| s.status.rcvbuf = rcvbuf);
        let mut owner = Owner {
            handle: self,
            dumps,
            running: None,
            resync_pending: false,
            events_stopped: None,
            next_dump: Instant::now(),
            rate: Rate::default(),
        };
        owner.refresh_sysctls();
        let mut publish = tokio::time::interval(PUBLISH_EVERY);
        publish.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut sysctls = tokio::time::interval(SYSCTLS_EVERY);
        sysctls.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut keys = tokio::time::interval(KEYS_EVERY);
        keys.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            let next_dump = owner.next_dump;
            tokio::select! {
                update = updates.recv() => match update {
                    Some(update) => owner.apply(update),
                    None => return,
                },
                _ = publish.tick() => owner.publish(),
                _ = sysctls.tick() => owner.refresh_sysctls(),
                _ = keys.tick() => {
                    let handle = owner.handle.clone();
                    tokio::task::spawn_blocking(move || handle.save_keys());
                }
                _ = tokio::time::sleep_until(next_dump),
                    if owner.running.is_none() => owner.scheduled_dump(),
            }
        }
    }
}

impl Owner {
    fn apply(&mut self, update: CtUpdate) {
        match update {
            CtUpdate::Events(batch) => {
                let live = batch
                    .iter()
                    .filter(|(k, _)| *k != EventKind::Dumped)
                    .count() as u64;
                self.rate.add(live);
                self.handle.write(|s| {
                    s.status.events_received += live;
                    for (kind, entry) in batch {
                        if !s.table.apply(kind, entry, now_ns()) {
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
                self.handle.write(|s| s.status.enobufs += 1);
                self.resync_pending = true;
                if self.running.is_none() {
                    self.start(Dump::Resync);
                }
                self.show_resyncing();
            }
            CtUpdate::DumpStarted => {
                self.handle.write(|s| s.table.begin_dump())
            }
            CtUpdate::DumpDone(result) => self.dump_done(result, now_ms()),
            CtUpdate::DecodeErrors(n) => {
                self.handle.write(|s| s.status.decode_errors += n);
            }
            CtUpdate::EventsStopped(why) => {
                self.events_stopped = Some(why.clone());
                self.handle.write(|s| s.status.error = Some(why));
            }
        }
    }

    fn dump_done(&mut self, result: Result<(), String>, now: u64) {
        let Some((why, started)) = self.running.take() else {
            return;
        };
        let ok = result.is_ok();
        let events_stopped = self.events_stopped.clone();
        self.handle.write(|s| {
            s.table.end_dump(ok);
            s.status.entries = s.table.len();
            match result {
                Ok(()) => {
                    s.status.error = events_stopped;
                    s.status.synced = true;
                    if why == Dump::Resync {
                        s.status.resyncs += 1;
                        s.status.last_resync = Some(now);
                    }
                }
                Err(e) => s.status.error = Some(e),
            }
        });
        if ok {
            let took = started.elapsed();
            self.next_dump =
                Instant::now() + REFRESH_MIN.max(took * REFRESH_SHARE);
            if self.resync_pending {
                self.start(Dump::Resync);
            }
        } else {
            self.resync_pending |= why == Dump::Resync;
            self.next_dump = Instant::now() + DUMP_RETRY;
        }
        self.show_resyncing();
    }

    fn scheduled_dump(&mut self) {
        let synced = self.handle.read().status.synced;
        let why = match (synced, self.resync_pending) {
            (false, _) => Dump::Initial,
            (true, true) => Dump::Resync,
            (true, false) => Dump::Refresh,
        };
        self.start(why);
    }

    fn start(&mut self, why: Dump) {
        if why == Dump::Resync {
            self.resync_pending = false;
        }
        self.running = Some((why, Instant::now()));
        let tx = self.dumps.clone();
        tokio::task::spawn_blocking(move || conntrack::dump(&tx));
    }

    fn show_resyncing(&self) {
        let resyncing = self.resync_pending
            || matches!(self.running, Some((Dump::Resync, _)));
        self.handle.write(|s| s.status.resyncing = resyncing);
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
        let handle = &self.handle;
        handle.write(|s| {
            s.status.events_per_sec = events_per_sec;
            let changed = s.table.has_changes();
            // Converting changed flows for the wire (a whole table after a
            // refresh dump) only pays off for a follower. Asked under the
            // lock: one that starts following after this takes its
            // snapshot after this tick, which then holds these changes.
            if !handle.has_followers() {
                s.table.discard_changes();
            }
            let (upsert, remove) = s.table.take_changes();
            s.seq += 1;
            // Readers of this tick take a new snapshot; the last one is
            // freed once its readers are done, and with it the chunks the
            // writer copied meanwhile.
            s.snapshot = std::sync::OnceLock::new();
            let batch = Published {
                seq: s.seq,
                changed,
                upsert,
                remove,
                status: s.status.clone(),
            };
            // No watcher is not an error.
            let _ = handle.deltas.send(Arc::new(batch));
        });
    }
}
