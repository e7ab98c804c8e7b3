//! The nftables ruleset as `/api/ruleset` serves it, and its changes.

use serde::{Deserialize, Serialize};

/// Every table of every family at one generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ruleset {
    /// The kernel's generation: it counts commits.
    pub generation: u32,
    pub tables: Vec<Table>,
    /// Tables of iptables-legacy that hold rules: they filter packets
    /// too, and nf_tables does not show them.
    pub legacy: Vec<LegacyTable>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyTable {
    /// `ip`, `ip6` or `arp`.
    pub family: String,
    pub name: String,
    /// Entries beyond those of an empty table: one per rule, two per
    /// user chain.
    pub entries: u32,
}

impl Ruleset {
    /// What a reader must know about the legacy tables, if any hold
    /// rules.
    pub fn legacy_warning(&self) -> Option<String> {
        if self.legacy.is_empty() {
            return None;
        }
        let tables: Vec<String> = self
            .legacy
            .iter()
            .map(|t| format!("{} {}", t.family, t.name))
            .collect();
        Some(format!(
            "iptables-legacy holds rules that are not part of this ruleset \
             and filter packets too ({}); list them with \
             `iptables-legacy-save` (and `ip6tables-legacy-save`, \
             `arptables-legacy-save`)",
            tables.join(", ")
        ))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// `ip`, `ip6`, `inet`, `arp`, `bridge` or `netdev`.
    pub family: String,
    pub name: String,
    pub handle: u64,
    /// `dormant`, `owner`, `persist`.
    pub flags: Vec<String>,
    pub chains: Vec<Chain>,
    pub sets: Vec<Set>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub name: String,
    pub handle: u64,
    /// The hook of a base chain: `input`, `prerouting`, …
    pub hook: Option<String>,
    pub priority: Option<i32>,
    /// `filter`, `nat` or `route`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `accept` or `drop`.
    pub policy: Option<String>,
    pub devices: Vec<String>,
    /// What reached the policy of a base chain with counters.
    pub policy_counter: Option<Counted>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub handle: u64,
    /// The rule as `nft list ruleset` prints it, without its handle;
    /// what nfscope cannot read shows as `[expr NAME …]`.
    pub text: String,
    /// The rule's kinds of expressions in order, e.g. `payload`, `cmp`,
    /// `counter`, `immediate`.
    pub exprs: Vec<String>,
    /// What its `counter` statements counted, summed; `None` for a rule
    /// without one.
    pub counter: Option<Counted>,
}

/// A counter, and how fast it went between the last two polls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub packets: u64,
    pub bytes: u64,
    pub packets_per_sec: f64,
    pub bytes_per_sec: f64,
    /// The counter moved since nfscope started.
    pub matched: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Set {
    pub name: String,
    pub handle: u64,
    /// Made for one rule (`{ 22, 443 }`), not named by the user.
    pub anonymous: bool,
    /// A map or a verdict map.
    pub map: bool,
    pub elements: usize,
}

/// A rule's counter (handle 0: a base chain's policy), in a stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleCounted {
    pub family: String,
    pub table: String,
    pub chain: String,
    pub handle: u64,
    pub counter: Counted,
}

/// A message of `/api/ws/ruleset`: the whole ruleset at once and after
/// each commit (which comes first), then the counters that moved at
/// each poll.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesetMsg {
    Ruleset(Box<Ruleset>),
    Change(RulesetChange),
    Counters(Vec<RuleCounted>),
}

/// One commit of the ruleset and what it changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesetChange {
    pub generation: u32,
    /// When nfscope saw it, ms since the Unix epoch.
    pub at_ms: u64,
    /// The process that committed it, as the kernel names it.
    pub process: Option<String>,
    pub pid: Option<u32>,
    /// Chains whose rules changed, and chains that came or went.
    pub chains: Vec<ChainChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainChange {
    pub family: String,
    pub table: String,
    pub chain: String,
    /// `added` or `removed` for the chain itself; `changed` when only
    /// its rules did.
    pub what: String,
    /// Handles of the rules added, removed or changed.
    pub added: Vec<u64>,
    pub removed: Vec<u64>,
    pub changed: Vec<u64>,
}

impl RulesetChange {
    /// One line for a banner: "3 rules added to ip filter FORWARD".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for c in &self.chains {
            let place = format!("{} {} {}", c.family, c.table, c.chain);
            if c.what != "changed" {
                parts.push(format!("chain {place} {}", c.what));
            }
            for (n, verb) in [
                (c.added.len(), "added to"),
                (c.removed.len(), "removed from"),
                (c.changed.len(), "changed in"),
            ] {
                if n > 0 {
                    let rules = if n == 1 { "rule" } else { "rules" };
                    parts.push(format!("{n} {rules} {verb} {place}"));
                }
            }
        }
        if parts.is_empty() {
            return "no rule changed".into();
        }
        parts.join("; ")
    }
}
