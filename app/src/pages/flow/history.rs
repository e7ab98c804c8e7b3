//! What the flow page shows beyond the live fields, rendered on the
//! server only (the browser sets it as it came): the flow's way through
//! NAT, drawn from its tuples, and the moments of its life from the
//! history.

use leptos::either::Either;
use leptos::prelude::*;

use crate::format::{count, utc_ms};
use crate::wire::history::{FlowRecord, Moment, MomentKind};
use crate::wire::{nat_endpoint, Flow};

/// The section's HTML for `record`.
pub fn html(record: &FlowRecord) -> String {
    Owner::new().with(|| section(record).to_html())
}

fn section(record: &FlowRecord) -> impl IntoView {
    let moments = record.timeline.iter().map(moment).collect_view();
    let timeline = if record.timeline.is_empty() {
        Either::Left(view! {
            <p class="text-sm text-slate-500">
                "The history has no moment of this flow yet."
            </p>
        })
    } else {
        Either::Right(view! {
            <ol data-timeline class="space-y-1 text-sm">{moments}</ol>
        })
    };
    view! {
        <section data-history class="mt-6">
            <h2 class="mb-2 font-semibold">"Path"</h2>
            {path(&record.flow)}
            <h2 class="mb-2 mt-6 font-semibold">"Timeline"</h2>
            {timeline}
        </section>
    }
}

/// The client, what it addressed, the NAT box if any, and who answered
/// to whom: the parts NAT rewrote are marked.
fn path(f: &Flow) -> impl IntoView {
    let (o, r) = (&f.orig, &f.reply);
    let dnat = r.src != o.dst || r.sport != o.dport;
    let snat = r.dst != o.src || r.dport != o.sport;
    let client = endpoint("client", nat_endpoint(o.src, o.sport), false);
    let asked = endpoint("addressed", nat_endpoint(o.dst, o.dport), false);
    let server = endpoint("server", nat_endpoint(r.src, r.sport), dnat);
    let seen_as = endpoint("server sees", nat_endpoint(r.dst, r.dport), snat);
    let nat = (dnat || snat).then(|| {
        let what = match (dnat, snat) {
            (true, true) => "DNAT + SNAT",
            (true, false) => "DNAT",
            _ => "SNAT",
        };
        view! {
            <li data-nat class="rounded border border-amber-500 px-2 py-1 \
                                text-amber-700 dark:text-amber-300">
                {what}
            </li>
        }
    });
    view! {
        <ol data-path class="flex flex-wrap items-center gap-2 font-mono \
                             text-sm">
            {client}
            <li aria-hidden="true">"→"</li>
            {asked}
            {nat.map(|n| view! { <li aria-hidden="true">"→"</li> {n} })}
            <li aria-hidden="true">"→"</li>
            {seen_as}
            <li aria-hidden="true">"→"</li>
            {server}
        </ol>
    }
}

fn endpoint(role: &'static str, at: String, rewritten: bool) -> impl IntoView {
    let class = if rewritten {
        "rounded bg-amber-100 px-2 py-1 dark:bg-amber-900"
    } else {
        "rounded bg-slate-100 px-2 py-1 dark:bg-slate-800"
    };
    view! {
        <li class=class title=rewritten.then_some("rewritten by NAT")
            data-rewritten=rewritten.then_some("")>
            <span class="block font-sans text-xs text-slate-500">{role}</span>
            {at}
        </li>
    }
}

fn moment(m: &Moment) -> impl IntoView {
    let what = match m.kind {
        MomentKind::New => "born",
        MomentKind::Seen => "seen in a dump",
        MomentKind::Change => "changed",
        MomentKind::End => "ended",
    };
    let state = m.state.as_deref().unwrap_or("").to_owned();
    let status = m.status.join(", ");
    let counters = m.counters.map(|c| {
        format!(
            "{} packets, {} bytes",
            count(c.packets()),
            count(c.orig.bytes + c.reply.bytes)
        )
    });
    view! {
        <li data-moment=m.kind.name() class="flex flex-wrap gap-x-3">
            <time class="font-mono text-xs text-slate-500">{utc_ms(m.at_ms)}</time>
            <span class="font-medium">{what}</span>
            <span>{state}</span>
            <span class="text-slate-500">{status}</span>
            {counters.map(|c| view! { <span>{c}</span> })}
        </li>
    }
}
