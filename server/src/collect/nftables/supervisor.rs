//! The nftables collector's thread: a snapshot at start, another after
//! every commit (or lost events), each with what it changed, and the
//! collector's health.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::wire::CollectorHealth;

use super::events::{Commit, EventSocket};
use super::ruleset::{Generation, Ruleset};
use super::socket::NftSocket;
use super::{counters, legacy, snapshot, view};
use crate::state::{now_ms, Inbox, Update};

/// Pause before a snapshot that failed is tried again.
const RETRY: Duration = Duration::from_secs(2);
/// Counter polls take at most 1/POLL_SHARE of the time.
const POLL_SHARE: u32 = 50;

/// The collector's name in `/api/status`.
pub const NAME: &str = "nftables";

/// Starts the collector's thread, which polls counters every
/// `poll_every`. Without the capability it needs, the collector only
/// reports why in its health; the flows go on.
pub fn start(inbox: Inbox, poll_every: Duration) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("nft".into())
        .spawn(move || run(&inbox, poll_every))
        .map(drop)
}

fn run(inbox: &Inbox, poll_every: Duration) {
    let mut health = CollectorHealth::default();
    let send = |update| inbox.live.blocking_send(update).is_ok();
    let fail = |health: &mut CollectorHealth, e: String| {
        tracing::warn!(error = %e, "nftables collector stopped");
        health.error = Some(e);
        send(Update::Health(NAME, health.clone()));
    };
    let (mut events, mut socket) =
        match (EventSocket::open(), NftSocket::open()) {
            (Ok(events), Ok(socket)) => (events, socket),
            (Err(e), _) | (_, Err(e)) => {
                return fail(&mut health, e.to_string())
            }
        };
    health.rcvbuf = events.rcvbuf;
    let mut current: Option<Arc<Ruleset>> = None;
    let mut commit = None;
    let mut next_poll = Instant::now();
    loop {
        let ruleset = match snapshot::read(&mut socket) {
            Ok(r) => Arc::new(r),
            // A ruleset that changes all the time, or a malformed
            // message: said in the health, and tried again.
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the nftables ruleset");
                health.error = Some(e.to_string());
                if !send(Update::Health(NAME, health.clone())) {
                    return;
                }
                std::thread::sleep(RETRY);
                continue;
            }
        };
        let change = current.as_ref().map(|before| {
            let generation = commit.take().unwrap_or_else(|| Generation {
                id: ruleset.generation,
                ..Generation::default()
            });
            view::change(before, &ruleset, &generation, now_ms())
        });
        let counted = counters::counted_chains(&ruleset);
        current = Some(Arc::clone(&ruleset));
        health.error = None;
        if !send(Update::Ruleset { ruleset, change })
            || !send(Update::Health(NAME, health.clone()))
        {
            return;
        }
        loop {
            let wait = next_poll.saturating_duration_since(Instant::now());
            match events.next_commit(wait) {
                Ok(Commit::New(g)) => {
                    health.events_received += 1;
                    commit = Some(g);
                    break;
                }
                Ok(Commit::Lost) => {
                    health.enobufs += 1;
                    health.resyncs += 1;
                    health.last_resync = Some(now_ms());
                    break;
                }
                Ok(Commit::Quiet) => {}
                Err(e) => {
                    return fail(&mut health, format!("nftables events: {e}"))
                }
            }
            let polling = Instant::now();
            // Legacy tables change without an event.
            let legacy = legacy::tables();
            if let Some(shown) = current.as_mut().filter(|c| c.legacy != legacy)
            {
                Arc::make_mut(shown).legacy = legacy;
                let ruleset = Arc::clone(shown);
                if !send(Update::Ruleset {
                    ruleset,
                    change: None,
                }) {
                    return;
                }
            }
            // A commit in the meantime interrupts the dumps; the next
            // snapshot follows anyway.
            let polled = counters::poll(&mut socket, &counted);
            // A big ruleset takes a while to dump: polls then come less
            // often, so that they never take more than a small share.
            next_poll =
                Instant::now() + poll_every.max(polling.elapsed() * POLL_SHARE);
            if let Ok(c) = polled {
                let at_ms = now_ms();
                if !send(Update::RuleCounters { counters: c, at_ms }) {
                    return;
                }
            }
        }
    }
}
