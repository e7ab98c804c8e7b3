//! The conntrack collector's supervisor: starts the event thread, decides
//! when to dump (the first fill, a resync after lost events, periodic
//! refreshes of counters) and keeps the collector's health. The threads
//! hand the state owner entries and the edges of dumps themselves, in the
//! order read; the supervisor only hears how it went.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use app::wire::CollectorHealth;

use super::{
    read_events, CtEvent, CtUpdate, DumpPriority, EventSocket, Outlets,
    Settings,
};
use crate::collect::rate::Rate;
use crate::state::{now_ms, Applied, Inbox, Update};

/// The collector's name in `/api/status`.
pub const NAME: &str = "conntrack";

/// What the flow table does with what the collector read.
#[derive(Debug)]
pub enum TableOp {
    Entries(Vec<CtEvent>),
    /// A dump begins: what it does not mention, and no event touches
    /// meanwhile, is gone when it ends complete. The dump asks the kernel
    /// only once this is applied.
    DumpBegins {
        applied: Applied,
    },
    /// The next dump begins only once this is applied.
    DumpEnds {
        complete: bool,
        applied: Applied,
    },
}

/// Asks the supervisor for a dump, e.g. after nfscope deleted entries.
#[derive(Clone, Debug)]
pub struct DumpRequests(mpsc::Sender<CtUpdate>);

impl DumpRequests {
    /// Never waits: a full queue already holds what will lead to a dump.
    pub fn request(&self) {
        let _ = self.0.try_send(CtUpdate::DumpWanted);
    }
}

/// Messages queued between the threads and the supervisor: a few at a
/// time (lost events, the end of a dump).
const QUEUE: usize = 64;
/// How often the health is sent to the state, when it changed.
const HEALTH_EVERY: Duration = Duration::from_millis(100);
/// How often the conntrack sysctls are read again.
const SYSCTLS_EVERY: Duration = Duration::from_secs(5);
/// Pause before retrying a dump that failed.
const DUMP_RETRY: Duration = Duration::from_secs(2);
/// Events carry no counters, so a dump refreshes them now and then; its
/// cost stays a small share of the time: at most 1/REFRESH_SHARE of it.
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

pub struct Supervisor {
    /// From the event thread and the dump threads.
    from_threads: mpsc::Receiver<CtUpdate>,
    /// Where the threads send what they read; dump threads get a copy.
    out: Outlets,
    health: CollectorHealth,
    /// Events counted so far by the rate.
    counted: u64,
    /// The health last sent to the state.
    sent: Option<CollectorHealth>,
    rate: Rate,
    synced: bool,
    running: Option<(Dump, Instant)>,
    /// Events were lost while a dump ran, or a resync failed: resync next.
    resync_pending: bool,
    /// Why live events ended, if they did: a good dump must not hide it.
    events_stopped: Option<String>,
    next_dump: Instant,
    /// A dump was asked for while one ran: another one follows it.
    dump_wanted: bool,
    /// The shortest time between refresh dumps.
    refresh_every: Duration,
    /// Stops the event thread when the supervisor ends.
    stop: Arc<AtomicBool>,
}

impl Supervisor {
    /// Subscribes to events (before any dump, so that no change slips
    /// between) and starts the thread that reads them. Fails when the
    /// socket cannot be had, e.g. without CAP_NET_ADMIN.
    pub fn start(
        rcvbuf: usize,
        refresh_every: Duration,
        state: Inbox,
    ) -> anyhow::Result<Self> {
        let events = EventSocket::open(rcvbuf)?;
        if events.rcvbuf < rcvbuf {
            tracing::warn!(
                granted = events.rcvbuf,
                asked = rcvbuf,
                "smaller event buffer than asked; events may be lost under \
                 load"
            );
        }
        let health = CollectorHealth {
            rcvbuf: events.rcvbuf,
            ..CollectorHealth::default()
        };
        let (supervisor, from_threads) = mpsc::channel(QUEUE);
        let out = Outlets {
            table: state,
            supervisor,
            received: Arc::default(),
        };
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (out, stop) = (out.clone(), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("ct-events".into())
                .spawn(move || read_events(events, out, stop))?;
        }
        Ok(Self {
            from_threads,
            out,
            health,
            counted: 0,
            sent: None,
            rate: Rate::default(),
            synced: false,
            running: None,
            resync_pending: false,
            events_stopped: None,
            next_dump: Instant::now(),
            dump_wanted: false,
            refresh_every,
            stop,
        })
    }

    /// Asks for a dump soon, from outside the collector.
    pub fn dump_requests(&self) -> DumpRequests {
        DumpRequests(self.out.supervisor.clone())
    }

