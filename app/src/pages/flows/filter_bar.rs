//! The filter input, the match count, the table's stream state, the
//! column chooser, and the ways out: the history of this view, and the
//! view as a file.

use leptos::prelude::*;

use super::columns::Column;
use super::{Navigate, ViewParams};
use crate::components::StreamNote;
use crate::format;
use crate::live::{Link, LiveTable};
use crate::query::Filter;

const LINK: &str = "rounded-md px-2 py-1.5 text-sm text-slate-600 \
                    hover:bg-slate-100 dark:text-slate-300 \
                    dark:hover:bg-slate-800";

const EXAMPLE: &str = "proto:tcp dport:443 nat:dnat src:10.0.0.0/8 \
                       state:!established";

#[component]
pub fn FilterBar(
    params: Memo<ViewParams>,
    go: Navigate,
    table: RwSignal<LiveTable>,
    link: RwSignal<Link>,
) -> impl IntoView {
    let draft = RwSignal::new(params.with_untracked(|p| p.q.clone()));
    // Follow the URL when it changes from elsewhere (a clicked cell).
    Effect::new(move |_| draft.set(params.with(|p| p.q.clone())));
    let error = move || {
        draft.with(|q| Filter::parse(q).err().map(|e| format!("filter {e}")))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if error().is_some() {
            return;
        }
        let mut p = params.get_untracked();
        p.q = draft.get_untracked().trim().to_owned();
        go.run(p);
    };
    let clear = move |_| {
        let mut p = params.get_untracked();
        p.q.clear();
        go.run(p);
    };
    let count = move || {
        let n = table.with(LiveTable::total);
        format!(
            "{} flow{}",
            format::count(n as u64),
            if n == 1 { "" } else { "s" }
        )
    };
    view! {
        <div class="border-b border-slate-200 px-4 py-2 dark:border-slate-800">
            <form class="flex flex-wrap items-center gap-2" on:submit=submit>
                <input
                    type="search"
                    name="q"
                    aria-label="Filter"
                    placeholder=EXAMPLE
                    spellcheck="false"
                    autocomplete="off"
                    class="w-full min-w-0 rounded-md border border-slate-300 \
                           sm:w-auto sm:flex-1 \
                           bg-white px-3 py-1.5 font-mono text-sm \
                           focus:border-sky-500 focus:outline-none \
                           dark:border-slate-700 dark:bg-slate-900"
                    class:border-red-500=move || error().is_some()
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    class="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium \
                           text-white hover:bg-sky-700"
                >
                    "Apply"
                </button>
                <button
                    type="button"
                    on:click=clear
                    class="rounded-md px-2 py-1.5 text-sm text-slate-600 \
                           hover:bg-slate-100 dark:text-slate-300 \
                           dark:hover:bg-slate-800"
                >
                    "Clear"
                </button>
                <span data-testid="flow-count" class="text-sm tabular-nums text-slate-500">
                    {count}
                </span>
                <StreamNote link/>
                <ColumnPicker params go/>
                <a data-history-link class=LINK href=move || params.with(|p| {
                    ViewParams { from: "-1h".into(), ..p.clone() }.href()
                })>
                    "History"
                </a>
                <a class=LINK download="flows.csv"
                   href=move || params.with(|p| p.export_href("csv"))>
                    "CSV"
                </a>
            </form>
            {move || error().map(|e| view! {
                <p role="alert" data-testid="filter-error"
                   class="mt-1 font-mono text-xs text-red-600 dark:text-red-400">
                    {e}
                </p>
            })}
        </div>
    }
}

#[component]
fn ColumnPicker(params: Memo<ViewParams>, go: Navigate) -> impl IntoView {
    let toggle = move |col: Column| {
        let mut p = params.get_untracked();
        if p.cols.contains(&col) {
            if p.cols.len() > 1 {
                p.cols.retain(|c| *c != col);
            }
        } else {
            p.cols = Column::ALL
                .into_iter()
                .filter(|c| *c == col || p.cols.contains(c))
                .collect();
        }
        go.run(p);
    };
    view! {
        <details class="relative text-sm">
            <summary class="cursor-pointer select-none rounded-md px-2 py-1.5 \
                            text-slate-600 hover:bg-slate-100 \
                            dark:text-slate-300 dark:hover:bg-slate-800">
                "Columns"
            </summary>
            <div class="absolute right-0 z-30 mt-1 w-52 rounded-md border \
                        border-slate-200 bg-white p-2 shadow-lg \
                        dark:border-slate-700 dark:bg-slate-900">
                {Column::ALL.into_iter().map(|col| view! {
                    <label class="flex items-center gap-2 px-1 py-0.5">
                        <input
                            type="checkbox"
                            prop:checked=move || params.with(|p| p.cols.contains(&col))
                            on:change=move |_| toggle(col)
                        />
                        {col.title()}
                    </label>
                }).collect_view()}
            </div>
        </details>
    }
}
