//! An entity's [`Summary`]: the fields search, lists and the graph need,
//! read with one lookup of `metadata` and `spec` each.

use serde_json::{Map, Value};

use crate::index::{Link, Summary};
use crate::model::Entity;
use crate::model::entity_ref::{DEFAULT_NAMESPACE, canonicalize};

fn text<'a>(map: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    map?.get(key)?.as_str()
}

fn owned(map: Option<&Map<String, Value>>, key: &str) -> Option<String> {
    text(map, key).map(String::from)
}

/// `spec.KEY` as a canonical ref, the kind defaulting to `kind`.
fn reference(spec: Option<&Map<String, Value>>, key: &str, kind: &str, namespace: &str) -> Option<String> {
    canonicalize(text(spec, key)?, Some(kind), namespace)
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

/// A [`Summary`]'s text packed into one allocation: what a record keeps
/// until the index is laid out (a summary of separate strings costs several
/// times its text).
pub(super) struct Packed {
    /// Every field's text, back to back.
    text: Box<str>,
    /// Where each field ends in `text` ([`ABSENT`]: no value), in the order
    /// of [`Packed::new`], then one end per tag.
    ends: Box<[u32]>,
    line: u32,
}

/// The end of a field without a value.
const ABSENT: u32 = u32::MAX;

/// How many fields come before the tags.
const FIELDS: usize = 14;

impl Packed {
    /// `s` packed (its links, source and body are not kept).
    pub(super) fn new(s: &Summary) -> Packed {
        let fields: [Option<&str>; FIELDS] = [
            Some(&s.kind),
            Some(&s.namespace),
            Some(&s.name),
            s.title.as_deref(),
            s.description.as_deref(),
            s.owner.as_deref(),
            s.system.as_deref(),
            s.lifecycle.as_deref(),
            s.spec_type.as_deref(),
            s.display_name.as_deref(),
            s.email.as_deref(),
            s.file.as_deref(),
            s.uid.as_deref(),
            s.etag.as_deref(),
        ];
        let mut text = String::new();
        let mut ends = Vec::with_capacity(FIELDS + s.tags.len());
        for field in fields.into_iter().chain(s.tags.iter().map(|t| Some(t.as_str()))) {
            ends.push(match field {
                Some(value) => {
                    text.push_str(value);
                    u32::try_from(text.len()).unwrap_or(ABSENT - 1)
                }
                None => ABSENT,
            });
        }
        Packed { text: text.into_boxed_str(), ends: ends.into_boxed_slice(), line: s.line }
    }

    /// Field `i` (in the order of [`Packed::new`]; tags follow).
    fn field(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        if end == ABSENT {
            return None;
        }
        let start = self.ends[..i].iter().rev().find(|&&e| e != ABSENT).copied().unwrap_or(0);
        self.text.get(start as usize..end as usize)
    }

    /// At most how many bytes its fields take in the table's text (less
    /// where a value is interned).
    pub(super) fn text_len(&self) -> usize {
        self.text.len() + 2 * self.ends.len()
    }

    /// The file the entity was read from, and the line.
    pub(super) fn origin(&self) -> (Option<&str>, u32) {
        (self.field(11), self.line)
    }

    /// The summary again, with `links`, `source` and no body yet.
    pub(super) fn unpack(&self, links: Vec<Link>, source: u16) -> Summary {
        let text = |i: usize| self.field(i).map(String::from);
        Summary {
            kind: text(0).unwrap_or_default(),
            namespace: text(1).unwrap_or_default(),
            name: text(2).unwrap_or_default(),
            title: text(3),
            description: text(4),
            owner: text(5),
            system: text(6),
            lifecycle: text(7),
            spec_type: text(8),
            display_name: text(9),
            email: text(10),
            file: text(11),
            uid: text(12),
            etag: text(13),
            tags: (FIELDS..self.ends.len()).filter_map(text).collect(),
            links,
            source,
            line: self.line,
            body: (0, 0),
        }
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

    #[test]
    fn a_packed_summary_unpacks_as_it_was() {
        let entity = Entity::from_json(json!({
            "kind": "User",
            "metadata": {"name": "jo", "title": "", "tags": ["a", "", "b"], "etag": "e"},
            "spec": {"owner": "team", "profile": {"email": "j@x"}}
        }))
        .unwrap();
        let s = summarize(&entity, 0, None, 7, Vec::new(), 0);
        let packed = Packed::new(&s);
        assert_eq!(format!("{:?}", packed.unpack(Vec::new(), 0)), format!("{s:?}"));
        assert_eq!(packed.origin(), (None, 7));
        let s = summarize(&entity, 0, Some("f.yaml".into()), 2, Vec::new(), 0);
        assert_eq!(Packed::new(&s).origin(), (Some("f.yaml"), 2));
    }
}
