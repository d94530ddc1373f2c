//! `search`, `list` and `show`.

use anyhow::bail;
use serde::Serialize;

use crate::index::search::{
    Facet, FacetHint, FacetKey, Haystacks, Hit, Query, Scope, facet_hints, search as run_search,
};
use crate::index::{Index, Rejected};
use crate::model::sanitize::line;
use crate::workspace::Workspace;

use super::output::Out;

/// One entity in `--json` lists (and in the MCP server's search results).
#[derive(Serialize, schemars::JsonSchema)]
pub struct Row<'a> {
    #[serde(rename = "ref")]
    entity_ref: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    title: Option<&'a str>,
    description: Option<&'a str>,
    owner: Option<&'a str>,
    lifecycle: Option<&'a str>,
    #[serde(rename = "type")]
    spec_type: Option<&'a str>,
    tags: Vec<&'a str>,
    /// 0 when the query meant the entity (see `meaning`), 1 when the label
    /// (name, title, display name) matched, 2 otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<u8>,
    /// How the query meant it: `ref`, `name`, `title` or `prefix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    meaning: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<u32>,
}

/// The `--json` row of entity `i`, with its rank when it is a search hit.
pub fn row<'a>(index: &'a Index, i: u32, hit: Option<&Hit>) -> Row<'a> {
    let s = index.summary(i);
    Row {
        entity_ref: index.ref_of(i),
        kind: s.kind,
        namespace: s.namespace,
        name: s.name,
        title: s.title,
        description: s.description,
        owner: s.owner,
        lifecycle: s.lifecycle,
        spec_type: s.spec_type,
        tags: s.tags.iter().collect(),
        tier: hit.map(|h| {
            if h.meaning().is_some() {
                0
            } else if h.in_label() {
                1
            } else {
                2
            }
        }),
        meaning: hit.and_then(Hit::meaning).map(|m| m.as_str()),
        score: hit.map(Hit::fuzzy_score),
    }
}

/// The text table of hits: ref, owner, title.
pub fn table(out: &mut Out, index: &Index, hits: &[Hit]) {
    let width = hits.iter().map(|h| index.summary(h.entity).display_ref().len()).max().unwrap_or(10).clamp(10, 60);
    for h in hits {
        let s = index.summary(h.entity);
        let owner = s.owner.unwrap_or("-");
        let title = s.title.or(s.description).unwrap_or("");
        out.row(&[(&s.display_ref(), width), (owner, 28), (title, 0)]);
    }
}

fn facet(key: FacetKey, value: &str) -> Facet {
    Facet { key, value: value.to_lowercase(), negate: false }
}

/// The best `limit` hits of `query` (facets included), only of `kind` when given.
pub fn find(index: &Index, query: &str, kind: Option<&str>, limit: usize) -> Vec<Hit> {
    let mut q = Query::parse(query);
    if let Some(k) = kind {
        q.facets.push(facet(FacetKey::Kind, k));
    }
    let hay = Haystacks::once();
    find_in(index, &hay, &q, limit)
}

/// The best `limit` hits of a parsed query over `hay`.
fn find_in(index: &Index, hay: &Haystacks, q: &Query, limit: usize) -> Vec<Hit> {
    let mut hits = run_search(index, hay, q, Scope::All);
    hits.truncate(limit);
    hits
}

/// `stagehand search`.
pub fn search(ws: &Workspace, query: &str, kind: Option<&str>, limit: usize, json: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    if let Some(k) = kind {
        super::known::kind(&index, "--kind", k)?;
    }
    let mut q = Query::parse(query);
    if q.rejected {
        q.facets.extend(kind.map(|k| facet(FacetKey::Kind, k)));
        return rejected_list(&index, &q, limit, json);
    }
    q.facets.extend(kind.map(|k| facet(FacetKey::Kind, k)));
    let hay = Haystacks::once();
    let typed = match kind {
        Some(k) => format!("{query} kind:{k}"),
        None => query.to_string(),
    };
    let hints = facet_hints(&index, &hay, &typed);
    for hint in &hints {
        eprintln!("{hint}");
    }
    let hits = find_in(&index, &hay, &q, limit);
    let mut out = Out::default();
    if json {
        let rows: Vec<Row> = hits.iter().map(|h| row(&index, h.entity, Some(h))).collect();
        out.json(&rows)?;
    } else if hits.is_empty() {
        eprintln!("no matches for `{}`", crate::model::sanitize::line(query));
    } else {
        table(&mut out, &index, &hits);
    }
    out.flush()?;
    Ok(if hints.iter().any(FacetHint::is_error) { 2 } else { 0 })
}

/// One rejected entity in `--json` output.
fn rejected_json(r: &Rejected) -> serde_json::Value {
    serde_json::json!({"ref": r.entity_ref, "rejected": true, "reason": r.reason, "file": r.file,
        "line": r.line, "source": r.source})
}

/// `stagehand search is:rejected ...`: the entities the catalog would not
/// store, with why and where.
fn rejected_list(index: &Index, q: &Query, limit: usize, json: bool) -> anyhow::Result<u8> {
    let mut found = index.search_rejected(q);
    found.truncate(limit);
    let mut out = Out::default();
    if json {
        out.json(&found.iter().map(|r| rejected_json(r)).collect::<Vec<_>>())?;
    } else if found.is_empty() {
        eprintln!("no rejected entities match");
    } else {
        let width = found.iter().map(|r| r.entity_ref.len()).max().unwrap_or(10).clamp(10, 60);
        for r in found {
            out.row(&[(&r.entity_ref, width), (&format!("rejected: {} ({})", r.reason, r.location()), 0)]);
        }
    }
    out.flush()?;
    Ok(0)
}

