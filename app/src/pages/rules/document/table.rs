//! A table's block: its name, its chain graph, then each chain with its
//! rules and their counters as they were when rendered.

use leptos::prelude::*;

use super::super::sparkline;
use super::super::RulesView;
use super::graph::chain_graph;
use super::line;
use crate::format;
use crate::wire::finding::RuleFindings;
use crate::wire::ruleset::{Chain, Counted, Rule, RuleRef, Table};

/// Rules per block of a chain: the browser lays out only the blocks
/// near the screen, so a chain of thousands opens as fast as a short
/// one.
const BLOCK: usize = 100;

/// The element id of a chain's block, for links from the hooks and the
/// graph.
pub fn anchor(t: &Table, chain: &str) -> String {
    let id = format!("chain-{}-{}-{chain}", t.family, t.name);
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn table(t: &Table, view: &RulesView) -> impl IntoView {
    let badges = t
        .iptables
        .then_some("iptables-nft")
        .into_iter()
        .chain(t.flags.iter().map(String::as_str))
        .map(|b| {
            view! {
                <span class="rounded bg-slate-100 px-1.5 text-xs font-normal \
                             text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                    {b.to_owned()}
                </span>
            }
        })
        .collect_view();
    let title = format!("table {} {}", t.family, t.name);
    let chains = t.chains.iter().map(|c| chain(t, c, view)).collect_view();
    let counters = (!t.counters.is_empty()).then(|| named_counters(t));
    let label = title.clone();
    view! {
        <div data-table=label>
            <h3 class="mb-2 flex items-center gap-2 font-mono font-semibold">
                {title}
                {badges}
            </h3>
            {chain_graph(t)}
            {counters}
            <div class="mt-3 space-y-4">{chains}</div>
        </div>
    }
}

fn chain(t: &Table, c: &Chain, view: &RulesView) -> impl IntoView {
    let policy = c.policy.as_ref().map(|p| {
        let at = rule_ref(t, c, 0);
        view! {
            <table class="rules">
                <tbody>
                    <tr class="text-slate-500" data-rule=at.to_string() data-search="">
                        <td></td>
                        <td>{format!("policy {p}")}</td>
                        {numbers(c.policy_counter.as_ref())}
                    </tr>
                </tbody>
            </table>
        }
    });
    let findings = super::badge::provided();
    let mut shown = 0;
    let blocks = c
        .rules
        .chunks(BLOCK)
        .map(|rules| {
            let rows = rules
                .iter()
                .map(|r| {
                    let (found, row) = rule_row(t, c, r, view, &findings);
                    shown += usize::from(found);
                    row
                })
                .collect_view();
            // Until the browser lays a block out, it takes it as this
            // tall: a row per rule.
            let height =
                format!("contain-intrinsic-size: auto {}px", rules.len() * 20);
            view! {
                <div class="rule-block" style=height>
                    <table class="rules">
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect_view();
    let hidden = !view.q.is_empty() && shown == 0 && !view.finds(&c.name);
    view! {
        <div
            id=anchor(t, &c.name)
            data-chain=c.name.clone()
            data-search=c.name.to_ascii_lowercase()
            hidden=hidden
        >
            <div class="font-mono text-sm">
                <span class="font-semibold">{format!("chain {}", c.name)}</span>
                <span class="ml-2 text-slate-500">{chain_line(c)}</span>
            </div>
            <div class="mt-1">{blocks}</div>
            {policy}
        </div>
    }
}

/// A rule's row, and whether the view's search finds it.
fn rule_row(
    t: &Table,
    c: &Chain,
    r: &Rule,
    view: &RulesView,
    findings: &RuleFindings,
) -> (bool, impl IntoView) {
    let at = rule_ref(t, c, r.handle);
    // The search reads what the rule does, not its counters as they
    // were when rendered.
    let nft = r.stateless.as_ref().unwrap_or(&r.text);
    let search = match &r.iptables {
        Some(save) => format!("{nft}\n{save}"),
        None => nft.clone(),
    }
    .to_ascii_lowercase();
    let found = view.finds(&c.name) || view.finds(&search);
    let never = r.counter.as_ref().is_some_and(|c| !c.matched);
    let open = view.rule.as_ref() == Some(&at);
    // The nft text hides in iptables syntax only where there is an
    // iptables text to show instead.
    let nft_class = r
        .iptables
        .is_some()
        .then_some("group-data-[syntax=iptables]:hidden");
    let row = view! {
        <tr
            data-rule=at.to_string()
            data-search=search
            hidden=!found
            aria-selected=open.then_some("true")
            class="rule"
        >
            <td>{r.handle}</td>
            <td data-testid="rule-text">
                <span class=nft_class>{nft.clone()}</span>
                {r.iptables.clone().map(|save| view! {
                    <span class="hidden group-data-[syntax=iptables]:inline">{save}</span>
                })}
                <span data-never hidden=!never title="no packet since nfscope started">
                    "never matched"
                </span>
                {findings.of(&at).iter().map(super::badge::badge).collect_view()}
            </td>
            {numbers(r.counter.as_ref())}
        </tr>
    };
    (found, row)
}

/// The table's named counter objects, live as rules' counters are.
fn named_counters(t: &Table) -> impl IntoView {
    let rows = t
        .counters
        .iter()
        .map(|n| {
            let at = RuleRef {
                family: t.family.clone(),
                table: t.name.clone(),
                chain: String::new(),
                handle: n.handle,
            };
            view! {
                <tr data-rule=at.to_string()>
                    <td></td>
                    <td>{format!("counter {}", n.name)}</td>
                    {numbers(n.counter.as_ref())}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="rules mt-2" data-testid="named-counters">
            <tbody>{rows}</tbody>
        </table>
    }
}

/// `type filter hook input priority filter; policy accept;` for a base
/// chain.
fn chain_line(c: &Chain) -> String {
    let Some(hook) = &c.hook else {
        return String::new();
    };
    let kind = c.kind.as_deref().unwrap_or("filter");
    let mut line = format!("type {kind} hook {hook}");
    if !c.devices.is_empty() {
        line += &format!(" devices = {{ {} }}", c.devices.join(", "));
    }
    if let Some(p) = &c.priority_name {
        line += &format!(" priority {p};");
    }
    if let Some(p) = &c.policy {
        line += &format!(" policy {p};");
    }
    line
}

pub fn rule_ref(t: &Table, c: &Chain, handle: u64) -> RuleRef {
    RuleRef {
        family: t.family.clone(),
        table: t.name.clone(),
        chain: c.name.clone(),
        handle,
    }
}

/// Packets, bytes, packets per second and recent rate; empty cells for
/// a rule without a counter. The browser rewrites them in place.
fn numbers(c: Option<&Counted>) -> impl IntoView {
    let text = |f: fn(&Counted) -> String| c.map(f).unwrap_or_default();
    let points = c
        .and_then(|c| c.recent.as_deref())
        .map(|r| sparkline::points(r, line::ROW))
        .unwrap_or_default();
    view! {
        <td data-packets>{text(|c| format::count(c.packets))}</td>
        <td data-bytes>{text(|c| format::bytes(c.bytes))}</td>
        <td data-rate>{text(sparkline::rate)}</td>
        <td>{line::svg(points, line::ROW)}</td>
    }
}
