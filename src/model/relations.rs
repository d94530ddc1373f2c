//! Relations derived from spec fields, exactly as Backstage's built-in kinds
//! processor emits them: each reference makes a relation and its inverse,
//! the target's namespace defaults to the source's, and each field has its
//! own default kind.

use serde_json::{Map, Value};

use super::entity::Entity;

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

/// The spec lists the catalog sorts before storing an entity (its built-in
/// kinds processor does, for every kind).
pub const SORTED_LISTS: [&str; 7] =
    ["providesApis", "consumesApis", "dependsOn", "dependencyOf", "memberOf", "children", "members"];

/// Sorts the [`SORTED_LISTS`] of an entity's spec that hold only strings,
/// as the catalog stores them (JavaScript's default sort: by UTF-16 code
/// units).
pub fn sort_lists(entity: &mut Value) {
    let Some(spec) = entity.get_mut("spec").and_then(Value::as_object_mut) else { return };
    for key in SORTED_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(key)
            && items.iter().all(Value::is_string)
        {
            items.sort_by(|a, b| {
                let units = |v: &Value| v.as_str().unwrap_or_default().encode_utf16().collect::<Vec<u16>>();
                units(a).cmp(&units(b))
            });
        }
    }
}

/// The references in an entity's spec fields, resolved to canonical refs,
/// with the field table entry each came from. References that do not parse
/// make no relation (validation reports them, with their position).
pub fn spec_refs(entity: &Entity) -> Vec<(&'static RefField, String)> {
    match entity.spec() {
        Some(spec) => spec_refs_in(entity.kind(), entity.namespace(), spec),
        None => Vec::new(),
    }
}

/// [`spec_refs`] of an entity of `kind` in `namespace` with `spec`.
pub fn spec_refs_in(kind: &str, namespace: &str, spec: &Map<String, Value>) -> Vec<(&'static RefField, String)> {
    let mut refs = Vec::new();
    for field in REF_FIELDS.iter().filter(|f| f.kinds.contains(&kind)) {
        let items = match (field.many, spec.get(field.field)) {
            (true, Some(Value::Array(items))) => items.as_slice(),
            (false, Some(value)) => std::slice::from_ref(value),
            // Wrong types are reported by validation; nothing to relate.
            _ => continue,
        };
        for text in items.iter().filter_map(Value::as_str) {
            if let Some(target) = crate::model::entity_ref::canonicalize(text, field.default_kind, namespace) {
                refs.push((field, target));
            }
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(v: Value) -> Entity {
        Entity::from_json(v).unwrap()
    }

    /// Every relation and inverse as (source, type, target).
    fn derive_edges(e: &Entity) -> Vec<(String, &'static str, String)> {
        let source = e.canonical_ref();
        spec_refs(e)
            .into_iter()
            .flat_map(|(f, target)| [(source.clone(), f.relation, target.clone()), (target, f.inverse, source.clone())])
            .collect()
    }

    #[test]
    fn owner_defaults_to_group_in_own_namespace() {
        let e = entity(json!({"kind": "Component", "metadata": {"name": "c", "namespace": "ns"},
            "spec": {"owner": "team-a", "system": "default/sys", "providesApis": ["api-1", "other/api-2"]}}));
        let edges = derive_edges(&e);
        let has = |s: &str, k: &str, t: &str| edges.iter().any(|e| e.0 == s && e.1 == k && e.2 == t);
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
        let edges = derive_edges(&e);
        assert_eq!(edges.len(), 2);
        assert!(edges.iter().all(|e| e.0 == "resource:default/db" || e.2 == "resource:default/db"));
    }

    #[test]
    fn user_and_group_membership() {
        let u = entity(json!({"kind": "User", "metadata": {"name": "jo"},
            "spec": {"memberOf": ["team-a", "group:other/team-b"]}}));
        let edges = derive_edges(&u);
        assert!(edges.iter().any(|e| e.0 == "group:other/team-b" && e.1 == "hasMember"));
        let g = entity(json!({"kind": "Group", "metadata": {"name": "g"},
            "spec": {"parent": "org", "children": ["sub"], "members": ["jo"]}}));
        let edges = derive_edges(&g);
        assert!(edges.iter().any(|e| e.1 == "childOf" && e.2 == "group:default/org"));
        assert!(edges.iter().any(|e| e.1 == "hasMember" && e.2 == "user:default/jo"));
    }

    /// Rule 6: the lists the catalog sorts, and only those.
    #[test]
    fn ref_lists_are_sorted_as_the_catalog_stores_them() {
        let mut e = json!({"kind": "Thing", "spec": {
            "dependsOn": ["resource:zz", "resource:aa", "Resource:Bb"], "dependencyOf": ["b", "a"],
            "providesApis": ["zz", "aa"], "consumesApis": ["b", "a"], "memberOf": ["b", "a"],
            "children": ["b", "a"], "members": ["b", "a", "B"], "owners": ["b", "a"], "tags": ["b", "a"],
            "mixed": ["b", "a"]}});
        e["spec"]["mixedList"] = json!(["b", 1]);
        e["spec"]["members"] = json!(["b", "a", "B", "\u{ff5a}", "\u{1F600}"]);
        sort_lists(&mut e);
        let spec = &e["spec"];
        assert_eq!(spec["dependsOn"], json!(["Resource:Bb", "resource:aa", "resource:zz"]));
        for key in ["dependencyOf", "consumesApis", "memberOf", "children"] {
            assert_eq!(spec[key], json!(["a", "b"]), "{key}");
        }
        assert_eq!(spec["providesApis"], json!(["aa", "zz"]));
        assert_eq!(spec["members"], json!(["B", "a", "b", "\u{1F600}", "\u{ff5a}"]), "UTF-16 order");
        assert_eq!(spec["owners"], json!(["b", "a"]), "other lists keep their order");
        assert_eq!(spec["mixedList"], json!(["b", 1]));
    }

    #[test]
    fn kinds_without_the_field_make_no_relation() {
        let e = entity(json!({"kind": "Thing", "metadata": {"name": "t"}, "spec": {"owner": "x"}}));
        assert!(derive_edges(&e).is_empty());
        assert_eq!(types::inverse("ownedBy"), Some("ownerOf"));
        assert_eq!(types::inverse("hasMember"), Some("memberOf"));
    }
}