/// `stagehand list`.
pub fn list(ws: &Workspace, kind: Option<&str>, owner: Option<&str>, json: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    if let Some(k) = kind {
        super::known::kind(&index, "--kind", k)?;
    }
    if let Some(o) = owner {
        super::known::facet_value(&index, "--owner", FacetKey::Owner, o)?;
    }
    let mut q = Query::default();
    q.facets.extend(kind.map(|k| facet(FacetKey::Kind, k)));
    q.facets.extend(owner.map(|o| facet(FacetKey::Owner, o)));
    let hits: Vec<Hit> = (0..index.len() as u32).filter(|&i| q.admits(&index, i)).map(Hit::unranked).collect();
    let mut out = Out::default();
    if json {
        let rows: Vec<Row> = hits.iter().map(|h| row(&index, h.entity, None)).collect();
        out.json(&rows)?;
    } else {
        table(&mut out, &index, &hits);
    }
    out.flush()?;
    Ok(0)
}

/// Finds an entity by user input, or fails with the closest refs.
pub fn resolve(index: &Index, reference: &str) -> anyhow::Result<u32> {
    if let Some(i) = index.resolve(reference) {
        return Ok(i);
    }
    let suggestions = index.suggest(reference, 5);
    if suggestions.is_empty() {
        bail!("no entity `{reference}` in the index; try `stagehand search {reference}`");
    }
    bail!("no entity `{reference}`; did you mean: {}?", suggestions.join(", "))
}

#[derive(Serialize)]
struct RelationOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "targetRef")]
    target: &'a str,
    exists: bool,
}

/// `stagehand show`.
pub fn show(ws: &Workspace, reference: &str, json: bool, yaml: bool) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let i = match (index.resolve(reference), index.resolve_rejected(reference).as_slice()) {
        (None, [r]) => return show_rejected(r, json, yaml),
        _ => resolve(&index, reference)?,
    };
    let entity = index.entity(i).map_err(anyhow::Error::msg)?;
    let relations = index.relations(i);
    let mut out = Out::default();
    if yaml {
        out.block(&serde_yaml::to_string(&entity)?);
    } else if json {
        let rels: Vec<RelationOut> = relations
            .iter()
            .map(|r| RelationOut { kind: r.kind, target: r.target, exists: r.entity.is_some() })
            .collect();
        out.json(&serde_json::json!({ "entity": entity, "relations": rels, "source": index.source_name(i) }))?;
    } else {
        describe(&mut out, &index, i, &entity, &relations);
    }
    out.flush()?;
    Ok(0)
}

/// The text of `stagehand show`: fields, links, source file:line,
/// relations (dangling ones marked) and problems.
pub fn describe(
    out: &mut Out,
    index: &Index,
    i: u32,
    entity: &crate::model::Entity,
    relations: &[crate::index::RelationView<'_>],
) {
    let s = index.summary(i);
    out.line(&format!("{}  ({})", index.ref_of(i), s.kind));
    let fields = [
        ("Title", s.title.map(String::from)),
        ("Description", s.description.map(String::from)),
        ("Owner", s.owner.map(String::from)),
        ("System", s.system.map(String::from)),
        ("Type", s.spec_type.map(String::from)),
        ("Lifecycle", s.lifecycle.map(String::from)),
        ("Tags", (!s.tags.is_empty()).then(|| s.tags.iter().collect::<Vec<_>>().join(", "))),
    ];
    for (label, value) in fields {
        if let Some(v) = value {
            out.line(&format!("{label:<12} {v}"));
        }
    }
    for (url, title) in entity.links() {
        out.line(&format!("{:<12} {} {url}", "Link", title.unwrap_or("")));
    }
    let place = match &s.file {
        Some(f) => format!("{f}:{}", s.line),
        None => String::new(),
    };
    out.line(&format!("{:<12} {} {place}", "Source", index.source_name(i)));
    if !relations.is_empty() {
        out.line("Relations:");
        let width = relations.iter().map(|r| r.kind.len()).max().unwrap_or(8);
        for r in relations {
            let note = if r.entity.is_some() { "" } else { "  (dangling: not in the catalog)" };
            out.line(&format!("  {:<width$}  {}{note}", r.kind, r.target));
        }
    }
    let problems = index.problems_of(i);
    if !problems.is_empty() {
        out.line("Problems:");
        for p in problems {
            out.line(&format!("  {p}"));
        }
    }
}

/// `stagehand show` of an entity the catalog would not store: marked as
/// rejected, with the reason and where it was read.
fn show_rejected(r: &Rejected, json: bool, yaml: bool) -> anyhow::Result<u8> {
    let entity = r.entity().map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    if yaml {
        eprintln!("{} is REJECTED: {}", line(&r.entity_ref), line(&r.reason));
        out.block(&serde_yaml::to_string(&entity)?);
    } else if json {
        out.json(&serde_json::json!({ "entity": entity, "relations": [], "source": r.source,
            "rejected": rejected_json(r) }))?;
    } else {
        out.line(&format!("{}  ({})  REJECTED", r.entity_ref, entity.kind()));
        out.line(&format!("{:<12} {}", "Rejected", r.reason));
        out.line(&format!("{:<12} {}", "Why", "Backstage would not store it: no relations, ownership or health"));
        for (label, value) in [("Title", entity.title()), ("Description", entity.description())] {
            if let Some(v) = value {
                out.line(&format!("{label:<12} {v}"));
            }
        }
        out.line(&format!("{:<12} {} {}", "Source", r.source, r.file.as_ref().map_or(String::new(), |_| r.location())));
    }
    out.flush()?;
    Ok(0)
}
