//! `owners`, `owned-by`, `members`, `graph` and `health`.

use std::collections::HashSet;

use anyhow::bail;
use serde::Serialize;
use serde_json::json;

use crate::index::Index;
use crate::index::graph::{self, GraphOptions, neighbourhood, owner_chain};
use crate::index::graph_format;
use crate::index::graph_tree::{render_text, tree};
use crate::index::health::health as find_issues;
use crate::model::relations::types;
use crate::workspace::Workspace;

use super::args::GraphFormat;
use super::browse::resolve;
use super::output::Out;

/// `stagehand owners REF`.
pub fn owners(ws: &Workspace, reference: &str, json_out: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let i = resolve(&index, reference)?;
    let chain = owner_chain(&index, i);
    let mut out = Out::default();
    if json_out {
        let steps: Vec<_> = chain
            .iter()
            .map(|s| json!({"ref": index.ref_of(s.target.ref_index()), "via": s.via, "exists": s.target.entity().is_some()}))
            .collect();
        out.json(&json!({"ref": index.ref_of(i), "chain": steps}))?;
    } else if chain.is_empty() {
        // stderr is a terminal too: a ref from a catalog is sanitized there
        // as on stdout.
        eprintln!("{} has no owner", crate::model::sanitize::line(index.ref_of(i)));
    } else {
        out.line(index.ref_of(i));
        for step in &chain {
            let r = index.ref_of(step.target.ref_index());
            let note = if step.target.entity().is_some() { "" } else { "  (missing: not in the catalog)" };
            out.line(&format!("  {} {r}{note}", if step.via == types::OWNED_BY { "owned by" } else { "child of" }));
        }
    }
    out.flush()?;
    Ok(0)
}

/// Fails unless entity `i` is of one of `kinds` (lowercase), naming `what` was expected.
pub fn require_kind(index: &Index, i: u32, kinds: &[&str], what: &str) -> anyhow::Result<()> {
    let kind = index.summary(i).kind.to_lowercase();
    if !kinds.contains(&kind.as_str()) {
        bail!("{} is a {}, not {what}", index.ref_of(i), index.summary(i).kind);
    }
    Ok(())
}

/// `stagehand owned-by REF`.
pub fn owned_by(
    ws: &Workspace,
    reference: &str,
    transitive: bool,
    kind: Option<&str>,
    json_out: bool,
) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let owned = owned(&index, reference, transitive, kind)?;
    entity_table(&index, &owned, json_out)
}

/// What the group or user `reference` owns (through its groups when
/// `transitive`), only of `kind` when given (an unknown kind is an error
/// with a did-you-mean).
pub fn owned(index: &Index, reference: &str, transitive: bool, kind: Option<&str>) -> anyhow::Result<Vec<u32>> {
    let owner = resolve(index, reference)?;
    require_kind(index, owner, &["group", "user"], "a group or user")?;
    if let Some(k) = kind {
        super::known::kind(index, "--kind", k)?;
    }
    Ok(graph::owned_by(index, owner, transitive)
        .into_iter()
        .filter(|&e| kind.is_none_or(|k| index.summary(e).kind.eq_ignore_ascii_case(k)))
        .collect())
}

fn entity_table(index: &Index, ids: &[u32], json_out: bool) -> anyhow::Result<u8> {
    let mut out = Out::default();
    if json_out {
        let rows: Vec<_> = ids
            .iter()
            .map(|&e| {
                let s = index.summary(e);
                json!({"ref": index.ref_of(e), "kind": s.kind, "title": s.title, "owner": s.owner})
            })
            .collect();
        out.json(&rows)?;
    } else {
        let width = ids.iter().map(|&e| index.ref_of(e).len()).max().unwrap_or(10).min(60);
        for &e in ids {
            let s = index.summary(e);
            out.row(&[(index.ref_of(e), width), (s.title.unwrap_or(""), 0)]);
        }
    }
    out.flush()?;
    Ok(0)
}

/// A member of a group, with the profile's display name and email.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Member {
    /// The user's ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// `spec.profile.displayName`.
    pub name: Option<String>,
    /// `spec.profile.email`.
    pub email: Option<String>,
}

/// The members of `group` (of every sub-group too when `transitive`).
pub fn member_list(index: &Index, group: &str, transitive: bool) -> anyhow::Result<Vec<Member>> {
    let g = resolve(index, group)?;
    require_kind(index, g, &["group"], "a group")?;
    Ok(graph::members(index, g, transitive)
        .into_iter()
        .map(|u| {
            let profile = index.entity(u).ok().and_then(|e| e.spec().and_then(|s| s.get("profile")).cloned());
            let field = |k: &str| profile.as_ref().and_then(|p| p.get(k)).and_then(|v| v.as_str()).map(String::from);
            Member { entity_ref: index.ref_of(u).to_string(), name: field("displayName"), email: field("email") }
        })
        .collect())
}

