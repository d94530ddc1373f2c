//! Outlines: the structured pages of groups (parent chain, child groups,
//! members, ownership), users (groups, ownership) and systems and domains
//! (what is part of what), as lines with a depth, built from the index alone.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::index::Index;
use crate::index::graph::{self, Target};
use crate::model::relations::types;

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// A section title.
    Header,
    /// An entity (Enter opens it).
    Entity(u32),
    /// A ref that is not in the catalog.
    Missing,
    /// A remark.
    Note,
}

/// One outline line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineLine {
    /// Indentation level.
    pub depth: u16,
    /// The text (untrusted parts sanitized when drawn).
    pub text: String,
    /// What the line is.
    pub kind: LineKind,
    /// `Some(expanded)` when the line can be expanded or collapsed.
    pub fold: Option<bool>,
}

impl OutlineLine {
    fn header(text: String) -> Self {
        OutlineLine { depth: 0, text, kind: LineKind::Header, fold: None }
    }

    fn note(depth: u16, text: &str) -> Self {
        OutlineLine { depth, text: text.to_string(), kind: LineKind::Note, fold: None }
    }

    /// The entity the line opens, if any.
    pub fn entity(&self) -> Option<u32> {
        match self.kind {
            LineKind::Entity(e) => Some(e),
            _ => None,
        }
    }
}

/// The label of an entity line: `kind name  Title`.
pub fn entity_label(index: &Index, i: u32) -> String {
    let s = index.summary(i);
    let name = if s.namespace.eq_ignore_ascii_case("default") {
        s.name.to_string()
    } else {
        format!("{}/{}", s.namespace, s.name)
    };
    let title = s.display_name.or(s.title).map(|t| format!("  {t}")).unwrap_or_default();
    format!("{} {name}{title}", s.kind.to_lowercase())
}

fn entity_line(index: &Index, depth: u16, i: u32) -> OutlineLine {
    OutlineLine { depth, text: entity_label(index, i), kind: LineKind::Entity(i), fold: None }
}

fn target_line(index: &Index, depth: u16, t: &Target) -> OutlineLine {
    match t {
        Target::Entity(i) => entity_line(index, depth, *i),
        Target::Missing(r) => OutlineLine {
            depth,
            text: format!("{}  (missing: not in the catalog)", index.ref_of(*r)),
            kind: LineKind::Missing,
            fold: None,
        },
    }
}

/// Entities grouped by kind, each kind a foldable sub-header.
fn by_kind(index: &Index, ids: &[u32], depth: u16, out: &mut Vec<OutlineLine>) {
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for &i in ids {
        groups.entry(index.summary(i).kind.to_string()).or_default().push(i);
    }
    for (kind, members) in groups {
        out.push(OutlineLine { depth, text: format!("{kind} ({})", members.len()), kind: LineKind::Note, fold: None });
        out.extend(members.iter().map(|&i| entity_line(index, depth + 1, i)));
    }
}

/// The group page: parent chain, child groups (a tree that expands),
/// members, and what the group owns, directly or with sub-groups.
pub fn group(index: &Index, g: u32, with_subgroups: bool, toggled: &HashSet<u32>) -> Vec<OutlineLine> {
    let mut out = Vec::new();
    let mut chain = Vec::new();
    let mut seen = HashSet::from([g]);
    let mut current = g;
    while let Some(parent) = index.related(current, types::CHILD_OF).into_iter().next() {
        chain.push(parent.clone());
        match parent {
            Target::Entity(p) if seen.insert(p) => current = p,
            _ => break,
        }
    }
    out.push(OutlineLine::header(format!("Parent chain ({})", chain.len())));
    if chain.is_empty() {
        out.push(OutlineLine::note(1, "a root group"));
    }
    for (depth, t) in chain.iter().enumerate() {
        out.push(target_line(index, 1 + depth as u16, t));
    }
    let children = index.related(g, types::PARENT_OF);
    out.push(OutlineLine::header(format!("Child groups ({})", children.len())));
    let mut shown = HashSet::from([g]);
    child_tree(index, &children, 1, toggled, &mut shown, &mut out);
    let members = graph::members(index, g, false);
    out.push(OutlineLine::header(format!("Members ({})", members.len())));
    for u in members {
        let s = index.summary(u);
        let mut line = entity_line(index, 1, u);
        if let Some(email) = s.email {
            line.text.push_str(&format!("  <{email}>"));
        }
        out.push(line);
    }
    let direct = graph::owned_by(index, g, false);
    let all = graph::owned_by(index, g, true);
    let shown_owned = if with_subgroups { &all } else { &direct };
    out.push(OutlineLine::header(format!(
        "Owns {} ({} direct, {} with sub-groups; t toggles)",
        if with_subgroups { "with sub-groups" } else { "directly" },
        direct.len(),
        all.len()
    )));
    by_kind(index, shown_owned, 1, &mut out);
    out
}

