//! The neighbourhood of an entity as a tree of lines: what `stagehand graph`
//! prints and the TUI's graph tab draws. Each node appears once; a second
//! meeting is marked as a repeat (cycles included); wide fan-out is cut to a
//! cap with a "+N more" line that can be expanded. The walk keeps its own
//! stack (a long chain cannot overflow the thread's), depth is capped at
//! [`MAX_DEPTH`](super::graph::MAX_DEPTH), and drawing is linear in the
//! text drawn.

use std::collections::{HashMap, HashSet};

use super::graph::{GraphOptions, MAX_DEPTH};
use super::{Index, Link};

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
        /// Shown (expanded) on another line: a cycle or a diamond.
        repeat: bool,
        /// For a repeat: whether that other line comes earlier.
        earlier: bool,
    },
    /// Relations of `parent` cut by the cap.
    More {
        /// The node whose relations were cut (ref-table index).
        parent: u32,
        /// How many were cut.
        hidden: usize,
    },
}

/// Builds the tree of `root`'s neighbourhood. Every node within
/// `opts.depth` hops appears, expanded once, where it is nearest the root
/// (its breadth-first distance); other meetings are marked as repeats.
/// Nodes in `expanded` show all their relations, past the cap.
pub fn tree(index: &Index, root: u32, opts: &GraphOptions, expanded: &HashSet<u32>) -> Vec<TreeLine> {
    let mut lines = vec![TreeLine {
        depth: 0,
        via: None,
        item: TreeItem::Node { target: root, exists: true, repeat: false, earlier: false },
    }];
    let distance = breadth_first(index, root, opts, expanded);
    let max_depth = opts.depth.min(MAX_DEPTH);
    let mut walk = Walk { index, opts, max_depth, expanded, distance, shown: HashSet::from([root]), lines: &mut lines };
    walk.run(root);
    lines
}

/// The relations of `node` the options let through.
fn links_of<'a>(index: &'a Index, node: u32, opts: &GraphOptions) -> Vec<&'a Link> {
    index
        .links(node)
        .iter()
        .filter(|l| {
            let kind = &index.relation_types[l.kind as usize];
            let target_kind = index.ref_of(l.target).split_once(':').map_or("", |(k, _)| k);
            (opts.relations.is_empty() || opts.relations.iter().any(|r| r.eq_ignore_ascii_case(kind)))
                && (opts.kinds.is_empty() || opts.kinds.iter().any(|k| k.eq_ignore_ascii_case(target_kind)))
        })
        .collect()
}

/// How many relations of `node` are shown.
fn cap(node: u32, opts: &GraphOptions, expanded: &HashSet<u32>) -> usize {
    if expanded.contains(&node) { usize::MAX } else { opts.per_node }
}

/// Hops from the root to every node the tree can show.
fn breadth_first(index: &Index, root: u32, opts: &GraphOptions, expanded: &HashSet<u32>) -> HashMap<u32, usize> {
    let mut distance = HashMap::from([(root, 0)]);
    let mut frontier = vec![root];
    for depth in 1..=opts.depth.min(MAX_DEPTH) {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for &node in &frontier {
            if node as usize >= index.len() {
                continue;
            }
            for link in links_of(index, node, opts).into_iter().take(cap(node, opts, expanded)) {
                distance.entry(link.target).or_insert_with(|| {
                    next.push(link.target);
                    depth
                });
            }
        }
        frontier = next;
    }
    distance
}

/// A depth-first walk that expands each node at its breadth-first distance.
struct Walk<'a> {
    index: &'a Index,
    opts: &'a GraphOptions,
    max_depth: usize,
    expanded: &'a HashSet<u32>,
    distance: HashMap<u32, usize>,
    shown: HashSet<u32>,
    lines: &'a mut Vec<TreeLine>,
}

/// A node being expanded: its relations and the next one to show.
struct Frame<'a> {
    node: u32,
    depth: usize,
    links: Vec<&'a Link>,
    cap: usize,
    next: usize,
}

impl<'a> Walk<'a> {
    /// The frame that expands `node` at `depth`, when it is expanded.
    fn frame(&self, node: u32, depth: usize) -> Option<Frame<'a>> {
        if depth > self.max_depth || node as usize >= self.index.len() {
            return None;
        }
        let links = links_of(self.index, node, self.opts);
        Some(Frame { node, depth, links, cap: cap(node, self.opts, self.expanded), next: 0 })
    }

    /// Lines for everything below `root`, in depth-first order, on a stack
    /// of frames rather than the thread's.
    fn run(&mut self, root: u32) {
        let n = self.index.len() as u32;
        let mut stack: Vec<Frame<'a>> = self.frame(root, 1).into_iter().collect();
        while let Some(top) = stack.last_mut() {
            if top.next >= top.links.len().min(top.cap) {
                if top.links.len() > top.cap {
                    let item = TreeItem::More { parent: top.node, hidden: top.links.len() - top.cap };
                    self.lines.push(TreeLine { depth: top.depth, via: None, item });
                }
                stack.pop();
                continue;
            }
            let (link, depth) = (top.links[top.next], top.depth);
            top.next += 1;
            let earlier = self.shown.contains(&link.target);
            let nearest = self.distance.get(&link.target) == Some(&depth);
            let repeat = !(nearest && self.shown.insert(link.target));
            self.lines.push(TreeLine {
                depth,
                via: Some(self.index.relation_types[link.kind as usize].clone()),
                item: TreeItem::Node { target: link.target, exists: link.target < n, repeat, earlier },
            });
            if !repeat {
                stack.extend(self.frame(link.target, depth + 1));
            }
        }
    }
}

