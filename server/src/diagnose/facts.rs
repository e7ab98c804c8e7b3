//! What the checks look at, gathered once per run: the table, the flows
//! NAT rewrote a port of, the INVALID packets, conntrack's statistics,
//! nfscope's own health, the sysctls, the interfaces and the ruleset.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use std::collections::VecDeque;

use app::wire::conntrack_stats::{CtStats, CtStatsNow};
use app::wire::invalid::InvalidPacket;
use app::wire::{Flow, Health};

use crate::capture::InvalidSwitch;
use crate::collect::links::{self, Link};
use crate::collect::nftables::ruleset::Ruleset;
use crate::state::rewrites::Rewrites;
use crate::state::{now_ms, Snapshot, StateHandle};

/// The sysctls the checks read, under `/proc/sys/`. Per namespace: the
/// diagnosis runs in the watched one.
pub const SYSCTLS: &[&str] = &[
    "net/bridge/bridge-nf-call-iptables",
    "net/bridge/bridge-nf-call-ip6tables",
    "net/ipv4/ip_forward",
    "net/ipv4/conf/all/rp_filter",
    "net/netfilter/nf_conntrack_acct",
    "net/netfilter/nf_conntrack_timestamp",
    "net/netfilter/nf_conntrack_tcp_loose",
    "net/netfilter/nf_conntrack_tcp_be_liberal",
];

pub struct Facts {
    pub now_ms: u64,
    /// Seconds since the diagnosis started.
    pub watched_secs: u64,
    pub table: Arc<Snapshot>,
    /// Flows born with a rewritten source port since the last run,
    /// short-lived ones included.
    pub rewrites: Vec<Flow>,
    /// INVALID packets received since the last run; `None` while the
    /// capture is off.
    pub invalid: Option<Vec<InvalidPacket>>,
    /// `None` where the kernel would not say.
    pub stats: Option<CtStats>,
    /// The same with its rates over the last few seconds.
    pub stats_now: Option<CtStatsNow>,
    pub health: Health,
    pub sysctls: Sysctls,
    pub links: Vec<Link>,
    pub ruleset: Option<Arc<Ruleset>>,
}

#[cfg(test)]
impl Facts {
    /// Nothing seen: an empty table, no packets, no statistics.
    pub fn empty(now_ms: u64, watched_secs: u64) -> Self {
        use crate::state::{FlowTable, KeySpace};
        let table = FlowTable::new(KeySpace { boot: 1, netns: 1 }).view();
        Self {
            now_ms,
            watched_secs,
            table: Arc::new(Snapshot::new(0, Health::default(), table)),
            rewrites: Vec::new(),
            invalid: None,
            stats: None,
            stats_now: None,
            health: Health::default(),
            sysctls: Sysctls::default(),
            links: Vec::new(),
            ruleset: None,
        }
    }
}

/// Values of [`SYSCTLS`] and of per-interface ones, as read; a missing
/// file (no br_netfilter, no conntrack yet) has none.
#[derive(Clone, Debug, Default)]
pub struct Sysctls(BTreeMap<String, i64>);

impl Sysctls {
    pub fn get(&self, name: &str) -> Option<i64> {
        self.0.get(name).copied()
    }

    pub fn is_on(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != 0)
    }

    /// The reverse-path filter in force on `dev`: the higher of `all`
    /// and the device's own, as the kernel takes it.
    pub fn rp_filter(&self, dev: &str) -> i64 {
        let own = self.get(&rp_filter_name(dev)).unwrap_or(0);
        own.max(self.get("net/ipv4/conf/all/rp_filter").unwrap_or(0))
    }

    #[cfg(test)]
    pub fn with(values: &[(&str, i64)]) -> Self {
        Self(values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect())
    }
}

pub fn rp_filter_name(dev: &str) -> String {
    format!("net/ipv4/conf/{dev}/rp_filter")
}

pub struct Gatherer {
    state: StateHandle,
    rewrites: Arc<Rewrites>,
    invalid: Arc<InvalidSwitch>,
    /// The last INVALID packet handed on.
    invalid_seen: u64,
    started: Instant,
    /// Statistics of the last [`RATE_SPAN_MS`], for their rates.
    stats_seen: VecDeque<(u64, CtStats)>,
}

/// Conntrack's statistics give rates over this span.
const RATE_SPAN_MS: u64 = 10_000;

impl Gatherer {
    pub fn new(
        state: StateHandle,
        rewrites: Arc<Rewrites>,
        invalid: Arc<InvalidSwitch>,
    ) -> Self {
        Self {
            state,
            rewrites,
            invalid,
            invalid_seen: 0,
            started: Instant::now(),
            stats_seen: VecDeque::new(),
        }
    }

    pub fn gather(&mut self) -> Facts {
        let links = links::read().unwrap_or_else(|e| {
            tracing::debug!(error = %e, "cannot list interfaces");
            Vec::new()
        });
        let ring = self.invalid.is_on().then(|| self.invalid.ring());
        let invalid = ring.flatten().map(|ring| {
            let packets = ring.since(self.invalid_seen);
            if let Some(last) = packets.last() {
                self.invalid_seen = last.seq;
            }
            packets
        });
        let stats = crate::collect::conntrack::stats::read()
            .map_err(|e| tracing::debug!(error = %e, "no conntrack statistics"))
            .ok();
        let now = now_ms();
        let stats_now = stats.map(|s| {
            while self
                .stats_seen
                .front()
                .is_some_and(|(t, _)| now.saturating_sub(*t) > RATE_SPAN_MS)
            {
                self.stats_seen.pop_front();
            }
            let earlier = self.stats_seen.front().map(|(t, s)| (*t, s));
            let rated = CtStatsNow::new(now, s, earlier);
            self.stats_seen.push_back((now, s));
            rated
        });
        Facts {
            now_ms: now,
            stats_now,
            watched_secs: self.started.elapsed().as_secs(),
            table: self.state.snapshot(),
            rewrites: self.rewrites.take(),
            invalid,
            stats,
            health: self.state.status(),
            sysctls: read_sysctls(&links),
            links,
            ruleset: self.state.ruleset().map(|(ruleset, _)| ruleset),
        }
    }
}

fn read_sysctls(links: &[Link]) -> Sysctls {
    let per_bridge = links
        .iter()
        .filter(|l| l.is_bridge())
        .map(|l| rp_filter_name(&l.name));
    let mut values = BTreeMap::new();
    for name in SYSCTLS.iter().map(|s| (*s).to_owned()).chain(per_bridge) {
        let read = std::fs::read_to_string(format!("/proc/sys/{name}"));
        if let Some(value) = read.ok().and_then(|t| t.trim().parse().ok()) {
            values.insert(name, value);
        }
    }
    Sysctls(values)
}
