//! Check 1: one connection tracked twice because its packets cross a
//! bridge with `bridge-nf-call-iptables=1` and then the routing path.
//!
//! The signature (the seed story): a DNATed flow A whose answer, already
//! un-NATed, comes back through the bridge and meets conntrack again as
//! the start of an unknown connection. Its SYN/ACK is INVALID there;
//! its next packet opens a second entry B whose original tuple is A's
//! mirrored, and whose reply tuple clashes with A's original one, so NAT
//! rewrites B's source port and the client resets. Either sign names A:
//! an INVALID packet whose tuple is A's original one mirrored, or a
//! port-rewritten birth with that tuple.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use app::wire::finding::{Evidence, EvidenceKind, FindingKind, Severity};
use app::wire::invalid::InvalidPacket;
use app::wire::{Flow, FlowKey, Nat};

use super::{
    finding, fix, flow_evidence, sysctl_evidence, Check, Facts, Outcome,
};

/// How long a sign counts.
const KEEP_MS: u64 = 120_000;
/// Connections shown as evidence, each with its signs.
const FLOWS_SHOWN: usize = 3;
/// A DNATed connection from the same client to the same address, begun
/// this long after the last sign and showing none, says the path is
/// fixed.
const HEALTHY_AFTER_MS: u64 = 2_000;
const BRIDGE_NF: &str = "net/bridge/bridge-nf-call-iptables";

/// A connection's five-tuple, as a packet or a tuple shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Five {
    proto: u8,
    src: IpAddr,
    sport: u16,
    dst: IpAddr,
    dport: u16,
}

/// One sign of double tracking, tied to the DNATed flow it concerns.
#[derive(Clone)]
struct Sign {
    at_ms: u64,
    /// The client and the address it asked for: what a later healthy
    /// connection is compared with.
    client: IpAddr,
    target: (IpAddr, u16),
    flow: FlowKey,
    what: SignKind,
}

#[derive(Clone)]
enum SignKind {
    Invalid(InvalidPacket),
    Twin(Box<Flow>),
}

#[derive(Default)]
pub struct DoubleTracking {
    signs: VecDeque<Sign>,
}

impl Check for DoubleTracking {
    fn kind(&self) -> FindingKind {
        FindingKind::DoubleTracking
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        if !facts.sysctls.is_on(BRIDGE_NF)
            || crate::collect::links::busy_bridges(&facts.links).is_empty()
        {
            self.signs.clear();
            return Outcome::Ok;
        }
        let dnat = dnat_flows(facts);
        for packet in facts.invalid.iter().flatten() {
            if let Some(a) = packet_five(packet).and_then(|p| dnat.get(&p)) {
                self.signs.push_back(
                    a.sign(packet.at_ms, || SignKind::Invalid(packet.clone())),
                );
            }
        }
        for twin in &facts.rewrites {
            if let Some(a) = orig_five(twin).and_then(|t| dnat.get(&t)) {
                self.signs.push_back(a.sign(twin.first_seen_ms, || {
                    SignKind::Twin(Box::new(twin.clone()))
                }));
            }
        }
        let now = facts.now_ms;
        self.signs.retain(|s| now.saturating_sub(s.at_ms) < KEEP_MS);
        self.forget_healed(&dnat, now);
        if self.signs.is_empty() {
            return if facts.invalid.is_none() && facts.watched_secs < 60 {
                Outcome::TooEarly(
                    "INVALID capture is off: only second entries can show \
                     it, when a connection fails"
                        .into(),
                )
            } else {
                Outcome::Ok
            };
        }
        Outcome::Found(self.findings(facts, &dnat))
    }
}

/// A DNATed flow of the table, by the tuple its answer has once NAT
/// undid the DNAT: the mirror of its original tuple.
struct Dnated {
    key: FlowKey,
    client: IpAddr,
    target: (IpAddr, u16),
    started_ms: u64,
    assured: bool,
}

impl Dnated {
    fn sign(&self, at_ms: u64, what: impl FnOnce() -> SignKind) -> Sign {
        Sign {
            at_ms,
            client: self.client,
            target: self.target,
            flow: self.key,
            what: what(),
        }
    }
}

