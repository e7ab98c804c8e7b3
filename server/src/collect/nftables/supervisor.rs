//! The nftables collector's thread: a snapshot at start, another after
//! every commit (or lost events), each with what it changed, and the
//! collector's health.

use std::sync::Arc;

use app::wire::CollectorHealth;

use super::events::{Commit, EventSocket};
use super::ruleset::{Generation, Ruleset};
use super::socket::NftSocket;
use super::{snapshot, view};
use crate::state::{now_ms, Inbox, Update};

/// The collector's name in `/api/status`.
pub const NAME: &str = "nftables";

/// Starts the collector's thread. Without the capability it needs, the
/// collector only reports why in its health; the flows go on.
pub fn start(inbox: Inbox) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("nft".into())
        .spawn(move || run(&inbox))
        .map(drop)
}

fn run(inbox: &Inbox) {
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
    loop {
        let ruleset = match snapshot::read(&mut socket) {
            Ok(r) => Arc::new(r),
            Err(e) => return fail(&mut health, e.to_string()),
        };
        let change = current.as_ref().map(|before| {
            let generation = commit.take().unwrap_or_else(|| Generation {
                id: ruleset.generation,
                ..Generation::default()
            });
            view::change(before, &ruleset, &generation, now_ms())
        });
        current = Some(Arc::clone(&ruleset));
        health.error = None;
        if !send(Update::Ruleset { ruleset, change })
            || !send(Update::Health(NAME, health.clone()))
        {
            return;
        }
        match events.next_commit() {
            Ok(Commit::New(g)) => {
                health.events_received += 1;
                commit = Some(g);
            }
            Ok(Commit::Lost) => {
                health.enobufs += 1;
                health.resyncs += 1;
                health.last_resync = Some(now_ms());
            }
            Err(e) => {
                return fail(&mut health, format!("nftables events: {e}"))
            }
        }
    }
}
