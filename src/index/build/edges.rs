//! The relations of a build: every entity's own relations and the inverses
//! other entities imply, as sorted, de-duplicated `(source, type, target)`
//! ids, with the relation type table and the dangling targets (refs that
//! name no entity).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

use crate::index::Link;
use crate::model::relations::types;
use crate::model::{Entity, Relation};

use super::record::Outgoing;
use super::{Candidate, Content};

/// Where a relation points, before dangling targets have ids.
enum Target<'a> {
    Entity(u32),
    Dangling(Cow<'a, str>),
}

/// One relation found while reading a candidate.
struct Found<'a> {
    source: u32,
    kind: Cow<'a, str>,
    target: Target<'a>,
}

/// Every relation of the build, by id.
pub(super) struct Edges {
    /// Relation type names: Backstage's pairs first, then the others in
    /// order of appearance.
    pub types: Vec<String>,
    /// Targets that name no entity, sorted; their ids follow the entities'.
    pub dangling: Vec<String>,
    /// `(source, type, target)`, sorted and de-duplicated.
    flat: Vec<(u32, u16, u32)>,
    /// Where each entity's relations start in `flat`, plus the end.
    starts: Vec<usize>,
}

impl Edges {
    /// The relations of `candidates`, whose canonical refs are `refs`
    /// (sorted, unique, in the same order).
    pub fn collect(candidates: &[Candidate<'_>], refs: &[String]) -> Edges {
        let known: HashMap<&str, u32> = refs.iter().enumerate().map(|(i, r)| (r.as_str(), i as u32)).collect();
        let found: Vec<Vec<Found<'_>>> =
            candidates.par_iter().enumerate().map(|(i, c)| found(i as u32, c, &known)).collect();
        let mut types: Vec<String> = Vec::new();
        let mut type_ids: HashMap<&str, u16> = HashMap::default();
        let pairs = types::PAIRS.iter().flat_map(|(a, b)| [*a, *b]);
        for kind in pairs.chain(found.iter().flatten().map(|f| f.kind.as_ref())) {
            if !type_ids.contains_key(kind) {
                type_ids.insert(kind, types.len() as u16);
                types.push(kind.to_string());
            }
        }
        let mut dangling: Vec<&str> = found
            .iter()
            .flatten()
            .filter_map(|f| match &f.target {
                Target::Dangling(t) => Some(t.as_ref()),
                Target::Entity(_) => None,
            })
            .collect();
        dangling.par_sort_unstable();
        dangling.dedup();
        let entities = refs.len() as u32;
        let mut flat: Vec<(u32, u16, u32)> = found
            .iter()
            .flatten()
            .map(|f| {
                let target = match &f.target {
                    Target::Entity(t) => *t,
                    Target::Dangling(d) => entities + dangling.binary_search(&d.as_ref()).unwrap_or_default() as u32,
                };
                (f.source, type_ids[f.kind.as_ref()], target)
            })
            .collect();
        flat.par_sort_unstable();
        flat.dedup();
        let mut starts = Vec::with_capacity(refs.len() + 1);
        let mut at = 0;
        for i in 0..=entities {
            while flat.get(at).is_some_and(|e| e.0 < i) {
                at += 1;
            }
            starts.push(at);
        }
        let dangling = dangling.into_iter().map(String::from).collect();
        Edges { types, dangling, flat, starts }
    }

    /// The links of entity `i`, sorted by type id, then target id.
    pub fn links(&self, i: usize) -> Vec<Link> {
        self.flat[self.starts[i]..self.starts[i + 1]].iter().map(|&(_, kind, target)| Link { kind, target }).collect()
    }

    /// `links` as an entity's `relations` lists them: by type name, then
    /// target ref.
    pub fn relations(&self, links: &[Link], refs: &[String]) -> Vec<Relation> {
        let mut relations: Vec<Relation> = links
            .iter()
            .map(|l| Relation { kind: self.types[l.kind as usize].clone(), target: self.target(l.target, refs).into() })
            .collect();
        relations.sort_unstable();
        relations
    }

    fn target<'a>(&'a self, id: u32, refs: &'a [String]) -> &'a str {
        match (id as usize).checked_sub(refs.len()) {
            Some(d) => &self.dangling[d],
            None => &refs[id as usize],
        }
    }
}

/// The relations candidate `i` brings: a server entity's own, or those its
/// spec fields derive, with their inverses on known targets.
fn found<'a>(i: u32, c: &'a Candidate<'_>, known: &HashMap<&str, u32>) -> Vec<Found<'a>> {
    let target = |t: Cow<'a, str>| match known.get(t.as_ref()) {
        Some(&id) => Target::Entity(id),
        None => Target::Dangling(t),
    };
    match &c.content {
        Content::Stored { prev, entity } => stored_relations(prev.body_json(*entity))
            .into_iter()
            .map(|(kind, t)| Found { source: i, kind, target: target(Cow::Owned(t)) })
            .collect(),
        Content::Read(record) => match &record.outgoing {
            Outgoing::Server(relations) => relations
                .iter()
                .map(|r| Found { source: i, kind: Cow::Borrowed(&r.kind), target: target(Cow::Borrowed(&r.target)) })
                .collect(),
            Outgoing::Spec(refs) => {
                let mut out = Vec::with_capacity(refs.len() * 2);
                for (field, t) in refs {
                    if let Some(&j) = known.get(t.as_str()) {
                        out.push(Found { source: j, kind: Cow::Borrowed(field.inverse), target: Target::Entity(i) });
                    }
                    out.push(Found {
                        source: i,
                        kind: Cow::Borrowed(field.relation),
                        target: target(Cow::Borrowed(t)),
                    });
                }
                out
            }
        },
    }
}

/// The `relations` of a stored entity body.
#[derive(Deserialize)]
struct StoredRelations<'a> {
    #[serde(borrow, default)]
    relations: Vec<StoredRelation<'a>>,
}

#[derive(Deserialize)]
struct StoredRelation<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(rename = "targetRef", borrow)]
    target: Cow<'a, str>,
}

/// The relations of a stored body (type, lower-cased target) without
/// building the entity; a body with unusual relations is read in full.
fn stored_relations(body: &[u8]) -> Vec<(Cow<'_, str>, String)> {
    if let Ok(stored) = serde_json::from_slice::<StoredRelations<'_>>(body) {
        return stored.relations.into_iter().map(|r| (r.kind, r.target.to_lowercase())).collect();
    }
    let entity = serde_json::from_slice(body).map_err(|e| e.to_string()).and_then(Entity::from_json);
    let relations = entity.map(|e| e.relations()).unwrap_or_default();
    relations.into_iter().map(|r| (Cow::Owned(r.kind), r.target)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_relations_are_read_without_the_entity() {
        let body =
            br#"{"kind":"Component","relations":[{"type":"ownedBy","targetRef":"Group:default/A","target":{}}]}"#;
        let found = stored_relations(body);
        assert_eq!(found, vec![(Cow::Borrowed("ownedBy"), "group:default/a".to_string())]);
        assert!(matches!(found[0].0, Cow::Borrowed(_)));
    }

    #[test]
    fn unusual_stored_relations_fall_back_to_the_entity() {
        let body = br#"{"kind":"Component","metadata":{"name":"c"},"relations":[{"type":"x"},{"type":"y","targetRef":"a:b/c"}]}"#;
        assert_eq!(stored_relations(body), vec![(Cow::Borrowed("y"), "a:b/c".to_string())]);
        assert!(stored_relations(b"{damaged").is_empty());
    }
}