/// `IPS_ASSURED`.
const ASSURED: u32 = 1 << 2;

fn dnat_flows(facts: &Facts) -> HashMap<Five, Dnated> {
    let mut dnat = HashMap::new();
    facts.table.each(|flow| {
        if !flow.nat().contains(&Nat::Dnat) {
            return;
        }
        let o = flow.orig();
        let (Some(sport), Some(dport)) = (o.sport, o.dport) else {
            return;
        };
        let mirror = Five {
            proto: flow.proto().0,
            src: o.dst,
            sport: dport,
            dst: o.src,
            dport: sport,
        };
        dnat.insert(
            mirror,
            Dnated {
                key: flow.key(),
                client: o.src,
                target: (o.dst, dport),
                started_ms: flow.started_ms(),
                assured: flow.status_bits() & ASSURED != 0,
            },
        );
    });
    dnat
}

impl DoubleTracking {
    /// Drops the signs of a client and target that a later connection,
    /// with no sign of its own, shows healed.
    fn forget_healed(&mut self, dnat: &HashMap<Five, Dnated>, now: u64) {
        let healed: Vec<(IpAddr, (IpAddr, u16))> = dnat
            .values()
            .filter(|a| {
                a.assured && now.saturating_sub(a.started_ms) > HEALTHY_AFTER_MS
            })
            .filter(|a| {
                let mut signs = self
                    .signs
                    .iter()
                    .filter(|s| s.client == a.client && s.target == a.target);
                let last = signs.clone().map(|s| s.at_ms).max();
                last.is_some_and(|last| a.started_ms > last + HEALTHY_AFTER_MS)
                    && !signs.any(|s| s.flow == a.key)
            })
            .map(|a| (a.client, a.target))
            .collect();
        self.signs
            .retain(|s| !healed.contains(&(s.client, s.target)));
    }

