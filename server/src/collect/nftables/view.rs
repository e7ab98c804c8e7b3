//! The ruleset for the wire (`app::wire::ruleset`), and what changed
//! between two of them.

use std::collections::BTreeMap;

use app::wire::ruleset as wire;

use super::counters::{self, RuleId};
use super::expr::Expr;
use super::render;
use super::ruleset::{
    ChainContents, Counter, Generation, Ruleset, TableContents,
};
use crate::state::ruleset::{Rate, Rates};

const NFT_TABLE_FLAGS: [(u32, &str); 3] =
    [(1, "dormant"), (2, "owner"), (4, "persist")];
const NFT_SET_ANONYMOUS: u32 = 0x1;
const NFT_SET_MAP: u32 = 0x8;
const NFT_SET_OBJECT: u32 = 0x40;

/// The ruleset with the counters of the last poll (those of the
/// snapshot where a rule was not polled yet).
pub fn to_wire(r: &Ruleset, rates: &Rates) -> wire::Ruleset {
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
                chains: t.chains.iter().map(|c| chain(t, c, rates)).collect(),
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
        legacy: r
            .legacy
            .iter()
            .map(|t| wire::LegacyTable {
                family: t.family.to_owned(),
                name: t.name.clone(),
                entries: t.entries,
            })
            .collect(),
    }
}

fn chain(t: &TableContents, c: &ChainContents, rates: &Rates) -> wire::Chain {
    let (family, table) = (t.table.family, t.table.name.as_str());
    let hook = c.chain.hook.as_ref();
    let id = |handle| RuleId {
        family,
        table: table.to_owned(),
        chain: c.chain.name.clone(),
        handle,
    };
    let counted =
        |handle, counter: Option<Counter>| match rates.get(&id(handle)) {
            Some(rate) => Some(counted(rate)),
            None => counter.map(|c| wire::Counted {
                packets: c.packets,
                bytes: c.bytes,
                ..wire::Counted::default()
            }),
        };
    wire::Chain {
        name: c.chain.name.clone(),
        handle: c.chain.handle,
        hook: hook.map(|h| render::hook_name(family, h.num)),
        priority: hook.and_then(|h| h.priority),
        kind: c.chain.kind.clone(),
        policy: c
            .chain
            .policy
            .map(|p| if p == 1 { "accept" } else { "drop" }.to_owned()),
        devices: hook.map(|h| h.devices.clone()).unwrap_or_default(),
        policy_counter: counted(0, c.chain.counter),
        rules: c
            .rules
            .iter()
            .map(|r| wire::Rule {
                handle: r.handle,
                text: render::rule(family, t, r),
                exprs: r.exprs.iter().map(|e| e.name().to_owned()).collect(),
                counter: counted(r.handle, counters::of_rule(&r.exprs)),
            })
            .collect(),
    }
}

pub fn counted(rate: &Rate) -> wire::Counted {
    wire::Counted {
        packets: rate.counter.packets,
        bytes: rate.counter.bytes,
        packets_per_sec: rate.packets_per_sec,
        bytes_per_sec: rate.bytes_per_sec,
        matched: rate.matched,
    }
}

/// The counters of `now` that differ from those of `before`, for a
/// stream that sent `before`.
pub fn moved_counters(before: &Rates, now: &Rates) -> Vec<wire::RuleCounted> {
    let mut out: Vec<_> = now
        .iter()
        .filter(|(id, rate)| before.get(id) != Some(rate))
        .map(|(id, rate)| wire::RuleCounted {
            family: id.family.name(),
            table: id.table.clone(),
            chain: id.chain.clone(),
            handle: id.handle,
            counter: counted(rate),
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.family, &a.table, &a.chain, a.handle)
            .cmp(&(&b.family, &b.table, &b.chain, b.handle))
    });
    out
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
