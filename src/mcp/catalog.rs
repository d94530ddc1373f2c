//! The catalog tools: search, get_entity, owners, owned_by, members,
//! graph and health, on the calls `stagehand search|show|owners|owned-by|
//! members|graph|health` use.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cli::browse::{self, Row, describe, resolve};
use crate::cli::graph::{Member, member_list, owned};
use crate::cli::output::Out;
use crate::index::Index;
use crate::index::graph::{GraphOptions, neighbourhood, owner_chain};
use crate::index::graph_format::mermaid;
use crate::index::graph_tree::{render_text, tree};
use crate::index::health::health as find_issues;
use crate::model::relations::types;

use super::reply::{Reply, Window, chunk, more_hint};

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// Fuzzy query with optional facets, e.g. `payments kind:api owner:team-a !tag:java lifecycle:production`.
    pub query: String,
    /// Only entities of this kind (Component, API, Group, ...).
    pub kind: Option<String>,
    /// At most this many results (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many results (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// Result of `search`: the hits, best first.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchOut<'a> {
    /// The matching entities.
    pub hits: Vec<Row<'a>>,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `search`: `stagehand search QUERY --kind K --limit N`.
pub fn search(index: &Index, args: &SearchArgs) -> anyhow::Result<Reply> {
    let window = Window::new(args.offset, args.limit);
    let hits = browse::find(index, &args.query, args.kind.as_deref(), window.probe());
    let (hits, next) = window.take(hits);
    let mut out = Out::default();
    if hits.is_empty() {
        out.line(&format!("no matches for `{}`", args.query));
    }
    browse::table(&mut out, index, &hits);
    let text = out.into_string() + &more_hint(next, "results");
    let rows = hits.iter().map(|h| browse::row(index, h.entity, Some(h))).collect();
    Reply::new(text, &SearchOut { hits: rows, next_offset: next })
}

/// Arguments of the tools taking one entity.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RefArgs {
    /// The entity: `name`, `kind:name` or `kind:namespace/name`.
    #[serde(rename = "ref")]
    pub reference: String,
}

/// One relation of an entity.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelationOut {
    /// The relation type (`ownedBy`, `dependsOn`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The target's ref.
    pub target_ref: String,
    /// Whether the target is in the catalog (false: a dangling ref).
    pub exists: bool,
}

/// Result of `get_entity`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntityOut {
    /// The canonical ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// The entity as stored (apiVersion, kind, metadata, spec).
    pub entity: serde_json::Value,
    /// Its relations, resolved and dangling.
    pub relations: Vec<RelationOut>,
    /// What the last sync found wrong with it (`file:line:col: severity: message`).
    pub problems: Vec<String>,
    /// The configured source it came from.
    pub source: String,
    /// The file it came from (local sources).
    pub file: Option<String>,
    /// The line of its document in that file.
    pub line: Option<u32>,
}

/// `get_entity`: `stagehand show REF` (and `--json`), with problems and source line.
pub fn get_entity(index: &Index, args: &RefArgs) -> anyhow::Result<Reply> {
    let i = resolve(index, &args.reference)?;
    let entity = index.entity(i).map_err(anyhow::Error::msg)?;
    let relations = index.relations(i);
    let mut out = Out::default();
    describe(&mut out, index, i, &entity, &relations);
    let s = index.summary(i);
    let data = EntityOut {
        entity_ref: index.ref_of(i).to_string(),
        entity: entity.to_value(),
        relations: relations
            .iter()
            .map(|r| RelationOut { kind: r.kind.into(), target_ref: r.target.into(), exists: r.entity.is_some() })
            .collect(),
        problems: index.problems_of(i).iter().map(|p| p.to_string()).collect(),
        source: index.source_name(i).to_string(),
        file: s.file.map(String::from),
        line: s.file.map(|_| s.line),
    };
    Reply::new(out.into_string(), &data)
}

/// One step up an owner chain.
#[derive(Serialize, JsonSchema)]
pub struct ChainOut {
    /// The owner or parent group.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// `ownedBy` (the first step) or `childOf`.
    pub via: String,
    /// Whether it is in the catalog.
    pub exists: bool,
}

