//! Walking the relation graph in memory: owner chains, transitive ownership
//! and membership, neighbourhoods. Every walk tolerates cycles and diamonds
//! and returns results in a deterministic (ref) order.

use std::collections::{BTreeSet, HashSet, VecDeque};

use crate::model::relations::types;

use super::Index;

/// A node of a walk: an entity in the index, or a ref that is not in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// An indexed entity.
    Entity(u32),
    /// A ref with no entity (dangling).
    Missing(u32),
}

impl Target {
    /// The ref-table index behind the target.
    pub fn ref_index(&self) -> u32 {
        match self {
            Target::Entity(i) | Target::Missing(i) => *i,
        }
    }

    /// The entity, when it exists.
    pub fn entity(&self) -> Option<u32> {
        match self {
            Target::Entity(i) => Some(*i),
            Target::Missing(_) => None,
        }
    }
}

impl Index {
    /// The id of a relation type, if any entity uses it.
    pub fn relation_type_id(&self, name: &str) -> Option<u16> {
        self.relation_types.iter().position(|t| t == name).map(|p| p as u16)
    }

    /// Targets of entity `i`'s relations of one type, in ref order.
    pub fn related(&self, i: u32, relation: &str) -> Vec<Target> {
        let Some(kind) = self.relation_type_id(relation) else { return Vec::new() };
        let n = self.len() as u32;
        self.links(i)
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| if l.target < n { Target::Entity(l.target) } else { Target::Missing(l.target) })
            .collect()
    }

    /// Indexed entities related to `i` by one relation type.
    pub fn related_entities(&self, i: u32, relation: &str) -> Vec<u32> {
        self.related(i, relation).into_iter().filter_map(|t| t.entity()).collect()
    }
}

/// One step of an owner chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStep {
    /// The ref at this step.
    pub target: Target,
    /// How it relates to the previous step (`ownedBy`, `childOf`).
    pub via: &'static str,
}

/// The owner of `i` and the owner's parent groups up to the root. A cycle
/// ends the chain at the first repeat; a missing owner or parent ends it too.
pub fn owner_chain(index: &Index, i: u32) -> Vec<ChainStep> {
    let mut chain = Vec::new();
    let mut seen = HashSet::from([i]);
    let Some(owner) = index.related(i, types::OWNED_BY).into_iter().next() else { return chain };
    chain.push(ChainStep { target: owner.clone(), via: types::OWNED_BY });
    let mut current = owner;
    while let Target::Entity(g) = current {
        if !seen.insert(g) {
            break;
        }
        let Some(parent) = index.related(g, types::CHILD_OF).into_iter().next() else { break };
        if parent.entity().is_some_and(|p| seen.contains(&p)) {
            break;
        }
        chain.push(ChainStep { target: parent.clone(), via: types::CHILD_OF });
        current = parent;
    }
    chain
}

/// Breadth-first closure of `start` over one relation type (start included).
fn closure(index: &Index, start: &[u32], relation: &str) -> BTreeSet<u32> {
    let mut seen: BTreeSet<u32> = start.iter().copied().collect();
    let mut queue: VecDeque<u32> = start.iter().copied().collect();
    while let Some(g) = queue.pop_front() {
        for next in index.related_entities(g, relation) {
            if seen.insert(next) {
                queue.push_back(next);
            }
        }
    }
    seen
}

/// Group `g` and every group below it.
pub fn descendant_groups(index: &Index, g: u32) -> BTreeSet<u32> {
    closure(index, &[g], types::PARENT_OF)
}

/// Groups `g` is under (not including `g`), nearest first would need order:
/// returned in ref order.
pub fn ancestor_groups(index: &Index, g: u32) -> BTreeSet<u32> {
    let mut all = closure(index, &[g], types::CHILD_OF);
    all.remove(&g);
    all
}

/// Users of group `g`: direct members, or with `transitive` members of
/// every group below it too.
pub fn members(index: &Index, g: u32, transitive: bool) -> Vec<u32> {
    let groups = if transitive { descendant_groups(index, g) } else { BTreeSet::from([g]) };
    let users: BTreeSet<u32> = groups.iter().flat_map(|&x| index.related_entities(x, types::HAS_MEMBER)).collect();
    users.into_iter().collect()
}

