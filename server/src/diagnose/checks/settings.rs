//! Check 6: settings that are risky, or that hide what is going on:
//! bridge netfilter, reverse-path filtering on an address-less bridge,
//! forwarding, accounting and timestamps, TCP pickup and window checks,
//! DNAT rules that match on every input interface.

use app::wire::finding::{Evidence, Finding, FindingKind, Severity};

use super::{
    finding, fix, rule_evidence, rules, sysctl_evidence, Check, Facts, Outcome,
};
use crate::collect::links::{self, Link};
use crate::collect::nftables::ruleset::Ruleset;
use crate::diagnose::facts::rp_filter_name;

const BRIDGE_NF: &str = "net/bridge/bridge-nf-call-iptables";
const FORWARD: &str = "net/ipv4/ip_forward";
const ACCT: &str = "net/netfilter/nf_conntrack_acct";
const TIMESTAMP: &str = "net/netfilter/nf_conntrack_timestamp";
const LOOSE: &str = "net/netfilter/nf_conntrack_tcp_loose";
const LIBERAL: &str = "net/netfilter/nf_conntrack_tcp_be_liberal";

pub struct Settings;

impl Check for Settings {
    fn kind(&self) -> FindingKind {
        FindingKind::Setting
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        let s = &facts.sysctls;
        let bridges = links::busy_bridges(&facts.links);
        let bridge_nf = s.is_on(BRIDGE_NF) && !bridges.is_empty();
        let mut found = Vec::new();
        if bridge_nf {
            found.push(bridge_netfilter(&bridges));
            for bridge in bridges.iter().filter(|b| !b.has_ipv4()) {
                let rp = s.rp_filter(&bridge.name);
                if rp > 0 {
                    found.push(rp_filter(&bridge.name, rp));
                }
            }
            if let Some(ruleset) = &facts.ruleset {
                found.extend(dnat_on_every_interface(ruleset, &bridges));
            }
        }
        let dnat_elsewhere =
            facts.ruleset.as_ref().is_some_and(|r| has_dnat(r));
        if s.get(FORWARD) == Some(0) && dnat_elsewhere {
            found.push(no_forwarding());
        }
        let off: Vec<&str> = [ACCT, TIMESTAMP]
            .into_iter()
            .filter(|name| s.get(name) == Some(0))
            .collect();
        if !off.is_empty() {
            found.push(accounting_off(&off));
        }
        if s.is_on(LIBERAL) {
            found.push(tcp_setting(
                LIBERAL,
                "Conntrack accepts TCP packets outside the window \
                 (tcp_be_liberal=1)",
                "Out-of-window packets are no longer INVALID: it hides \
                 broken paths and the packets a NAT clash or a double \
                 tracking produces.",
                "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=0",
            ));
        }
        if s.get(LOOSE) == Some(0) {
            found.push(tcp_setting(
                LOOSE,
                "Conntrack does not pick up TCP connections mid-stream \
                 (tcp_loose=0)",
                "Connections that were open before conntrack saw them (a \
                 restart, a flushed table, a failover) become INVALID and \
                 are dropped by any `ct state invalid drop` rule.",
                "sysctl -w net.netfilter.nf_conntrack_tcp_loose=1",
            ));
        }
        Outcome::Found(found)
    }
}

fn bridge_netfilter(bridges: &[&Link]) -> Finding {
    let names: Vec<&str> = bridges.iter().map(|b| b.name.as_str()).collect();
    let mut f = finding(
        FindingKind::Setting,
        "bridge-nf-call-iptables",
        Severity::Info,
        format!(
            "Bridged IPv4 traffic passes iptables and conntrack (bridges: {})",
            names.join(", ")
        ),
        "With bridge-nf-call-iptables=1 a frame switched from one bridge \
         port to another runs through the IPv4 hooks as if it were routed: \
         filter, NAT and conntrack see it, with the bridge as its input \
         and output interface. Docker needs it for its own bridges; on \
         other bridges it surprises: rules meant for routed traffic apply, \
         and a connection that is bridged and then routed is tracked \
         twice."
            .into(),
    );
    f.evidence = vec![sysctl_evidence(BRIDGE_NF, 1)];
    f.fixes = vec![fix(
        "Keep it, and stop tracking on bridges that do not need it",
        &["iptables -t raw -I PREROUTING 1 -i BRIDGE -j NOTRACK"],
        "Traffic on that bridge is neither NATed nor tracked while it is \
         bridged.",
    )];
    f
}

