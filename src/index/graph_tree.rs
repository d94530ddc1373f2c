//! The neighbourhood of an entity as a tree of lines: what `stagehand graph`
//! prints and the TUI's graph tab draws. Each node appears once; a second
//! meeting is marked as a repeat (cycles included); wide fan-out is cut to a
//! cap with a "+N more" line that can be expanded.

use std::collections::HashSet;

use super::Index;
use super::graph::GraphOptions;

/// One line of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine {
    /// Distance from the root.
    pub depth: usize,
    /// The relation from the parent line (`None` for the root).
    pub via: Option<String>,
    /// What the line shows.
    pub item: TreeItem,
}

/// The content of a tree line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeItem {
    /// A node (ref-table index).
    Node {
        /// Ref-table index of the node.
        target: u32,
        /// Whether the ref is an indexed entity.
        exists: bool,
        /// Already shown above (a cycle or a diamond): not expanded again.
        repeat: bool,
    },
    /// Relations of `parent` cut by the cap.
    More {
        /// The node whose relations were cut (ref-table index).
        parent: u32,
        /// How many were cut.
        hidden: usize,
    },
}

/// Builds the tree of `root`'s neighbourhood. Nodes in `expanded` show all
/// their relations, past the cap.
pub fn tree(index: &Index, root: u32, opts: &GraphOptions, expanded: &HashSet<u32>) -> Vec<TreeLine> {
    let mut lines =
        vec![TreeLine { depth: 0, via: None, item: TreeItem::Node { target: root, exists: true, repeat: false } }];
    let mut shown = HashSet::from([root]);
    walk(index, root, 1, opts, expanded, &mut shown, &mut lines);
    lines
}

fn walk(
    index: &Index,
    node: u32,
    depth: usize,
    opts: &GraphOptions,
    expanded: &HashSet<u32>,
    shown: &mut HashSet<u32>,
    lines: &mut Vec<TreeLine>,
) {
    if depth > opts.depth || node as usize >= index.len() {
        return;
    }
    let n = index.len() as u32;
    let links: Vec<_> = index.entities[node as usize]
        .links
        .iter()
        .filter(|l| {
            let kind = &index.relation_types[l.kind as usize];
            let target_kind = index.refs[l.target as usize].split_once(':').map_or("", |(k, _)| k);
            (opts.relations.is_empty() || opts.relations.iter().any(|r| r.eq_ignore_ascii_case(kind)))
                && (opts.kinds.is_empty() || opts.kinds.iter().any(|k| k.eq_ignore_ascii_case(target_kind)))
        })
        .collect();
    let cap = if expanded.contains(&node) { usize::MAX } else { opts.per_node };
    for link in links.iter().take(cap) {
        let repeat = !shown.insert(link.target);
        lines.push(TreeLine {
            depth,
            via: Some(index.relation_types[link.kind as usize].clone()),
            item: TreeItem::Node { target: link.target, exists: link.target < n, repeat },
        });
        if !repeat {
            walk(index, link.target, depth + 1, opts, expanded, shown, lines);
        }
    }
    if links.len() > cap {
        lines.push(TreeLine { depth, via: None, item: TreeItem::More { parent: node, hidden: links.len() - cap } });
    }
}

/// The tree as text with box-drawing branches.
pub fn render_text(index: &Index, lines: &[TreeLine]) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut prefix = String::new();
            for d in 1..line.depth {
                prefix.push_str(if continues(lines, i, d) { "│   " } else { "    " });
            }
            if line.depth > 0 {
                prefix.push_str(if continues(lines, i, line.depth) { "├── " } else { "└── " });
            }
            format!("{prefix}{}", label(index, line))
        })
        .collect()
}

/// Whether a later line at `depth` follows line `i` before the tree climbs above it.
fn continues(lines: &[TreeLine], i: usize, depth: usize) -> bool {
    lines[i + 1..].iter().take_while(|l| l.depth >= depth).any(|l| l.depth == depth)
}

/// The text of one line, without branches.
pub fn label(index: &Index, line: &TreeLine) -> String {
    match &line.item {
        TreeItem::Node { target, exists, repeat } => {
            let via = line.via.as_deref().map(|v| format!("{v} → ")).unwrap_or_default();
            let r = &index.refs[*target as usize];
            let title = if *exists {
                index.summary(*target).title.as_deref().map(|t| format!("  {t}")).unwrap_or_default()
            } else {
                String::new()
            };
            let mark = match (exists, repeat) {
                (false, _) => "  (missing)",
                (true, true) => "  (↺ shown above)",
                _ => "",
            };
            format!("{via}{r}{title}{mark}")
        }
        TreeItem::More { hidden, .. } => format!("+{hidden} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn draws_a_tree_with_cycles_marked_and_fan_out_cut() {
        let mut values = vec![
            json!({"kind": "Group", "metadata": {"name": "team"}, "spec": {"type": "team", "children": []}}),
            json!({"kind": "Component", "metadata": {"name": "a"}, "spec": {"owner": "team", "dependsOn": ["component:b"]}}),
            json!({"kind": "Component", "metadata": {"name": "b"}, "spec": {"owner": "team", "dependsOn": ["component:a"]}}),
        ];
        values.extend((0..5).map(|i| json!({"kind": "Resource", "metadata": {"name": format!("r{i}")}, "spec": {"owner": "team", "type": "db"}})));
        let idx = crate::index::testing::index_of(values);
        let a = idx.find("component:default/a").unwrap();
        let opts = GraphOptions { depth: 2, per_node: 3, ..GraphOptions::default() };
        let text = render_text(&idx, &tree(&idx, a, &opts, &HashSet::new())).join("\n");
        insta::assert_snapshot!(text, @r"
        component:default/a
        ├── ownedBy → group:default/team
        │   ├── ownerOf → component:default/a  (↺ shown above)
        │   ├── ownerOf → component:default/b
        │   ├── ownerOf → resource:default/r0
        │   └── +4 more
        ├── dependsOn → component:default/b  (↺ shown above)
        └── dependencyOf → component:default/b  (↺ shown above)
        ");
        let team = idx.find("group:default/team").unwrap();
        let lines = tree(&idx, team, &opts, &HashSet::new());
        assert_eq!(lines.last().unwrap().item, TreeItem::More { parent: team, hidden: 4 });
        let all = tree(&idx, team, &opts, &HashSet::from([team]));
        assert_eq!(all.iter().filter(|l| l.depth == 1).count(), 7);
        assert!(!all.iter().any(|l| matches!(l.item, TreeItem::More { .. })));
    }
}
