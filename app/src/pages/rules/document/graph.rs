//! A table's chain graph as the server laid it out: boxes for chains
//! (base chains filled), arrows for jumps, dashed for gotos; a list of
//! the edges when the table has too many chains to draw.

use leptos::either::Either;
use leptos::prelude::*;

use super::table::anchor;
use crate::wire::ruleset::{Table, GRAPH_NODE_HEIGHT};

pub fn chain_graph(table: &Table) -> impl IntoView {
    let graph = &table.graph;
    if graph.edges.is_empty() {
        return None;
    }
    if graph.nodes.is_empty() {
        let edges = graph
            .edges
            .iter()
            .map(|e| {
                let word = if e.goto { "goto" } else { "jump" };
                view! {
                    <li class="font-mono">
                        {format!("{} → {} ({word}, {} rules)", e.from, e.to, e.rules)}
                    </li>
                }
            })
            .collect_view();
        return Some(Either::Left(view! {
            <ul class="columns-2 text-xs" data-testid="chain-edges">{edges}</ul>
        }));
    }
    let middle = GRAPH_NODE_HEIGHT / 2 + 4;
    let marker = format!("arrow-{}", anchor(table, ""));
    let arrow = format!("url(#{marker})");
    let nodes = graph
        .nodes
        .iter()
        .map(|n| {
            let fill = if n.base {
                "fill-sky-100 stroke-sky-600 dark:fill-sky-900"
            } else {
                "fill-white stroke-slate-400 dark:fill-slate-900"
            };
            view! {
                <a href=format!("#{}", anchor(table, &n.chain))>
                    <g data-node=n.chain.clone()>
                        <rect
                            x=n.x y=n.y width=n.width height=GRAPH_NODE_HEIGHT rx="4"
                            class=fill
                        />
                        <text
                            x=n.x + n.width / 2 y=n.y + middle
                            text-anchor="middle"
                            class="fill-slate-800 font-mono text-xs dark:fill-slate-100"
                        >
                            {n.chain.clone()}
                        </text>
                    </g>
                </a>
            }
        })
        .collect_view();
    let edges = graph
        .edges
        .iter()
        .map(|e| {
            view! {
                <path
                    d=e.path.clone()
                    fill="none"
                    marker-end=arrow.clone()
                    stroke-dasharray=e.goto.then_some("4 3")
                    class="stroke-slate-500"
                >
                    <title>{format!("{} → {}: {} rules", e.from, e.to, e.rules)}</title>
                </path>
            }
        })
        .collect_view();
    Some(Either::Right(view! {
            <div class="overflow-x-auto">
                <svg
                    data-testid="chain-graph"
                    width=graph.width
                    height=graph.height
                    viewBox=format!("0 0 {} {}", graph.width, graph.height)
                >
                    <defs>
                        <marker
                            id=marker viewBox="0 0 8 8" refX="8" refY="4"
                            markerWidth="8" markerHeight="8" orient="auto"
                        >
                            <path d="M0 0L8 4L0 8z" class="fill-slate-500"/>
                        </marker>
                    </defs>
                    {edges}
                    {nodes}
                </svg>
            </div>
    }))
}
