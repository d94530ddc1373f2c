//! Relations derived from spec fields, exactly as Backstage's built-in kinds
//! processor emits them: each reference makes a relation and its inverse,
//! the target's namespace defaults to the source's, and each field has its
//! own default kind.

use serde_json::Value;

use super::entity::{Entity, Relation};
use super::entity_ref::EntityRef;

/// Relation type names used by Backstage.
pub mod types {
    /// Source is owned by target.
    pub const OWNED_BY: &str = "ownedBy";
    /// Source owns target.
    pub const OWNER_OF: &str = "ownerOf";
    /// Source is part of target.
    pub const PART_OF: &str = "partOf";
    /// Target is part of source.
    pub const HAS_PART: &str = "hasPart";
    /// Source provides the target API.
    pub const PROVIDES_API: &str = "providesApi";
    /// Source API is provided by target.
    pub const API_PROVIDED_BY: &str = "apiProvidedBy";
    /// Source consumes the target API.
    pub const CONSUMES_API: &str = "consumesApi";
    /// Source API is consumed by target.
    pub const API_CONSUMED_BY: &str = "apiConsumedBy";
    /// Source depends on target.
    pub const DEPENDS_ON: &str = "dependsOn";
    /// Target depends on source.
    pub const DEPENDENCY_OF: &str = "dependencyOf";
    /// Source group is a child of target group.
    pub const CHILD_OF: &str = "childOf";
    /// Source group is the parent of target group.
    pub const PARENT_OF: &str = "parentOf";
    /// Source group has the target user as member.
    pub const HAS_MEMBER: &str = "hasMember";
    /// Source user is a member of the target group.
    pub const MEMBER_OF: &str = "memberOf";

    /// Every relation type with its inverse, in display order.
    pub const PAIRS: [(&str, &str); 7] = [
        (OWNED_BY, OWNER_OF),
        (PART_OF, HAS_PART),
        (DEPENDS_ON, DEPENDENCY_OF),
        (PROVIDES_API, API_PROVIDED_BY),
        (CONSUMES_API, API_CONSUMED_BY),
        (MEMBER_OF, HAS_MEMBER),
        (CHILD_OF, PARENT_OF),
    ];

    /// The inverse of a relation type, when it is one of Backstage's.
    pub fn inverse(kind: &str) -> Option<&'static str> {
        PAIRS.iter().find_map(|(a, b)| {
            if *a == kind {
                Some(*b)
            } else if *b == kind {
                Some(*a)
            } else {
                None
            }
        })
    }
}

use types::*;

/// One spec field that references other entities.
#[derive(Clone, Copy, Debug)]
pub struct RefField {
    /// Kinds that have this field.
    pub kinds: &'static [&'static str],
    /// The spec key.
    pub field: &'static str,
    /// Whether the field holds a list of refs.
    pub many: bool,
    /// The kind assumed when the ref has none (`None`: the kind must be written).
    pub default_kind: Option<&'static str>,
    /// Relation from the entity to the target.
    pub relation: &'static str,
    /// Relation from the target back to the entity.
    pub inverse: &'static str,
}

const OWNED: &[&str] = &["Component", "API", "Resource", "System", "Domain", "Template"];

/// Every reference field of Backstage's built-in kinds.
pub const REF_FIELDS: &[RefField] = &[
    RefField {
        kinds: OWNED,
        field: "owner",
        many: false,
        default_kind: Some("Group"),
        relation: OWNED_BY,
        inverse: OWNER_OF,
    },
    RefField {
        kinds: &["Component", "API", "Resource"],
        field: "system",
        many: false,
        default_kind: Some("System"),
        relation: PART_OF,
        inverse: HAS_PART,
    },
    RefField {
        kinds: &["Component"],
        field: "subcomponentOf",
        many: false,
        default_kind: Some("Component"),
        relation: PART_OF,
        inverse: HAS_PART,
    },
    RefField {
        kinds: &["System"],
        field: "domain",
        many: false,
        default_kind: Some("Domain"),
        relation: PART_OF,
        inverse: HAS_PART,
    },
    RefField {
        kinds: &["Domain"],
        field: "subdomainOf",
        many: false,
        default_kind: Some("Domain"),
        relation: PART_OF,
        inverse: HAS_PART,
    },
    RefField {
        kinds: &["Component"],
        field: "providesApis",
        many: true,
        default_kind: Some("API"),
        relation: PROVIDES_API,
        inverse: API_PROVIDED_BY,
    },
    RefField {
        kinds: &["Component"],
        field: "consumesApis",
        many: true,
        default_kind: Some("API"),
        relation: CONSUMES_API,
        inverse: API_CONSUMED_BY,
    },
    RefField {
        kinds: &["Component", "Resource"],
        field: "dependsOn",
        many: true,
        default_kind: None,
        relation: DEPENDS_ON,
        inverse: DEPENDENCY_OF,
    },
    RefField {
        kinds: &["Component", "Resource"],
        field: "dependencyOf",
        many: true,
        default_kind: None,
        relation: DEPENDENCY_OF,
        inverse: DEPENDS_ON,
    },
    RefField {
        kinds: &["Group"],
        field: "parent",
        many: false,
        default_kind: Some("Group"),
        relation: CHILD_OF,
        inverse: PARENT_OF,
    },
    RefField {
        kinds: &["Group"],
        field: "children",
        many: true,
        default_kind: Some("Group"),
        relation: PARENT_OF,
        inverse: CHILD_OF,
    },
    RefField {
        kinds: &["Group"],
        field: "members",
        many: true,
        default_kind: Some("User"),
        relation: HAS_MEMBER,
        inverse: MEMBER_OF,
    },
    RefField {
        kinds: &["User"],
        field: "memberOf",
        many: true,
        default_kind: Some("Group"),
        relation: MEMBER_OF,
        inverse: HAS_MEMBER,
    },
];

