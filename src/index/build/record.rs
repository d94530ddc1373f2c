//! The compact form a sync keeps of each entity read: its canonical ref,
//! its summary, its relation targets and its body already serialised. A
//! record is made as soon as the entity's file is parsed, so a sync never
//! holds every parsed entity tree at once; the relations an index derives
//! are spliced into the body when it is written.

use std::io;
use std::ops::Range;
use std::sync::Arc;

use crate::index::Summary;
use crate::model::relations::{self, RefField};
use crate::model::{Entity, Relation};
use crate::sources::fanout::Compacted;
use crate::sources::{ReadEntity, RejectedEntity};

use super::spill::Spill;
use super::summary::{Packed, summarize};

/// Where a record's body is kept.
enum Body {
    /// In memory.
    Inline(Box<[u8]>),
    /// In a spill file: where and how long.
    Spilled(Arc<Spill>, u64, usize),
}

/// Where a record's relations come from.
pub(super) enum Outgoing {
    /// Derived from spec fields (local sources): each reference with the
    /// field it came from; the index adds the inverses.
    Spec(SpecRefs),
    /// Given by the server (remote sources), stored as they are.
    Server(Vec<Relation>),
}

/// The references of an entity's spec fields, their text in one
/// allocation: each with its field and where its text ends.
pub(super) struct SpecRefs {
    ends: Box<[(&'static RefField, u32)]>,
    text: Box<str>,
}

impl SpecRefs {
    fn new(refs: Vec<(&'static RefField, String)>) -> SpecRefs {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(refs.len());
        for (field, target) in refs {
            text.push_str(&target);
            ends.push((field, u32::try_from(text.len()).unwrap_or(u32::MAX)));
        }
        SpecRefs { ends: ends.into_boxed_slice(), text: text.into_boxed_str() }
    }

    /// Each reference: the field it came from and the target's canonical ref.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'static RefField, &str)> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|(_, end)| *end));
        self.ends
            .iter()
            .zip(starts)
            .map(|(&(field, end), start)| (field, self.text.get(start as usize..end as usize).unwrap_or("")))
    }
}

/// One entity as a sync keeps it until the index is written.
pub struct Record {
    pub(super) canonical: String,
    /// The summary (its links, source and body place are set by the build).
    summary: Packed,
    /// The entity's JSON as read.
    body: Body,
    /// Where in `body` the value of a `relations` key it already has is;
    /// `None`: it has none, the derived ones go last.
    relations_at: Option<Range<usize>>,
    pub(super) outgoing: Outgoing,
}

impl Record {
    /// A record of an entity of a local source, whose relations the index
    /// derives from its spec fields.
    pub fn local(read: ReadEntity) -> Record {
        Record::new_in(read, false, None)
    }

    /// A record of an entity a server sent with its relations.
    pub fn server(read: ReadEntity) -> Record {
        Record::new_in(read, true, None)
    }

    /// A record of a server's entity (`server`) or a local one, its body
    /// kept in `spill` when there is one (in memory when it cannot be
    /// written there).
    pub fn new_in(read: ReadEntity, server: bool, spill: Option<&Arc<Spill>>) -> Record {
        let ReadEntity { entity, file, line } = read;
        let outgoing = if server {
            Outgoing::Server(entity.relations())
        } else {
            Outgoing::Spec(SpecRefs::new(relations::spec_refs(&entity)))
        };
        let file = (!file.as_os_str().is_empty()).then(|| file.display().to_string());
        let (bytes, relations_at) = serialize(&entity);
        let summary = Packed::new(&summarize(&entity, 0, file, line, Vec::new(), 0));
        let body = match spill.map(|s| (s, s.append(&bytes))) {
            Some((spill, Ok(at))) => Body::Spilled(spill.clone(), at, bytes.len()),
            _ => Body::Inline(bytes.into_boxed_slice()),
        };
        Record { canonical: entity.canonical_ref(), summary, body, relations_at, outgoing }
    }

    /// A record of a local entity carried over from the previous index
    /// (its file unchanged), made without building the entity: `stored` is
    /// its stored body, whose last key is the `relations` the index derived
    /// (an entity with relations of its own is never carried), and
    /// `summary` its stored summary. Its spec references are read from the
    /// body's spec alone. `None` when the body is not such a body.
    pub fn carried(canonical: &str, stored: &[u8], summary: Summary, spill: Option<&Arc<Spill>>) -> Option<Record> {
        #[derive(serde::Deserialize)]
        struct Head<'a> {
            #[serde(borrow)]
            kind: std::borrow::Cow<'a, str>,
            #[serde(borrow, default)]
            metadata: Metadata<'a>,
            #[serde(default)]
            spec: Option<serde_json::Map<String, serde_json::Value>>,
        }
        #[derive(serde::Deserialize, Default)]
        struct Metadata<'a> {
            #[serde(borrow)]
            namespace: Option<std::borrow::Cow<'a, str>>,
        }
        const KEY: &[u8] = b",\"relations\":";
        let at = stored.windows(KEY.len()).rposition(|w| w == KEY)?;
        let mut bytes = Vec::with_capacity(at + 1);
        bytes.extend_from_slice(&stored[..at]);
        bytes.push(b'}');
        let head: Head<'_> = serde_json::from_slice(&bytes).ok()?;
        let namespace = head.metadata.namespace.as_deref().unwrap_or(crate::model::entity_ref::DEFAULT_NAMESPACE);
        let refs = head.spec.as_ref().map(|spec| relations::spec_refs_in(&head.kind, namespace, spec));
        let summary = Summary { links: Vec::new(), source: 0, body: (0, 0), ..summary };
        let body = match spill.map(|s| (s, s.append(&bytes))) {
            Some((spill, Ok(at))) => Body::Spilled(spill.clone(), at, bytes.len()),
            _ => Body::Inline(bytes.into_boxed_slice()),
        };
        Some(Record {
            canonical: canonical.to_string(),
            summary: Packed::new(&summary),
            body,
            relations_at: None,
            outgoing: Outgoing::Spec(SpecRefs::new(refs.unwrap_or_default())),
        })
    }

