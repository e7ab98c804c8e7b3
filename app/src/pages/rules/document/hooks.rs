//! A family's hooks in the order a packet meets them, each with its base
//! chains in the order they run (by priority).

use leptos::prelude::*;

use super::table::anchor;
use crate::wire::ruleset::{Chain, Table};

/// The packet path: ingress first, egress last.
const HOOKS: [&str; 7] = [
    "ingress",
    "prerouting",
    "input",
    "forward",
    "output",
    "postrouting",
    "egress",
];

pub fn hook_path(tables: &[&Table]) -> impl IntoView {
    let hooks = HOOKS.iter().filter_map(|hook| {
        let mut chains: Vec<(&Table, &Chain)> = tables
            .iter()
            .flat_map(|t| t.chains.iter().map(move |c| (*t, c)))
            .filter(|(_, c)| c.hook.as_deref() == Some(*hook))
            .collect();
        if chains.is_empty() {
            return None;
        }
        chains.sort_by_key(|(_, c)| c.priority.unwrap_or(0));
        let chains = chains
            .into_iter()
            .map(|(t, c)| {
                let href = format!("#{}", anchor(t, &c.name));
                let about = [c.kind.clone(), c.priority_name.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                view! {
                    <li>
                        <a class="font-mono text-sky-700 hover:underline \
                                  dark:text-sky-400" href=href>
                            {format!("{}/{}", t.name, c.name)}
                        </a>
                        <span class="ml-1 text-xs text-slate-500">{about}</span>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <li class="min-w-40 rounded border border-slate-200 p-2 \
                       dark:border-slate-700" data-hook=*hook>
                <div class="mb-1 text-xs font-semibold uppercase tracking-wide \
                            text-slate-500">
                    {*hook}
                </div>
                <ol class="space-y-0.5 text-sm">{chains}</ol>
            </li>
        })
    });
    view! {
        <ol class="flex flex-wrap items-start gap-2" aria-label="Hooks in packet order">
            {hooks.collect_view()}
        </ol>
    }
}
