//! Checking the values of filter flags (`--kind`, `--owner`, `--relation`)
//! against what the index holds: a typo is an error with a did-you-mean,
//! not an empty result that a script reads as "nothing there".

use std::collections::BTreeSet;

use anyhow::bail;

use crate::index::Index;
use crate::index::search::{Facet, FacetKey, Query};
use crate::model::relations::types;

/// Fails unless some entity passes the facet `key:value` on its own (so an
/// empty result of several filters means "none has all", not a typo).
pub fn facet_value(index: &Index, flag: &str, key: FacetKey, value: &str) -> anyhow::Result<()> {
    let query = Query { facets: vec![Facet { key, value: value.to_lowercase(), negate: false }], ..Query::default() };
    if (0..index.len() as u32).any(|i| query.admits(index, i)) {
        return Ok(());
    }
    if key == FacetKey::Owner && owner_entity_exists(index, value) {
        return Ok(());
    }
    let field = match key {
        FacetKey::Kind => crate::index::Field::Kind,
        FacetKey::Owner => crate::index::Field::Owner,
        _ => bail!("{flag} {value}: nothing in the index matches"),
    };
    let mut known: BTreeSet<String> = BTreeSet::new();
    for i in 0..index.len() as u32 {
        if let Some(v) = index.field(i, field) {
            // Owners by name, as most people type them.
            known.insert(if key == FacetKey::Owner { short_name(v) } else { v }.to_string());
        }
    }
    unknown(flag, value, known.iter().map(String::as_str))
}

/// Fails unless `value` is a Backstage relation type or a type some
/// relation in the index has (case-insensitive).
pub fn relation_type(index: &Index, value: &str) -> anyhow::Result<()> {
    let builtin = types::PAIRS.iter().flat_map(|(a, b)| [*a, *b]);
    if builtin.clone().any(|t| t.eq_ignore_ascii_case(value)) {
        return Ok(());
    }
    let mut known: BTreeSet<&str> = builtin.collect();
    for i in 0..index.len() as u32 {
        for r in index.relations(i) {
            if r.kind.eq_ignore_ascii_case(value) {
                return Ok(());
            }
            known.insert(r.kind);
        }
    }
    unknown("--relation", value, known.into_iter())
}

/// Fails unless some entity is of this kind (case-insensitive).
pub fn kind(index: &Index, flag: &str, value: &str) -> anyhow::Result<()> {
    facet_value(index, flag, FacetKey::Kind, value)
}

fn short_name(reference: &str) -> &str {
    let rest = reference.split_once(':').map_or(reference, |(_, r)| r);
    rest.rsplit('/').next().unwrap_or(rest)
}

/// A group or user that owns nothing is still a valid `--owner`.
fn owner_entity_exists(index: &Index, value: &str) -> bool {
    index
        .resolve(value)
        .is_some_and(|i| matches!(index.summary(i).kind.to_ascii_lowercase().as_str(), "group" | "user"))
}

/// The error for a value nothing has: the closest known values, then all
/// (or the first few) of them.
fn unknown<'a>(flag: &str, value: &str, known: impl Iterator<Item = &'a str>) -> anyhow::Result<()> {
    let known: Vec<&str> = known.collect();
    let lower = value.to_lowercase();
    let mut close: Vec<(usize, &str)> = known
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .collect();
    close.sort();
    let hint = match close.first() {
        Some((_, k)) => format!("; did you mean `{k}`?"),
        None => String::new(),
    };
    let shown = if known.len() > 12 { format!("{}, ...", known[..12].join(", ")) } else { known.join(", ") };
    let known_text = if known.is_empty() { "the index has none".to_string() } else { format!("known: {shown}") };
    bail!("{flag} `{value}` matches nothing in the index{hint} ({known_text})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::testing::index_of;
    use serde_json::json;

    fn sample() -> Index {
        index_of(vec![
            json!({"kind": "Component", "metadata": {"name": "svc"}, "spec": {"owner": "team-a", "dependsOn": ["resource:db"]}}),
            json!({"kind": "API", "metadata": {"name": "api"}, "spec": {"owner": "team-a"}}),
            json!({"kind": "Group", "metadata": {"name": "team-a"}, "spec": {"type": "team"}}),
            json!({"kind": "Group", "metadata": {"name": "idle"}, "spec": {"type": "team"}}),
        ])
    }

    #[test]
    fn known_values_pass_and_typos_suggest() {
        let index = sample();
        kind(&index, "--kind", "api").unwrap();
        kind(&index, "--kind", "Component").unwrap();
        let e = kind(&index, "--kind", "apis").unwrap_err().to_string();
        assert!(e.contains("did you mean `api`") || e.contains("did you mean `API`"), "{e}");
        facet_value(&index, "--owner", FacetKey::Owner, "team-a").unwrap();
        facet_value(&index, "--owner", FacetKey::Owner, "idle").unwrap();
        let e = facet_value(&index, "--owner", FacetKey::Owner, "team-b").unwrap_err().to_string();
        assert!(e.contains("did you mean `team-a`"), "{e}");
        let e = facet_value(&index, "--owner", FacetKey::Owner, "nosuch").unwrap_err().to_string();
        assert!(e.contains("--owner `nosuch` matches nothing") && !e.contains("did you mean"), "{e}");
    }

    #[test]
    fn relation_types_are_backstages_or_the_indexs() {
        let index = sample();
        relation_type(&index, "dependsOn").unwrap();
        relation_type(&index, "ownedby").unwrap();
        let e = relation_type(&index, "ownedBi").unwrap_err().to_string();
        assert!(e.contains("did you mean `ownedBy`"), "{e}");
        assert!(relation_type(&index, "foo").is_err());
    }
}