/// The groups of user `u`: direct ones, or with `transitive` every group
/// above them too.
pub fn groups_of(index: &Index, u: u32, transitive: bool) -> Vec<u32> {
    let direct = index.related_entities(u, types::MEMBER_OF);
    let groups = if transitive { closure(index, &direct, types::CHILD_OF) } else { direct.into_iter().collect() };
    groups.into_iter().collect()
}

/// Who counts as the owner when asking what `owner` owns: itself; with
/// `transitive`, a group's sub-groups, or a user's groups and their parents.
pub fn owner_set(index: &Index, owner: u32, transitive: bool) -> BTreeSet<u32> {
    if !transitive {
        return BTreeSet::from([owner]);
    }
    let kind = index.summary(owner).kind.to_lowercase();
    if kind == "user" {
        let mut set: BTreeSet<u32> = groups_of(index, owner, true).into_iter().collect();
        set.insert(owner);
        set
    } else {
        descendant_groups(index, owner)
    }
}

/// Entities owned by `owner` (see [`owner_set`]), sorted by ref.
pub fn owned_by(index: &Index, owner: u32, transitive: bool) -> Vec<u32> {
    let owners = owner_set(index, owner, transitive);
    let owned: BTreeSet<u32> = owners.iter().flat_map(|&o| index.related_entities(o, types::OWNER_OF)).collect();
    owned.into_iter().collect()
}

/// An edge of a neighbourhood graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    /// From (ref-table index).
    pub from: u32,
    /// Relation type.
    pub kind: String,
    /// To (ref-table index).
    pub to: u32,
}

/// The neighbourhood of an entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Neighbourhood {
    /// Nodes with their distance from the root (ref-table indexes).
    pub nodes: Vec<(u32, usize)>,
    /// Edges among them.
    pub edges: Vec<GraphEdge>,
    /// Nodes whose further relations were cut by the per-node cap, with how many.
    pub truncated: Vec<(u32, usize)>,
}

/// The most hops any graph walk goes from its root: deeper asks are cut
/// here (a tree drawn deeper is wider than any terminal).
pub const MAX_DEPTH: usize = 256;

/// Options for [`neighbourhood`].
#[derive(Debug, Clone)]
pub struct GraphOptions {
    /// How many hops from the root (at most [`MAX_DEPTH`] are walked).
    pub depth: usize,
    /// Only these relation types (empty: all).
    pub relations: Vec<String>,
    /// Only nodes of these kinds, lower-case (empty: all; the root always).
    pub kinds: Vec<String>,
    /// Most relations followed from one node.
    pub per_node: usize,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions { depth: 1, relations: Vec::new(), kinds: Vec::new(), per_node: 50 }
    }
}

fn kind_of_ref(r: &str) -> &str {
    r.split_once(':').map_or("", |(k, _)| k)
}

