//! Live counts in the header: entries, events/s, lost events, resyncs.

use leptos::prelude::*;

use crate::format;
use crate::live::{HeaderState, Link};

#[component]
pub fn StatusBar(health: HeaderState) -> impl IntoView {
    let s = health.status;
    let lost = move || s.with(|s| s.enobufs());
    view! {
        <dl class="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs tabular-nums">
            <Count label="entries" value=move || format::count(s.with(|s| s.entries as u64))/>
            <Count
                label="events/s"
                value=move || format::count(s.with(|s| s.events_per_sec().round() as u64))
            />
            <div
                class=move || {
                    if lost() > 0 {
                        "flex items-baseline gap-1 text-red-600 dark:text-red-400"
                    } else {
                        "flex items-baseline gap-1"
                    }
                }
                title="times the kernel dropped events (ENOBUFS)"
            >
                <dt class="text-slate-500 dark:text-slate-400">"lost"</dt>
                <dd data-testid="enobufs" class="font-semibold">{move || lost().to_string()}</dd>
            </div>
            <Count label="resyncs" value=move || s.with(|s| s.resyncs().to_string())/>
            <LinkDot link=health.link/>
        </dl>
    }
}

#[component]
fn Count(
    label: &'static str,
    value: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="flex items-baseline gap-1">
            <dt class="text-slate-500 dark:text-slate-400">{label}</dt>
            <dd data-testid=label class="font-semibold">{value}</dd>
        </div>
    }
}

#[component]
fn LinkDot(link: RwSignal<Link>) -> impl IntoView {
    let color = move || match link.get() {
        Link::Live => "bg-emerald-500",
        Link::Connecting => "bg-slate-400",
        Link::Down(_) => "bg-red-500",
    };
    view! {
        <div
            class="flex items-center gap-1.5"
            data-testid="link"
            data-state=move || link.with(Link::state)
        >
            <span class=move || format!("inline-block h-2 w-2 rounded-full {}", color())></span>
            <span class="text-slate-500 dark:text-slate-400">{move || link.with(Link::describe)}</span>
        </div>
    }
}
