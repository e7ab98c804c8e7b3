//! The virtualized flow table: the server sends the rows around the ones
//! in view, and only those in view are in the DOM, so 250,000 flows
//! scroll as smoothly as 10.

use std::sync::Arc;

use leptos::either::Either;
use leptos::html::Div;
use leptos::prelude::*;

use super::cells::cell;
use super::columns::Column;
use super::{Navigate, ViewParams};
use crate::live::LiveTable;
use crate::query::add_term;
use crate::wire::{Flow, FlowKey};

/// Row height in px (Tailwind's `h-9`); fixed so a row's position is its
/// index times this.
const ROW_PX: usize = 36;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 4;
/// Viewport height assumed before the browser measures it (and on the
/// server, so hydration renders the same rows).
const ASSUMED_VIEWPORT_PX: usize = 900;

/// The rows the table wants from the server: the screenful in view and
/// one on either side, so that scrolling finds rows already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub limit: usize,
}

impl Span {
    /// What the first screen wants, before the browser measured it.
    pub fn first() -> Self {
        Self::around(0, screen_rows(ASSUMED_VIEWPORT_PX))
    }

    /// Moves a whole screen at a time, so scrolling asks rarely.
    fn around(first: usize, screen: usize) -> Self {
        let screen = screen.max(1);
        Self {
            offset: (first / screen).saturating_sub(1) * screen,
            limit: 3 * screen,
        }
    }
}

fn screen_rows(viewport_px: usize) -> usize {
    viewport_px.div_ceil(ROW_PX)
}

#[component]
pub fn FlowGrid(
    params: Memo<ViewParams>,
    go: Navigate,
    table: RwSignal<LiveTable>,
    now: RwSignal<u64>,
    span: RwSignal<Span>,
) -> impl IntoView {
    let scroll_top = RwSignal::new(0usize);
    let viewport = RwSignal::new(ASSUMED_VIEWPORT_PX);
    let scroller = NodeRef::<Div>::new();

    #[cfg(feature = "hydrate")]
    {
        let measure = move || {
            if let Some(el) = scroller.get_untracked() {
                viewport.set(el.client_height().max(0) as usize);
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
    // Rows and the header take their columns from this variable.
    let grid =
        move || format!("--cols: {}", Column::grid_template(&cols.get()));
    let len = move || table.with(LiveTable::total);
    let first = Memo::new(move |_| scroll_top.get() / ROW_PX);
    let screen = Memo::new(move |_| screen_rows(viewport.get()));
    Effect::new(move |_| span.set(Span::around(first.get(), screen.get())));
    // Rows to draw, as positions in the whole table: those in view and a
    // few more, of those the server sent.
    let window = Memo::new(move |_| {
        let lo = first.get().saturating_sub(OVERSCAN);
        let hi = first.get() + screen.get() + OVERSCAN;
        table.with(|t| {
            let end = t.offset() + t.rows().len();
            let start = lo.clamp(t.offset(), end);
            (start, hi.clamp(start, end))
        })
    });
    let visible = move || {
        let (start, end) = window.get();
        table.with(|t| t.rows()[start - t.offset()..end - t.offset()].to_vec())
    };
    let offset = move || window.get().0 * ROW_PX;
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(el.scroll_top().max(0) as usize);
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let mut p = params.get_untracked();
        match clicked(&ev) {
            Some(Click::Filter { field, value }) => {
                p.q = add_term(&p.q, &field, &value);
            }
            Some(Click::Open(key)) => p.open = Some(key),
            None => return,
        }
        go.run(p);
    };

    view! {
        <div
            node_ref=scroller
            on:scroll=on_scroll
            on:click=on_click
            class="relative min-h-0 flex-1 overflow-auto"
            role="table"
            aria-label="conntrack flows"
            aria-rowcount=move || len().to_string()
        >
            <div class="min-w-max" style=grid>
                <HeaderRow params go/>
                {move || (len() == 0).then(|| view! { <Empty params/> })}
                <div
                    class="relative"
                    style=move || format!("height: {}px", len() * ROW_PX)
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
                                // A red bar at the row's start.
                                let flagged = move || {
                                    table.with(|t| t.flagged(&key)).then_some("")
                                };
                                view! {
                                    <div
                                        role="row"
                                        data-key=key.to_string()
                                        data-finding=flagged
                                        class="relative grid h-9 cursor-pointer \
                                               before:absolute before:inset-y-0 \
                                               before:left-0 before:w-1 \
                                               data-finding:before:bg-red-500 \
                                               grid-cols-[var(--cols)] \
                                               items-center gap-x-2 border-b \
                                               border-slate-100 px-4 text-sm \
                                               hover:bg-slate-50 \
                                               dark:border-slate-900 \
                                               dark:hover:bg-slate-900"
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
                                                            {cell(c, &flow, now)}
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

/// What a click in the table meant.
enum Click {
    /// A value button: add `field:value` to the filter.
    Filter { field: String, value: String },
    /// Anywhere else on a row: open the flow.
    Open(FlowKey),
}

/// Reads the click from the DOM: value buttons and rows carry what a
/// click on them means, so the table needs a single listener.
fn clicked(ev: &leptos::ev::MouseEvent) -> Option<Click> {
    use leptos::wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<leptos::web_sys::Element>().ok()?;
    if let Some(button) = target.closest("[data-field]").ok().flatten() {
        return Some(Click::Filter {
            field: button.get_attribute("data-field")?,
            value: button.get_attribute("data-value")?,
        });
    }
    let row = target.closest("[data-key]").ok().flatten()?;
    row.get_attribute("data-key")?.parse().ok().map(Click::Open)
}

#[component]
fn HeaderRow(params: Memo<ViewParams>, go: Navigate) -> impl IntoView {
    let cols = move || params.with(|p| p.cols.clone());
    view! {
        <div
            role="row"
            class="sticky top-0 z-10 grid grid-cols-[var(--cols)] gap-x-2 \
                   whitespace-nowrap border-b \
                   border-slate-200 bg-slate-50 px-4 py-2 text-xs \
                   font-medium uppercase \
                   tracking-wide text-slate-500 dark:border-slate-800 \
                   dark:bg-slate-900 dark:text-slate-400"
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
        return Either::Left(
            view! { <div role="columnheader">{col.title()}</div> },
        );
    };
    // This column's direction: the arrow, and its name for aria-sort.
    let direction = move || {
        let s = params.with(|p| p.sort);
        match (s.field == field, s.descending) {
            (true, false) => (" ▲", "ascending"),
            (true, true) => (" ▼", "descending"),
            _ => ("", "none"),
        }
    };
    let click = move |_| {
        let mut p = params.get_untracked();
        p.sort.descending = p.sort.field == field && !p.sort.descending;
        p.sort.field = field;
        go.run(p);
    };
    Either::Right(view! {
        <div role="columnheader" aria-sort=move || direction().1>
            <button
                type="button"
                class="uppercase tracking-wide hover:text-slate-900 \
                       dark:hover:text-slate-100"
                title=format!("Sort by {field}")
                on:click=click
            >
                {col.title()}
                {move || direction().0}
            </button>
        </div>
    })
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
