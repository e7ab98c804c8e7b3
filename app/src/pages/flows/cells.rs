//! One table cell per column. A cell is a few pieces of text; pieces that
//! make sense as a filter are buttons, and a click adds `field:value` to
//! the filter. Every cell renders through the same few view types: each
//! distinct view type costs the browser's wasm code of its own.

use leptos::either::Either;
use leptos::prelude::*;

use super::columns::Column;
use crate::format;
use crate::live::remaining_secs;
use crate::wire::{Flow, Nat, Tuple};

const FILTER_CLASS: &str = "truncate rounded px-0.5 text-left \
                            hover:bg-sky-100 hover:text-sky-900 \
                            dark:hover:bg-sky-900 dark:hover:text-sky-100";
const TUPLE_CLASS: &str =
    "flex min-w-0 items-center gap-1 font-mono text-[0.78rem]";
const NUMBER_CLASS: &str = "truncate tabular-nums";

/// One piece of a cell.
struct Piece {
    text: String,
    class: &'static str,
    /// What a click adds to the filter: `field` and `value`. The table
    /// handles the clicks of all of them, from `data-field` and
    /// `data-value`: one listener, not one per button of every row.
    filter: Option<(&'static str, String)>,
}

impl Piece {
    fn text(text: impl Into<String>, class: &'static str) -> Self {
        Self {
            text: text.into(),
            class,
            filter: None,
        }
    }

    fn filter(field: &'static str, value: String, text: String) -> Self {
        Self {
            filter: Some((field, value)),
            ..Self::text(text, "")
        }
    }

    fn colored(self, class: &'static str) -> Self {
        Self { class, ..self }
    }

    fn dash() -> Self {
        Self::text("—", "text-slate-400")
    }

    fn view(self) -> impl IntoView {
        let Piece {
            text,
            class,
            filter,
        } = self;
        match filter {
            Some((field, value)) => Either::Left(view! {
                <button
                    type="button"
                    class=format!("{FILTER_CLASS} {class}")
                    title=format!("Add {field} to the filter")
                    data-field=field
                    data-value=value
                >
                    {text}
                </button>
            }),
            None => Either::Right(view! { <span class=class>{text}</span> }),
        }
    }
}

/// A cell's pieces, with the class and title of the span around them.
struct Pieces {
    class: &'static str,
    title: Option<String>,
    pieces: Vec<Piece>,
}

impl Pieces {
    fn one(piece: Piece) -> Self {
        Self {
            class: "flex min-w-0",
            title: None,
            pieces: vec![piece],
        }
    }
}

pub fn cell(col: Column, flow: &Flow, now: RwSignal<u64>) -> impl IntoView {
    let Some(Pieces {
        class,
        title,
        pieces,
    }) = pieces(col, flow)
    else {
        return Either::Left(ticking(col, flow, now));
    };
    Either::Right(view! {
        <span class=class title=title>
            {pieces.into_iter().map(Piece::view).collect_view()}
        </span>
    })
}

/// Age and timeout follow the clock; the row around them stays put.
fn ticking(col: Column, flow: &Flow, now: RwSignal<u64>) -> impl IntoView {
    let (started, timeout, updated) =
        (flow.started_ms(), flow.timeout, flow.updated_ms);
    let age = col == Column::Age;
    let text = move || {
        let now = now.get();
        if age {
            format::duration_secs(now.saturating_sub(started) / 1000)
        } else {
            remaining_secs(timeout, updated, now)
                .map_or_else(|| "—".to_owned(), format::duration_secs)
        }
    };
    view! { <span class=NUMBER_CLASS>{text}</span> }
}

/// The pieces of a cell that stays put; `None` for those that follow the
/// clock.
fn pieces(col: Column, flow: &Flow) -> Option<Pieces> {
    let pieces = match col {
        Column::Proto => {
            let p = flow.proto.to_string();
            Pieces::one(Piece::filter("proto", p.clone(), p))
        }
        Column::Orig => tuple(&flow.orig, "src", "dst", TUPLE_CLASS),
        Column::Reply => {
            let class = if flow.reply_is_mirror() {
                "flex min-w-0 items-center gap-1 font-mono text-[0.78rem] \
                 opacity-40"
            } else {
                TUPLE_CLASS
            };
            tuple(&flow.reply, "host", "host", class)
        }
        Column::Nat => nat(flow),
        Column::State => Pieces::one(match &flow.state {
            Some(s) => Piece::filter("state", s.to_string(), s.to_string()),
            None => Piece::dash(),
        }),
        Column::Flags => flags(flow),
        Column::Mark => {
            let text = match flow.zone {
                0 => format!("{:#x}", flow.mark),
                z => format!("{:#x} / z{z}", flow.mark),
            };
            Pieces::one(Piece::filter(
                "mark",
                format!("{:#x}", flow.mark),
                text,
            ))
        }
        Column::Traffic => Pieces::one(match &flow.counters {
            Some(c) => Piece::text(
                format!(
                    "{} / {}",
                    format::bytes(c.bytes()),
                    format::count(c.packets())
                ),
                NUMBER_CLASS,
            ),
            None => Piece::dash(),
        }),
        Column::Age | Column::Timeout => return None,
    };
    Some(pieces)
}

/// Seconds left before the entry expires, counted down since the kernel
/// last reported it.
fn tuple(
    t: &Tuple,
    src_field: &'static str,
    dst_field: &'static str,
    class: &'static str,
) -> Pieces {
    let src = format::endpoint(t.src, t.sport);
    let dst = format::endpoint(t.dst, t.dport);
    let title = format!("{src} → {dst}");
    let mut pieces = vec![
        Piece::filter(src_field, t.src.to_string(), src),
        Piece::text("→", "text-slate-400"),
        Piece::filter(dst_field, t.dst.to_string(), dst),
    ];
    if let Some(ty) = t.icmp_type {
        let code = t.icmp_code.unwrap_or_default();
        pieces.push(Piece::text(
            format!(" type {ty} code {code}"),
            "text-slate-500",
        ));
    }
    Pieces {
        class,
        title: Some(title),
        pieces,
    }
}

fn nat(flow: &Flow) -> Pieces {
    if flow.nat.is_empty() {
        return Pieces::one(Piece::dash());
    }
    let (orig, reply) = (&flow.orig, &flow.reply);
    let words: Vec<String> =
        flow.nat.iter().map(|n| n.describe(orig, reply)).collect();
    let pieces = flow
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
            Piece::filter("nat", n.to_string(), n.short(orig, reply))
                .colored(color)
        })
        .collect();
    Pieces {
        class: "flex min-w-0 gap-2 text-xs",
        title: Some(words.join("; ")),
        pieces,
    }
}

/// The status bits worth a glance in a row; the panel shows them all.
const ROW_FLAGS: [&str; 5] =
    ["assured", "nat-clash", "dying", "offload", "expected"];

fn flags(flow: &Flow) -> Pieces {
    let unreplied = !flow.status.iter().any(|s| s == "seen-reply");
    let badge = unreplied.then(|| {
        Piece::text(
            "unreplied",
            "rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-900 \
             dark:text-amber-100",
        )
    });
    let shown = flow
        .status
        .iter()
        .filter(|s| ROW_FLAGS.contains(&s.as_ref()))
        .map(|s| Piece::filter("status", s.to_string(), s.to_string()));
    Pieces {
        class: "flex min-w-0 gap-1 text-xs",
        title: None,
        pieces: badge.into_iter().chain(shown).collect(),
    }
}
