//! An entity's [`Summary`]: the fields search, lists and the graph need,
//! read with one lookup of `metadata` and `spec` each.

use serde_json::{Map, Value};

use crate::index::{Link, Summary};
use crate::model::entity_ref::DEFAULT_NAMESPACE;
use crate::model::{Entity, EntityRef};

fn text<'a>(map: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    map?.get(key)?.as_str()
}

fn owned(map: Option<&Map<String, Value>>, key: &str) -> Option<String> {
    text(map, key).map(String::from)
}

/// `spec.KEY` as a canonical ref, the kind defaulting to `kind`.
fn reference(spec: Option<&Map<String, Value>>, key: &str, kind: &str, namespace: &str) -> Option<String> {
    EntityRef::parse_with(text(spec, key)?, Some(kind), namespace).ok().map(|r| r.canonical())
}

/// The summary of `entity`, whose body is `len` bytes (its offset is set
/// when bodies are laid out).
pub(super) fn summarize(
    entity: &Entity,
    source: u16,
    file: Option<String>,
    line: u32,
    links: Vec<Link>,
    len: u32,
) -> Summary {
    let metadata = Some(entity.metadata());
    let spec = entity.spec();
    let profile = spec.and_then(|s| s.get("profile")).and_then(Value::as_object);
    let namespace = text(metadata, "namespace").unwrap_or(DEFAULT_NAMESPACE);
    let tags = metadata.and_then(|m| m.get("tags")).and_then(Value::as_array);
    Summary {
        kind: entity.kind().to_string(),
        namespace: namespace.to_string(),
        name: owned(metadata, "name").unwrap_or_default(),
        title: owned(metadata, "title"),
        description: owned(metadata, "description"),
        owner: reference(spec, "owner", "Group", namespace),
        system: reference(spec, "system", "System", namespace),
        lifecycle: owned(spec, "lifecycle"),
        spec_type: owned(spec, "type"),
        tags: tags.into_iter().flatten().filter_map(Value::as_str).map(String::from).collect(),
        display_name: owned(profile, "displayName"),
        email: owned(profile, "email"),
        links,
        source,
        file,
        line,
        body: (0, len),
        uid: owned(metadata, "uid"),
        etag: owned(metadata, "etag"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_summary_field() {
        let entity = Entity::from_json(json!({
            "kind": "User",
            "metadata": {"name": "jo", "namespace": "ops", "title": "Jo", "tags": ["a", 1, "b"], "uid": "u", "etag": "e"},
            "spec": {"owner": "team", "system": "other/sys", "type": "person", "profile": {"displayName": "Jo R", "email": "j@x"}}
        }))
        .unwrap();
        let s = summarize(&entity, 2, Some("f.yaml".into()), 7, Vec::new(), 10);
        assert_eq!((s.kind.as_str(), s.namespace.as_str(), s.name.as_str()), ("User", "ops", "jo"));
        assert_eq!(s.owner.as_deref(), Some("group:ops/team"));
        assert_eq!(s.system.as_deref(), Some("system:other/sys"));
        assert_eq!(s.tags, ["a", "b"]);
        assert_eq!((s.display_name.as_deref(), s.email.as_deref()), (Some("Jo R"), Some("j@x")));
        assert_eq!((s.uid.as_deref(), s.etag.as_deref(), s.body, s.line), (Some("u"), Some("e"), (0, 10), 7));
    }
}
