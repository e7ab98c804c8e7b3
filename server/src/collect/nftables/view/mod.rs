//! The ruleset for the wire (`app::wire::ruleset`): rendered, with
//! counters and rates, each table's chain graph laid out; and what
//! changed between two of them.

mod change;
mod graph;

use app::wire::ruleset as wire;

use super::counters::{self, RuleId};
use super::decode;
use super::ipset::IpsetNames;
use super::iptables;
use super::render;
use super::ruleset::{ChainContents, Counter, Rule, Ruleset, TableContents};
use crate::state::ruleset::{Rate, Rates};

pub use change::{change, fold};

const NFT_TABLE_FLAGS: [(u32, &str); 3] =
    [(1, "dormant"), (2, "owner"), (4, "persist")];
const NFT_SET_ANONYMOUS: u32 = 0x1;
const NFT_SET_MAP: u32 = 0x8;
const NFT_SET_OBJECT: u32 = 0x40;

/// What a reader asked to see beyond the rendered ruleset.
#[derive(Clone, Copy, Debug, Default)]
pub struct Detail {
    /// Each rule's expressions with their attributes.
    pub raw: bool,
}

/// The ruleset with the counters of the last poll (those of the
/// snapshot where a rule was not polled yet).
pub fn to_wire(r: &Ruleset, rates: &Rates, detail: Detail) -> wire::Ruleset {
    wire::Ruleset {
        generation: r.generation,
        tables: r
            .tables
            .iter()
            .map(|t| table(t, rates, detail, &r.ipsets))
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

fn table(
    t: &TableContents,
    rates: &Rates,
    detail: Detail,
    ipsets: &IpsetNames,
) -> wire::Table {
    wire::Table {
        family: t.table.family.name(),
        name: t.table.name.clone(),
        handle: t.table.handle,
        flags: NFT_TABLE_FLAGS
            .iter()
            .filter(|(bit, _)| t.table.flags & bit != 0)
            .map(|(_, name)| (*name).to_owned())
            .collect(),
        iptables: iptables::manages(t),
        chains: t
            .chains
            .iter()
            .map(|c| chain(t, c, rates, detail, ipsets))
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
        counters: t
            .objects
            .iter()
            .filter(|o| o.kind == decode::COUNTER_OBJECT)
            .map(|o| wire::NamedCounter {
                name: o.name.clone(),
                handle: o.handle,
                counter: counted(
                    rates,
                    &counters::object_id(
                        t.table.family,
                        &t.table.name,
                        o.handle,
                    ),
                    decode::object_counter(o),
                ),
            })
            .collect(),
        graph: graph::graph(t),
    }
}

fn chain(
    t: &TableContents,
    c: &ChainContents,
    rates: &Rates,
    detail: Detail,
    ipsets: &IpsetNames,
) -> wire::Chain {
    let family = t.table.family;
    let hook = c.chain.hook.as_ref();
    let hook_name = hook.map(|h| render::hook_name(family, h.num));
    let counted =
        |handle, counter| counted(rates, &rule_id(t, c, handle), counter);
    wire::Chain {
        name: c.chain.name.clone(),
        handle: c.chain.handle,
        priority: hook.and_then(|h| h.priority),
        priority_name: hook.and_then(|h| {
            Some(render::priority(family, hook_name.as_deref()?, h.priority?))
        }),
        hook: hook_name,
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
                counter: counted(r.handle, counters::of_rule(&r.exprs)),
                ..rule(t, c, r, detail, ipsets)
            })
            .collect(),
    }
}

/// A rule's texts and expressions, without its counter.
fn rule(
    t: &TableContents,
    c: &ChainContents,
    r: &Rule,
    detail: Detail,
    ipsets: &IpsetNames,
) -> wire::Rule {
    wire::Rule {
        handle: r.handle,
        stateless: r.text.stateless.clone(),
        text: r.text.nft.clone(),
        exprs: r.exprs.iter().map(|e| e.name().to_owned()).collect(),
        iptables: iptables::manages(t)
            .then(|| iptables::rule(t, c, r, ipsets))
            .flatten(),
        raw: detail
            .raw
            .then(|| r.exprs.iter().map(render::raw_expr).collect()),
        counter: None,
    }
}

fn rule_id(t: &TableContents, c: &ChainContents, handle: u64) -> RuleId {
    RuleId {
        family: t.table.family,
        table: t.table.name.clone(),
        chain: c.chain.name.clone(),
        handle,
    }
}

/// The last poll's counter of a rule, or the snapshot's when it was not
/// polled yet.
fn counted(
    rates: &Rates,
    id: &RuleId,
    counter: Option<Counter>,
) -> Option<wire::Counted> {
    match rates.get(id) {
        Some(rate) => Some(with_rate(rate, true)),
        None => counter.map(|c| wire::Counted {
            packets: c.packets,
            bytes: c.bytes,
            ..wire::Counted::default()
        }),
    }
}

/// `recent` only when asked: a stream sends it once per span.
fn with_rate(rate: &Rate, recent: bool) -> wire::Counted {
    wire::Counted {
        packets: rate.counter.packets,
        bytes: rate.counter.bytes,
        packets_per_sec: rate.packets_per_sec,
        bytes_per_sec: rate.bytes_per_sec,
        matched: rate.matched,
        recent: recent.then(|| rate.recent.per_sec()),
    }
}

/// One rule of the ruleset with everything the page's panel shows.
pub fn rule_detail(
    r: &Ruleset,
    rates: &Rates,
    at: &wire::RuleRef,
) -> Option<wire::RuleDetail> {
    let (t, c, found) =
        r.locate(&at.family, &at.table, &at.chain, at.handle)?;
    let id = rule_id(t, c, at.handle);
    Some(wire::RuleDetail {
        at: at.clone(),
        rule: wire::Rule {
            counter: counted(rates, &id, counters::of_rule(&found.exprs)),
            ..rule(t, c, found, Detail { raw: true }, &r.ipsets)
        },
    })
}

/// The counters of `now` that a document rendered earlier may show
/// wrong: all but those still as every rule starts (nothing counted,
/// never matched), which counters never come back to.
pub fn counted_counters(now: &Rates) -> Vec<wire::RuleCounted> {
    let fresh: Rates =
        now.keys().map(|id| (id.clone(), Rate::default())).collect();
    moved_counters(&fresh, now)
}

/// The counters of `now` that differ from those of `before`, for a
/// stream that sent `before`. When a span of recent rates has closed
/// since, every rule with recent rates comes with them.
pub fn moved_counters(before: &Rates, now: &Rates) -> Vec<wire::RuleCounted> {
    let span = |rates: &Rates| rates.values().map(|r| r.recent.span()).max();
    let closed = span(now) != span(before);
    let mut moved: Vec<_> = now
        .iter()
        .filter(|(id, rate)| {
            let was = before.get(id);
            let counts = was.is_none_or(|w| !w.same_counts(rate));
            let recent = closed
                && !(rate.recent.is_empty()
                    && was.is_none_or(|w| w.recent.is_empty()));
            counts || recent
        })
        .collect();
    moved.sort_unstable_by_key(|(id, _)| *id);
    moved
        .into_iter()
        .map(|(id, rate)| wire::RuleCounted {
            rule: wire::RuleRef {
                family: id.family.name(),
                table: id.table.clone(),
                chain: id.chain.clone(),
                handle: id.handle,
            },
            counter: with_rate(rate, closed),
        })
        .collect()
}