    fn findings(
        &self,
        facts: &Facts,
        dnat: &HashMap<Five, Dnated>,
    ) -> Vec<app::wire::finding::Finding> {
        let bridges: Vec<&str> = {
            let mut names: Vec<&str> = self
                .signs
                .iter()
                .filter_map(|s| match &s.what {
                    SignKind::Invalid(p) => bridge_of(p),
                    SignKind::Twin(_) => None,
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        let bridge = match bridges.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let subject = bridge.unwrap_or("bridge");
        let on = bridge.map_or("a bridge".to_owned(), |b| b.to_owned());
        let latest = self.signs.back().expect("signs were checked");
        let (client, (addr, port)) = (latest.client, latest.target);
        let mut found = finding(
            FindingKind::DoubleTracking,
            subject,
            Severity::Error,
            format!(
                "Connections from {client} to {} are tracked twice through \
                 {on}, and reset",
                app::wire::nat_endpoint(addr, Some(port)),
            ),
            format!(
                "bridge-nf-call-iptables is on, so frames bridged through \
                 {on} pass conntrack and NAT as if routed. The client's \
                 packets are DNATed while they are bridged; the server's \
                 answer, already un-NATed on its way back, crosses {on} \
                 again and meets conntrack as a connection it has not seen: \
                 its SYN/ACK is INVALID (and passes un-NATed), and its next \
                 packet opens a second entry whose reply tuple clashes with \
                 the first entry's original one. NAT then rewrites that \
                 entry's source port, the client does not know the port and \
                 answers with a reset."
            ),
        );
        found.evidence = self.evidence(facts, dnat);
        found.fixes = fixes(bridge.unwrap_or("BRIDGE"));
        vec![found]
    }

    fn evidence(
        &self,
        facts: &Facts,
        dnat: &HashMap<Five, Dnated>,
    ) -> Vec<Evidence> {
        let mut evidence = Vec::new();
        let mut flows: Vec<FlowKey> = Vec::new();
        for sign in self.signs.iter().rev() {
            if !flows.contains(&sign.flow) {
                flows.push(sign.flow);
            }
        }
        // The latest few connections, each with its first INVALID packet
        // and its first second entry: enough to follow, bounded.
        for key in flows.into_iter().take(FLOWS_SHOWN) {
            let signs: Vec<&Sign> =
                self.signs.iter().filter(|s| s.flow == key).collect();
            let first = signs[0];
            let live = dnat.values().any(|a| a.key == key);
            let label = format!(
                "the DNATed connection {} → {}{}",
                first.client,
                app::wire::nat_endpoint(first.target.0, Some(first.target.1)),
                if live { "" } else { " (ended)" }
            );
            evidence.push(Evidence::flow(key, label));
            let packet = signs.iter().find_map(|s| match &s.what {
                SignKind::Invalid(p) => Some(packet_evidence(p)),
                SignKind::Twin(_) => None,
            });
            let twins: Vec<&Flow> = signs
                .iter()
                .filter_map(|s| match &s.what {
                    SignKind::Twin(t) => Some(&**t),
                    SignKind::Invalid(_) => None,
                })
                .collect();
            evidence.extend(packet);
            if let Some(twin) = twins.first() {
                let what = match twins.len() {
                    1 => "a second entry for its answer".to_owned(),
                    n => format!(
                        "the first of {n} second entries for its answer"
                    ),
                };
                evidence.push(flow_evidence(twin, &what));
            }
        }
        if let Some(v) = facts.sysctls.get(BRIDGE_NF) {
            evidence.push(sysctl_evidence(BRIDGE_NF, v));
        }
        evidence
    }
}

fn fixes(bridge: &str) -> Vec<app::wire::finding::Fix> {
    let nft_rule = format!(
        "nft add rule ip nfscope_notrack prerouting iifname \"{bridge}\" \
         notrack"
    );
    let iptables =
        format!("iptables -t raw -I PREROUTING 1 -i {bridge} -j NOTRACK");
    vec![
        fix(
            &format!("Do not track what is bridged through {bridge}"),
            &[&iptables],
            "Traffic bridged through it is no longer tracked: it is NATed \
             and tracked once, where it is routed, as intended; `ct state` \
             rules see it there as untracked. Add it to the firewall's \
             configuration to keep it after a reboot.",
        ),
        fix(
            "The same with nft",
            &[
                "nft add table ip nfscope_notrack",
                "nft add chain ip nfscope_notrack prerouting '{ type filter \
                 hook prerouting priority raw; }'",
                &nft_rule,
            ],
            "As above; a table of its own, easy to remove with `nft delete \
             table ip nfscope_notrack`.",
        ),
        fix(
            "Stop bridged traffic from passing iptables at all",
            &["sysctl -w net.bridge.bridge-nf-call-iptables=0"],
            "Every bridge is affected: rules that filter between ports of \
             one bridge (Docker's inter-container isolation among them) \
             stop applying, and Docker may turn it back on when it starts.",
        ),
    ]
}

/// The bridge a packet was bridged through: its input device when the
/// kernel also named a bridge port.
fn bridge_of(p: &InvalidPacket) -> Option<&str> {
    p.phys_in.as_ref().and(p.in_dev.as_deref())
}

fn packet_evidence(p: &InvalidPacket) -> Evidence {
    let flags = p.tcp_flags.map(|f| format!(" {f}")).unwrap_or_default();
    let mut label = format!(
        "INVALID {}{flags} {} → {} at {}",
        p.proto,
        app::wire::nat_endpoint(p.src, p.sport),
        app::wire::nat_endpoint(p.dst, p.dport),
        p.hook
    );
    if let Some(bridge) = bridge_of(p) {
        label.push_str(&format!(" bridged through {bridge}"));
    }
    Evidence {
        kind: EvidenceKind::Packet,
        label,
        href: None,
    }
}

fn packet_five(p: &InvalidPacket) -> Option<Five> {
    Some(Five {
        proto: p.proto.0,
        src: p.src,
        sport: p.sport?,
        dst: p.dst,
        dport: p.dport?,
    })
}

fn orig_five(flow: &Flow) -> Option<Five> {
    let o = &flow.orig;
    Some(Five {
        proto: flow.proto.0,
        src: o.src,
        sport: o.sport?,
        dst: o.dst,
        dport: o.dport?,
    })
}
