//! Graph output formats: Graphviz DOT and Mermaid, from a neighbourhood.
//! Inverse pairs are drawn once (`ownedBy` kept, `ownerOf` dropped).

use std::collections::HashSet;

use crate::model::relations::types;
use crate::model::sanitize;

use super::Index;
use super::graph::{GraphEdge, Neighbourhood};

/// Edges without the inverse of an edge already present (ownedBy kept, ownerOf dropped).
pub fn forward_edges(n: &Neighbourhood) -> Vec<&GraphEdge> {
    let present: HashSet<(u32, &str, u32)> = n.edges.iter().map(|e| (e.from, e.kind.as_str(), e.to)).collect();
    n.edges
        .iter()
        .filter(|e| {
            let forward = types::PAIRS.iter().find(|(_, inverse)| *inverse == e.kind).map(|(f, _)| *f);
            !forward.is_some_and(|f| present.contains(&(e.to, f, e.from)))
        })
        .collect()
}

fn quote_dot(text: &str) -> String {
    let clean = sanitize::line(text);
    format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The neighbourhood as a Graphviz digraph; missing nodes are dashed.
pub fn dot(index: &Index, root: u32, n: &Neighbourhood) -> String {
    let mut out = format!("digraph {} {{\n  rankdir=LR;\n  node [shape=box];\n", quote_dot(index.ref_of(root)));
    for (node, _) in &n.nodes {
        let r = index.ref_of(*node);
        let exists = (*node as usize) < index.len();
        let style = if exists { "" } else { ", style=dashed" };
        out.push_str(&format!("  {} [label={}{style}];\n", quote_dot(r), quote_dot(r)));
    }
    for e in forward_edges(n) {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            quote_dot(index.ref_of(e.from)),
            quote_dot(index.ref_of(e.to)),
            quote_dot(&e.kind)
        ));
    }
    out.push_str("}\n");
    out
}

/// The neighbourhood as a Mermaid flowchart.
pub fn mermaid(index: &Index, n: &Neighbourhood) -> String {
    let id = |node: u32| n.nodes.iter().position(|(x, _)| *x == node).map_or_else(String::new, |p| format!("n{p}"));
    let label = |text: &str| sanitize::line(text).replace('"', "#quot;");
    let mut out = String::from("graph LR\n");
    for (node, _) in &n.nodes {
        out.push_str(&format!("  {}[\"{}\"]\n", id(*node), label(index.ref_of(*node))));
    }
    for e in forward_edges(n) {
        out.push_str(&format!("  {} -->|{}| {}\n", id(e.from), label(&e.kind), id(e.to)));
    }
    out
}
