//! The bar above the ruleset: search, family, syntax, and where the
//! page stands (generation, stream).

use leptos::prelude::*;

use super::{Live, RulesView, FAMILIES};
use crate::components::StreamNote;
use crate::live::Link;

#[component]
pub fn Toolbar(live: Live, link: RwSignal<Link>) -> impl IntoView {
    let Live {
        view, go, shown, ..
    } = live;
    let set = move |change: &dyn Fn(&mut RulesView)| {
        let mut v = view.get_untracked();
        change(&mut v);
        go.run(v);
    };
    let generation =
        move || shown.with(|s| s.generation.map(|g| format!("generation {g}")));
    let any_iptables = move || shown.with(|s| s.iptables);
    let families = FAMILIES
        .iter()
        .map(|f| view! { <option value=*f>{*f}</option> });
    view! {
        <div class="sticky top-0 z-10 flex flex-wrap items-center gap-3 border-b \
                    border-slate-200 bg-white/95 px-4 py-2 text-sm \
                    dark:border-slate-800 dark:bg-slate-950/95">
            <input
                type="search"
                data-testid="rule-search"
                placeholder="Search rules: dport 22, masquerade, DOCKER"
                class="w-80 rounded border border-slate-300 bg-transparent px-2 \
                       py-1 font-mono dark:border-slate-700"
                prop:value=move || view.with(|v| v.q.clone())
                on:input=move |ev| {
                    let q = event_target_value(&ev);
                    set(&|v| v.q = q.clone());
                }
            />
            <select
                data-testid="family"
                aria-label="Family"
                class="rounded border border-slate-300 bg-transparent px-1 py-1 \
                       dark:border-slate-700"
                prop:value=move || view.with(|v| v.family.clone().unwrap_or_default())
                on:change=move |ev| {
                    let f = event_target_value(&ev);
                    set(&|v| v.family = (!f.is_empty()).then(|| f.clone()));
                }
            >
                <option value="">"every family"</option>
                {families.collect_view()}
            </select>
            {move || any_iptables().then(|| view! {
                <label class="flex items-center gap-1" data-testid="syntax">
                    <input
                        type="checkbox"
                        prop:checked=move || view.with(|v| v.iptables)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            set(&|v| v.iptables = on);
                        }
                    />
                    "save syntax (iptables, arptables, ebtables) for the tables they manage"
                </label>
            })}
            <span class="ml-auto text-slate-500 dark:text-slate-400" data-testid="generation">
                {generation}
            </span>
            <StreamNote link/>
        </div>
    }
}
