//! Check 2: NAT rewrote a source port while keeping the addresses. No
//! rule asks for that: NAT picked another port because the connection's
//! reply tuple was already taken by another entry, and the peer now sees
//! a port it never used. A double-tracked connection is one cause (see
//! check 1); two clients behind NATs that picked the same tuple another.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use app::wire::finding::{Finding, FindingKind, Severity};
use app::wire::{nat_endpoint, Flow};

use super::{finding, fix, flow_evidence, Check, Facts, Outcome};

/// How long a rewrite counts.
const KEEP_MS: u64 = 120_000;
/// Evidence per finding, at most.
const SHOWN: usize = 5;

#[derive(Default)]
pub struct NatPortClash {
    seen: VecDeque<Flow>,
}

impl Check for NatPortClash {
    fn kind(&self) -> FindingKind {
        FindingKind::NatPortClash
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        self.seen.extend(facts.rewrites.iter().cloned());
        let now = facts.now_ms;
        self.seen
            .retain(|f| now.saturating_sub(f.first_seen_ms) < KEEP_MS);
        let mut by_pair: BTreeMap<(IpAddr, IpAddr), Vec<&Flow>> =
            BTreeMap::new();
        for flow in &self.seen {
            by_pair
                .entry((flow.orig.src, flow.orig.dst))
                .or_default()
                .push(flow);
        }
        Outcome::Found(
            by_pair
                .into_iter()
                .map(|(pair, f)| found(pair, &f))
                .collect(),
        )
    }
}

fn found((src, dst): (IpAddr, IpAddr), flows: &[&Flow]) -> Finding {
    let latest = flows.last().expect("a group has a flow");
    let (from, to) = (
        nat_endpoint(latest.orig.src, latest.orig.sport),
        nat_endpoint(latest.orig.src, latest.reply.dport),
    );
    let mut f = finding(
        FindingKind::NatPortClash,
        &format!("{src}-{dst}"),
        Severity::Warning,
        format!(
            "NAT rewrote the source port of {} connection{} from {src} to \
             {dst} (latest {from} became {to})",
            flows.len(),
            if flows.len() == 1 { "" } else { "s" }
        ),
        "The addresses were kept and only the source port changed: no rule \
         asks for that. NAT had to pick another port because the reply \
         tuple of the connection was already held by another conntrack \
         entry. The other side then answers a port the sender never used, \
         which usually ends in a reset. Look for the entry that holds the \
         tuple: a connection tracked twice (bridge netfilter), or two \
         clients mapped onto the same address and port."
            .into(),
    );
    f.evidence = flows
        .iter()
        .rev()
        .take(SHOWN)
        .map(|flow| flow_evidence(flow, "port rewritten"))
        .collect();
    let port = latest.orig.sport.unwrap_or_default();
    let holder = format!(
        "conntrack -L -p {} --reply-src {} --reply-port-src {}",
        latest.proto,
        latest.orig.dst,
        latest.orig.dport.unwrap_or_default()
    );
    let by_port =
        format!("conntrack -L -p {} --orig-port-src {port}", latest.proto);
    f.fixes = vec![fix(
        "Find the entry holding the tuple",
        &[&holder, &by_port],
        "Only looks; the fix depends on why two entries want one tuple.",
    )];
    f
}
