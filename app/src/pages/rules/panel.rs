//! The frame of the panel beside the ruleset; what it shows (a rule or a
//! commit) comes rendered from the server (`document::panel`).

use leptos::prelude::*;

use super::Live;

#[component]
pub fn Panel(live: Live, html: String) -> impl IntoView {
    let open = Memo::new(move |_| {
        live.view.with(|v| v.rule.is_some() || v.diff.is_some())
    });
    let close = move |_| {
        let mut v = live.view.get_untracked();
        v.rule = None;
        v.diff = None;
        live.go.run(v);
    };
    view! {
        <aside
            data-testid="panel"
            hidden=move || !open.get()
            class="w-[32rem] shrink-0 overflow-y-auto border-l border-slate-200 p-4 \
                   text-sm dark:border-slate-800"
        >
            <button class="float-right text-slate-500" aria-label="Close" on:click=close>
                "×"
            </button>
            <div data-panel inner_html=html></div>
        </aside>
    }
}