/// Result of `owners`.
#[derive(Serialize, JsonSchema)]
pub struct OwnersOut {
    /// The entity asked about.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// Its owner, then the owner's parent groups up to the root.
    pub chain: Vec<ChainOut>,
}

/// `owners`: `stagehand owners REF`.
pub fn owners(index: &Index, args: &RefArgs) -> anyhow::Result<Reply> {
    let i = resolve(index, &args.reference)?;
    let chain: Vec<ChainOut> = owner_chain(index, i)
        .iter()
        .map(|s| ChainOut {
            entity_ref: index.ref_of(s.target.ref_index()).to_string(),
            via: s.via.to_string(),
            exists: s.target.entity().is_some(),
        })
        .collect();
    let mut out = Out::default();
    out.line(index.ref_of(i));
    if chain.is_empty() {
        out.line("  has no owner");
    }
    for step in &chain {
        let note = if step.exists { "" } else { "  (missing: not in the catalog)" };
        let via = if step.via == types::OWNED_BY { "owned by" } else { "child of" };
        out.line(&format!("  {via} {}{note}", step.entity_ref));
    }
    Reply::new(out.into_string(), &OwnersOut { entity_ref: index.ref_of(i).into(), chain })
}

/// Arguments of `owned_by`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct OwnedByArgs {
    /// The group or user.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Include what sub-groups own (for a group), or the user's groups and their parents.
    #[serde(default)]
    pub transitive: bool,
    /// Only entities of this kind.
    pub kind: Option<String>,
    /// At most this many entities (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many entities (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// An entity in a list.
#[derive(Serialize, JsonSchema)]
pub struct EntityRow {
    /// Its ref.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// Its kind.
    pub kind: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// Its owner's ref.
    pub owner: Option<String>,
}

/// Result of `owned_by`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnedOut {
    /// What is owned, sorted by ref.
    pub entities: Vec<EntityRow>,
    /// How many in all.
    pub total: usize,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `owned_by`: `stagehand owned-by REF [--transitive] [--kind K]`.
pub fn owned_by(index: &Index, args: &OwnedByArgs) -> anyhow::Result<Reply> {
    let ids = owned(index, &args.reference, args.transitive, args.kind.as_deref())?;
    let total = ids.len();
    let (ids, next) = Window::new(args.offset, args.limit).take(ids);
    let rows: Vec<EntityRow> = ids
        .iter()
        .map(|&e| {
            let s = index.summary(e);
            EntityRow {
                entity_ref: index.ref_of(e).into(),
                kind: s.kind.into(),
                title: s.title.map(String::from),
                owner: s.owner.map(String::from),
            }
        })
        .collect();
    let mut out = Out::default();
    out.line(&format!("{total} entities"));
    for r in &rows {
        out.line(format!("{} {}", r.entity_ref, r.title.as_deref().unwrap_or("")).trim_end());
    }
    let text = out.into_string() + &more_hint(next, "entities");
    Reply::new(text, &OwnedOut { entities: rows, total, next_offset: next })
}

/// Arguments of `members`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MembersArgs {
    /// The group.
    pub group: String,
    /// Include members of every sub-group.
    #[serde(default)]
    pub transitive: bool,
    /// At most this many members (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many members (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// Result of `members`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MembersOut {
    /// The members, with display name and email.
    pub members: Vec<Member>,
    /// How many in all.
    pub total: usize,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `members`: `stagehand members GROUP [--transitive]`.
pub fn members(index: &Index, args: &MembersArgs) -> anyhow::Result<Reply> {
    let people = member_list(index, &args.group, args.transitive)?;
    let total = people.len();
    let (people, next) = Window::new(args.offset, args.limit).take(people);
    let mut out = Out::default();
    out.line(&format!("{total} members"));
    for m in &people {
        let email = m.email.as_deref().map(|e| format!(" <{e}>")).unwrap_or_default();
        out.line(format!("{} {}{email}", m.entity_ref, m.name.as_deref().unwrap_or("")).trim_end());
    }
    let text = out.into_string() + &more_hint(next, "members");
    Reply::new(text, &MembersOut { members: people, total, next_offset: next })
}

