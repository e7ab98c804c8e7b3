//! Conntrack's own counters (`conntrack -S`, `/proc/net/stat/nf_conntrack`)
//! and its table size (`conntrack -C`), for one network namespace.

use serde::{Deserialize, Serialize};

/// The per-CPU counters are summed over CPUs; every counter only grows,
/// so a rate is the difference of two reads over the time between them.
/// The kernel keeps each one in 32 bits per CPU: a sum can go down when
/// one of them wraps.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct CtStats {
    /// Entries in the table now.
    pub entries: u32,
    /// `nf_conntrack_max`: beyond it new flows are dropped.
    pub max_entries: u32,
    /// CPUs that reported counters.
    pub cpus: u32,
    /// Lookups that found an entry.
    pub found: u64,
    /// Packets conntrack could not tie to a flow (`ct state invalid`).
    pub invalid: u64,
    /// Entries inserted.
    pub insert: u64,
    /// Entries that could not be inserted: a clash lost, or a hash chain
    /// too long.
    pub insert_failed: u64,
    /// Packets dropped by conntrack (table full, unresolvable clash).
    pub drop: u64,
    /// Entries evicted early to make room in a full table.
    pub early_drop: u64,
    /// ICMP(v6) errors that matched no entry, or were malformed.
    pub error: u64,
    /// Lookups restarted because the table changed under them.
    pub search_restart: u64,
    /// NAT or insert clashes resolved (the seed's port rewrite counts
    /// here).
    pub clash_resolve: u64,
    /// Inserts refused because a hash chain was too long.
    pub chain_toolong: u64,
}

impl CtStats {
    /// The counters' names and values, in the kernel's order.
    pub fn counters(&self) -> [(&'static str, u64); 10] {
        [
            ("found", self.found),
            ("invalid", self.invalid),
            ("insert", self.insert),
            ("insert_failed", self.insert_failed),
            ("drop", self.drop),
            ("early_drop", self.early_drop),
            ("error", self.error),
            ("search_restart", self.search_restart),
            ("clash_resolve", self.clash_resolve),
            ("chain_toolong", self.chain_toolong),
        ]
    }
}

/// `GET /api/conntrack/stats`: the counters now, and each one's rate
/// per second over the last `over_secs` (none until two reads are
/// apart). A counter that went down (a CPU's 32 bits wrapped) counts 0.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CtStatsNow {
    pub at_ms: u64,
    pub stats: CtStats,
    pub over_secs: f64,
    pub per_sec: std::collections::BTreeMap<String, f64>,
}

impl CtStatsNow {
    pub fn new(
        at_ms: u64,
        stats: CtStats,
        earlier: Option<(u64, &CtStats)>,
    ) -> Self {
        let mut now = Self {
            at_ms,
            stats,
            ..Self::default()
        };
        let Some((then_ms, then)) = earlier.filter(|(t, _)| *t < at_ms) else {
            return now;
        };
        now.over_secs = (at_ms - then_ms) as f64 / 1000.0;
        for ((name, value), (_, before)) in
            stats.counters().into_iter().zip(then.counters())
        {
            let rose = value.saturating_sub(before) as f64;
            now.per_sec.insert(name.to_owned(), rose / now.over_secs);
        }
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_form_uses_the_kernel_names() {
        let stats = CtStats {
            entries: 3,
            max_entries: 262_144,
            cpus: 2,
            invalid: 5,
            clash_resolve: 1,
            ..CtStats::default()
        };
        let json = serde_json::to_value(stats).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "entries": 3,
                "max_entries": 262144,
                "cpus": 2,
                "found": 0,
                "invalid": 5,
                "insert": 0,
                "insert_failed": 0,
                "drop": 0,
                "early_drop": 0,
                "error": 0,
                "search_restart": 0,
                "clash_resolve": 1,
                "chain_toolong": 0,
            })
        );
        assert_eq!(serde_json::from_value::<CtStats>(json).unwrap(), stats);
    }

    #[test]
    fn rates_are_per_second_and_a_wrap_counts_nothing() {
        let then = CtStats {
            invalid: 10,
            insert: 100,
            ..CtStats::default()
        };
        let now = CtStats {
            invalid: 30,
            insert: 50,
            ..then
        };
        let rates = CtStatsNow::new(12_000, now, Some((2_000, &then)));
        assert_eq!(rates.over_secs, 10.0);
        assert_eq!(rates.per_sec["invalid"], 2.0);
        assert_eq!(rates.per_sec["insert"], 0.0);
        assert!(CtStatsNow::new(1, now, None).per_sec.is_empty());
    }
}
