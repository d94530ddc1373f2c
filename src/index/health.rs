//! Catalog health: orphans, missing owners, dangling references, group
//! parent/children disagreements, users in no group, APIs nobody provides,
//! and dependency cycles.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::model::EntityRef;
use crate::model::relations::types;

use super::Index;

/// What kind of health issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthKind {
    /// An entity that needs an owner has none.
    NoOwner,
    /// The owner is not in the catalog.
    MissingOwner,
    /// A relation points at something not in the catalog.
    Dangling,
    /// A group's parent does not list it as a child, or the reverse.
    ParentMismatch,
    /// A user in no group.
    UserWithoutGroup,
    /// An API no component provides.
    UnprovidedApi,
    /// Components or resources that depend on each other in a circle.
    DependencyCycle,
}

impl HealthKind {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            HealthKind::NoOwner => "no owner",
            HealthKind::MissingOwner => "missing owner",
            HealthKind::Dangling => "dangling ref",
            HealthKind::ParentMismatch => "parent/children",
            HealthKind::UserWithoutGroup => "user in no group",
            HealthKind::UnprovidedApi => "API not provided",
            HealthKind::DependencyCycle => "dependency cycle",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthIssue {
    /// What kind.
    pub kind: HealthKind,
    /// The entity concerned (canonical ref).
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// The entity's index.
    #[serde(skip)]
    pub entity: u32,
    /// What is wrong.
    pub message: String,
}

const NEEDS_OWNER: [&str; 6] = ["component", "api", "resource", "system", "domain", "template"];

/// Every health issue of the catalog, sorted by kind then ref.
pub fn health(index: &Index) -> Vec<HealthIssue> {
    let mut issues = Vec::new();
    let mut push = |kind, entity: u32, message: String| {
        issues.push(HealthIssue { kind, entity_ref: index.ref_of(entity).to_string(), entity, message });
    };
    for i in 0..index.len() as u32 {
        let s = index.summary(i);
        let kind = s.kind.to_lowercase();
        if NEEDS_OWNER.contains(&kind.as_str()) && index.related(i, types::OWNED_BY).is_empty() {
            push(HealthKind::NoOwner, i, format!("{} has no owner", s.kind));
        }
        for r in index.relations(i) {
            if r.entity.is_some() {
                continue;
            }
            if r.kind == types::OWNED_BY {
                push(HealthKind::MissingOwner, i, format!("owner {} is not in the catalog", r.target));
            } else {
                push(HealthKind::Dangling, i, format!("{} {} is not in the catalog", r.kind, r.target));
            }
        }
        if kind == "user" && index.related(i, types::MEMBER_OF).is_empty() {
            push(HealthKind::UserWithoutGroup, i, "user belongs to no group".into());
        }
        if kind == "api" && index.related(i, types::API_PROVIDED_BY).is_empty() {
            push(HealthKind::UnprovidedApi, i, "no component provides this API".into());
        }
    }
    for (entity, message) in parent_mismatches(index) {
        push(HealthKind::ParentMismatch, entity, message);
    }
    for cycle in dependency_cycles(index) {
        let names: Vec<&str> = cycle.iter().map(|&c| index.ref_of(c)).collect();
        push(HealthKind::DependencyCycle, cycle[0], format!("dependsOn cycle: {} → {}", names.join(" → "), names[0]));
    }
    issues.sort_by(|a, b| (a.kind, &a.entity_ref, &a.message).cmp(&(b.kind, &b.entity_ref, &b.message)));
    issues
}

/// Declared parent and children of every group, from the stored bodies.
fn declared_groups(index: &Index) -> HashMap<u32, (Option<String>, Vec<String>)> {
    let mut out = HashMap::new();
    for i in 0..index.len() as u32 {
        if !index.summary(i).kind.eq_ignore_ascii_case("group") {
            continue;
        }
        let Ok(entity) = index.entity(i) else { continue };
        let ns = entity.namespace().to_string();
        let canon = |r: &str| EntityRef::parse_with(r, Some("Group"), &ns).ok().map(|r| r.canonical());
        let parent = entity.spec_str("parent").and_then(canon);
        let children = entity
            .spec()
            .and_then(|s| s.get("children"))
            .and_then(|c| c.as_array())
            .map(|c| c.iter().filter_map(|v| v.as_str()).filter_map(canon).collect())
            .unwrap_or_default();
        out.insert(i, (parent, children));
    }
    out
}

fn parent_mismatches(index: &Index) -> Vec<(u32, String)> {
    let declared = declared_groups(index);
    let mut out = Vec::new();
    let mut ids: Vec<&u32> = declared.keys().collect();
    ids.sort();
    for &g in ids {
        let (parent, children) = &declared[&g];
        let me = index.ref_of(g);
        if let Some(p) = parent
            && let Some(pi) = index.find(p)
            && declared.get(&pi).is_some_and(|(_, c)| !c.iter().any(|c| c == me))
        {
            out.push((g, format!("names {p} as parent, but {p} does not list it in spec.children")));
        }
        for c in children {
            if let Some(ci) = index.find(c)
                && declared.get(&ci).is_some_and(|(p, _)| p.as_deref() != Some(me))
            {
                out.push((g, format!("lists {c} in spec.children, but {c} does not name it as spec.parent")));
            }
        }
    }
    out
}

/// Strongly connected components of the dependsOn graph with more than one
/// member (or a self-loop), each rotated to start at its smallest ref.
pub fn dependency_cycles(index: &Index) -> Vec<Vec<u32>> {
    let n = index.len();
    let Some(kind) = index.relation_type_id(types::DEPENDS_ON) else { return Vec::new() };
    let edges = |v: u32| -> Vec<u32> {
        index.links(v).iter().filter(|l| l.kind == kind && (l.target as usize) < n).map(|l| l.target).collect()
    };
    // Iterative Tarjan.
    let mut order = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut counter = 0;
    let mut cycles: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for start in 0..n as u32 {
        if order[start as usize] != usize::MAX || edges(start).is_empty() {
            continue;
        }
        let mut work: Vec<(u32, usize)> = vec![(start, 0)];
        order[start as usize] = counter;
        low[start as usize] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start as usize] = true;
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            let targets = edges(v);
            if *next < targets.len() {
                let w = targets[*next];
                *next += 1;
                if order[w as usize] == usize::MAX {
                    order[w as usize] = counter;
                    low[w as usize] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    work.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(order[w as usize]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == order[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = component.len() == 1 && targets.contains(&v);
                if component.len() > 1 || self_loop {
                    component.sort();
                    cycles.insert(component[0], component);
                }
            }
        }
    }
    cycles.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_every_kind_of_issue() {
        let idx = crate::index::testing::index_of(vec![
            json!({"kind": "Group", "metadata": {"name": "org"}, "spec": {"type": "org", "children": ["a"]}}),
            json!({"kind": "Group", "metadata": {"name": "a"}, "spec": {"type": "team", "parent": "org", "children": []}}),
            json!({"kind": "Group", "metadata": {"name": "b"}, "spec": {"type": "team", "parent": "org", "children": []}}),
            json!({"kind": "User", "metadata": {"name": "loner"}, "spec": {"memberOf": []}}),
            json!({"kind": "API", "metadata": {"name": "api"}, "spec": {"type": "openapi", "lifecycle": "x", "owner": "a", "definition": "x"}}),
            json!({"kind": "Component", "metadata": {"name": "c1"}, "spec": {"type": "s", "lifecycle": "x", "owner": "ghost", "dependsOn": ["component:c2", "resource:db"]}}),
            json!({"kind": "Component", "metadata": {"name": "c2"}, "spec": {"type": "s", "lifecycle": "x", "dependsOn": ["component:c1"]}}),
        ]);
        let issues = health(&idx);
        let found: Vec<(HealthKind, &str)> = issues.iter().map(|i| (i.kind, i.entity_ref.as_str())).collect();
        assert!(found.contains(&(HealthKind::NoOwner, "component:default/c2")));
        assert!(found.contains(&(HealthKind::MissingOwner, "component:default/c1")));
        assert!(found.contains(&(HealthKind::Dangling, "component:default/c1")));
        assert!(found.contains(&(HealthKind::ParentMismatch, "group:default/b")));
        assert!(!found.iter().any(|(k, r)| *k == HealthKind::ParentMismatch && *r == "group:default/a"));
        assert!(found.contains(&(HealthKind::UserWithoutGroup, "user:default/loner")));
        assert!(found.contains(&(HealthKind::UnprovidedApi, "api:default/api")));
        let cycle = issues.iter().find(|i| i.kind == HealthKind::DependencyCycle).unwrap();
        assert_eq!(
            cycle.message,
            "dependsOn cycle: component:default/c1 → component:default/c2 → component:default/c1"
        );
    }
}