fn child_tree(
    index: &Index,
    children: &[Target],
    depth: u16,
    toggled: &HashSet<u32>,
    shown: &mut HashSet<u32>,
    out: &mut Vec<OutlineLine>,
) {
    for child in children {
        let Target::Entity(c) = child else {
            out.push(target_line(index, depth, child));
            continue;
        };
        if !shown.insert(*c) {
            let mut line = entity_line(index, depth, *c);
            line.text.push_str("  (↺ shown above)");
            out.push(line);
            continue;
        }
        let grandchildren = index.related(*c, types::PARENT_OF);
        let expanded = toggled.contains(c);
        let mut line = entity_line(index, depth, *c);
        if !grandchildren.is_empty() {
            line.fold = Some(expanded);
            line.text.push_str(&format!("  ({} sub-groups)", grandchildren.len()));
        }
        out.push(line);
        if expanded {
            child_tree(index, &grandchildren, depth + 1, toggled, shown, out);
        }
    }
}

/// The user page: direct and inherited groups; what the user owns directly
/// and through those groups.
pub fn user(index: &Index, u: u32) -> Vec<OutlineLine> {
    let mut out = Vec::new();
    let direct = graph::groups_of(index, u, false);
    let all = graph::groups_of(index, u, true);
    out.push(OutlineLine::header(format!("Groups ({})", direct.len())));
    if direct.is_empty() {
        out.push(OutlineLine::note(1, "in no group"));
    }
    out.extend(direct.iter().map(|&g| entity_line(index, 1, g)));
    let inherited: Vec<u32> = all.iter().copied().filter(|g| !direct.contains(g)).collect();
    out.push(OutlineLine::header(format!("Inherited groups ({})", inherited.len())));
    out.extend(inherited.iter().map(|&g| entity_line(index, 1, g)));
    let own = graph::owned_by(index, u, false);
    out.push(OutlineLine::header(format!("Owns directly ({})", own.len())));
    by_kind(index, &own, 1, &mut out);
    let via: BTreeSet<u32> = graph::owned_by(index, u, true).into_iter().filter(|e| !own.contains(e)).collect();
    out.push(OutlineLine::header(format!("Owns through groups ({})", via.len())));
    by_kind(index, &via.into_iter().collect::<Vec<_>>(), 1, &mut out);
    out
}

/// The structure page of a domain or system: what is part of it, as a
/// tree (domain → subdomains → systems → components, APIs, resources →
/// subcomponents). The first two levels start expanded.
pub fn structure(index: &Index, root: u32, toggled: &HashSet<u32>) -> Vec<OutlineLine> {
    let mut out = vec![OutlineLine::header("Part of this".to_string())];
    let mut shown = HashSet::from([root]);
    part_tree(index, root, 1, toggled, &mut shown, &mut out);
    if out.len() == 1 {
        out.push(OutlineLine::note(1, "nothing is part of this yet"));
    }
    let parents = index.related(root, types::PART_OF);
    if !parents.is_empty() {
        out.push(OutlineLine::header("Part of".to_string()));
        out.extend(parents.iter().map(|t| target_line(index, 1, t)));
    }
    out
}

fn part_tree(
    index: &Index,
    node: u32,
    depth: u16,
    toggled: &HashSet<u32>,
    shown: &mut HashSet<u32>,
    out: &mut Vec<OutlineLine>,
) {
    let mut parts = index.related(node, types::HAS_PART);
    parts.sort_by_key(|t| match t {
        Target::Entity(i) => (kind_rank(index.summary(*i).kind), index.ref_of(*i).to_string()),
        Target::Missing(r) => (9, index.ref_of(*r).to_string()),
    });
    for part in parts {
        let Target::Entity(p) = part else {
            out.push(target_line(index, depth, &part));
            continue;
        };
        if !shown.insert(p) {
            continue;
        }
        let below = !index.related(p, types::HAS_PART).is_empty();
        let expanded = (depth < 2) != toggled.contains(&p);
        let mut line = entity_line(index, depth, p);
        if below {
            line.fold = Some(expanded);
        }
        out.push(line);
        if below && expanded {
            part_tree(index, p, depth + 1, toggled, shown, out);
        }
    }
}

