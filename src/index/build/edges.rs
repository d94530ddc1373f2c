//! The relations of a build: every entity's own relations and the inverses
//! other entities imply, as sorted, de-duplicated `(source, type, target)`
//! ids, with the relation type table and the dangling targets (refs that
//! name no entity).

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

use crate::index::Link;
use crate::model::Entity;
use crate::model::relations::types;

use super::record::Outgoing;
use super::{Candidate, Content};

/// Where a relation points, before dangling targets have ids.
#[derive(Clone, Copy)]
enum Target<'a> {
    Entity(u32),
    Dangling(&'a str),
}

/// A derived relation as a body lists it: serialised and ordered as a
/// [`Relation`](crate::model::Relation) with the same type and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub(super) struct Derived<'a> {
    /// The relation type, e.g. `ownedBy`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The canonical ref of the target.
    #[serde(rename = "targetRef")]
    pub target: &'a str,
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
    ///
    /// The bodies of `candidates` are laid out next in this order: those in
    /// a spill file start being read ahead, on a thread of their own, while
    /// the relations are collected.
    pub fn collect(candidates: &[Candidate<'_>], refs: &[String]) -> Edges {
        read_bodies_ahead(candidates);
        let known: HashMap<&str, u32> = refs.iter().enumerate().map(|(i, r)| (r.as_str(), i as u32)).collect();
        // First the names: relation types beyond Backstage's pairs (in order
        // of appearance) and dangling targets; then the relations by id. No
        // list of every relation by name is ever held.
        let pairs: Vec<&str> = types::PAIRS.iter().flat_map(|(a, b)| [*a, *b]).collect();
        let is_pair: rustc_hash::FxHashSet<&str> = pairs.iter().copied().collect();
        let resolved = resolve(candidates, &known);
        let (mut others, mut dangling) = candidates
            .par_iter()
            .enumerate()
            .fold(
                || (Vec::new(), Vec::new()),
                |(mut others, mut dangling): (Vec<(usize, usize, String)>, Vec<String>), (i, c)| {
                    let mut n = 0;
                    each(i as u32, c, &known, &resolved[i], &mut |_, kind, target| {
                        if !is_pair.contains(kind) {
                            others.push((i, n, kind.to_string()));
                        }
                        if let Target::Dangling(t) = target {
                            dangling.push(t.to_string());
                        }
                        n += 1;
                    });
                    (others, dangling)
                },
            )
            .reduce(
                || (Vec::new(), Vec::new()),
                |(mut a, mut b), (c, d)| {
                    a.extend(c);
                    b.extend(d);
                    (a, b)
                },
            );
        others.par_sort_unstable();
        let mut types: Vec<String> = pairs.iter().map(|p| p.to_string()).collect();
        for (_, _, kind) in others {
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        let type_ids: HashMap<&str, u16> = types.iter().enumerate().map(|(i, t)| (t.as_str(), i as u16)).collect();
        dangling.par_sort_unstable();
        dangling.dedup();
        let entities = refs.len() as u32;
        let mut flat: Vec<(u32, u16, u32)> = candidates
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, c)| {
                let mut out = Vec::new();
                each(i as u32, c, &known, &resolved[i], &mut |source, kind, target| {
                    let target = match target {
                        Target::Entity(t) => t,
                        Target::Dangling(d) => {
                            let at = dangling.binary_search_by(|x| x.as_str().cmp(d)).unwrap_or_default();
                            entities + at as u32
                        }
                    };
                    out.push((source, type_ids[kind], target));
                });
                out
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
        Edges { types, dangling, flat, starts }
    }

    /// The links of entity `i`, sorted by type id, then target id.
    pub fn links(&self, i: usize) -> Vec<Link> {
        self.flat[self.starts[i]..self.starts[i + 1]].iter().map(|&(_, kind, target)| Link { kind, target }).collect()
    }

    /// `links` as an entity's `relations` lists them: by type name, then
    /// target ref (borrowing the names, which a body only copies).
    pub fn relations<'a>(&'a self, links: &[Link], refs: &'a [String]) -> Vec<Derived<'a>> {
        let mut relations: Vec<Derived<'a>> = links
            .iter()
            .map(|l| Derived { kind: &self.types[l.kind as usize], target: self.target(l.target, refs) })
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

/// Starts reading ahead the spilled bodies of `candidates`, in their order
/// (those of the first spill file; in a sync there is one).
fn read_bodies_ahead(candidates: &[Candidate<'_>]) {
    fn spilled<'c>(c: &'c Candidate<'_>) -> Option<(&'c std::sync::Arc<super::Spill>, u64, usize)> {
        match &c.content {
            Content::Read(record) => record.spilled(),
            Content::Stored { .. } => None,
        }
    }
    let Some((spill, ..)) = candidates.iter().find_map(spilled) else { return };
    let places = candidates
        .iter()
        .filter_map(spilled)
        .filter(|(s, ..)| std::sync::Arc::ptr_eq(s, spill))
        .map(|(_, at, len)| (at, len))
        .collect();
    spill.read_ahead(places);
}

/// A spec ref that names no entity, among a candidate's resolved refs.
const DANGLING: u32 = u32::MAX;

/// The entity ids of each candidate's spec refs, in order ([`DANGLING`]
/// where a ref names no entity): looked up once for both passes.
fn resolve(candidates: &[Candidate<'_>], known: &HashMap<&str, u32>) -> Vec<Box<[u32]>> {
    candidates
        .par_iter()
        .map(|c| match &c.content {
            Content::Read(record) => match &record.outgoing {
                Outgoing::Spec(refs) => refs.iter().map(|(_, t)| known.get(t).copied().unwrap_or(DANGLING)).collect(),
                Outgoing::Server(_) => Box::default(),
            },
            Content::Stored { .. } => Box::default(),
        })
        .collect()
}

/// Calls `f(source, type, target)` for each relation candidate `i` brings:
/// a server entity's own, or those its spec fields derive (whose targets
/// are `resolved`, see [`resolve`]), with their inverses on known targets.
fn each(
    i: u32,
    c: &Candidate<'_>,
    known: &HashMap<&str, u32>,
    resolved: &[u32],
    f: &mut dyn FnMut(u32, &str, Target<'_>),
) {
    fn target<'t>(known: &HashMap<&str, u32>, t: &'t str) -> Target<'t> {
        match known.get(t) {
            Some(&id) => Target::Entity(id),
            None => Target::Dangling(t),
        }
    }
    match &c.content {
        Content::Stored { prev, entity } => {
            for (kind, t) in stored_relations(prev.body_json(*entity)) {
                f(i, &kind, target(known, &t));
            }
        }
        Content::Read(record) => match &record.outgoing {
            Outgoing::Server(relations) => {
                for r in relations {
                    f(i, &r.kind, target(known, &r.target));
                }
            }
            Outgoing::Spec(refs) => {
                for ((field, t), &id) in refs.iter().zip(resolved) {
                    let to = if id == DANGLING { Target::Dangling(t) } else { Target::Entity(id) };
                    if let Target::Entity(j) = to {
                        f(j, field.inverse, Target::Entity(i));
                    }
                    f(i, field.relation, to);
                }
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
    fn derived_relations_write_and_sort_as_relations_do() {
        use crate::model::Relation;
        let names =
            [("ownedBy", "group:default/b"), ("ownedBy", "group:default/a\"x"), ("hasPart", "é:ns/z"), ("a", "")];
        let mut derived: Vec<Derived<'_>> = names.iter().map(|&(kind, target)| Derived { kind, target }).collect();
        let mut relations: Vec<Relation> =
            names.iter().map(|&(kind, target)| Relation { kind: kind.into(), target: target.into() }).collect();
        derived.sort_unstable();
        relations.sort_unstable();
        assert_eq!(serde_json::to_string(&derived).unwrap(), serde_json::to_string(&relations).unwrap());
    }

    #[test]
    fn unusual_stored_relations_fall_back_to_the_entity() {
        let body = br#"{"kind":"Component","metadata":{"name":"c"},"relations":[{"type":"x"},{"type":"y","targetRef":"a:b/c"}]}"#;
        assert_eq!(stored_relations(body), vec![(Cow::Borrowed("y"), "a:b/c".to_string())]);
        assert!(stored_relations(b"{damaged").is_empty());
    }
}
