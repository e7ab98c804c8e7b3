//! The kiosk: a full-screen, read-only dashboard for a wall screen. Big
//! live numbers on top, and below one of a rotating set of lists.
//!
//! It is a document of its own, rendered on the server only, with no
//! script at all: the browser reloads it every few seconds, asking for
//! the next list. So it has nothing to hydrate (no weight in the app's
//! wasm), no control to touch, and nothing that can grow in the browser
//! over days.

use leptos::prelude::*;

use crate::format::{bytes, count, utc_ms};
use crate::wire::kiosk::{Kiosk, Service, Talker};

/// The lists, in the order they rotate.
pub const PANELS: usize = 3;

/// How the kiosk reloads: every `every_secs`, the next list every
/// `per_panel` reloads; `tick` counts reloads.
#[derive(Clone, Copy, Debug)]
pub struct Rotation {
    pub tick: u64,
    pub every_secs: u64,
    pub per_panel: u64,
}

impl Rotation {
    fn panel(self) -> usize {
        (self.tick / self.per_panel.max(1) % PANELS as u64) as usize
    }

    fn next(self) -> String {
        format!(
            "{};url=/kiosk?tick={}&every={}",
            self.every_secs,
            self.tick + 1,
            self.every_secs
        )
    }
}

/// The whole document.
pub fn document(k: &Kiosk, rotation: Rotation) -> String {
    let body = Owner::new().with(|| page(k, rotation).to_html());
    format!(
        "<!DOCTYPE html><html lang=\"en\" class=\"dark\"><head>\
         <meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"{}\">\
         <title>nfscope kiosk</title>\
         <link rel=\"icon\" href=\"/pkg/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/nfscope.css\">\
         </head>{body}</html>",
        rotation.next()
    )
}

fn page(k: &Kiosk, rotation: Rotation) -> impl IntoView {
    let max = k.max_flows.map(|m| format!("of {}", count(m)));
    let invalid = k.invalid_per_sec.map_or_else(|| "…".to_owned(), rate);
    let panel = match rotation.panel() {
        0 => talkers(&k.talkers).into_any(),
        1 => services(&k.services).into_any(),
        _ => rules(k).into_any(),
    };
    view! {
        <body data-kiosk data-tick=rotation.tick.to_string()
              class="h-dvh overflow-hidden bg-slate-950 p-8 text-slate-100 antialiased">
            <div class="flex h-full flex-col gap-8">
                <header class="flex items-baseline gap-4">
                    <span class="inline-block h-4 w-4 rounded-full bg-sky-500"></span>
                    <span class="text-2xl font-semibold tracking-tight">"nfscope"</span>
                    <time data-at class="ml-auto font-mono text-lg text-slate-500">
                        {utc_ms(k.at_ms)}
                    </time>
                </header>
                <section class="grid grid-cols-5 gap-6">
                    {number("flows", count(k.flows as u64), max, "text-slate-100")}
                    {number("new / s", rate(k.new_per_sec), None, "text-sky-400")}
                    {number("NAT", count(k.nat as u64), None, "text-amber-300")}
                    {number("INVALID / s", invalid, None, alarm(k.invalid_per_sec.unwrap_or(0.0) > 0.0))}
                    {number("lost events", count(k.lost_events), None, alarm(k.lost_events > 0))}
                </section>
                <section data-panel=rotation.panel().to_string() class="min-h-0 flex-1">
                    {panel}
                </section>
            </div>
        </body>
    }
}

fn alarm(bad: bool) -> &'static str {
    if bad {
        "text-rose-400"
    } else {
        "text-emerald-400"
    }
}

fn number(
    name: &'static str,
    value: String,
    under: Option<String>,
    color: &'static str,
) -> impl IntoView {
    view! {
        <div data-number=name class="rounded-xl bg-slate-900 p-6">
            <div class="text-lg uppercase tracking-wide text-slate-400">{name}</div>
            <div class=format!("text-6xl font-semibold tabular-nums {color}")>{value}</div>
            <div class="text-slate-500">{under}</div>
        </div>
    }
}

fn list<T>(
    title: &'static str,
    heads: [&'static str; 3],
    rows: &[T],
    cells: impl Fn(&T) -> [String; 3],
) -> impl IntoView {
    let empty = rows.is_empty().then(|| {
        view! { <p class="text-2xl text-slate-500">"Nothing yet."</p> }
    });
    let rows = rows
        .iter()
        .map(|row| {
            let [a, b, c] = cells(row);
            view! {
                <tr class="border-t border-slate-800">
                    <td class="py-2 font-mono">{a}</td>
                    <td class="py-2 font-mono">{b}</td>
                    <td class="py-2 text-right tabular-nums">{c}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2 class="mb-4 text-3xl font-semibold">{title}</h2>
        <table class="w-full text-2xl">
            <thead class="text-left text-lg uppercase text-slate-400">
                <tr>
                    <th class="pb-2">{heads[0]}</th>
                    <th class="pb-2">{heads[1]}</th>
                    <th class="pb-2 text-right">{heads[2]}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
    }
}

fn talkers(talkers: &[Talker]) -> impl IntoView {
    list(
        "Top talkers",
        ["source", "traffic", "flows"],
        talkers,
        |t| {
            let traffic = t.bytes.map(bytes).unwrap_or_default();
            [t.addr.clone(), traffic, count(t.flows as u64)]
        },
    )
}

fn services(services: &[Service]) -> impl IntoView {
    list(
        "Published through DNAT",
        ["addressed", "answered by", "flows"],
        services,
        |s| {
            [
                format!("{} {}", s.proto, s.addressed),
                s.server.clone(),
                count(s.flows as u64),
            ]
        },
    )
}

fn rules(k: &Kiosk) -> impl IntoView {
    list(
        "Busiest rules",
        ["chain", "rule", "packets / s"],
        &k.rules,
        |r| [r.chain.clone(), r.text.clone(), rate(r.packets_per_sec)],
    )
}

/// A rate as people read it on a wall: whole numbers, one decimal below
/// ten.
fn rate(per_sec: f64) -> String {
    if per_sec < 10.0 {
        format!("{per_sec:.1}")
    } else {
        count(per_sec.round() as u64)
    }
}
