//! Entity references: `[<kind>:][<namespace>/]<name>`.
//!
//! Parsing follows Backstage's `parseEntityRef`: the first `:` ends the kind
//! unless a `/` comes before it, the first `/` ends the namespace, and an
//! empty part is an error. The canonical form is `kind:namespace/name`, all
//! lower-case, which is also what relation targets use.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The namespace used when none is written.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A fully qualified reference to an entity, kept as written (case intact).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityRef {
    /// The kind, e.g. `Component`.
    pub kind: String,
    /// The namespace, e.g. `default`.
    pub namespace: String,
    /// The name, e.g. `petstore`.
    pub name: String,
}

/// Why a reference could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The reference text was empty.
    #[error("entity reference is empty")]
    Empty,
    /// The kind part before `:` was empty.
    #[error("entity reference `{0}` has an empty kind before `:`")]
    EmptyKind(String),
    /// The namespace part before `/` was empty.
    #[error("entity reference `{0}` has an empty namespace before `/`")]
    EmptyNamespace(String),
    /// The name part was empty.
    #[error("entity reference `{0}` has an empty name")]
    EmptyName(String),
    /// No kind was written and the field has no default kind.
    #[error("entity reference `{0}` needs a kind, e.g. `component:{0}`")]
    MissingKind(String),
}

/// The parts of a reference as written, before defaults are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialRef<'a> {
    /// The kind, when written.
    pub kind: Option<&'a str>,
    /// The namespace, when written.
    pub namespace: Option<&'a str>,
    /// The name.
    pub name: &'a str,
}

/// Splits a reference into its written parts.
pub fn split_ref(text: &str) -> Result<PartialRef<'_>, RefError> {
    if text.is_empty() {
        return Err(RefError::Empty);
    }
    let colon = text.find(':');
    let slash = text.find('/');
    let (kind, rest) = match (colon, slash) {
        (Some(c), Some(s)) if s < c => (None, text),
        (Some(c), _) => (Some(&text[..c]), &text[c + 1..]),
        (None, _) => (None, text),
    };
    let (namespace, name) = match rest.find('/') {
        Some(s) => (Some(&rest[..s]), &rest[s + 1..]),
        None => (None, rest),
    };
    if kind == Some("") {
        return Err(RefError::EmptyKind(text.into()));
    }
    if namespace == Some("") {
        return Err(RefError::EmptyNamespace(text.into()));
    }
    if name.is_empty() {
        return Err(RefError::EmptyName(text.into()));
    }
    Ok(PartialRef { kind, namespace, name })
}

impl EntityRef {
    /// Builds a reference from its parts.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef { kind: kind.into(), namespace: namespace.into(), name: name.into() }
    }

    /// Parses a reference, filling missing parts from the context: the
    /// default kind of the field (if any) and the referring entity's namespace.
    pub fn parse_with(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Result<Self, RefError> {
        let parts = split_ref(text)?;
        let kind = parts.kind.or(default_kind).ok_or_else(|| RefError::MissingKind(text.into()))?;
        Ok(EntityRef::new(kind, parts.namespace.unwrap_or(default_namespace), parts.name))
    }

    /// Parses a fully written or `kind:name` reference (default namespace).
    pub fn parse(text: &str) -> Result<Self, RefError> {
        Self::parse_with(text, None, DEFAULT_NAMESPACE)
    }

    /// The canonical, lower-case form: `kind:namespace/name`.
    pub fn canonical(&self) -> String {
        canonical_of(&self.kind, &self.namespace, &self.name)
    }

    /// The shortest readable form: `kind:name` in the default namespace.
    pub fn short(&self) -> String {
        if self.namespace.eq_ignore_ascii_case(DEFAULT_NAMESPACE) {
            format!("{}:{}", self.kind.to_lowercase(), self.name)
        } else {
            format!("{}:{}/{}", self.kind.to_lowercase(), self.namespace, self.name)
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Returns the canonical form of a reference text, or `None` if it does not parse.
pub fn canonicalize(text: &str, default_kind: Option<&str>, default_namespace: &str) -> Option<String> {
    let parts = split_ref(text).ok()?;
    Some(canonical_of(parts.kind.or(default_kind)?, parts.namespace.unwrap_or(default_namespace), parts.name))
}

/// The canonical form of a ref's parts, `kind:namespace/name`, each part
/// lower-cased on its own (as [`str::to_lowercase`] does) in one allocation.
pub fn canonical_of(kind: &str, namespace: &str, name: &str) -> String {
    let mut out = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
    push_lowercase(&mut out, kind);
    out.push(':');
    push_lowercase(&mut out, namespace);
    out.push('/');
    push_lowercase(&mut out, name);
    out
}

/// Appends `s` lower-cased: in place for ASCII text, by
/// [`str::to_lowercase`] otherwise (whose rules depend on the whole text).
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_lowercases_each_part_as_to_lowercase_does() {
        for (kind, ns, name) in [("Component", "Default", "Ab-C"), ("Gröup", "ΟΔΟΣ", "ΟΔΟΣ"), ("K", "n", "İx")]
        {
            let slow = format!("{}:{}/{}", kind.to_lowercase(), ns.to_lowercase(), name.to_lowercase());
            assert_eq!(canonical_of(kind, ns, name), slow);
            assert_eq!(EntityRef::new(kind, ns, name).canonical(), slow);
        }
        assert_eq!(canonicalize("Team-A", Some("Group"), "Ns").as_deref(), Some("group:ns/team-a"));
        assert_eq!(canonicalize("x:Y/Z", None, "default").as_deref(), Some("x:y/z"));
        assert_eq!(canonicalize("name", None, "default"), None);
        assert_eq!(canonicalize("a:", Some("Group"), "default"), None);
    }

    #[test]
    fn parses_every_shape() {
        let r = EntityRef::parse("component:default/petstore").unwrap();
        assert_eq!(r, EntityRef::new("component", "default", "petstore"));
        let r = EntityRef::parse_with("team-a", Some("Group"), "acme").unwrap();
        assert_eq!(r.canonical(), "group:acme/team-a");
        let r = EntityRef::parse_with("other/team-a", Some("Group"), "acme").unwrap();
        assert_eq!(r.canonical(), "group:other/team-a");
        let r = EntityRef::parse_with("user:jdoe", Some("Group"), "acme").unwrap();
        assert_eq!(r.canonical(), "user:acme/jdoe");
    }

    #[test]
    fn a_slash_before_the_colon_means_no_kind() {
        let parts = split_ref("ns/name:with-colon").unwrap();
        assert_eq!(parts.kind, None);
        assert_eq!(parts.namespace, Some("ns"));
        assert_eq!(parts.name, "name:with-colon");
    }

    #[test]
    fn empty_parts_are_errors() {
        assert_eq!(split_ref(""), Err(RefError::Empty));
        assert!(matches!(split_ref(":a"), Err(RefError::EmptyKind(_))));
        assert!(matches!(split_ref("k:/a"), Err(RefError::EmptyNamespace(_))));
        assert!(matches!(split_ref("k:ns/"), Err(RefError::EmptyName(_))));
        assert!(matches!(EntityRef::parse_with("thing", None, "default"), Err(RefError::MissingKind(_))));
    }

    #[test]
    fn canonical_form_is_lower_case() {
        let r = EntityRef::new("Group", "Default", "Team-A");
        assert_eq!(r.canonical(), "group:default/team-a");
        assert_eq!(r.short(), "group:Team-A");
        assert_eq!(EntityRef::new("API", "ops", "x").short(), "api:ops/x");
    }
}