/// Breadth-first neighbourhood of `root` to `opts.depth` hops.
pub fn neighbourhood(index: &Index, root: u32, opts: &GraphOptions) -> Neighbourhood {
    let mut out = Neighbourhood::default();
    let mut seen: HashSet<u32> = HashSet::from([root]);
    out.nodes.push((root, 0));
    let mut frontier = vec![root];
    let n = index.len() as u32;
    for depth in 1..=opts.depth.min(MAX_DEPTH) {
        if frontier.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for &node in &frontier {
            if node >= n {
                continue;
            }
            let mut followed = 0;
            let mut skipped = 0;
            for link in index.links(node) {
                let kind = &index.relation_types[link.kind as usize];
                if !opts.relations.is_empty() && !opts.relations.iter().any(|r| r.eq_ignore_ascii_case(kind)) {
                    continue;
                }
                let target_kind = kind_of_ref(index.ref_of(link.target));
                if !opts.kinds.is_empty() && !opts.kinds.iter().any(|k| k.eq_ignore_ascii_case(target_kind)) {
                    continue;
                }
                if followed >= opts.per_node {
                    skipped += 1;
                    continue;
                }
                followed += 1;
                out.edges.push(GraphEdge { from: node, kind: kind.clone(), to: link.target });
                if seen.insert(link.target) {
                    out.nodes.push((link.target, depth));
                    next.push(link.target);
                }
            }
            if skipped > 0 {
                out.truncated.push((node, skipped));
            }
        }
        frontier = next;
    }
    out.edges.sort();
    out.edges.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    use crate::index::testing::index_of;

    fn group(name: &str, parent: Option<&str>, members: &[&str]) -> Value {
        let mut spec = json!({"type": "team", "children": [], "members": members});
        if let Some(p) = parent {
            spec["parent"] = json!(p);
        }
        json!({"kind": "Group", "metadata": {"name": name}, "spec": spec})
    }

    fn component(name: &str, owner: &str) -> Value {
        json!({"kind": "Component", "metadata": {"name": name}, "spec": {"type": "service", "lifecycle": "production", "owner": owner}})
    }

    fn org() -> Index {
        index_of(vec![
            group("org", None, &[]),
            group("dept", Some("org"), &["ann"]),
            group("team-a", Some("dept"), &["bob"]),
            group("team-b", Some("dept"), &["bob", "cy"]),
            json!({"kind": "User", "metadata": {"name": "bob"}, "spec": {"memberOf": []}}),
            json!({"kind": "User", "metadata": {"name": "ann"}, "spec": {"memberOf": []}}),
            json!({"kind": "User", "metadata": {"name": "cy"}, "spec": {"memberOf": ["team-b"]}}),
            component("a1", "team-a"),
            component("b1", "team-b"),
            component("d1", "dept"),
            component("mine", "user:bob"),
            component("lost", "ghost"),
        ])
    }

    fn names(index: &Index, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|&i| index.name_of(i).to_string()).collect()
    }

    #[test]
    fn owner_chain_goes_to_the_root() {
        let idx = org();
        let a1 = idx.find("component:default/a1").unwrap();
        let chain: Vec<&str> = owner_chain(&idx, a1).iter().map(|s| idx.ref_of(s.target.ref_index())).collect();
        assert_eq!(chain, vec!["group:default/team-a", "group:default/dept", "group:default/org"]);
        let lost = idx.find("component:default/lost").unwrap();
        assert_eq!(owner_chain(&idx, lost)[0].target.entity(), None);
    }

    #[test]
    fn transitive_ownership_and_membership() {
        let idx = org();
        let org_g = idx.find("group:default/org").unwrap();
        assert!(owned_by(&idx, org_g, false).is_empty());
        assert_eq!(names(&idx, &owned_by(&idx, org_g, true)), vec!["a1", "b1", "d1"]);
        let dept = idx.find("group:default/dept").unwrap();
        assert_eq!(names(&idx, &members(&idx, dept, false)), vec!["ann"]);
        assert_eq!(names(&idx, &members(&idx, dept, true)), vec!["ann", "bob", "cy"]);
        let bob = idx.find("user:default/bob").unwrap();
        assert_eq!(names(&idx, &groups_of(&idx, bob, false)), vec!["team-a", "team-b"]);
        assert_eq!(names(&idx, &groups_of(&idx, bob, true)), vec!["dept", "org", "team-a", "team-b"]);
        assert_eq!(names(&idx, &owned_by(&idx, bob, true)), vec!["a1", "b1", "d1", "mine"]);
    }

    #[test]
    fn cycles_do_not_loop() {
        let idx = index_of(vec![group("x", Some("y"), &[]), group("y", Some("x"), &[]), component("c", "x")]);
        let c = idx.find("component:default/c").unwrap();
        assert_eq!(owner_chain(&idx, c).len(), 2);
        let x = idx.find("group:default/x").unwrap();
        assert_eq!(descendant_groups(&idx, x).len(), 2);
    }

    #[test]
    fn neighbourhood_caps_fan_out() {
        let mut values = vec![group("big", None, &[])];
        values.extend((0..500).map(|i| component(&format!("c{i:03}"), "big")));
        let idx = index_of(values);
        let big = idx.find("group:default/big").unwrap();
        let n = neighbourhood(&idx, big, &GraphOptions { per_node: 40, ..GraphOptions::default() });
        assert_eq!(n.nodes.len(), 41);
        assert_eq!(n.truncated, vec![(big, 460)]);
        let two = neighbourhood(&idx, big, &GraphOptions { depth: 2, per_node: 1000, ..GraphOptions::default() });
        assert_eq!(two.nodes.len(), 501);
        assert_eq!(two.edges.len(), 1000);
    }
}
