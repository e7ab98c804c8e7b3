//! Check 2: NAT rewrote a source port while keeping the addresses. No
//! rule asks for that: NAT picked another port because the connection's
//! reply tuple was already taken by another entry, and the peer now sees
//! a port it never used. A double-tracked connection is one cause (see
//! check 1); two clients behind NATs that picked the same tuple another.
//! Where a rule does ask NAT for ports (a port range, random ports), the
//! rewrite may be what it asked for: the finding says so, names those
//! rules and is only information.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use app::wire::finding::{Evidence, Finding, FindingKind, Severity};
use app::wire::{nat_endpoint, Flow};

use super::{
    finding, fix, flow_evidence, rule_evidence, rules, Check, Facts, Outcome,
};
use crate::collect::nftables::ruleset::Ruleset;

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
        let asking: Vec<Evidence> = match &facts.ruleset {
            Some(r) if !by_pair.is_empty() => asking_for_ports(r),
            _ => Vec::new(),
        };
        Outcome::Found(
            by_pair
                .into_iter()
                .map(|(pair, f)| found(pair, &f, &asking))
                .collect(),
        )
    }
}

/// Rules that have NAT choose source ports: a port range, or random
/// ports.
fn asking_for_ports(ruleset: &Ruleset) -> Vec<Evidence> {
    rules(ruleset)
        .filter(|r| asks_for_ports(&r.text.nft))
        .take(SHOWN)
        .map(rule_evidence)
        .collect()
}

/// `snat ip to 10.0.0.1:1000-2000`, `masquerade to :1024-65535`,
/// `snat ip6 to [fd00::1]:5000`, `masquerade random`.
fn asks_for_ports(text: &str) -> bool {
    let Some(at) = text.find("snat ").or_else(|| text.find("masquerade"))
    else {
        return false;
    };
    let nat = &text[at..];
    if nat.contains("random") {
        return true;
    }
    let Some(to) = nat.find(" to ") else {
        return false;
    };
    let target = nat[to + 4..].split_whitespace().next().unwrap_or_default();
    // An IPv6 address carries colons; its port follows the bracket.
    target.starts_with(':')
        || target.contains("]:")
        || (!target.starts_with('[')
            && target.contains('.')
            && target.contains(':'))
}

fn found(
    (src, dst): (IpAddr, IpAddr),
    flows: &[&Flow],
    asking: &[Evidence],
) -> Finding {
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
    if !asking.is_empty() {
        f.severity = Severity::Info;
        f.explanation.push_str(
            " Here, though, rules ask NAT for a port range or random ports \
             (below): the rewrite may be what they asked for.",
        );
        f.evidence.extend(asking.iter().cloned());
    }
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

#[cfg(test)]
mod tests {
    use super::asks_for_ports;

    #[test]
    fn rules_that_choose_ports_are_told_from_those_that_keep_them() {
        for asking in [
            "oifname \"wan\" snat ip to 203.0.113.1:1000-2000",
            "masquerade to :1024-65535",
            "snat ip6 to [fd00::1]:5000",
            "oifname \"wan\" masquerade random,fully-random",
            "counter packets 0 bytes 0 snat to 10.0.0.1:40000",
        ] {
            assert!(asks_for_ports(asking), "{asking}");
        }
        for keeping in [
            "oifname \"wan\" masquerade",
            "snat ip to 203.0.113.1",
            "snat ip6 to fd00::1",
            "snat ip6 to [fd00::1]",
            "ip daddr 10.0.0.1 dnat ip to 10.0.0.2:80",
            "tcp dport 5000 accept",
        ] {
            assert!(!asks_for_ports(keeping), "{keeping}");
        }
    }
}
