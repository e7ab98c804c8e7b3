//! The last ruleset a collector read, a bounded history of commits, and
//! the rates of its counters.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use app::wire::ruleset::{RulesetChange, RECENT_BUCKETS, RECENT_SPAN_MS};

use crate::collect::nftables::counters::{self, Counters, RuleId};
use crate::collect::nftables::ruleset::{Counter, Ruleset};

/// Commits remembered, oldest dropped first (until a store keeps them),
/// and the most text of rules they may hold together: a restart of a
/// firewall manager re-adds every rule.
const HISTORY: usize = 200;
const HISTORY_TEXT_BYTES: usize = 16 << 20;

#[derive(Default)]
pub struct RulesetState {
    /// `None` until the first snapshot.
    pub current: Option<Arc<Ruleset>>,
    /// Oldest first.
    pub history: VecDeque<RulesetChange>,
    history_bytes: usize,
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
    pub recent: Recent,
    /// What it said when nfscope first saw it.
    first_packets: u64,
}

/// Packets counted in each of the last spans of [`RECENT_SPAN_MS`],
/// oldest first: ten minutes of a rule's rate in 240 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recent {
    packets: [u32; RECENT_BUCKETS],
    /// The span the last slot counts: time / [`RECENT_SPAN_MS`].
    newest: u64,
}

impl Default for Recent {
    fn default() -> Self {
        Self {
            packets: [0; RECENT_BUCKETS],
            newest: 0,
        }
    }
}

impl Recent {
    /// Counts `packets` in the span of `at_ms`. A poll's packets all
    /// go to the span it ends in.
    fn add(&mut self, at_ms: u64, packets: u64) {
        let span = at_ms / RECENT_SPAN_MS;
        let shift = span.saturating_sub(self.newest);
        if shift > 0 {
            let shift = shift.min(RECENT_BUCKETS as u64) as usize;
            self.packets.copy_within(shift.., 0);
            self.packets[RECENT_BUCKETS - shift..].fill(0);
            self.newest = span;
        }
        let last = &mut self.packets[RECENT_BUCKETS - 1];
        *last = last.saturating_add(u32::try_from(packets).unwrap_or(u32::MAX));
    }

    /// No span counted anything.
    pub fn is_empty(&self) -> bool {
        self.packets.iter().all(|&p| p == 0)
    }

    /// Packets per second in each span, oldest first; empty when no
    /// span counted anything.
    pub fn per_sec(&self) -> Vec<f32> {
        if self.is_empty() {
            return Vec::new();
        }
        let secs = RECENT_SPAN_MS as f32 / 1000.0;
        self.packets.iter().map(|&p| p as f32 / secs).collect()
    }

    /// The span the newest slot counts, to tell a reader that one has
    /// closed.
    pub fn span(&self) -> u64 {
        self.newest
    }
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
            self.history_bytes += text_bytes(&change);
            self.history.push_back(change);
            while self.history.len() > HISTORY
                || (self.history_bytes > HISTORY_TEXT_BYTES
                    && self.history.len() > 1)
            {
                let old = self.history.pop_front().expect("more than one");
                self.history_bytes -= text_bytes(&old);
            }
        }
    }

    /// Takes a poll: rules that no longer answer are forgotten.
    pub fn count(&mut self, counters: Counters, at_ms: u64) {
        let mut old = Arc::try_unwrap(std::mem::take(&mut self.rates))
            .unwrap_or_else(|shared| (*shared).clone());
        let mut rates = Rates::with_capacity(old.len());
        let all = counters.rules.into_iter().chain(counters.chains);
        for (id, counter) in all.chain(counters.objects) {
            let rate = match old.remove(&id) {
                Some(before) => before.next(counter, at_ms),
                None => {
                    let first = self.baseline.get(&id).copied().unwrap_or(0);
                    let mut recent = Recent::default();
                    recent.add(at_ms, 0);
                    Rate {
                        counter,
                        at_ms,
                        matched: counter.packets != first,
                        recent,
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

fn text_bytes(c: &RulesetChange) -> usize {
    c.chains
        .iter()
        .flat_map(|ch| {
            let lines =
                ch.added.iter().chain(&ch.removed).map(|r| r.text.len());
            lines.chain(
                ch.changed.iter().map(|r| r.before.len() + r.after.len()),
            )
        })
        .sum()
}

impl Rate {
    /// The same counts and rates, whatever the recent spans say.
    pub fn same_counts(&self, other: &Self) -> bool {
        (
            self.counter,
            self.packets_per_sec,
            self.bytes_per_sec,
            self.matched,
        ) == (
            other.counter,
            other.packets_per_sec,
            other.bytes_per_sec,
            other.matched,
        )
    }

    fn next(self, counter: Counter, at_ms: u64) -> Self {
        let secs = at_ms.saturating_sub(self.at_ms) as f64 / 1000.0;
        // A counter that went down was reset: count from zero.
        let delta =
            |now: u64, then: u64| if now >= then { now - then } else { now };
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let packets = delta(counter.packets, self.counter.packets);
        let mut recent = self.recent;
        recent.add(at_ms, packets);
        Self {
            counter,
            at_ms,
            packets_per_sec: per_sec(packets),
            bytes_per_sec: per_sec(delta(counter.bytes, self.counter.bytes)),
            matched: self.matched || counter.packets != self.first_packets,
            recent,
            first_packets: self.first_packets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_spans_move_on_with_time_and_forget_the_oldest() {
        let mut r = Recent::default();
        r.add(5 * RECENT_SPAN_MS, 0);
        assert!(r.per_sec().is_empty(), "nothing counted yet");
        r.add(5 * RECENT_SPAN_MS + 1, 20);
        r.add(6 * RECENT_SPAN_MS, 30);
        let secs = (RECENT_SPAN_MS / 1000) as f32;
        let spans = r.per_sec();
        assert_eq!(spans.len(), RECENT_BUCKETS);
        assert_eq!(spans[RECENT_BUCKETS - 2..], [20.0 / secs, 30.0 / secs]);
        r.add((6 + RECENT_BUCKETS as u64 - 1) * RECENT_SPAN_MS, 0);
        assert_eq!(r.per_sec()[0], 30.0 / secs, "20 fell out, 30 is oldest");
        r.add(1000 * RECENT_SPAN_MS, 0);
        assert!(r.per_sec().is_empty(), "a long gap forgets everything");
        assert_eq!(r.span(), 1000);
    }
}
