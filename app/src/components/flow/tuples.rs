//! The original and reply tuples side by side.

use leptos::prelude::*;

use super::fields::opt;
use crate::wire::Tuple;

/// Both tuples side by side; a reply field that is not the mirror of the
/// original is what NAT rewrote, and is highlighted.
#[component]
pub fn TupleTable(orig: Tuple, reply: Tuple) -> impl IntoView {
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
