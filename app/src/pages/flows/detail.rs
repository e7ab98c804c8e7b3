//! The panel beside the table with the open flow in full.

use std::sync::Arc;

use leptos::prelude::*;

use super::{Navigate, ViewParams};
use crate::components::{FlowDetails, FlowSections};
use crate::live::LiveTable;
use crate::routes::Route;
use crate::wire::{Flow, FlowKey};

#[component]
pub fn Detail(
    key: FlowKey,
    table: RwSignal<LiveTable>,
    /// The last copy seen of an opened flow, kept after it ends.
    ended: RwSignal<Option<Arc<Flow>>>,
    now: RwSignal<u64>,
    go: Navigate,
    params: Memo<ViewParams>,
) -> impl IntoView {
    let close = move |_| {
        let mut p = params.get_untracked();
        p.open = None;
        go.run(p);
    };
    view! {
        <aside
            aria-label="Flow details"
            class="fixed inset-0 z-30 overflow-y-auto bg-white p-4 \
                   dark:bg-slate-950 sm:static sm:inset-auto sm:w-[32rem] \
                   sm:shrink-0 sm:border-l sm:border-slate-200 \
                   dark:sm:border-slate-800"
        >
            <div class="mb-3 flex items-start justify-between gap-2">
                <div>
                    <h2 class="text-lg font-semibold">"Flow"</h2>
                    <p class="break-all font-mono text-xs text-slate-500 \
                              dark:text-slate-400">
                        {key.to_string()}
                    </p>
                    <a
                        class="text-sm text-sky-700 underline dark:text-sky-400"
                        href=Route::Flow(key).href()
                        title="The flow's permalink"
                    >
                        "Open on its own page"
                    </a>
                </div>
                <button
                    type="button"
                    on:click=close
                    aria-label="Close"
                    class="rounded-md px-2 py-1 text-sm hover:bg-slate-100 \
                           dark:hover:bg-slate-800"
                >
                    "Close"
                </button>
            </div>
            <FlowDetails key table ended now/>
            <FlowSections table first=String::new()/>
        </aside>
    }
}
