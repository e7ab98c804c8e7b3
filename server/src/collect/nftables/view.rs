//! The ruleset for the wire (`app::wire::ruleset`), and what changed
//! between two of them.

use std::collections::BTreeMap;

use app::wire::ruleset as wire;

use super::expr::{Counter, Expr};
use super::ruleset::{ChainContents, Family, Generation, Rule, Ruleset};

const NFT_TABLE_FLAGS: [(u32, &str); 3] =
    [(1, "dormant"), (2, "owner"), (4, "persist")];
const NFT_SET_ANONYMOUS: u32 = 0x1;
const NFT_SET_MAP: u32 = 0x8;
const NFT_SET_OBJECT: u32 = 0x40;

pub fn to_wire(r: &Ruleset) -> wire::Ruleset {
    wire::Ruleset {
        generation: r.generation,
        tables: r
            .tables
            .iter()
            .map(|t| wire::Table {
                family: t.table.family.name(),
                name: t.table.name.clone(),
                handle: t.table.handle,
                flags: NFT_TABLE_FLAGS
                    .iter()
                    .filter(|(bit, _)| t.table.flags & bit != 0)
                    .map(|(_, name)| (*name).to_owned())
                    .collect(),
                chains: t
                    .chains
                    .iter()
                    .map(|c| chain(t.table.family, c))
                    .collect(),
                sets: t
                    .sets
                    .iter()
                    .map(|s| wire::Set {
                        name: s.name.clone(),
                        handle: s.handle,
                        anonymous: s.flags & NFT_SET_ANONYMOUS != 0,
                        map: s.flags & (NFT_SET_MAP | NFT_SET_OBJECT) != 0,
                        elements: s.elements.len(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn chain(family: Family, c: &ChainContents) -> wire::Chain {
    let hook = c.chain.hook.as_ref();
    wire::Chain {
        name: c.chain.name.clone(),
        handle: c.chain.handle,
        hook: hook.and_then(|h| h.num).map(|n| hook_name(family, n)),
        priority: hook.and_then(|h| h.priority),
        kind: c.chain.kind.clone(),
        policy: c
            .chain
            .policy
            .map(|p| if p == 1 { "accept" } else { "drop" }.to_owned()),
        devices: hook.map(|h| h.devices.clone()).unwrap_or_default(),
        rules: c.rules.iter().map(rule).collect(),
    }
}

fn rule(r: &Rule) -> wire::Rule {
    wire::Rule {
        handle: r.handle,
        exprs: r.exprs.iter().map(|e| e.name().to_owned()).collect(),
        counter: counter(&r.exprs),
    }
}

/// What the rule's `counter` statements counted, if it has any.
fn counter(exprs: &[Expr]) -> Option<wire::RuleCounter> {
    let mut total: Option<wire::RuleCounter> = None;
    for e in exprs {
        let Expr::Counter(attrs) = e else { continue };
        let t = total.get_or_insert_default();
        for a in attrs {
            match a {
                Counter::Packets(n) => t.packets += n,
                Counter::Bytes(n) => t.bytes += n,
                _ => {}
            }
        }
    }
    total
}

/// Hook numbers are per family: `NF_INET_*`, `NF_ARP_*`, `NF_NETDEV_*`.
fn hook_name(family: Family, n: u32) -> String {
    let names: &[&str] = match family {
        Family::Arp => &["input", "output", "forward"],
        Family::Netdev => &["ingress", "egress"],
        _ => &[
            "prerouting",
            "input",
            "forward",
            "output",
            "postrouting",
            "ingress",
        ],
    };
    names
        .get(n as usize)
        .map_or_else(|| format!("hook-{n}"), |s| (*s).to_owned())
}

/// What a commit changed: chains that came or went, and per chain the
/// rules added, removed or changed (same handle, other expressions).
pub fn change(
    before: &Ruleset,
    after: &Ruleset,
    generation: &Generation,
    at_ms: u64,
) -> wire::RulesetChange {
    let (old, new) = (chains(before), chains(after));
    let mut changes = Vec::new();
    for (key, new_rules) in &new {
        let old_rules = old.get(key);
        let mut c = chain_change(
            key,
            if old_rules.is_some() {
                "changed"
            } else {
                "added"
            },
        );
        let empty = BTreeMap::new();
        let old_rules = old_rules.unwrap_or(&empty);
        for (handle, exprs) in new_rules {
            match old_rules.get(handle) {
                None => c.added.push(*handle),
                Some(old) if old != exprs => c.changed.push(*handle),
                Some(_) => {}
            }
        }
        c.removed = old_rules
            .keys()
            .filter(|h| !new_rules.contains_key(h))
            .copied()
            .collect();
        let touched = !(c.added.is_empty()
            && c.removed.is_empty()
            && c.changed.is_empty());
        if c.what == "added" || touched {
            changes.push(c);
        }
    }
    for (key, rules) in &old {
        if !new.contains_key(key) {
            let mut c = chain_change(key, "removed");
            c.removed = rules.keys().copied().collect();
            changes.push(c);
        }
    }
    wire::RulesetChange {
        generation: generation.id,
        at_ms,
        process: generation.process.clone(),
        pid: generation.pid,
        chains: changes,
    }
}

type ChainKey = (String, String, String);

/// Every chain's rules by handle.
fn chains(r: &Ruleset) -> BTreeMap<ChainKey, BTreeMap<u64, &Vec<Expr>>> {
    let mut out = BTreeMap::new();
    for t in &r.tables {
        for c in &t.chains {
            let key = (
                t.table.family.name(),
                t.table.name.clone(),
                c.chain.name.clone(),
            );
            let rules = c.rules.iter().map(|r| (r.handle, &r.exprs)).collect();
            out.insert(key, rules);
        }
    }
    out
}

fn chain_change(
    (family, table, chain): &ChainKey,
    what: &str,
) -> wire::ChainChange {
    wire::ChainChange {
        family: family.clone(),
        table: table.clone(),
        chain: chain.clone(),
        what: what.to_owned(),
        ..wire::ChainChange::default()
    }
}
