//! Every decoded field of one flow, in words.

use std::sync::Arc;

use leptos::prelude::*;

use super::tuples::TupleTable;
use crate::format;
use crate::live::remaining_secs;
use crate::wire::Flow;

#[component]
pub fn Fields(
    flow: Arc<Flow>,
    gone: bool,
    now: RwSignal<u64>,
) -> impl IntoView {
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
            <Field name="Zone" value=zone(&f)/>
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
            {(!f.undecoded.is_empty()).then(|| {
                let kinds: Vec<String> =
                    f.undecoded.iter().map(u16::to_string).collect();
                view! {
                    <Field
                        name="Not decoded"
                        value=format!("attributes {}", kinds.join(", "))
                    />
                }
            })}
        </dl>
    }
}

/// The zone of both directions, or of each where they differ.
fn zone(f: &Flow) -> String {
    match (f.orig.zone, f.reply.zone) {
        (None, None) => f.zone.to_string(),
        (orig, reply) => format!(
            "original {} · reply {}",
            orig.unwrap_or_default(),
            reply.unwrap_or_default()
        ),
    }
}

pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

#[component]
fn Field(name: &'static str, value: String) -> impl IntoView {
    view! {
        <dt class="text-slate-500">{name}</dt>
        <dd class="break-words">{value}</dd>
    }
}
