//! The virtualized flow table: only the rows in view are in the DOM, so
//! 100,000 flows scroll as smoothly as 10.

use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;

use super::cells::cell;
use super::columns::Column;
use super::{Navigate, ViewParams};
use crate::live::LiveTable;
use crate::wire::{Flow, FlowKey};

/// Row height in px; fixed so a row's position is its index times this.
const ROW_PX: f64 = 36.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 8;
/// Viewport height assumed before the browser measures it (and on the
/// server, so hydration renders the same rows).
const ASSUMED_VIEWPORT_PX: f64 = 900.0;

#[component]
pub fn FlowTable(
    params: Memo<ViewParams>,
    go: Navigate,
    table: RwSignal<LiveTable>,
    now: RwSignal<u64>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(ASSUMED_VIEWPORT_PX);
    let scroller = NodeRef::<Div>::new();

    #[cfg(feature = "hydrate")]
    {
        let measure = move || {
            if let Some(el) = scroller.get_untracked() {
                viewport.set(f64::from(el.client_height()));
            }
        };
        Effect::new(move |_| {
            scroller.track();
            measure();
        });
        let handle =
            window_event_listener(leptos::ev::resize, move |_| measure());
        on_cleanup(move || handle.remove());
    }

    let cols = Memo::new(move |_| params.with(|p| p.cols.clone()));
    let grid = move || {
        format!(
            "grid-template-columns: {}",
            Column::grid_template(&cols.get())
        )
    };
    let len = move || table.with(|t| t.rows().len());
    let window = Memo::new(move |_| {
        let first = (scroll_top.get() / ROW_PX) as usize;
        let count = (viewport.get() / ROW_PX).ceil() as usize;
        let start = first.saturating_sub(OVERSCAN);
        let end = (first + count + OVERSCAN).min(len());
        (start, end.max(start))
    });
    let visible = move || {
        let (start, end) = window.get();
        table.with(|t| t.rows()[start..end].to_vec())
    };
    let offset = move || window.get().0 as f64 * ROW_PX;
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    let open = move |key| {
        let mut p = params.get_untracked();
        p.open = Some(key);
        go.run(p);
    };

    view! {
        <div
            node_ref=scroller
            on:scroll=on_scroll
            class="relative min-h-0 flex-1 overflow-auto"
            role="table"
            aria-label="conntrack flows"
            aria-rowcount=move || len().to_string()
        >
            <div class="min-w-max">
                <HeaderRow params go grid/>
                <Show when=move || len() == 0>
                    <Empty params/>
                </Show>
                <div
                    class="relative"
                    style=move || format!("height: {}px", len() as f64 * ROW_PX)
                >
                    <div
                        class="absolute inset-x-0"
                        style=move || format!("top: {}px", offset())
                    >
                        <For
                            each=visible
                            key=row_key
                            children=move |flow| {
                                let key = flow.key;
                                view! {
                                    <div
                                        role="row"
                                        data-key=key.to_string()
                                        on:click=move |_| open(key)
                                        class="grid cursor-pointer items-center \
                                               gap-x-2 border-b border-slate-100 \
                                               px-4 text-sm hover:bg-slate-50 \
                                               dark:border-slate-900 \
                                               dark:hover:bg-slate-900"
                                        style=move || format!(
                                            "height: {ROW_PX}px; {}",
                                            grid()
                                        )
                                    >
                                        {
                                            let flow = Arc::clone(&flow);
                                            move || {
                                                cols.get()
                                                    .into_iter()
                                                    .map(|c| view! {
                                                        <div
                                                            role="cell"
                                                            class="flex min-w-0 overflow-hidden"
                                                        >
                                                            {cell(c, &flow, now, params, go)}
                                                        </div>
                                                    })
                                                    .collect_view()
                                            }
                                        }
                                    </div>
                                }
                            }
                        />
                    </div>
                </div>
            </div>
        </div>
    }
}

/// Rows sit in normal flow below one offset, so a new row at the top
/// moves the others instead of re-rendering them; a row re-renders only
/// when its flow changes.
fn row_key(flow: &Arc<Flow>) -> (FlowKey, u64) {
    (flow.key, flow.updated_ms)
}

#[component]
fn HeaderRow(
    params: Memo<ViewParams>,
    go: Navigate,
    grid: impl Fn() -> String + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let cols = move || params.with(|p| p.cols.clone());
    view! {
        <div
            role="row"
            class="sticky top-0 z-10 grid gap-x-2 whitespace-nowrap border-b \
                   border-slate-200 bg-slate-50 px-4 py-2 text-xs \
                   font-medium uppercase \
                   tracking-wide text-slate-500 dark:border-slate-800 \
                   dark:bg-slate-900 dark:text-slate-400"
            style=grid
        >
            <For each=cols key=|c| *c let:col>
                <HeaderCell col params go/>
            </For>
        </div>
    }
}

#[component]
fn HeaderCell(
    col: Column,
    params: Memo<ViewParams>,
    go: Navigate,
) -> impl IntoView {
    let Some(field) = col.sort_field() else {
        return view! { <div role="columnheader">{col.title()}</div> }
            .into_any();
    };
    let sort = move || params.with(|p| p.sort);
    let arrow = move || {
        let s = sort();
        match (s.field == field, s.descending) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        }
    };
    let aria = move || {
        let s = sort();
        match (s.field == field, s.descending) {
            (true, false) => "ascending",
            (true, true) => "descending",
            _ => "none",
        }
    };
    let click = move |_| {
        let mut p = params.get_untracked();
        p.sort.descending = p.sort.field == field && !p.sort.descending;
        p.sort.field = field;
        go.run(p);
    };
    view! {
        <div role="columnheader" aria-sort=aria>
            <button
                type="button"
                class="uppercase tracking-wide hover:text-slate-900 \
                       dark:hover:text-slate-100"
                title=format!("Sort by {field}")
                on:click=click
            >
                {col.title()}
                {arrow}
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn Empty(params: Memo<ViewParams>) -> impl IntoView {
    let filtered = move || params.with(|p| !p.q.trim().is_empty());
    view! {
        <div class="px-4 py-10 text-center text-sm text-slate-500">
            {move || if filtered() {
                "No flow matches this filter."
            } else {
                "No conntrack entries yet. Connections show up here as the \
                 kernel tracks them."
            }}
        </div>
    }
}
