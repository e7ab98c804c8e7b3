//! A table's chains laid out as a layered drawing, left to right: the
//! base chains and the chains nothing jumps to first, every other chain
//! one layer right of the furthest chain that jumps to it. The browser
//! only draws what this places.

use std::collections::{BTreeMap, HashMap};

use app::wire::ruleset::{ChainGraph, GraphEdge, GraphNode, GRAPH_NODE_HEIGHT};

use crate::collect::nftables::expr::{
    Data, Expr, Immediate, Lookup, VerdictAttr, VerdictCode,
};
use crate::collect::nftables::ruleset::{Rule, Set, TableContents};

/// Beyond this many chains a drawing is no longer readable; the page
/// lists the edges instead.
const MAX_NODES: usize = 100;
const CHAR_WIDTH: f32 = 7.2;
const NODE_PADDING: u32 = 16;
const COLUMN_GAP: u32 = 72;
const ROW_GAP: u32 = 14;
const MARGIN: u32 = 4;
/// Rounds of reordering each layer by where its neighbours sit.
const SWEEPS: usize = 4;

pub fn graph(t: &TableContents) -> ChainGraph {
    let names: Vec<&str> =
        t.chains.iter().map(|c| c.chain.name.as_str()).collect();
    let edges = edges(t, &names);
    if edges.is_empty() {
        return ChainGraph::default();
    }
    let mut graph = ChainGraph {
        edges: edges
            .iter()
            .map(|(&(from, to, goto), &rules)| GraphEdge {
                from: names[from].to_owned(),
                to: names[to].to_owned(),
                goto,
                rules,
                path: String::new(),
            })
            .collect(),
        ..ChainGraph::default()
    };
    if names.len() > MAX_NODES {
        return graph;
    }
    let links: Vec<(usize, usize)> =
        edges.keys().map(|&(from, to, _)| (from, to)).collect();
    let layers = order(&layers(names.len(), &links), &links);
    let boxes = place(t, &names, &layers);
    for (edge, &(from, to)) in graph.edges.iter_mut().zip(&links) {
        edge.path = path(&boxes[from], &boxes[to]);
    }
    graph.width =
        boxes.iter().map(|b| b.x + b.width).max().unwrap_or(0) + MARGIN;
    graph.height = boxes
        .iter()
        .map(|b| b.y + GRAPH_NODE_HEIGHT)
        .max()
        .unwrap_or(0)
        + MARGIN;
    graph.nodes = boxes;
    graph
}

/// Jumps and gotos by (from, to, goto), each with how many rules make
/// it: an immediate verdict, or a verdict map's elements.
fn edges(
    t: &TableContents,
    names: &[&str],
) -> BTreeMap<(usize, usize, bool), u32> {
    // kube-proxy makes thousands of chains: look names up, not through.
    let by_name: HashMap<&str, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let index = |name: &str| by_name.get(name).copied();
    let mut edges = BTreeMap::new();
    for (from, c) in t.chains.iter().enumerate() {
        for rule in &c.rules {
            let mut targets: Vec<(usize, bool)> = verdicts(rule, &t.sets)
                .filter_map(|(chain, goto)| Some((index(chain)?, goto)))
                .collect();
            targets.sort_unstable();
            targets.dedup();
            for (to, goto) in targets {
                *edges.entry((from, to, goto)).or_insert(0) += 1;
            }
        }
    }
    edges
}

