//! The catalog entity: a JSON object kept whole (unknown keys included), with
//! typed accessors for the fields stagehand uses.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::entity_ref::{DEFAULT_NAMESPACE, EntityRef};

/// Annotation naming the location an entity was read from.
pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";
/// Annotation naming the root location that led to the entity.
pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";
/// Annotation where the entity's source code lives.
pub const SOURCE_LOCATION: &str = "backstage.io/source-location";
/// Annotation pointing at the entity's TechDocs.
pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
/// Annotation redirecting TechDocs to another entity.
pub const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";
/// Annotation with a URL to view the entity's source.
pub const VIEW_URL: &str = "backstage.io/view-url";
/// Annotation with a URL to edit the entity's source.
pub const EDIT_URL: &str = "backstage.io/edit-url";

/// One relation of an entity, as Backstage writes it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Relation {
    /// The relation type, e.g. `ownedBy`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The canonical ref of the target.
    #[serde(rename = "targetRef")]
    pub target: String,
}

/// A catalog entity. Always a JSON object with a string `kind` and
/// `metadata.name`; everything else is kept exactly as read.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "Value")]
pub struct Entity(Map<String, Value>);

/// Serialises the map in place (`serde(into)` would clone the whole entity
/// first).
impl Serialize for Entity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl TryFrom<Value> for Entity {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Entity::from_json(value)
    }
}

impl From<Entity> for Value {
    fn from(entity: Entity) -> Self {
        Value::Object(entity.0)
    }
}

fn str_of<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