fn kind_rank(kind: &str) -> u8 {
    match kind.to_lowercase().as_str() {
        "domain" => 0,
        "system" => 1,
        "component" => 2,
        "api" => 3,
        "resource" => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::index::testing::index_of;

    fn texts(lines: &[OutlineLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                format!(
                    "{}{}{}",
                    "  ".repeat(l.depth as usize),
                    match l.fold {
                        Some(true) => "▾ ",
                        Some(false) => "▸ ",
                        None => "",
                    },
                    l.text
                )
            })
            .collect()
    }

    fn org() -> Index {
        index_of(vec![
            json!({"kind": "Group", "metadata": {"name": "org"}, "spec": {"type": "org", "children": ["dept"]}}),
            json!({"kind": "Group", "metadata": {"name": "dept"}, "spec": {"type": "dept", "parent": "org", "children": ["team"]}}),
            json!({"kind": "Group", "metadata": {"name": "team"}, "spec": {"type": "team", "parent": "dept", "children": [], "members": ["ann"]}}),
            json!({"kind": "User", "metadata": {"name": "ann"}, "spec": {"profile": {"displayName": "Ann", "email": "ann@x"}, "memberOf": []}}),
            json!({"kind": "Domain", "metadata": {"name": "dom"}, "spec": {"owner": "org"}}),
            json!({"kind": "System", "metadata": {"name": "sys"}, "spec": {"owner": "dept", "domain": "dom"}}),
            json!({"kind": "Component", "metadata": {"name": "svc"}, "spec": {"owner": "team", "system": "sys", "type": "service", "lifecycle": "production"}}),
            json!({"kind": "Component", "metadata": {"name": "sub"}, "spec": {"owner": "user:ann", "subcomponentOf": "svc", "type": "library", "lifecycle": "production"}}),
        ])
    }

    #[test]
    fn group_page_has_chain_children_members_and_ownership() {
        let idx = org();
        let dept = idx.find("group:default/dept").unwrap();
        let lines = texts(&group(&idx, dept, false, &HashSet::new()));
        assert_eq!(lines[0], "Parent chain (1)");
        assert_eq!(lines[1], "  group org");
        assert!(lines.contains(&"Members (0)".to_string()));
        assert!(lines.contains(&"Owns directly (1 direct, 2 with sub-groups; t toggles)".to_string()), "{lines:#?}");
        let team = idx.find("group:default/team").unwrap();
        let with = texts(&group(&idx, team, true, &HashSet::new()));
        assert!(with.contains(&"  user ann  Ann  <ann@x>".to_string()), "{with:#?}");
        let org_g = idx.find("group:default/org").unwrap();
        let collapsed = texts(&group(&idx, org_g, false, &HashSet::new()));
        assert!(collapsed.contains(&"  ▸ group dept  (1 sub-groups)".to_string()), "{collapsed:#?}");
        let open = texts(&group(&idx, org_g, false, &HashSet::from([dept])));
        assert!(open.contains(&"    group team".to_string()), "{open:#?}");
    }

    #[test]
    fn user_page_lists_groups_and_ownership() {
        let idx = org();
        let ann = idx.find("user:default/ann").unwrap();
        let lines = texts(&user(&idx, ann));
        assert_eq!(&lines[..2], &["Groups (1)", "  group team"]);
        assert!(lines.contains(&"Inherited groups (2)".to_string()));
        assert!(lines.contains(&"Owns directly (1)".to_string()));
        assert!(lines.contains(&"Owns through groups (3)".to_string()), "{lines:#?}");
    }

    #[test]
    fn structure_tree_of_a_domain() {
        let idx = org();
        let dom = idx.find("domain:default/dom").unwrap();
        let lines = texts(&structure(&idx, dom, &HashSet::new()));
        assert_eq!(lines, vec!["Part of this", "  ▾ system sys", "    ▸ component svc"]);
        let svc = idx.find("component:default/svc").unwrap();
        let open = texts(&structure(&idx, dom, &HashSet::from([svc])));
        assert_eq!(open.last().unwrap(), "      component sub");
    }
}
