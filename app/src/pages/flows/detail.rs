//! The panel that shows every decoded field of one flow, live, and what
//! was last known of it once the flow is gone.

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;

use super::cells::remaining_secs;
use super::{Navigate, ViewParams};
use crate::format;
use crate::live::LiveTable;
use crate::wire::{Flow, FlowKey, Tuple};

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
    let live = move || table.with(|t| t.get(&key));
    Effect::new(move |_| {
        if let Some(f) = live() {
            ended.set(Some(f));
        }
    });
    let shown = move || live().or_else(|| ended.get().filter(|f| f.key == key));
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
                    <a
                        class="break-all font-mono text-xs text-sky-700 underline \
                               dark:text-sky-400"
                        href=move || params.with(|p| p.href())
                        title="Permalink to this flow"
                    >
                        {key.to_string()}
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
            {move || match shown() {
                Some(flow) => {
                    let gone = live().is_none();
                    Either::Left(view! { <Fields flow gone now/> })
                }
                None => Either::Right(view! {
                    <p class="text-sm text-slate-500">
                        "This flow is not in the table: it ended before this \
                         page saw it."
                    </p>
                }),
            }}
        </aside>
    }
}

#[component]
fn Fields(flow: Arc<Flow>, gone: bool, now: RwSignal<u64>) -> impl IntoView {
    let f = flow;
    let nat: Vec<String> = f
        .nat
        .iter()
        .map(|n| n.describe(&f.orig, &f.reply))
        .collect();
    let counters = f.counters.map(|c| {
        format!(
            "original {} / {} pkts · reply {} / {} pkts",
            format::bytes(c.orig.bytes),
            c.orig.packets,
            format::bytes(c.reply.bytes),
            c.reply.packets
        )
    });
    let updated = f.updated_ms;
    let timeout = f.timeout;
    view! {
        {gone.then(|| view! {
            <p role="status" class="mb-3 rounded-md bg-slate-100 px-3 py-2 \
                                    text-sm dark:bg-slate-800">
                "This flow has ended; this is what was last known of it."
            </p>
        })}
        <TupleTable orig=f.orig.clone() reply=f.reply.clone()/>
        <dl class="mt-4 grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1.5 text-sm">
            <Field name="Protocol" value=f.proto.to_string()/>
            <Field name="NAT" value=if nat.is_empty() {
                "none".to_owned()
            } else {
                nat.join("; ")
            }/>
            <Field name="State" value=opt(f.state.as_deref())/>
            <Field name="Status" value=f.status.join(", ")/>
            <Field name="TCP flags" value=if f.flags.is_empty() {
                "—".to_owned()
            } else {
                f.flags.join(", ")
            }/>
            <dt class="text-slate-500">"Timeout"</dt>
            <dd class="tabular-nums">{move || {
                remaining_secs(timeout, updated, now.get())
                    .map_or_else(|| "—".to_owned(), |s| format!("{s} s"))
            }}</dd>
            <Field name="Mark" value=format!("{:#x} ({})", f.mark, f.mark)/>
            <Field name="Zone" value=f.zone.to_string()/>
            <Field name="Conntrack id" value=f.id.to_string()/>
            <Field name="Use count" value=opt(f.use_count)/>
            <Field name="Counters" value=counters.unwrap_or_else(|| {
                "off (net.netfilter.nf_conntrack_acct=0)".to_owned()
            })/>
            <Field name="Started" value=f.start_ns.map_or_else(
                || format!("first seen {}", format::utc_ms(f.first_seen_ms)),
                |ns| format::utc_ms(ns / 1_000_000),
            )/>
            <Field name="Stopped" value=f.stop_ns.map_or_else(
                || "—".to_owned(),
                |ns| format::utc_ms(ns / 1_000_000),
            )/>
            <dt class="text-slate-500">"Last update"</dt>
            <dd class="tabular-nums">{move || {
                format!(
                    "{} ago",
                    format::duration_secs(now.get().saturating_sub(updated) / 1000)
                )
            }}</dd>
            <Field name="Labels" value=if f.labels.is_empty() {
                "—".to_owned()
            } else {
                f.labels.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
            }/>
            <Field name="Helper" value=f.helper.clone().unwrap_or_else(|| "—".into())/>
            <Field name="Security context" value=f.secctx.clone().unwrap_or_else(|| "—".into())/>
            <Field name="Secmark" value=opt(f.secmark)/>
            <Field name="Master" value=f.master.as_ref().map_or_else(
                || "—".to_owned(),
                |m| format!(
                    "{} → {}",
                    format::endpoint(m.src, m.sport),
                    format::endpoint(m.dst, m.dport)
                ),
            )/>
        </dl>
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

#[component]
fn Field(name: &'static str, value: String) -> impl IntoView {
    view! {
        <dt class="text-slate-500">{name}</dt>
        <dd class="break-words">{value}</dd>
    }
}

/// Both tuples side by side; a reply field that is not the mirror of the
/// original is what NAT rewrote, and is highlighted.
#[component]
fn TupleTable(orig: Tuple, reply: Tuple) -> impl IntoView {
    let port = |p: Option<u16>| opt(p);
    let rows = [
        (
            "src",
            orig.src.to_string(),
            reply.src.to_string(),
            reply.src != orig.dst,
        ),
        (
            "sport",
            port(orig.sport),
            port(reply.sport),
            reply.sport != orig.dport,
        ),
        (
            "dst",
            orig.dst.to_string(),
            reply.dst.to_string(),
            reply.dst != orig.src,
        ),
        (
            "dport",
            port(orig.dport),
            port(reply.dport),
            reply.dport != orig.sport,
        ),
    ];
    view! {
        <table class="w-full table-fixed text-sm">
            <thead>
                <tr class="text-left text-xs uppercase tracking-wide text-slate-500">
                    <th class="w-16"></th>
                    <th>"Original"</th>
                    <th>"Reply"</th>
                </tr>
            </thead>
            <tbody class="font-mono">
                {rows.into_iter().map(|(name, o, r, rewritten)| view! {
                    <tr>
                        <td class="text-xs text-slate-500">{name}</td>
                        <td class="break-all">{o}</td>
                        <td
                            class={
                                if rewritten {
                                    "break-all bg-amber-100 dark:bg-amber-900"
                                } else {
                                    "break-all"
                                }
                            }
                            title=rewritten.then_some("rewritten by NAT")
                        >
                            {r}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