    /// The body as read: in memory, or read into `scratch`.
    pub(super) fn bytes<'a>(&'a self, scratch: &'a mut Vec<u8>) -> io::Result<&'a [u8]> {
        match &self.body {
            Body::Inline(bytes) => Ok(bytes),
            Body::Spilled(spill, at, len) => {
                scratch.clear();
                spill.read_into(*at, *len, scratch)?;
                Ok(scratch)
            }
        }
    }

    /// Appends its body as read to `out` (a spilled one straight from the
    /// spill's read-ahead, without a copy in between).
    pub(super) fn append_body(&self, out: &mut Vec<u8>) -> io::Result<()> {
        match &self.body {
            Body::Inline(bytes) => {
                out.extend_from_slice(bytes);
                Ok(())
            }
            Body::Spilled(spill, at, len) => spill.read_into(*at, *len, out),
        }
    }

    /// Where its body is in a spill file, when it is in one.
    pub(super) fn spilled(&self) -> Option<(&Arc<Spill>, u64, usize)> {
        match &self.body {
            Body::Spilled(spill, at, len) => Some((spill, *at, *len)),
            Body::Inline(_) => None,
        }
    }

    /// Its summary, with `links` and `source` (the body's place is set
    /// when it is written).
    pub(super) fn summary(&self, links: Vec<crate::index::Link>, source: u16) -> Summary {
        self.summary.unpack(links, source)
    }

    /// At most how many bytes its summary takes in the table's text.
    pub(super) fn summary_text_len(&self) -> usize {
        self.summary.text_len()
    }

    /// The file it was read from (as displayed) and the line.
    pub(super) fn origin(&self) -> (Option<&str>, u32) {
        self.summary.origin()
    }

    /// Appends the stored body to `out`: as read for a server entity; for
    /// a local one with `relations` set to `derived` (sorted), exactly as
    /// the entity with [`Entity::set_relations`] would serialise.
    /// `scratch` holds a spilled body while it is written.
    #[cfg(test)]
    pub(super) fn write_body<R: serde::Serialize>(
        &self,
        derived: Option<&[R]>,
        scratch: &mut Vec<u8>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let body = self.bytes(scratch)?;
        self.write_body_of(body, derived, out);
        Ok(())
    }

    /// [`Record::write_body`] of `body`, its body as read ([`Record::bytes`]).
    pub(super) fn write_body_of<R: serde::Serialize>(&self, body: &[u8], derived: Option<&[R]>, out: &mut Vec<u8>) {
        let Some(derived) = derived else {
            out.extend_from_slice(body);
            return;
        };
        let (head, tail) = match &self.relations_at {
            Some(at) => (&body[..at.start], &body[at.end..]),
            None => {
                let head = &body[..body.len() - 1];
                out.extend_from_slice(head);
                out.extend_from_slice(if head.len() > 1 { b",\"relations\":" } else { b"\"relations\":" });
                (&[][..], &b"}"[..])
            }
        };
        out.extend_from_slice(head);
        write_json(out, derived);
        out.extend_from_slice(tail);
    }