/// The chains a rule sends packets to, and whether by `goto`.
fn verdicts<'a>(
    rule: &'a Rule,
    sets: &'a [Set],
) -> impl Iterator<Item = (&'a str, bool)> + 'a {
    rule.exprs.iter().flat_map(move |e| {
        let found: Vec<&[VerdictAttr]> = match e {
            Expr::Immediate(attrs) => attrs
                .iter()
                .filter_map(|a| match a {
                    Immediate::Data(Data::Verdict(v)) => Some(v.as_slice()),
                    _ => None,
                })
                .collect(),
            Expr::Lookup(attrs) => attrs
                .iter()
                .filter_map(|a| match a {
                    Lookup::Set(name) => sets.iter().find(|s| s.name == *name),
                    _ => None,
                })
                .flat_map(|s| &s.elements)
                .filter_map(|el| match &el.data {
                    Some(Data::Verdict(v)) => Some(v.as_slice()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        found.into_iter().filter_map(target)
    })
}

fn target(verdict: &[VerdictAttr]) -> Option<(&str, bool)> {
    let goto = verdict.iter().find_map(|a| match a {
        VerdictAttr::Code(VerdictCode::Jump) => Some(false),
        VerdictAttr::Code(VerdictCode::Goto) => Some(true),
        _ => None,
    })?;
    verdict.iter().find_map(|a| match a {
        VerdictAttr::Chain(name) => Some((name.as_str(), goto)),
        _ => None,
    })
}

/// Each chain's layer: the longest path to it from a chain nothing
/// jumps to. The kernel refuses loops; should one come anyway, what
/// sits on it stays in the first layer.
fn layers(n: usize, links: &[(usize, usize)]) -> Vec<usize> {
    let mut incoming = vec![0usize; n];
    for &(_, to) in links {
        incoming[to] += 1;
    }
    let mut layer = vec![0; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| incoming[i] == 0).collect();
    while let Some(from) = ready.pop() {
        for &(_, to) in links.iter().filter(|(f, _)| *f == from) {
            layer[to] = layer[to].max(layer[from] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.push(to);
            }
        }
    }
    layer
}

/// The chains of each layer, top to bottom: first in the kernel's
/// order, then each layer sorted by the mean row of its neighbours in
/// the layer before (and, sweeping back, after), which uncrosses most
/// edges of a firewall's tree of chains.
fn order(layer: &[usize], links: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let depth = layer.iter().max().map_or(0, |d| d + 1);
    let mut layers = vec![Vec::new(); depth];
    for (chain, &l) in layer.iter().enumerate() {
        layers[l].push(chain);
    }
    let mut row = vec![0f32; layer.len()];
    let mut settle = |layers: &mut Vec<Vec<usize>>, l: usize, forward: bool| {
        for (i, &c) in layers[l].iter().enumerate() {
            row[c] = i as f32;
        }
        let next = if forward { l + 1 } else { l.wrapping_sub(1) };
        let Some(chains) = layers.get_mut(next) else {
            return;
        };
        let key = |c: usize| {
            let near: Vec<f32> = links
                .iter()
                .filter_map(|&(f, t)| match forward {
                    true if t == c && layer[f] < layer[c] => Some(row[f]),
                    false if f == c && layer[t] > layer[c] => Some(row[t]),
                    _ => None,
                })
                .collect();
            if near.is_empty() {
                f32::MAX
            } else {
                near.iter().sum::<f32>() / near.len() as f32
            }
        };
        chains.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    };
    for _ in 0..SWEEPS {
        for l in 0..depth {
            settle(&mut layers, l, true);
        }
        for l in (0..depth).rev() {
            settle(&mut layers, l, false);
        }
    }
    layers
}

/// Boxes by chain index: layers as columns as wide as their widest
/// name, chains as rows.
fn place(
    t: &TableContents,
    names: &[&str],
    layers: &[Vec<usize>],
) -> Vec<GraphNode> {
    let width = |name: &str| {
        (name.chars().count() as f32 * CHAR_WIDTH).ceil() as u32 + NODE_PADDING
    };
    let mut boxes = vec![GraphNode::default(); names.len()];
    let mut x = MARGIN;
    for chains in layers {
        let column = chains.iter().map(|&c| width(names[c])).max().unwrap_or(0);
        for (row, &c) in chains.iter().enumerate() {
            boxes[c] = GraphNode {
                chain: names[c].to_owned(),
                base: t.chains[c].chain.hook.is_some(),
                x,
                y: MARGIN + row as u32 * (GRAPH_NODE_HEIGHT + ROW_GAP),
                width: width(names[c]),
            };
        }
        x += column + COLUMN_GAP;
    }
    boxes
}

/// A curve from the right edge of `from` to the left edge of `to`.
fn path(from: &GraphNode, to: &GraphNode) -> String {
    let middle = GRAPH_NODE_HEIGHT as f32 / 2.0;
    let (x1, y1) = ((from.x + from.width) as f32, from.y as f32 + middle);
    let (x2, y2) = (to.x as f32, to.y as f32 + middle);
    let bend = ((x2 - x1).abs() / 2.0).max(COLUMN_GAP as f32 / 2.0);
    format!("M{x1} {y1}C{} {y1} {} {y2} {x2} {y2}", x1 + bend, x2 - bend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_sits_right_of_the_furthest_chain_that_jumps_to_it() {
        // 0 → 1 → 2, and 0 → 2: 2 is two layers in, not one.
        let links = [(0, 1), (1, 2), (0, 2), (3, 2)];
        assert_eq!(layers(4, &links), [0, 1, 2, 0]);
    }

    /// A table of `n` chains: the first a base chain jumping to every
    /// other.
    fn fan_out(n: usize) -> TableContents {
        use crate::collect::nftables::ruleset::{Chain, ChainContents, Hook};
        let jump = |to: &str| Rule {
            exprs: vec![Expr::Immediate(vec![Immediate::Data(Data::Verdict(
                vec![
                    VerdictAttr::Code(VerdictCode::Jump),
                    VerdictAttr::Chain(to.into()),
                ],
            ))])],
            ..Rule::default()
        };
        let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let chains = names
            .iter()
            .enumerate()
            .map(|(i, name)| ChainContents {
                chain: Chain {
                    name: name.clone(),
                    hook: (i == 0).then(Hook::default),
                    ..Chain::default()
                },
                rules: if i == 0 {
                    names[1..].iter().map(|to| jump(to)).collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        TableContents {
            chains,
            ..TableContents::default()
        }
    }

    #[test]
    fn a_hundred_chains_are_drawn_and_more_are_listed() {
        let drawn = graph(&fan_out(MAX_NODES));
        assert_eq!(drawn.nodes.len(), MAX_NODES);
        assert_eq!(drawn.edges.len(), MAX_NODES - 1);
        assert!(drawn.edges.iter().all(|e| e.path.starts_with('M')));
        let base = drawn.nodes.iter().find(|n| n.base).unwrap();
        assert_eq!((base.chain.as_str(), base.x), ("c0", MARGIN));

        let listed = graph(&fan_out(MAX_NODES + 1));
        assert!(listed.nodes.is_empty());
        assert_eq!(listed.edges.len(), MAX_NODES);
        assert!(listed.edges.iter().all(|e| e.path.is_empty()));
    }

    #[test]
    fn a_loop_does_not_hang_the_layout() {
        let links = [(0, 1), (1, 0)];
        assert_eq!(layers(2, &links), [0, 0]);
        let layers = order(&[0, 0], &links);
        assert_eq!(layers, [vec![0, 1]]);
    }

    #[test]
    fn neighbours_are_ordered_to_uncross_edges() {
        // Layer 0: a, b; layer 1: x (from b), y (from a). Drawn in the
        // kernel's order x above y, the edges would cross.
        let layer = [0, 0, 1, 1];
        let links = [(1, 2), (0, 3)];
        assert_eq!(order(&layer, &links), [vec![0, 1], vec![3, 2]]);
    }
}