impl Entity {
    /// Wraps a JSON object; it must have a string `kind` and `metadata.name`.
    pub fn from_json(value: Value) -> Result<Self, String> {
        let Value::Object(map) = value else {
            return Err("an entity must be a mapping".into());
        };
        if str_of(&map, "kind").is_none() {
            return Err("entity has no string `kind`".into());
        }
        let name = map.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str);
        if name.is_none() {
            return Err("entity has no string `metadata.name`".into());
        }
        Ok(Entity(map))
    }

    /// The whole entity as a JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The whole entity as a JSON value (cloned).
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// `apiVersion`, or empty.
    pub fn api_version(&self) -> &str {
        str_of(&self.0, "apiVersion").unwrap_or("")
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        str_of(&self.0, "kind").unwrap_or("")
    }

    /// The `metadata` map.
    pub fn metadata(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.0.get("metadata").and_then(Value::as_object).unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let entry = self.0.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        match entry {
            Value::Object(map) => map,
            _ => unreachable!("metadata was just made an object"),
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        str_of(self.metadata(), "name").unwrap_or("")
    }

    /// `metadata.namespace`, or `default`.
    pub fn namespace(&self) -> &str {
        str_of(self.metadata(), "namespace").unwrap_or(DEFAULT_NAMESPACE)
    }

    /// `metadata.title`.
    pub fn title(&self) -> Option<&str> {
        str_of(self.metadata(), "title")
    }

    /// `metadata.description`.
    pub fn description(&self) -> Option<&str> {
        str_of(self.metadata(), "description")
    }

    /// `metadata.uid` (server entities only).
    pub fn uid(&self) -> Option<&str> {
        str_of(self.metadata(), "uid")
    }

    /// `metadata.etag` (server entities only).
    pub fn etag(&self) -> Option<&str> {
        str_of(self.metadata(), "etag")
    }

    /// `metadata.tags` that are strings.
    pub fn tags(&self) -> Vec<&str> {
        self.metadata()
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// A string map under metadata (`labels`, `annotations`), string values only.
    fn string_map(&self, key: &str) -> Vec<(&str, &str)> {
        self.metadata()
            .get(key)
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v))).collect())
            .unwrap_or_default()
    }

    /// `metadata.labels`.
    pub fn labels(&self) -> Vec<(&str, &str)> {
        self.string_map("labels")
    }

    /// `metadata.annotations`.
    pub fn annotations(&self) -> Vec<(&str, &str)> {
        self.string_map("annotations")
    }

    /// One annotation.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata().get("annotations").and_then(|a| a.get(key)).and_then(Value::as_str)
    }

    /// Sets an annotation (creating `metadata.annotations` if needed).
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        let metadata = self.metadata_mut();
        let annotations = metadata.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = annotations {
            map.insert(key.to_string(), Value::String(value.to_string()));
        }
    }

    /// `metadata.links` as (url, title) pairs.
    pub fn links(&self) -> Vec<(&str, Option<&str>)> {
        self.metadata()
            .get("links")
            .and_then(Value::as_array)
            .map(|links| {
                links
                    .iter()
                    .filter_map(|l| {
                        let url = l.get("url")?.as_str()?;
                        Some((url, l.get("title").and_then(Value::as_str)))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `spec` map, when there is one.
    pub fn spec(&self) -> Option<&Map<String, Value>> {
        self.0.get("spec").and_then(Value::as_object)
    }

    /// A string field of `spec`.
    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.spec().and_then(|s| str_of(s, key))
    }

    /// `spec.type`.
    pub fn spec_type(&self) -> Option<&str> {
        self.spec_str("type")
    }

    /// The entity's own reference, case kept.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(self.kind(), self.namespace(), self.name())
    }

    /// The entity's canonical ref: `kind:namespace/name`, lower-case.
    pub fn canonical_ref(&self) -> String {
        crate::model::entity_ref::canonical_of(self.kind(), self.namespace(), self.name())
    }

    /// `relations`, as written by the catalog or derived by stagehand.
    pub fn relations(&self) -> Vec<Relation> {
        self.0
            .get("relations")
            .and_then(Value::as_array)
            .map(|rels| {
                rels.iter()
                    .filter_map(|r| {
                        Some(Relation {
                            kind: r.get("type")?.as_str()?.to_string(),
                            target: r.get("targetRef")?.as_str()?.to_lowercase(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces `relations`.
    pub fn set_relations(&mut self, relations: &[Relation]) {
        let list = relations
            .iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("type".into(), Value::String(r.kind.clone()));
                m.insert("targetRef".into(), Value::String(r.target.clone()));
                Value::Object(m)
            })
            .collect();
        self.0.insert("relations".into(), Value::Array(list));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Entity {
        Entity::from_json(json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "petstore", "namespace": "pets", "title": "Pet Store",
                "tags": ["java", 3], "annotations": {"a/b": "c"},
                "links": [{"url": "https://x", "title": "X"}, {"title": "no url"}],
                "x-custom": {"kept": true}
            },
            "spec": {"type": "service", "owner": "team-a"}
        }))
        .unwrap()
    }

    #[test]
    fn reads_the_common_fields() {
        let e = sample();
        assert_eq!(e.canonical_ref(), "component:pets/petstore");
        assert_eq!(e.title(), Some("Pet Store"));
        assert_eq!(e.tags(), vec!["java"]);
        assert_eq!(e.annotation("a/b"), Some("c"));
        assert_eq!(e.links(), vec![("https://x", Some("X"))]);
        assert_eq!(e.spec_type(), Some("service"));
    }

    #[test]
    fn keeps_unknown_keys_through_serde() {
        let e = sample();
        let text = serde_json::to_string(&e).unwrap();
        let back: Entity = serde_json::from_str(&text).unwrap();
        assert_eq!(back.metadata()["x-custom"]["kept"], json!(true));
        assert_eq!(back, e);
    }

    #[test]
    fn rejects_what_is_not_an_entity() {
        assert!(Entity::from_json(json!([1])).is_err());
        assert!(Entity::from_json(json!({"kind": "A", "metadata": {}})).is_err());
    }

    #[test]
    fn annotations_and_relations_can_be_set() {
        let mut e = sample();
        e.set_annotation(MANAGED_BY_LOCATION, "file:/x.yaml");
        assert_eq!(e.annotation(MANAGED_BY_LOCATION), Some("file:/x.yaml"));
        e.set_relations(&[Relation { kind: "ownedBy".into(), target: "group:pets/team-a".into() }]);
        assert_eq!(e.relations()[0].target, "group:pets/team-a");
    }
}
