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
}