/// A directed relation between two entities, by canonical ref.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    /// The entity the relation belongs to.
    pub source: String,
    /// The relation type.
    pub kind: String,
    /// The entity it points at.
    pub target: String,
}

impl Edge {
    /// The relation as it appears in the source entity's `relations`.
    pub fn relation(&self) -> Relation {
        Relation { kind: self.kind.clone(), target: self.target.clone() }
    }
}

/// A spec reference that could not be turned into a relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRef {
    /// The spec field, e.g. `spec.dependsOn[1]`.
    pub field: String,
    /// Why it was skipped.
    pub message: String,
}

/// The references in an entity's spec fields, resolved to canonical refs,
/// with the field table entry each came from.
pub fn spec_refs(entity: &Entity) -> (Vec<(&'static RefField, String)>, Vec<BadRef>) {
    let mut refs = Vec::new();
    let mut bad = Vec::new();
    let Some(spec) = entity.spec() else {
        return (refs, bad);
    };
    let kind = entity.kind();
    let namespace = entity.namespace();
    for field in REF_FIELDS.iter().filter(|f| f.kinds.contains(&kind)) {
        let Some(value) = spec.get(field.field) else { continue };
        let items: Vec<(String, &Value)> = match (field.many, value) {
            (true, Value::Array(items)) => {
                items.iter().enumerate().map(|(i, v)| (format!("spec.{}[{i}]", field.field), v)).collect()
            }
            (false, v) => vec![(format!("spec.{}", field.field), v)],
            // Wrong types are reported by validation; nothing to relate.
            (true, _) => continue,
        };
        for (path, item) in items {
            let Some(text) = item.as_str() else { continue };
            match EntityRef::parse_with(text, field.default_kind, namespace) {
                Ok(target) => refs.push((field, target.canonical())),
                Err(e) => bad.push(BadRef { field: path, message: e.to_string() }),
            }
        }
    }
    (refs, bad)
}

/// Every relation (and inverse) an entity's spec produces.
pub fn derive_edges(entity: &Entity) -> (Vec<Edge>, Vec<BadRef>) {
    let source = entity.canonical_ref();
    let (refs, bad) = spec_refs(entity);
    let mut edges = Vec::with_capacity(refs.len() * 2);
    for (field, target) in refs {
        edges.push(Edge { source: source.clone(), kind: field.relation.into(), target: target.clone() });
        edges.push(Edge { source: target, kind: field.inverse.into(), target: source.clone() });
    }
    (edges, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(v: Value) -> Entity {
        Entity::from_json(v).unwrap()
    }

    #[test]
    fn owner_defaults_to_group_in_own_namespace() {
        let e = entity(json!({"kind": "Component", "metadata": {"name": "c", "namespace": "ns"},
            "spec": {"owner": "team-a", "system": "default/sys", "providesApis": ["api-1", "other/api-2"]}}));
        let (edges, bad) = derive_edges(&e);
        assert!(bad.is_empty());
        let has = |s: &str, k: &str, t: &str| edges.iter().any(|e| e.source == s && e.kind == k && e.target == t);
        assert!(has("component:ns/c", "ownedBy", "group:ns/team-a"));
        assert!(has("group:ns/team-a", "ownerOf", "component:ns/c"));
        assert!(has("component:ns/c", "partOf", "system:default/sys"));
        assert!(has("api:other/api-2", "apiProvidedBy", "component:ns/c"));
        assert_eq!(edges.len(), 8);
    }

    #[test]
    fn depends_on_needs_a_kind() {
        let e = entity(json!({"kind": "Component", "metadata": {"name": "c"},
            "spec": {"dependsOn": ["resource:db", "nokind"]}}));
        let (edges, bad) = derive_edges(&e);
        assert_eq!(edges.len(), 2);
        assert_eq!(bad[0].field, "spec.dependsOn[1]");
    }

    #[test]
    fn user_and_group_membership() {
        let u = entity(json!({"kind": "User", "metadata": {"name": "jo"},
            "spec": {"memberOf": ["team-a", "group:other/team-b"]}}));
        let (edges, _) = derive_edges(&u);
        assert!(edges.iter().any(|e| e.source == "group:other/team-b" && e.kind == "hasMember"));
        let g = entity(json!({"kind": "Group", "metadata": {"name": "g"},
            "spec": {"parent": "org", "children": ["sub"], "members": ["jo"]}}));
        let (edges, _) = derive_edges(&g);
        assert!(edges.iter().any(|e| e.kind == "childOf" && e.target == "group:default/org"));
        assert!(edges.iter().any(|e| e.kind == "hasMember" && e.target == "user:default/jo"));
    }

    #[test]
    fn kinds_without_the_field_make_no_relation() {
        let e = entity(json!({"kind": "Thing", "metadata": {"name": "t"}, "spec": {"owner": "x"}}));
        assert!(derive_edges(&e).0.is_empty());
        assert_eq!(types::inverse("ownedBy"), Some("ownerOf"));
        assert_eq!(types::inverse("hasMember"), Some("memberOf"));
    }
}