fn rp_filter(bridge: &str, value: i64) -> Finding {
    let mut f = finding(
        FindingKind::Setting,
        &format!("rp_filter:{bridge}"),
        Severity::Warning,
        format!(
            "Reverse-path filtering is on for {bridge}, which has no address"
        ),
        format!(
            "Bridged frames that netfilter DNATs are routed from {bridge}; \
             the reverse-path check then asks whether the source is \
             reachable through {bridge}, which has no IPv4 address, and the \
             answer is no: the packet is dropped as a martian and the \
             connection times out."
        ),
    );
    f.evidence = vec![sysctl_evidence(&rp_filter_name(bridge), value)];
    f.fixes = vec![fix(
        &format!("Turn reverse-path filtering off for {bridge}"),
        &[
            "sysctl -w net.ipv4.conf.all.rp_filter=0",
            &format!("sysctl -w net.ipv4.conf.{bridge}.rp_filter=0"),
        ],
        "The interface loses the spoofing check; so does every interface \
         where `all` was the stricter value. Giving the bridge any address \
         is the other way out.",
    )];
    f
}

/// DNAT rules that do not say which interface they are for, while
/// bridged traffic passes them too.
fn dnat_on_every_interface(
    ruleset: &Ruleset,
    bridges: &[&Link],
) -> Option<Finding> {
    let rules: Vec<Evidence> = rules(ruleset)
        .filter(|r| {
            let text = &r.text.nft;
            text.contains("dnat ")
                && !text.contains("iifname \"")
                && !text.contains("iif \"")
        })
        .take(5)
        .map(rule_evidence)
        .collect();
    if rules.is_empty() {
        return None;
    }
    let names: Vec<&str> = bridges.iter().map(|b| b.name.as_str()).collect();
    let mut f =
        finding(
            FindingKind::Setting,
            "dnat-any-interface",
            Severity::Info,
            format!(
            "{} DNAT rule{} every input interface, bridged traffic included",
            rules.len(),
            if rules.len() == 1 { " matches" } else { "s match" }
        ),
            format!(
                "A DNAT without a positive input interface (`iifname`/`-i`) \
             also rewrites frames bridged through {}, since bridge \
             netfilter hands them to the same hooks: a connection can be \
             DNATed where its author never looked.",
                names.join(", ")
            ),
        );
    f.evidence = rules;
    f.fixes = vec![fix(
        "Restrict the DNAT to the interface it is for",
        &["iptables -t nat -R DOCKER N -i eth0 … -j DNAT …"],
        "Docker rewrites its own chains when it restarts: for Docker's \
         rules, prefer NOTRACK on the other bridges.",
    )];
    Some(f)
}

fn has_dnat(ruleset: &Ruleset) -> bool {
    rules(ruleset).any(|r| r.text.nft.contains("dnat "))
}

fn no_forwarding() -> Finding {
    let mut f = finding(
        FindingKind::Setting,
        "ip_forward",
        Severity::Warning,
        "IPv4 forwarding is off, yet the ruleset DNATs".into(),
        "With ip_forward=0 the box routes nothing: a connection DNATed to \
         another host is dropped after the rewrite."
            .into(),
    );
    f.evidence = vec![sysctl_evidence(FORWARD, 0)];
    f.fixes = vec![fix(
        "Turn forwarding on",
        &["sysctl -w net.ipv4.ip_forward=1"],
        "The box becomes a router for every interface: make sure the \
         FORWARD chain's policy is what you want first.",
    )];
    f
}

fn accounting_off(off: &[&str]) -> Finding {
    let words: Vec<&str> = off
        .iter()
        .map(|n| {
            if *n == ACCT {
                "byte and packet counts"
            } else {
                "exact start and end times"
            }
        })
        .collect();
    let mut f = finding(
        FindingKind::Setting,
        "accounting",
        Severity::Info,
        format!("Conntrack keeps no {}", words.join(" and no ")),
        "Flows show no counters or kernel times until conntrack accounting \
         and timestamps are on; they cost a little memory per entry."
            .into(),
    );
    f.evidence = off.iter().map(|n| sysctl_evidence(n, 0)).collect();
    f.fixes = vec![fix(
        "Turn them on (an admin can from the flows page too)",
        &["nfscope serve --enable-accounting --enable-timestamps"],
        "16 to 32 bytes more per entry; counted from now on only.",
    )];
    f
}

fn tcp_setting(
    name: &str,
    summary: &str,
    explanation: &str,
    command: &str,
) -> Finding {
    let mut f = finding(
        FindingKind::Setting,
        name.rsplit('/').next().unwrap_or(name),
        Severity::Info,
        summary.into(),
        explanation.into(),
    );
    let value = if name == LOOSE { 0 } else { 1 };
    f.evidence = vec![sysctl_evidence(name, value)];
    f.fixes = vec![fix("Back to the default", &[command], "None known.")];
    f
}