/// How `graph` draws.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GraphStyle {
    /// An indented tree (as `stagehand graph`).
    #[default]
    Text,
    /// A Mermaid flowchart.
    Mermaid,
}

/// Arguments of `graph`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GraphArgs {
    /// The entity at the centre.
    #[serde(rename = "ref")]
    pub reference: String,
    /// How many hops (default 1, at most 4).
    pub depth: Option<usize>,
    /// Only these relation types, e.g. `ownedBy`, `dependsOn` (empty: all).
    #[serde(default)]
    pub relations: Vec<String>,
    /// Only nodes of these kinds (empty: all).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// `text` (default) or `mermaid`.
    #[serde(default)]
    pub format: GraphStyle,
    /// Byte offset into the drawing (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// Result of `graph`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphOut {
    /// The centre's ref.
    pub root: String,
    /// The format drawn.
    pub format: GraphStyle,
    /// Nodes in the neighbourhood.
    pub nodes: usize,
    /// Edges among them.
    pub edges: usize,
    /// The drawing (this part of it).
    pub graph: String,
    /// Where the rest of the drawing starts, when it was cut.
    pub next_offset: Option<usize>,
}

/// Deepest `graph` an agent may ask for.
const MAX_DEPTH: usize = 4;

/// `graph`: `stagehand graph REF --depth N --relation T --kind K --format text|mermaid`.
pub fn graph(index: &Index, args: &GraphArgs) -> anyhow::Result<Reply> {
    let root = resolve(index, &args.reference)?;
    let opts = GraphOptions {
        depth: args.depth.unwrap_or(1).clamp(1, MAX_DEPTH),
        relations: args.relations.clone(),
        kinds: args.kinds.iter().map(|k| k.to_lowercase()).collect(),
        ..GraphOptions::default()
    };
    let n = neighbourhood(index, root, &opts);
    let drawing = match args.format {
        GraphStyle::Text => {
            let mut out = Out::default();
            for line in render_text(index, &tree(index, root, &opts, &HashSet::new())) {
                out.line(&line);
            }
            out.into_string()
        }
        GraphStyle::Mermaid => mermaid(index, &n),
    };
    let (part, next) = chunk(&drawing, args.offset.unwrap_or(0))?;
    let text = part.to_string() + &more_hint(next, "graph");
    let data = GraphOut {
        root: index.ref_of(root).into(),
        format: args.format,
        nodes: n.nodes.len(),
        edges: n.edges.len(),
        graph: part.into(),
        next_offset: next,
    };
    Reply::new(text, &data)
}

/// Arguments of `health`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HealthArgs {
    /// At most this many issues (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many issues (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// One health finding.
#[derive(Serialize, JsonSchema)]
pub struct IssueOut {
    /// What kind (`missing owner`, `dangling ref`, ...).
    pub kind: String,
    /// The entity concerned.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// What is wrong.
    pub message: String,
}

/// Result of `health`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthOut {
    /// Whether nothing is wrong.
    pub healthy: bool,
    /// Entities checked.
    pub entities: usize,
    /// How many issues in all.
    pub total: usize,
    /// The issues, by kind then ref.
    pub issues: Vec<IssueOut>,
    /// Where the next page starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `health`: `stagehand health`.
pub fn health(index: &Index, args: &HealthArgs) -> anyhow::Result<Reply> {
    let issues = find_issues(index);
    let total = issues.len();
    let (issues, next) = Window::new(args.offset, args.limit).take(issues);
    let rows: Vec<IssueOut> = issues
        .into_iter()
        .map(|i| IssueOut { kind: i.kind.label().into(), entity_ref: i.entity_ref, message: i.message })
        .collect();
    let mut out = Out::default();
    if total == 0 {
        out.line(&format!("healthy: no issues in {} entities", index.len()));
    } else {
        out.line(&format!("{total} issues in {} entities", index.len()));
    }
    for i in &rows {
        out.line(&format!("{:<17} {} {}", i.kind, i.entity_ref, i.message));
    }
    let text = out.into_string() + &more_hint(next, "issues");
    Reply::new(text, &HealthOut { healthy: total == 0, entities: index.len(), total, issues: rows, next_offset: next })
}
