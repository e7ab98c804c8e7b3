//! Check 3: TCP connections that never got an answer, grouped by where
//! they went. A few now and then is the internet; several to one place
//! that stay unanswered mean the answers go elsewhere (asymmetric
//! routing), are dropped, or, after a DNAT to a host on the client's own
//! network, go straight back to the client (no hairpin NAT). A
//! connection answered after the last stuck one clears it: the entries
//! of the stuck ones linger for minutes.

use std::collections::BTreeMap;
use std::net::IpAddr;

use app::wire::finding::{Evidence, FindingKind, Severity};
use app::wire::{nat_endpoint, FlowKey, Nat};

use super::{finding, fix, Check, Facts, Outcome};
use crate::collect::links::Link;

/// Unanswered for this long, a SYN is not just slow.
const STUCK_MS: u64 = 5_000;
/// Connections to one destination before it is a finding.
const AT_LEAST: usize = 3;
/// `IPS_SEEN_REPLY`.
const SEEN_REPLY: u32 = 1 << 1;

pub struct Unanswered;

/// Stuck connections to one destination, as the server sees it.
#[derive(Default)]
struct Group {
    count: usize,
    /// The start of the youngest one.
    latest_ms: u64,
    clients: Vec<IpAddr>,
    /// Where the client sent them, when DNAT changed it.
    asked: Option<(IpAddr, Option<u16>)>,
    snat: bool,
    /// A few of them: key and tuple in words.
    shown: Vec<(FlowKey, String)>,
}

impl Check for Unanswered {
    fn kind(&self) -> FindingKind {
        FindingKind::Unanswered
    }

    fn run(&mut self, facts: &Facts) -> Outcome {
        let mut groups: BTreeMap<(IpAddr, Option<u16>), Group> =
            BTreeMap::new();
        // The youngest answered connection to each destination: one
        // younger than every stuck one says the path works again.
        let mut answered: BTreeMap<(IpAddr, Option<u16>), u64> =
            BTreeMap::new();
        facts.table.each(|flow| {
            if flow.proto().0 != libc::IPPROTO_TCP as u8 {
                return;
            }
            let (o, r) = (flow.orig(), flow.reply());
            if flow.status_bits() & SEEN_REPLY != 0 {
                let latest = answered.entry((r.src, r.sport)).or_default();
                *latest = (*latest).max(flow.started_ms());
                return;
            }
            let stuck = flow.state() == Some("syn-sent")
                && facts.now_ms.saturating_sub(flow.started_ms()) > STUCK_MS;
            if !stuck {
                return;
            }
            let group = groups.entry((r.src, r.sport)).or_default();
            group.count += 1;
            group.latest_ms = group.latest_ms.max(flow.started_ms());
            if !group.clients.contains(&o.src) {
                group.clients.push(o.src);
            }
            if flow.nat().contains(&Nat::Dnat) {
                group.asked = Some((o.dst, o.dport));
            }
            group.snat |= flow.nat().contains(&Nat::Snat);
            if group.shown.len() < 5 {
                let words = format!(
                    "{} → {}",
                    nat_endpoint(o.src, o.sport),
                    nat_endpoint(o.dst, o.dport)
                );
                group.shown.push((flow.key(), words));
            }
        });
        Outcome::Found(
            groups
                .into_iter()
                .filter(|(_, g)| g.count >= AT_LEAST)
                .filter(|(to, g)| {
                    answered.get(to).is_none_or(|at| *at <= g.latest_ms)
                })
                .map(|((addr, port), g)| found(addr, port, g, &facts.links))
                .collect(),
        )
    }
}

fn found(
    addr: IpAddr,
    port: Option<u16>,
    g: Group,
    links: &[Link],
) -> app::wire::finding::Finding {
    let server = nat_endpoint(addr, port);
    let hairpin = g.asked.is_some()
        && !g.snat
        && g.clients.iter().any(|c| same_network(*c, addr, links));
    let (why, fixes) = if hairpin {
        (
            "They were DNATed to a host on the clients' own network and \
             not SNATed: the server answers the client directly, the \
             client does not recognise an answer from an address it never \
             asked, and nothing passes back through this box (no hairpin \
             NAT).",
            vec![fix(
                "Masquerade what is DNATed back into the same network",
                &[&format!(
                    "nft add rule ip nat postrouting ip daddr {addr} ct status \
                     dnat masquerade"
                )],
                "The server then sees this box as the client for those \
                 connections, not the real client.",
            )],
        )
    } else {
        (
            "No answer came back through this box: it is dropped on the \
             way (a firewall, a server that is down) or takes another \
             path back (asymmetric routing), so conntrack never sees it.",
            vec![fix(
                "Watch where the answers go",
                &[&format!("tcpdump -ni any host {addr}")],
                "Only looks.",
            )],
        )
    };
    let mut f = finding(
        FindingKind::Unanswered,
        &server,
        Severity::Warning,
        format!(
            "{} TCP connections to {server} are unanswered (SYN sent, no \
             reply for over {} s)",
            g.count,
            STUCK_MS / 1000
        ),
        why.into(),
    );
    f.evidence = g
        .shown
        .iter()
        .map(|(key, words)| {
            Evidence::flow(*key, format!("unanswered: {words}"))
        })
        .collect();
    f.fixes = fixes;
    f
}

/// Whether `a` and `b` are both on one of this box's connected networks.
fn same_network(a: IpAddr, b: IpAddr, links: &[Link]) -> bool {
    links
        .iter()
        .flat_map(|l| &l.addrs)
        .any(|net| net.contains(a) && net.contains(b))
}
