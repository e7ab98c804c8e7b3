//! The last ruleset a collector read, a bounded history of commits, and
//! the rates of its counters.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use app::wire::ruleset::RulesetChange;

use crate::collect::nftables::counters::{self, Counters, RuleId};
use crate::collect::nftables::ruleset::{Counter, Ruleset};

/// Commits remembered, oldest dropped first (until a store keeps them).
const HISTORY: usize = 200;

#[derive(Default)]
pub struct RulesetState {
    /// `None` until the first snapshot.
    pub current: Option<Arc<Ruleset>>,
    /// Oldest first.
    pub history: VecDeque<RulesetChange>,
    /// By rule; base chains' policies under handle 0. Replaced whole at
    /// each poll, so that a reader takes it without a copy.
    pub rates: Arc<Rates>,
    /// Packets each rule had counted in the first snapshot: a rule made
    /// later started at zero, all it counted came after nfscope started.
    baseline: HashMap<RuleId, u64>,
}

pub type Rates = HashMap<RuleId, Rate>;

/// A counter as last polled, and how fast it went since the poll before.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rate {
    pub counter: Counter,
    pub at_ms: u64,
    pub packets_per_sec: f64,
    pub bytes_per_sec: f64,
    /// The counter moved since nfscope first saw it.
    pub matched: bool,
    /// What it said when nfscope first saw it.
    first_packets: u64,
}

impl RulesetState {
    pub fn replace(
        &mut self,
        ruleset: Arc<Ruleset>,
        change: Option<RulesetChange>,
    ) {
        if self.current.is_none() {
            self.baseline = counters::in_snapshot(&ruleset)
                .map(|(id, c)| (id, c.packets))
                .collect();
        }
        self.current = Some(ruleset);
        if let Some(change) = change {
            if self.history.len() == HISTORY {
                self.history.pop_front();
            }
            self.history.push_back(change);
        }
    }

    /// Takes a poll: rules that no longer answer are forgotten.
    pub fn count(&mut self, counters: Counters, at_ms: u64) {
        let mut old = Arc::try_unwrap(std::mem::take(&mut self.rates))
            .unwrap_or_else(|shared| (*shared).clone());
        let mut rates = Rates::with_capacity(old.len());
        for (id, counter) in counters.rules.into_iter().chain(counters.chains) {
            let rate = match old.remove(&id) {
                Some(before) => before.next(counter, at_ms),
                None => {
                    let first = self.baseline.get(&id).copied().unwrap_or(0);
                    Rate {
                        counter,
                        at_ms,
                        matched: counter.packets != first,
                        first_packets: first,
                        ..Rate::default()
                    }
                }
            };
            rates.insert(id, rate);
        }
        self.rates = Arc::new(rates);
    }
}

impl Rate {
    fn next(self, counter: Counter, at_ms: u64) -> Self {
        let secs = at_ms.saturating_sub(self.at_ms) as f64 / 1000.0;
        let per_sec = |now: u64, then: u64| {
            // A counter that went down was reset: count from zero.
            let delta = if now >= then { now - then } else { now };
            if secs > 0.0 {
                delta as f64 / secs
            } else {
                0.0
            }
        };
        Self {
            counter,
            at_ms,
            packets_per_sec: per_sec(counter.packets, self.counter.packets),
            bytes_per_sec: per_sec(counter.bytes, self.counter.bytes),
            matched: self.matched || counter.packets != self.first_packets,
            first_packets: self.first_packets,
        }
    }
}
