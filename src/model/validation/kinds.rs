//! The built-in kinds' rules: accepted apiVersions and spec fields (their
//! shapes), plus every reference field from the relations table.

use super::super::relations::REF_FIELDS;

/// The shape a spec field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// A non-empty string.
    Str,
    /// A list of non-empty strings.
    StrList,
    /// A mapping.
    Map,
    /// A mapping, or a list of mappings (template parameters).
    MapOrMapList,
    /// `displayName`, `email`, `picture` strings.
    Profile,
    /// Template steps: mappings with a string `action`.
    Steps,
    /// `required` or `optional`.
    Presence,
}

/// One spec field of a built-in kind.
#[derive(Clone, Copy, Debug)]
pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) shape: Shape,
    pub(super) required: bool,
}

pub(super) const fn req(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: true }
}

pub(super) const fn opt(name: &'static str, shape: Shape) -> Field {
    Field { name, shape, required: false }
}

/// A built-in kind: accepted apiVersions and spec fields. Reference fields
/// from [`REF_FIELDS`] not listed here are optional.
pub(super) struct KindRules {
    pub(super) kind: &'static str,
    pub(super) api_versions: &'static [&'static str],
    /// Accepted with a warning.
    pub(super) old_api_versions: &'static [&'static str],
    pub(super) fields: &'static [Field],
}

pub(super) const BACKSTAGE_IO: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// API types that carry no `definition` (they describe endpoints instead).
pub(super) const DEFINITIONLESS_API_TYPES: &[&str] = &["mcp-server", "ai-model-server"];

pub(super) use Shape::*;

pub(super) const KINDS: &[KindRules] = &[
    KindRules {
        kind: "Component",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("lifecycle", Str), req("owner", Str)],
    },
    KindRules {
        kind: "API",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("lifecycle", Str), req("owner", Str), req("definition", Str)],
    },
    KindRules {
        kind: "Resource",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("owner", Str)],
    },
    KindRules {
        kind: "System",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("owner", Str), opt("type", Str)],
    },
    KindRules {
        kind: "Domain",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("owner", Str), opt("type", Str)],
    },
    KindRules {
        kind: "Group",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("type", Str), req("children", StrList), opt("profile", Profile)],
    },
    KindRules {
        kind: "User",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[req("memberOf", StrList), opt("profile", Profile)],
    },
    KindRules {
        kind: "Location",
        api_versions: BACKSTAGE_IO,
        old_api_versions: &[],
        fields: &[opt("type", Str), opt("target", Str), opt("targets", StrList), opt("presence", Presence)],
    },
    KindRules {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        old_api_versions: &["backstage.io/v1beta2", "scaffolder.backstage.io/v1beta2"],
        fields: &[
            req("type", Str),
            req("steps", Steps),
            opt("parameters", MapOrMapList),
            opt("output", Map),
            opt("owner", Str),
            opt("lifecycle", Str),
        ],
    },
];

pub(super) fn kind_rules(kind: &str) -> Option<&'static KindRules> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The spec fields to check for a kind: its own table, then every reference
/// field of [`REF_FIELDS`] for the kind that the table does not list.
pub(super) fn spec_fields(rules: &KindRules) -> Vec<Field> {
    let mut fields = rules.fields.to_vec();
    for rf in REF_FIELDS.iter().filter(|f| f.kinds.contains(&rules.kind)) {
        if !fields.iter().any(|f| f.name == rf.field) {
            fields.push(opt(rf.field, if rf.many { StrList } else { Str }));
        }
    }
    fields
}
