//! The entities a sync read but the catalog would not store
//! ([`Rejected`]): found by ref for `show`, and by `is:rejected` queries,
//! whose other facets and words narrow them as they narrow stored entities.

use serde_json::Value;

use super::search::Query;
use super::{Field, Index, Rejected};
use crate::model::EntityRef;
use crate::model::entity_ref::split_ref;

impl Index {
    /// The rejected entities that user input (`x`, `api:x`, a full ref)
    /// names: by full ref, else by name (any kind or namespace given).
    pub fn resolve_rejected(&self, text: &str) -> Vec<&Rejected> {
        let Ok(parts) = split_ref(text) else { return Vec::new() };
        let namespace = parts.namespace.unwrap_or("default");
        if let Some(kind) = parts.kind {
            return self.find_rejected(&EntityRef::new(kind, namespace, parts.name).canonical());
        }
        let name = parts.name.to_lowercase();
        self.rejected
            .iter()
            .filter(|r| {
                let (ns, rest) = r.entity_ref.split_once(':').and_then(|(_, rest)| rest.split_once('/')).unzip();
                rest == Some(name.as_str()) && parts.namespace.is_none_or(|_| ns == Some(namespace))
            })
            .collect()
    }

    /// The rejected entities an `is:rejected` query admits, in ref order:
    /// every facet holds and every word of its text is in the ref, title,
    /// description or reason (any case).
    pub fn search_rejected(&self, query: &Query) -> Vec<&Rejected> {
        let words: Vec<String> = query.text.split_whitespace().map(str::to_lowercase).collect();
        self.rejected
            .iter()
            .filter(|r| {
                let Ok(entity) = r.entity() else { return false };
                let facets = query.facets.iter().all(|f| {
                    let holds = match f.field() {
                        Some(field) => f.holds_for(field_of(&entity.to_value(), field).as_deref()),
                        None => entity.tags().iter().any(|t| f.holds_for(Some(t))),
                    };
                    holds != f.negate
                });
                let text = [r.entity_ref.as_str(), entity.title().unwrap_or(""), entity.description().unwrap_or("")]
                    .join(" ")
                    .to_lowercase()
                    + " "
                    + &r.reason.to_lowercase();
                facets && words.iter().all(|w| text.contains(w.as_str()))
            })
            .collect()
    }
}

/// One summary field of an entity as read (owner and system as refs).
fn field_of(entity: &Value, field: Field) -> Option<String> {
    let text = |path: &[&str]| path.iter().try_fold(entity, |v, k| v.get(k)).and_then(Value::as_str);
    let namespace = text(&["metadata", "namespace"]).unwrap_or("default");
    let reference = |key: &str, kind: &str| {
        EntityRef::parse_with(text(&["spec", key])?, Some(kind), namespace).ok().map(|r| r.canonical())
    };
    match field {
        Field::Kind => text(&["kind"]).map(String::from),
        Field::Namespace => Some(namespace.to_string()),
        Field::Name => text(&["metadata", "name"]).map(String::from),
        Field::Owner => reference("owner", "Group"),
        Field::System => reference("system", "System"),
        Field::Lifecycle => text(&["spec", "lifecycle"]).map(String::from),
        Field::Type => text(&["spec", "type"]).map(String::from),
        Field::Uid | Field::Etag => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::build::{SourceInput, build};
    use crate::model::Entity;
    use crate::sources::{ReadEntity, RejectedEntity, SourceOutput};
    use serde_json::json;

    fn index() -> Index {
        let read = |v: Value| ReadEntity { entity: Entity::from_json(v).unwrap(), file: "c.yaml".into(), line: 3 };
        let rejected = |v: Value, reason: &str| RejectedEntity { read: read(v), reason: reason.into() };
        let out = SourceOutput {
            entities: vec![
                read(
                    json!({"kind": "Component", "metadata": {"name": "svc"}, "spec": {"owner": "team", "providesApis": ["pets"]}}),
                ),
                read(json!({"kind": "Group", "metadata": {"name": "team"}, "spec": {"type": "team", "children": []}})),
            ],
            rejected: vec![
                rejected(
                    json!({"kind": "API", "metadata": {"name": "pets", "title": "Pet API"}, "spec": {"owner": "team", "type": "openapi"}}),
                    "`spec.definition` is missing",
                ),
                rejected(json!({"kind": "Location", "metadata": {"name": "loc", "namespace": "ops"}}), "target gone"),
            ],
            ..SourceOutput::default()
        };
        let input = SourceInput {
            name: "s".into(),
            kind: "dir".into(),
            target: "/".into(),
            read: Some(Ok(out.compacted(&crate::index::build::Record::local))),
            server_relations: false,
        };
        build(vec![input], None, 0)
    }

    fn refs(found: Vec<&Rejected>) -> Vec<&str> {
        found.into_iter().map(|r| r.entity_ref.as_str()).collect()
    }

    #[test]
    fn rejected_entities_are_kept_apart_with_their_reason() {
        let index = index();
        assert_eq!(index.len(), 2, "not among the entities");
        let svc = index.find("component:default/svc").unwrap();
        let api = index.relations(svc).into_iter().find(|r| r.kind == "providesApi").unwrap();
        assert_eq!((api.target, api.entity), ("api:default/pets", None), "a relation to it dangles");
        let team = index.find("group:default/team").unwrap();
        assert!(index.relations(team).iter().all(|r| r.target != "api:default/pets"), "it owns nothing");
        let problem: Vec<_> =
            index.problems.iter().filter(|p| p.entity.as_deref() == Some("api:default/pets")).collect();
        assert_eq!(problem.len(), 1);
        assert!(problem[0].message.contains("is rejected") && problem[0].message.contains("definition"));
        assert_eq!(problem[0].location(), "c.yaml:3:1");
        assert_eq!(index.rejected[0].location(), "c.yaml:3");
    }

    #[test]
    fn found_by_ref_name_and_is_rejected_queries() {
        let index = index();
        assert_eq!(refs(index.resolve_rejected("api:pets")), ["api:default/pets"]);
        assert_eq!(refs(index.resolve_rejected("PETS")), ["api:default/pets"]);
        assert_eq!(refs(index.resolve_rejected("ops/loc")), ["location:ops/loc"]);
        assert!(index.resolve_rejected("svc").is_empty());
        let search = |q: &str| refs(index.search_rejected(&Query::parse(q)));
        assert_eq!(search("is:rejected"), ["api:default/pets", "location:ops/loc"]);
        assert_eq!(search("is:rejected kind:api"), ["api:default/pets"]);
        assert_eq!(search("is:rejected owner:team"), ["api:default/pets"]);
        assert_eq!(search("is:rejected !ns:default"), ["location:ops/loc"]);
        assert_eq!(search("is:rejected gone"), ["location:ops/loc"]);
        assert_eq!(search("is:rejected pet api"), ["api:default/pets"]);
        assert!(Query::parse("is:rejected").rejected && !Query::parse("!is:rejected").rejected);
        let hay = crate::index::search::Haystacks::lazy();
        let plain =
            crate::index::search::search(&index, &hay, &Query::parse("is:rejected"), crate::index::search::Scope::All);
        assert!(plain.is_empty(), "a stored entity is never rejected");
    }
}