/// The tree as text with box-drawing branches, in time linear in the text.
pub fn render_text(index: &Index, lines: &[TreeLine]) -> Vec<String> {
    let mut out = vec![String::new(); lines.len()];
    // Read backwards: `open[d]` says whether a line at depth `d` follows
    // before the tree climbs above `d` (so a branch at `d` continues).
    let mut open: Vec<bool> = Vec::new();
    for (i, line) in lines.iter().enumerate().rev() {
        let continues = |d: usize| open.get(d).copied().unwrap_or(false);
        let mut prefix = String::with_capacity(4 * line.depth);
        for d in 1..line.depth {
            prefix.push_str(if continues(d) { "│   " } else { "    " });
        }
        if line.depth > 0 {
            prefix.push_str(if continues(line.depth) { "├── " } else { "└── " });
        }
        out[i] = format!("{prefix}{}", label(index, line));
        open.resize(line.depth + 1, false);
        open[line.depth] = true;
    }
    out
}

/// The text of one line, without branches.
pub fn label(index: &Index, line: &TreeLine) -> String {
    match &line.item {
        TreeItem::Node { target, exists, repeat, earlier } => {
            let via = line.via.as_deref().map(|v| format!("{v} → ")).unwrap_or_default();
            let r = index.ref_of(*target);
            let title = if *exists {
                index.summary(*target).title.map(|t| format!("  {t}")).unwrap_or_default()
            } else {
                String::new()
            };
            let mark = match (exists, repeat, earlier) {
                (false, _, _) => "  (missing)",
                (true, true, true) => "  (↺ shown above)",
                (true, true, false) => "  (↺ shown below)",
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
    fn a_long_chain_at_a_huge_depth_is_walked_without_recursion_and_cut_at_the_cap() {
        // c0 dependsOn c1 dependsOn ... c4999, asked with depth 100,000.
        let values = (0..5000)
            .map(|i| {
                json!({"kind": "Component", "metadata": {"name": format!("c{i}")},
                       "spec": {"owner": "team", "dependsOn": [format!("component:c{}", i + 1)]}})
            })
            .collect();
        let idx = crate::index::testing::index_of(values);
        let root = idx.find("component:default/c0").unwrap();
        let opts = GraphOptions {
            depth: 100_000,
            relations: vec!["dependsOn".into()],
            per_node: 50,
            ..GraphOptions::default()
        };
        // A small stack: a recursive walk 5,000 deep would overflow it.
        let text = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(128 * 1024)
                .spawn_scoped(scope, || render_text(&idx, &tree(&idx, root, &opts, &HashSet::new())))
                .unwrap()
                .join()
                .unwrap()
        });
        assert_eq!(text.len(), MAX_DEPTH + 1);
        let last = text.last().unwrap();
        assert!(
            last.starts_with(&format!("{}└── dependsOn → component:default/c256", "    ".repeat(MAX_DEPTH - 1))),
            "{last}"
        );
        let n = crate::index::graph::neighbourhood(&idx, root, &opts);
        assert_eq!(n.nodes.last().map(|(_, d)| *d), Some(MAX_DEPTH));
    }

    #[test]
    fn branches_continue_exactly_where_a_later_sibling_follows() {
        let line = |depth| TreeLine { depth, via: None, item: TreeItem::More { parent: 0, hidden: 1 } };
        let lines: Vec<TreeLine> = [0, 1, 2, 3, 2, 1, 2, 3, 3, 1].into_iter().map(line).collect();
        let idx = crate::index::testing::index_of(vec![]);
        let text = render_text(&idx, &lines).join("\n");
        insta::assert_snapshot!(text, @r"
        +1 more
        ├── +1 more
        │   ├── +1 more
        │   │   └── +1 more
        │   └── +1 more
        ├── +1 more
        │   └── +1 more
        │       ├── +1 more
        │       └── +1 more
        └── +1 more
        ");
    }

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
        │   ├── ownerOf → component:default/b  (↺ shown below)
        │   ├── ownerOf → resource:default/r0
        │   └── +4 more
        ├── dependsOn → component:default/b
        │   ├── ownedBy → group:default/team  (↺ shown above)
        │   ├── dependsOn → component:default/a  (↺ shown above)
        │   └── dependencyOf → component:default/a  (↺ shown above)
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
