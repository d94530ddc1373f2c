//! Entity pickers backed by the local index: `EntityPicker`,
//! `MultiEntityPicker`, `OwnerPicker`, `OwnedEntityPicker` and
//! `MyGroupsPicker`, with `catalogFilter`, `allowedKinds`, `defaultKind`,
//! `defaultNamespace` and `allowArbitraryValues`; tag suggestions for
//! `EntityTagsPicker`.

use serde_json::Value as Json;

use super::fields::{FieldKind, PickerKind};
use super::form::{Field, ui};
use crate::index::{Index, SummaryRef};

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The value stored (a canonical entity ref).
    pub value: String,
    /// What the list shows.
    pub label: String,
}

fn as_list(v: &Json) -> Vec<String> {
    match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(a) => a.iter().filter_map(Json::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

fn field_value<'a>(s: &SummaryRef<'a>, key: &str) -> Vec<&'a str> {
    match key {
        "kind" => vec![s.kind],
        "metadata.name" => vec![s.name],
        "metadata.namespace" => vec![s.namespace],
        "metadata.tags" => s.tags.iter().collect(),
        "spec.type" => s.spec_type.into_iter().collect(),
        "spec.lifecycle" => s.lifecycle.into_iter().collect(),
        "spec.owner" | "relations.ownedBy" => s.owner.into_iter().collect(),
        "spec.system" => s.system.into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Whether an entity passes one filter object (every key must match one
/// of its values; `exists` checks are treated as "has the field").
fn passes(s: &SummaryRef<'_>, filter: &serde_json::Map<String, Json>) -> bool {
    filter.iter().all(|(key, wanted)| {
        let have = field_value(s, key);
        let wanted = as_list(wanted);
        if wanted.is_empty() {
            return !have.is_empty();
        }
        have.iter().any(|h| {
            wanted.iter().any(|w| {
                h.eq_ignore_ascii_case(w)
                    || (key.starts_with("spec.owner")
                        && crate::model::entity_ref::canonicalize(w, Some("Group"), "default").as_deref() == Some(h))
            })
        })
    })
}

/// The filters of a picker field (`catalogFilter` object or list, or the
/// older `allowedKinds`), with the picker's default.
pub fn filters(field: &Field) -> Vec<serde_json::Map<String, Json>> {
    let mut out: Vec<serde_json::Map<String, Json>> = match ui(&field.schema, "catalogFilter") {
        Some(Json::Object(m)) => vec![m.clone()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_object).cloned().collect(),
        _ => Vec::new(),
    };
    if out.is_empty()
        && let Some(kinds) = ui(&field.schema, "allowedKinds")
    {
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), kinds.clone());
        out.push(m);
    }
    if out.is_empty() && field.kind == FieldKind::Picker(PickerKind::Owner) {
        let mut m = serde_json::Map::new();
        m.insert("kind".into(), serde_json::json!(["Group", "User"]));
        out.push(m);
    }
    out
}

/// Whether typed text that matches no entity is accepted.
pub fn allows_arbitrary(field: &Field) -> bool {
    ui(&field.schema, "allowArbitraryValues").and_then(Json::as_bool).unwrap_or(true)
}

/// Turns typed text into a ref with the picker's `defaultKind` and
/// `defaultNamespace`.
pub fn typed_ref(field: &Field, text: &str) -> Option<String> {
    let kind = ui(&field.schema, "defaultKind").and_then(Json::as_str).or(match field.kind {
        FieldKind::Picker(PickerKind::Owner | PickerKind::MyGroups) => Some("Group"),
        _ => None,
    });
    let ns = ui(&field.schema, "defaultNamespace").and_then(Json::as_str).unwrap_or("default");
    crate::model::entity_ref::canonicalize(text.trim(), kind, ns)
}

fn pool(index: &Index, field: &Field, identity: Option<&str>) -> Vec<u32> {
    let me = identity.and_then(|r| index.find(r));
    match field.kind {
        FieldKind::Picker(PickerKind::MyGroups) => {
            me.map(|u| crate::index::graph::groups_of(index, u, false)).unwrap_or_default()
        }
        FieldKind::Picker(PickerKind::OwnedEntity) => {
            me.map(|u| crate::index::graph::owned_by(index, u, true)).unwrap_or_default()
        }
        _ => (0..index.len() as u32).collect(),
    }
}

/// Suggestions for typed `text`, best first, at most `limit`.
pub fn candidates(index: &Index, field: &Field, identity: Option<&str>, text: &str, limit: usize) -> Vec<Candidate> {
    let filters = filters(field);
    let needle = text.trim().to_lowercase();
    let mut scored: Vec<(u8, u32)> = pool(index, field, identity)
        .into_iter()
        .filter(|&i| {
            let s = index.summary(i);
            filters.is_empty() || filters.iter().any(|f| passes(&s, f))
        })
        .filter_map(|i| {
            let s = index.summary(i);
            let name = s.name.to_lowercase();
            let hay = format!("{} {}", index.ref_of(i), s.title.unwrap_or("")).to_lowercase();
            let score = if needle.is_empty() || name == needle {
                0
            } else if name.starts_with(&needle) {
                1
            } else if hay.contains(&needle) {
                2
            } else if subsequence(&needle, &hay) {
                3
            } else {
                return None;
            };
            Some((score, i))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(index.ref_of(a.1).cmp(index.ref_of(b.1))));
    scored
        .into_iter()
        .take(limit)
        .map(|(_, i)| {
            let s = index.summary(i);
            let title = s.title.or(s.display_name).unwrap_or("");
            let r = index.ref_of(i).to_string();
            let label = if title.is_empty() { r.clone() } else { format!("{r}  {title}") };
            Candidate { value: r, label }
        })
        .collect()
}

fn subsequence(needle: &str, hay: &str) -> bool {
    let mut it = hay.chars();
    needle.chars().all(|c| it.any(|h| h == c))
}

/// Tags used in the catalog starting with `text`, most used first.
pub fn tag_suggestions(index: &Index, text: &str, limit: usize) -> Vec<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for s in index.summaries() {
        for t in s.tags.iter() {
            if t.starts_with(text) {
                *counts.entry(t).or_default() += 1;
            }
        }
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    tags.into_iter().take(limit).map(|(t, _)| t.to_string()).collect()
}
