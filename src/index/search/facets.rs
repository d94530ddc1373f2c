//! A query's facets resolved once per search: the values an interned field
//! holds repeat across entities (a few kinds, some thousands of owners or
//! tags in a million entities), so each distinct value is checked once and
//! every entity then by a set lookup.

use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Facet, FacetKey};
use crate::index::text::Str;
use crate::index::{Field, Index};

/// The distinct values of each field facets read, and of tags, for one
/// index: found once, on first use.
#[derive(Default)]
pub struct Distinct {
    fields: [OnceLock<Vec<Str>>; FIELDS.len()],
    tags: OnceLock<Vec<Str>>,
    /// Each owner's title and display name (lower case), with its key.
    owner_titles: OnceLock<Vec<(String, Str)>>,
    /// The keys facets lately resolved hold for, by facet key and value:
    /// a keystroke's hints and search, and the keys typed after a facet,
    /// share them.
    resolved: Mutex<FxHashMap<(FacetKey, String), Holding>>,
    /// The did-you-mean of facets that admit nothing, by facet key and
    /// value (see [`super::hints`]), kept like `resolved`.
    hinted: Mutex<FxHashMap<(FacetKey, String), Option<String>>>,
}

/// The keys of the values a facet holds for.
type Holding = Arc<FxHashSet<Str>>;

/// Most facets kept resolved (then the cache starts again).
const KEPT: usize = 64;

/// The fields facets read.
const FIELDS: [Field; 6] = [Field::Kind, Field::Namespace, Field::Owner, Field::System, Field::Lifecycle, Field::Type];

impl Distinct {
    /// Every distinct key of `field` (`None`: tags) in `index`.
    fn of(&self, index: &Index, field: Option<Field>) -> &[Str] {
        let table = &index.table;
        let Some(field) = field else {
            return self.tags.get_or_init(|| {
                let set: FxHashSet<Str> = table.all_tag_keys().par_iter().copied().collect();
                set.into_iter().collect()
            });
        };
        // Facets never read the fields not listed (name, uid, etag): no
        // value of theirs is offered, so such a facet admits nothing.
        let Some(slot) = FIELDS.iter().position(|&f| f == field) else { return &[] };
        self.fields[slot].get_or_init(|| {
            let set = (0..index.len())
                .into_par_iter()
                .fold(FxHashSet::default, |mut seen, i| {
                    seen.insert(table.field_key(i, field));
                    seen
                })
                .reduce(FxHashSet::default, |mut a, b| {
                    a.extend(b);
                    a
                });
            set.into_iter().collect()
        })
    }
}

impl Distinct {
    /// Every kind in `index`, as written.
    pub fn kinds<'a>(&self, index: &'a Index) -> Vec<&'a str> {
        self.of(index, Some(Field::Kind)).iter().filter_map(|&k| index.table.text_of(k)).collect()
    }

    /// The owners whose title or display name is `title` (lower case).
    fn owners_titled(&self, index: &Index, title: &str) -> impl Iterator<Item = Str> {
        let titled = self.owner_titles.get_or_init(|| {
            let owners = self.of(index, Some(Field::Owner));
            owners
                .iter()
                .filter_map(|&k| {
                    let s = index.table.text_of(k).and_then(|r| index.find(r)).and_then(|i| index.try_summary(i))?;
                    Some([s.title, s.display_name].into_iter().flatten().map(move |t| (t.trim().to_lowercase(), k)))
                })
                .flatten()
                .collect()
        });
        titled.iter().filter(move |(t, _)| t == title).map(|(_, k)| *k)
    }

    /// The keys of the values `f` holds for (negation aside), resolved
    /// once per facet key and value.
    fn holding(&self, index: &Index, f: &Facet) -> Holding {
        let key = (f.key, f.value.clone());
        if let Some(found) = self.resolved.lock().ok().and_then(|kept| kept.get(&key).cloned()) {
            return found;
        }
        let table = &index.table;
        let mut holding: FxHashSet<Str> =
            self.of(index, f.field()).iter().copied().filter(|&k| f.holds_for(table.text_of(k))).collect();
        if f.key == FacetKey::Owner {
            holding.extend(self.owners_titled(index, &f.value));
        }
        let holding = Arc::new(holding);
        if let Ok(mut kept) = self.resolved.lock() {
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, Arc::clone(&holding));
        }
        holding
    }

    /// `find(f)` (the closest known value to `f`'s, when it is unknown),
    /// found once per facet key and value.
    pub(super) fn suggestion(&self, f: &Facet, find: impl FnOnce() -> Option<String>) -> Option<String> {
        let key = (f.key, f.value.clone());
        if let Some(found) = self.hinted.lock().ok().and_then(|kept| kept.get(&key).cloned()) {
            return found;
        }
        let found = find();
        if let Ok(mut kept) = self.hinted.lock() {
            if kept.len() >= KEPT {
                kept.clear();
            }
            kept.insert(key, found.clone());
        }
        found
    }

    /// Every distinct value `facet` reads in `index`.
    pub fn texts<'a>(&self, index: &'a Index, facet: &Facet) -> Vec<&'a str> {
        self.of(index, facet.field()).iter().filter_map(|&k| index.table.text_of(k)).collect()
    }
}

