//! One table cell per column. Values that make sense as a filter are
//! buttons: a click adds `field:value` to the filter.

use leptos::prelude::*;

use super::columns::Column;
use super::{Navigate, ViewParams};
use crate::format;
use crate::query::add_term;
use crate::wire::{Flow, Nat, Tuple};

/// A value that narrows the filter when clicked.
#[component]
pub fn FilterValue(
    field: &'static str,
    value: String,
    #[prop(into)] text: String,
    params: Memo<ViewParams>,
    go: Navigate,
) -> impl IntoView {
    let click = move |ev: leptos::ev::MouseEvent| {
        ev.stop_propagation();
        let mut p = params.get_untracked();
        p.q = add_term(&p.q, field, &value);
        go.run(p);
    };
    view! {
        <button
            type="button"
            class="truncate rounded px-0.5 text-left hover:bg-sky-100 \
                   hover:text-sky-900 dark:hover:bg-sky-900 \
                   dark:hover:text-sky-100"
            title=format!("Add {field} to the filter")
            on:click=click
        >
            {text}
        </button>
    }
}

pub fn cell(
    col: Column,
    flow: &Flow,
    now: RwSignal<u64>,
    params: Memo<ViewParams>,
    go: Navigate,
) -> AnyView {
    let value = |field, value: String, text: String| {
        view! { <FilterValue field value text params go/> }.into_any()
    };
    match col {
        Column::Proto => {
            let p = flow.proto.to_string();
            value("proto", p.clone(), p)
        }
        Column::Orig => tuple(&flow.orig, "src", "dst", params, go),
        Column::Reply => {
            let mirror = flow.reply_is_mirror();
            view! {
                <span class:opacity-40=mirror class="flex min-w-0">
                    {tuple(&flow.reply, "host", "host", params, go)}
                </span>
            }
            .into_any()
        }
        Column::Nat => nat(flow, params, go),
        Column::State => match &flow.state {
            Some(s) => value("state", s.clone(), s.clone()),
            None => dash(),
        },
        Column::Flags => flags(flow, params, go),
        Column::Mark => {
            let text = match flow.zone {
                0 => format!("{:#x}", flow.mark),
                z => format!("{:#x} / z{z}", flow.mark),
            };
            value("mark", format!("{:#x}", flow.mark), text)
        }
        // Only these two follow the clock; the row around them stays put.
        Column::Age => {
            let started = flow.started_ms();
            ticking(move || {
                let age = now.get().saturating_sub(started) / 1000;
                format::duration_secs(age)
            })
        }
        Column::Timeout => {
            let (timeout, updated) = (flow.timeout, flow.updated_ms);
            ticking(move || {
                remaining_secs(timeout, updated, now.get())
                    .map_or_else(|| "—".to_owned(), format::duration_secs)
            })
        }
        Column::Traffic => match &flow.counters {
            Some(c) => text(format!(
                "{} / {}",
                format::bytes(c.bytes()),
                format::count(c.packets())
            )),
            None => dash(),
        },
    }
}

/// Seconds left before the entry expires, counted down since the kernel
/// last reported it.
pub fn remaining_secs(
    timeout: Option<u32>,
    updated_ms: u64,
    now_ms: u64,
) -> Option<u64> {
    let elapsed = now_ms.saturating_sub(updated_ms) / 1000;
    timeout.map(|t| u64::from(t).saturating_sub(elapsed))
}

fn tuple(
    t: &Tuple,
    src_field: &'static str,
    dst_field: &'static str,
    params: Memo<ViewParams>,
    go: Navigate,
) -> AnyView {
    let src = format::endpoint(t.src, t.sport);
    let dst = format::endpoint(t.dst, t.dport);
    let icmp = t.icmp_type.map(|ty| {
        format!(" type {ty} code {}", t.icmp_code.unwrap_or_default())
    });
    let title = format!("{src} → {dst}");
    view! {
        <span
            class="flex min-w-0 items-center gap-1 font-mono text-[0.78rem]"
            title=title
        >
            <FilterValue field=src_field value=t.src.to_string() text=src params go/>
            <span class="text-slate-400">"→"</span>
            <FilterValue field=dst_field value=t.dst.to_string() text=dst params go/>
            {icmp.map(|i| view! { <span class="text-slate-500">{i}</span> })}
        </span>
    }
    .into_any()
}

fn nat(flow: &Flow, params: Memo<ViewParams>, go: Navigate) -> AnyView {
    if flow.nat.is_empty() {
        return dash();
    }
    let (orig, reply) = (&flow.orig, &flow.reply);
    let words: Vec<String> =
        flow.nat.iter().map(|n| n.describe(orig, reply)).collect();
    let items = flow
        .nat
        .iter()
        .map(|n| {
            let color = match n {
                Nat::Dnat => "shrink-0 text-violet-700 dark:text-violet-300",
                Nat::Snat => "min-w-0 text-sky-700 dark:text-sky-300",
                Nat::SportRewrite => {
                    "shrink-0 text-amber-700 dark:text-amber-300"
                }
            };
            let text = n.short(orig, reply);
            view! {
                <span class=color>
                    <FilterValue field="nat" value=n.to_string() text params go/>
                </span>
            }
        })
        .collect_view();
    view! {
        <span class="flex min-w-0 gap-2 text-xs" title=words.join("; ")>
            {items}
        </span>
    }
    .into_any()
}

/// The status bits worth a glance in a row; the panel shows them all.
const ROW_FLAGS: [&str; 5] =
    ["assured", "nat-clash", "dying", "offload", "expected"];

fn flags(flow: &Flow, params: Memo<ViewParams>, go: Navigate) -> AnyView {
    let unreplied = !flow.status.iter().any(|s| s == "seen-reply");
    let shown = flow
        .status
        .iter()
        .filter(|s| ROW_FLAGS.contains(&s.as_str()))
        .map(|s| {
            view! {
                <FilterValue field="status" value=s.clone() text=s.clone() params go/>
            }
        })
        .collect_view();
    view! {
        <span class="flex min-w-0 gap-1 text-xs">
            {unreplied.then(|| view! {
                <span class="rounded bg-amber-100 px-1 text-amber-900 \
                             dark:bg-amber-900 dark:text-amber-100">
                    "unreplied"
                </span>
            })}
            {shown}
        </span>
    }
    .into_any()
}

fn ticking(s: impl Fn() -> String + Send + Sync + 'static) -> AnyView {
    view! { <span class="truncate tabular-nums">{s}</span> }.into_any()
}

fn text(s: String) -> AnyView {
    view! { <span class="truncate tabular-nums">{s}</span> }.into_any()
}

fn dash() -> AnyView {
    view! { <span class="text-slate-400">"—"</span> }.into_any()
}