    /// The entity as read.
    fn entity(&self) -> Result<Entity, String> {
        let mut scratch = Vec::new();
        let body = self.bytes(&mut scratch).map_err(|e| e.to_string())?;
        serde_json::from_slice(body).map_err(|e| e.to_string()).and_then(Entity::from_json)
    }
}

/// The entity's JSON (as `serde_json` writes it) and where the value of its
/// `relations` key is, if it has one.
fn serialize(entity: &Entity) -> (Vec<u8>, Option<Range<usize>>) {
    let mut out = Vec::with_capacity(512);
    let mut relations_at = None;
    out.push(b'{');
    for (i, (key, value)) in entity.as_map().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json(&mut out, key);
        out.push(b':');
        let start = out.len();
        write_json(&mut out, value);
        if key == "relations" {
            relations_at = Some(start..out.len());
        }
    }
    out.push(b'}');
    (out, relations_at)
}

/// Appends `value` as JSON. Strings, JSON values and relations written to
/// memory cannot fail (their map keys are strings).
fn write_json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    let written = serde_json::to_writer(out, value);
    debug_assert!(written.is_ok(), "{written:?}");
}

impl Compacted for Record {
    fn canonical_ref(&self) -> String {
        self.canonical.clone()
    }

    fn rejected(self, reason: String) -> RejectedEntity {
        let (file, line) = self.origin();
        let (file, line) = (file.map(std::path::PathBuf::from).unwrap_or_default(), line);
        // The body is the entity the record was made of, so it reads back;
        // were it not, the rejection still names the entity.
        let entity = self.entity().unwrap_or_else(|_| {
            let s = self.summary(Vec::new(), 0);
            let value = serde_json::json!({"kind": s.kind, "metadata": {"name": s.name, "namespace": s.namespace}});
            Entity::from_json(value).unwrap_or_else(|_| unreachable!("kind and name are strings"))
        });
        RejectedEntity { read: ReadEntity { entity, file, line }, reason }
    }
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record").field("canonical", &self.canonical).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> ReadEntity {
        ReadEntity { entity: Entity::from_json(v).unwrap(), file: "f.yaml".into(), line: 3 }
    }

    fn spliced(v: serde_json::Value, relations: &[Relation]) -> (Vec<u8>, Vec<u8>) {
        let mut entity = Entity::from_json(v.clone()).unwrap();
        entity.set_relations(relations);
        let mut out = Vec::new();
        Record::local(read(v)).write_body(Some(relations), &mut Vec::new(), &mut out).unwrap();
        (out, serde_json::to_vec(&entity).unwrap())
    }

    #[test]
    fn derived_relations_are_spliced_as_set_relations_writes_them() {
        let rel = |k: &str, t: &str| Relation { kind: k.into(), target: t.into() };
        let relations = [rel("dependsOn", "resource:default/\"db\""), rel("ownedBy", "group:default/a")];
        let plain = json!({"apiVersion": "v1", "kind": "Component", "metadata": {"name": "c"}, "spec": {"owner": "a"}});
        for rels in [&relations[..], &[]] {
            let (got, want) = spliced(plain.clone(), rels);
            assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
        }
        let own = json!({"kind": "Component", "relations": [{"type": "x"}], "metadata": {"name": "c"}});
        let (got, want) = spliced(own, &relations);
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(want).unwrap());
    }

    #[test]
    fn a_server_body_is_kept_and_a_rejected_record_gives_back_the_entity() {
        let v = json!({"kind": "Group", "metadata": {"name": "g", "uid": "u"},
            "relations": [{"type": "hasMember", "targetRef": "user:default/jo"}]});
        let dir = tempfile::tempdir().unwrap();
        let spill = Arc::new(Spill::new_in(dir.path()).unwrap());
        let _before = Record::new_in(read(json!({"kind": "A", "metadata": {"name": "a"}})), true, Some(&spill));
        let record = Record::new_in(read(v.clone()), true, Some(&spill));
        assert!(matches!(record.body, Body::Spilled(..)));
        let mut out = Vec::new();
        record.write_body(None::<&[Relation]>, &mut Vec::new(), &mut out).unwrap();
        assert_eq!(out, serde_json::to_vec(&v).unwrap());
        assert!(matches!(&record.outgoing, Outgoing::Server(r) if r.len() == 1));
        assert_eq!(record.summary(Vec::new(), 0).uid.as_deref(), Some("u"));
        let rejected = record.rejected("because".into());
        assert_eq!((rejected.read.entity.to_value(), rejected.read.line), (v, 3));
        assert_eq!(rejected.read.file, std::path::PathBuf::from("f.yaml"));
    }
}
