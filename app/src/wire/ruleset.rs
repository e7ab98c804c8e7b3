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
    /// iptables-nft manages it: its rules have an `iptables-save` form.
    pub iptables: bool,
    pub chains: Vec<Chain>,
    pub sets: Vec<Set>,
    /// Its named counter objects (`counter hits { }`).
    pub counters: Vec<NamedCounter>,
    /// Its chains and the jumps and gotos between them, laid out.
    pub graph: ChainGraph,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub name: String,
    pub handle: u64,
    /// The hook of a base chain: `input`, `prerouting`, …
    pub hook: Option<String>,
    pub priority: Option<i32>,
    /// The priority as nft names it: `filter`, `dstnat - 10`, `-150`.
    pub priority_name: Option<String>,
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
    /// The rule as `nft --stateless` prints it (`counter` without its
    /// numbers, which [`Rule::counter`] has live), where that differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless: Option<String>,
    /// The rule's kinds of expressions in order, e.g. `payload`, `cmp`,
    /// `counter`, `immediate`.
    pub exprs: Vec<String>,
    /// The rule as `iptables-save` prints it, in a table iptables-nft
    /// manages.
    pub iptables: Option<String>,
    /// Each expression with its attributes, when asked for (`?raw=1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Vec<String>>,
    /// What its `counter` statements counted, summed; `None` for a rule
    /// without one.
    pub counter: Option<Counted>,
}

/// A counter, and how fast it went between the last two polls.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub packets: u64,
    pub bytes: u64,
    pub packets_per_sec: f64,
    pub bytes_per_sec: f64,
    /// The counter moved since nfscope started.
    pub matched: bool,
    /// Packets per second in each of the last [`RECENT_BUCKETS`] spans
    /// of [`RECENT_SPAN_MS`], oldest first; empty when none counted
    /// anything. A stream's counter messages carry it only when a span
    /// has closed since the last one; `None` then keeps what the reader
    /// has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent: Option<Vec<f32>>,
}

/// How long a span of [`Counted::recent`] is.
pub const RECENT_SPAN_MS: u64 = 10_000;
/// Spans in [`Counted::recent`]: ten minutes.
pub const RECENT_BUCKETS: usize = 60;

/// A table's chains as boxes in layers, left to right from the base
/// chains, with its jumps and gotos as edges; laid out by the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChainGraph {
    pub width: u32,
    pub height: u32,
    /// Empty when the table has more chains than a drawing stays
    /// readable with; the edges are still listed.
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// Height of a node of a [`ChainGraph`].
pub const GRAPH_NODE_HEIGHT: u32 = 24;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    pub chain: String,
    /// A base chain: where packets enter the graph.
    pub base: bool,
    pub x: u32,
    pub y: u32,
    pub width: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    /// `goto` rather than `jump`: the packet does not come back.
    pub goto: bool,
    /// Rules that make this edge.
    pub rules: u32,
    /// An SVG path from `from` to `to`; empty when the graph has no
    /// nodes.
    pub path: String,
}

/// A named counter object, which rules count into with `counter name`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedCounter {
    pub name: String,
    pub handle: u64,
    pub counter: Option<Counted>,
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
    pub rule: RuleRef,
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
    /// The rule a [`RulesetAsk::Rule`] asked for; `None` when it is gone.
    Rule(Option<Box<RuleDetail>>),
    /// The commit a [`RulesetAsk::Commit`] asked for; `None` when the
    /// history no longer holds it.
    Commit(Option<RulesetChange>),
    /// The stream refused what it was asked.
    Error {
        message: String,
    },
}

/// A message of `/api/ws/ruleset?html=1`, the rules page's stream. A
/// ruleset is a large document that changes only when it is committed:
/// the server renders it (and the panel) as HTML, and the browser sets
/// it whole and then only patches its counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesPageMsg {
    Document(RulesDocument),
    /// A commit, with its [`RulesetChange::banner`].
    Change {
        generation: u32,
        banner: String,
    },
    Counters(Vec<RuleCounted>),
    /// The panel for what the page asked: a rule or a commit.
    Panel(String),
    Error {
        message: String,
    },
}

/// The rules page's rendering of one generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesDocument {
    pub generation: u32,
    /// Some table is managed by iptables-nft: the page offers its
    /// `iptables-save` syntax.
    pub iptables: bool,
    pub html: String,
}

/// What a reader of `/api/ws/ruleset` may ask, as a text message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesetAsk {
    Rule(RuleRef),
    /// The commit that made this generation.
    Commit(u32),
}

/// Where a counter is: family, table, chain and the rule's handle. A
/// handle alone is unique only in its table, and a rule keeps it while
/// others change. Handle 0 is a base chain's policy; a named counter
/// object has no chain (`inet filter//7`). On the wire as its text,
/// `ip/filter/INPUT/12`.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct RuleRef {
    pub family: String,
    pub table: String,
    pub chain: String,
    pub handle: u64,
}

impl std::fmt::Display for RuleRef {
    /// `ip/filter/INPUT/12`, as in the rules page's URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            family,
            table,
            chain,
            handle,
        } = self;
        write!(f, "{family}/{table}/{chain}/{handle}")
    }
}

impl TryFrom<String> for RuleRef {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<RuleRef> for String {
    fn from(r: RuleRef) -> Self {
        r.to_string()
    }
}

impl std::str::FromStr for RuleRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("rule {s:?} must look like FAMILY/TABLE/CHAIN/HANDLE");
        // Chain names may hold a slash; family and table may not. An
        // object has no chain.
        let (family, rest) = s.split_once('/').ok_or_else(bad)?;
        let (table, rest) = rest.split_once('/').ok_or_else(bad)?;
        let (chain, handle) = rest.rsplit_once('/').ok_or_else(bad)?;
        let handle = handle.parse().map_err(|_| bad())?;
        if [family, table].iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        Ok(Self {
            family: family.to_owned(),
            table: table.to_owned(),
            chain: chain.to_owned(),
            handle,
        })
    }
}

/// One rule with what the rules page's panel shows beyond its line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleDetail {
    pub at: RuleRef,
    pub rule: Rule,
}

/// What changed between two generations, every commit in between
/// folded into one: a rule added and removed again is not in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesetDiff {
    pub from: u32,
    pub to: u32,
    pub chains: Vec<ChainChange>,
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
    pub added: Vec<RuleLine>,
    pub removed: Vec<RuleLine>,
    pub changed: Vec<ChangedRule>,
}

/// A rule as it was added or removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleLine {
    pub handle: u64,
    pub text: String,
}

/// A rule whose handle stayed and whose expressions changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedRule {
    pub handle: u64,
    pub before: String,
    pub after: String,
}

impl RulesetChange {
    /// "generation 42 by iptables-nft, pid 1234: 3 rules added to ip
    /// filter FORWARD".
    pub fn banner(&self) -> String {
        let by = match (&self.process, self.pid) {
            (Some(p), Some(pid)) => format!(" by {p}, pid {pid}"),
            (Some(p), None) => format!(" by {p}"),
            (None, Some(pid)) => format!(" by pid {pid}"),
            (None, None) => String::new(),
        };
        format!("generation {}{by}: {}", self.generation, self.summary())
    }

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