/// Facets ready to admit entities by their arena keys.
pub struct Resolved<'a> {
    index: &'a Index,
    checks: Vec<Check>,
}

/// One facet: the keys whose text satisfies it.
struct Check {
    /// The field read; `None`: tags.
    field: Option<Field>,
    negate: bool,
    holding: Holding,
    /// The one key in `holding`, when it has one (`kind:api`, `tag:rust`):
    /// compared directly, no hashing per entity.
    sole: Option<Str>,
}

impl<'a> Resolved<'a> {
    /// Resolves `facets` against every value the index holds.
    pub fn new(index: &'a Index, values: &Distinct, facets: &[Facet]) -> Resolved<'a> {
        let checks = facets
            .iter()
            .map(|f| {
                let holding = values.holding(index, f);
                let sole = if holding.len() == 1 { holding.iter().next().copied() } else { None };
                Check { field: f.field(), negate: f.negate, holding, sole }
            })
            .collect();
        Resolved { index, checks }
    }

    /// Whether every facet holds for some value in the index (else one
    /// admits nothing, or everything when negated).
    pub fn admits_some_value(&self) -> bool {
        self.checks.iter().all(|c| !c.holding.is_empty())
    }

    /// Whether no entity can pass: a facet, not negated, that no value in
    /// the index satisfies (an unknown kind, a tag typed half way).
    pub fn admits_none(&self) -> bool {
        self.checks.iter().any(|c| !c.negate && c.holding.is_empty())
    }

    /// Whether entity `i` passes every facet.
    pub fn admit(&self, i: u32) -> bool {
        let table = &self.index.table;
        self.checks.iter().all(|c| {
            let holds = match (c.field, c.sole) {
                (Some(field), Some(key)) => table.field_key(i as usize, field) == key,
                (Some(field), None) => c.holding.contains(&table.field_key(i as usize, field)),
                // Without a branch per tag: whether one matches is a coin
                // toss the branch predictor loses.
                (None, Some(key)) => table.tag_keys(i as usize).iter().fold(false, |found, &k| found | (k == key)),
                (None, None) => table.tag_keys(i as usize).iter().any(|k| c.holding.contains(k)),
            };
            holds != c.negate
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::search::Query;
    use serde_json::json;

    #[test]
    fn admits_what_each_entity_checked_alone_admits() {
        let groups = (0..7)
            .map(|g| json!({"kind": "Group", "metadata": {"name": format!("team-{g}"), "title": format!("Crew{g}")}}));
        let index = crate::index::testing::index_of(
            (0..300)
                .map(|i| {
                    let (spec_type, namespace) = (["service", "website"][i % 2], ["default", "ops"][i % 2]);
                    let mut spec = json!({"type": spec_type, "lifecycle": "production"});
                    if i % 3 != 0 {
                        spec["owner"] = json!(format!("team-{}", i % 7));
                        spec["system"] = json!(format!("system:ops/sys-{}", i % 4));
                    }
                    let kind = ["Component", "API", "Resource"][i % 3];
                    let tags: Vec<String> = (0..i % 4).map(|t| format!("t{}", (i + t) % 5)).collect();
                    json!({"kind": kind, "metadata": {"name": format!("e-{i}"), "namespace": namespace, "tags": tags}, "spec": spec})
                })
                .chain(groups)
                .collect(),
        );
        let queries = [
            "kind:api",
            "KIND:Component !tag:t1",
            "owner:team-3",
            "owner:group:default/team-3 type:website",
            "!owner:team-1",
            "system:sys-2 ns:ops",
            "system:system:ops/sys-1",
            "tag:t4 tag:t0",
            "lifecycle:production !kind:resource",
            "kind:nothing",
            "!kind:nothing",
            "tag:t tag:t0",
            "owner:crew3",
            "!owner:CREW1 kind:api",
        ];
        // One cache for every query, each resolved twice.
        let shared = Distinct::default();
        for q in queries.iter().chain(&queries) {
            let query = Query::parse(q);
            let resolved = Resolved::new(&index, &Distinct::default(), &query.facets);
            let again = Resolved::new(&index, &shared, &query.facets);
            assert!((0..index.len() as u32).all(|i| again.admit(i) == resolved.admit(i)), "{q} resolved again");
            let expected: Vec<u32> = (0..index.len() as u32).filter(|&i| query.admits(&index, i)).collect();
            let got: Vec<u32> = (0..index.len() as u32).filter(|&i| resolved.admit(i)).collect();
            assert_eq!(got, expected, "{q}");
            // A facet no value satisfies: known at once that nothing passes.
            let unsatisfied = ["kind:nothing", "tag:t tag:t0"].contains(q);
            assert_eq!(resolved.admits_none(), unsatisfied, "{q}");
            assert!(!unsatisfied || got.is_empty(), "{q}");
            if *q == "owner:crew3" {
                assert_eq!(got.len(), 14, "a group's title stands for its ref (owners in `default`)");
            }
        }
    }
}