/// `stagehand members GROUP`: the members, and on stderr those not in the
/// catalog (exit 1 when none is).
pub fn members(ws: &Workspace, group: &str, transitive: bool, json_out: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let people = member_list(&index, group, transitive)?;
    let g = resolve(&index, group)?;
    let missing = missing_members(&index, g, transitive);
    let mut out = Out::default();
    if json_out {
        out.json(&people)?;
    } else {
        let width = people.iter().map(|m| m.entity_ref.len()).max().unwrap_or(10);
        for m in &people {
            let name = m.name.as_deref().unwrap_or("");
            let email = m.email.as_deref().map(|e| format!("<{e}>")).unwrap_or_default();
            out.row(&[(&m.entity_ref, width), (name, 0), (&email, 0)]);
        }
    }
    out.flush()?;
    let group = crate::model::sanitize::line(index.ref_of(g)).into_owned();
    if missing.is_empty() {
        if people.is_empty() {
            eprintln!("{group} has no members");
        }
        return Ok(0);
    }
    let listed = crate::model::sanitize::line(&missing.join(", ")).into_owned();
    let why = "not in the catalog (see `stagehand search is:rejected` and `stagehand problems`)";
    if people.is_empty() {
        eprintln!("{group}: every member ({}) is {why}: {listed}", missing.len());
        return Ok(super::EXIT_FOUND_PROBLEMS);
    }
    eprintln!("{group}: {} more member(s) {why}: {listed}", missing.len());
    Ok(0)
}

/// The `hasMember` targets of the group (and, with `transitive`, of its
/// sub-groups) that name no entity.
fn missing_members(index: &Index, g: u32, transitive: bool) -> Vec<String> {
    let groups = if transitive { graph::descendant_groups(index, g) } else { [g].into() };
    let mut missing: Vec<String> = groups
        .into_iter()
        .flat_map(|x| index.related(x, types::HAS_MEMBER))
        .filter(|t| t.entity().is_none())
        .map(|t| match t {
            graph::Target::Missing(id) | graph::Target::Entity(id) => index.ref_of(id).to_string(),
        })
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// `stagehand graph REF`.
pub fn graph(ws: &Workspace, reference: &str, opts: &GraphOptions, format: GraphFormat) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let root = resolve(&index, reference)?;
    for r in &opts.relations {
        super::known::relation_type(&index, r)?;
    }
    for k in &opts.kinds {
        super::known::kind(&index, "--kind", k)?;
    }
    if opts.depth > graph::MAX_DEPTH {
        eprintln!(
            "note: --depth {} is more than the {} hops stagehand walks; showing {}",
            opts.depth,
            graph::MAX_DEPTH,
            graph::MAX_DEPTH
        );
    }
    let mut out = Out::default();
    match format {
        GraphFormat::Text => {
            for line in render_text(&index, &tree(&index, root, opts, &HashSet::new())) {
                out.line(&line);
            }
        }
        GraphFormat::Dot => out.block(&graph_format::dot(&index, root, &neighbourhood(&index, root, opts))),
        GraphFormat::Mermaid => out.block(&graph_format::mermaid(&index, &neighbourhood(&index, root, opts))),
        GraphFormat::Json => {
            let n = neighbourhood(&index, root, opts);
            let nodes: Vec<_> = n
                .nodes
                .iter()
                .map(|(node, depth)| {
                    let exists = (*node as usize) < index.len();
                    let title = exists.then(|| index.summary(*node).title).flatten();
                    json!({"ref": index.ref_of(*node), "depth": depth, "exists": exists, "title": title})
                })
                .collect();
            let edges: Vec<_> = n
                .edges
                .iter()
                .map(|e| json!({"from": index.ref_of(e.from), "type": e.kind, "to": index.ref_of(e.to)}))
                .collect();
            let truncated: Vec<_> = n
                .truncated
                .iter()
                .map(|(node, hidden)| json!({"ref": index.ref_of(*node), "hidden": hidden}))
                .collect();
            out.json(&json!({"root": index.ref_of(root), "nodes": nodes, "edges": edges, "truncated": truncated}))?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// `stagehand health`: exit 1 when anything is wrong.
pub fn health(ws: &Workspace, json_out: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let issues = find_issues(&index);
    let mut out = Out::default();
    if json_out {
        out.json(&issues)?;
    } else {
        let width = issues.iter().map(|i| i.entity_ref.len()).max().unwrap_or(10).min(50);
        for i in &issues {
            out.row(&[(i.kind.label(), 17), (&i.entity_ref, width), (&i.message, 0)]);
        }
    }
    out.flush()?;
    if issues.is_empty() {
        eprintln!("healthy: no issues in {} entities", index.len());
        Ok(0)
    } else {
        eprintln!("{} issues in {} entities", issues.len(), index.len());
        Ok(super::EXIT_FOUND_PROBLEMS)
    }
}
