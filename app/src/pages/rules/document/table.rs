//! A table's block: its name, its chain graph, then each chain with its
//! rules and their counters as they were when rendered.

use leptos::prelude::*;

use super::super::sparkline;
use super::super::RulesView;
use super::graph::chain_graph;
use super::line;
use crate::format;
use crate::wire::ruleset::{Chain, Counted, RuleRef, Table};

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
            <tr class="text-slate-500" data-rule=at.to_string() data-search="">
                <td></td>
                <td class="font-mono">{format!("policy {p}")}</td>
                {numbers(c.policy_counter.as_ref())}
            </tr>
        }
    });
    let findings = super::badge::provided();
    let mut shown = 0;
    let rules = c
        .rules
        .iter()
        .map(|r| {
            let at = rule_ref(t, c, r.handle);
            let search = match &r.iptables {
                Some(save) => format!("{}\n{save}", r.text),
                None => r.text.clone(),
            }
            .to_ascii_lowercase();
            let hidden = !(view.finds(&c.name) || view.finds(&search));
            shown += usize::from(!hidden);
            let never = r.counter.as_ref().is_some_and(|c| !c.matched);
            let open = view.rule.as_ref() == Some(&at);
            // The nft text hides in iptables syntax only where there is
            // an iptables text to show instead.
            let nft_class = if r.iptables.is_some() {
                "group-data-[syntax=iptables]:hidden"
            } else {
                ""
            };
            view! {
                <tr
                    data-rule=at.to_string()
                    data-search=search
                    hidden=hidden
                    aria-selected=open.to_string()
                    class="cursor-pointer hover:bg-slate-50 aria-selected:bg-sky-50 \
                           dark:hover:bg-slate-900 dark:aria-selected:bg-sky-950"
                >
                    <td class="w-12 pr-2 text-right align-top text-xs text-slate-400">
                        {r.handle}
                    </td>
                    <td class="whitespace-pre-wrap break-words font-mono" data-testid="rule-text">
                        <span class=nft_class>
                            {r.stateless.clone().unwrap_or_else(|| r.text.clone())}
                        </span>
                        {r.iptables.clone().map(|save| view! {
                            <span class="hidden group-data-[syntax=iptables]:inline">
                                {save}
                            </span>
                        })}
                        <span
                            data-never
                            hidden=!never
                            class="ml-2 rounded bg-amber-100 px-1 text-xs text-amber-800 \
                                   dark:bg-amber-900 dark:text-amber-100"
                            title="its counter has not moved since nfscope started"
                        >
                            "never matched"
                        </span>
                        {findings.of(&at).iter().map(super::badge::badge).collect_view()}
                    </td>
                    {numbers(r.counter.as_ref())}
                </tr>
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
            <table class="mt-1 w-full text-sm">
                <tbody>{rules}{policy}</tbody>
            </table>
        </div>
    }
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
                    <td class="w-12"></td>
                    <td class="font-mono">{format!("counter {}", n.name)}</td>
                    {numbers(n.counter.as_ref())}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="mt-2 w-full text-sm" data-testid="named-counters">
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
    let cell = "w-20 whitespace-nowrap pl-2 text-right align-top tabular-nums";
    let text = |f: fn(&Counted) -> String| c.map(f).unwrap_or_default();
    let points = c
        .and_then(|c| c.recent.as_deref())
        .map(|r| sparkline::points(r, line::ROW))
        .unwrap_or_default();
    view! {
        <td class=cell data-packets>{text(|c| format::count(c.packets))}</td>
        <td class=cell data-bytes>{text(|c| format::bytes(c.bytes))}</td>
        <td class=cell data-rate>{text(sparkline::rate)}</td>
        <td class="w-24 pl-2 align-top">
            {line::svg(points, line::ROW)}
        </td>
    }
}