    /// Runs until the state owner is gone.
    pub async fn run(mut self) {
        let mut health = tokio::time::interval(HEALTH_EVERY);
        health.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut sysctls = tokio::time::interval(SYSCTLS_EVERY);
        sysctls.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            let next_dump = self.next_dump;
            let alive = tokio::select! {
                msg = self.from_threads.recv() => match msg {
                    Some(msg) => self.handle(msg).await,
                    None => false,
                },
                _ = health.tick() => self.send_health().await,
                _ = sysctls.tick() => {
                    let settings = Settings::read();
                    self.send(Update::ConntrackSettings(settings)).await
                }
                _ = tokio::time::sleep_until(next_dump),
                    if self.running.is_none() => {
                    self.scheduled_dump();
                    true
                }
            };
            if !alive {
                self.stop.store(true, Ordering::Relaxed);
                return;
            }
        }
    }

    /// `false` once the state owner is gone.
    async fn send(&self, update: Update) -> bool {
        self.out.table.live.send(update).await.is_ok()
    }

    async fn handle(&mut self, msg: CtUpdate) -> bool {
        match msg {
            CtUpdate::Lost => {
                tracing::warn!(
                    "the kernel dropped conntrack events (ENOBUFS); resyncing"
                );
                self.health.enobufs += 1;
                self.resync_pending = true;
                if self.running.is_none() {
                    self.start_dump(Dump::Resync);
                }
            }
            CtUpdate::DumpDone(result) => self.dump_done(result),
            CtUpdate::DecodeErrors(n) => self.health.decode_errors += n,
            CtUpdate::EventsStopped(why) => {
                self.events_stopped = Some(why.clone());
                self.health.error = Some(why);
            }
            CtUpdate::DumpWanted if self.running.is_some() => {
                self.dump_wanted = true;
            }
            CtUpdate::DumpWanted => self.next_dump = Instant::now(),
        }
        true
    }

    fn dump_done(&mut self, result: Result<(), String>) {
        let Some((why, started)) = self.running.take() else {
            return;
        };
        match result {
            Ok(()) => {
                self.synced = true;
                self.health.error = self.events_stopped.clone();
                let took = started.elapsed();
                match why {
                    Dump::Initial => tracing::info!(
                        took_ms = took.as_millis() as u64,
                        "conntrack table read"
                    ),
                    Dump::Resync => {
                        self.health.resyncs += 1;
                        self.health.last_resync = Some(now_ms());
                    }
                    Dump::Refresh => {}
                }
                self.next_dump = Instant::now()
                    + self.refresh_every.max(took * REFRESH_SHARE);
                if std::mem::take(&mut self.dump_wanted) {
                    self.next_dump = Instant::now();
                }
                if self.resync_pending {
                    self.start_dump(Dump::Resync);
                }
            }
            Err(e) => {
                self.health.error = Some(e);
                self.resync_pending |= why == Dump::Resync;
                self.next_dump = Instant::now() + DUMP_RETRY;
            }
        }
    }

    fn scheduled_dump(&mut self) {
        let why = match (self.synced, self.resync_pending) {
            (false, _) => Dump::Initial,
            (true, true) => Dump::Resync,
            (true, false) => Dump::Refresh,
        };
        self.start_dump(why);
    }

    fn start_dump(&mut self, why: Dump) {
        if why == Dump::Resync {
            self.resync_pending = false;
        }
        self.running = Some((why, Instant::now()));
        let out = self.out.clone();
        // Only the first fill has nothing to compete with; a later dump
        // of a big table must leave the cores to live events.
        let priority = match why {
            Dump::Initial => DumpPriority::Normal,
            Dump::Resync | Dump::Refresh => DumpPriority::Background,
        };
        let spawned = std::thread::Builder::new()
            .name("ct-dump".into())
            .spawn(move || super::dump(&out, priority));
        if let Err(e) = spawned {
            self.running = None;
            self.health.error = Some(format!("starting a dump: {e}"));
            self.next_dump = Instant::now() + DUMP_RETRY;
        }
    }

    /// Sends the health if it changed since last time.
    async fn send_health(&mut self) -> bool {
        let received = self.out.received.load(Ordering::Relaxed);
        self.rate.add(received - self.counted);
        self.counted = received;
        self.health.events_received = received;
        self.health.events_per_sec = self.rate.per_sec();
        self.health.resyncing = self.resync_pending
            || matches!(self.running, Some((Dump::Resync, _)));
        if self.sent.as_ref() == Some(&self.health) {
            return true;
        }
        self.sent = Some(self.health.clone());
        self.send(Update::Health(NAME, self.health.clone())).await
    }
}
