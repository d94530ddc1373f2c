//! The local index: every entity's searchable summary and relations in
//! memory, full bodies on disk until shown, problems and per-source sync
//! state. Built by [`build`], saved and loaded by [`store`], searched by
//! [`search`], walked by [`graph`].

pub mod build;
mod checksum;
pub mod depends;
pub mod graph;
pub mod graph_format;
pub mod graph_tree;
mod hay;
pub mod health;
mod prefilter;
pub mod rejected;
pub mod search;
pub mod sidecar;
pub mod store;
pub mod stored;
mod table;
mod text;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Entity, Problem};

/// The format version written in the index header; older files are rebuilt.
pub const FORMAT_VERSION: u32 = 6;

/// How the last sync of one source went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    /// The source's configured name.
    pub name: String,
    /// `dir`, `file`, `git`, `demo`...
    pub kind: String,
    /// Path or URL.
    pub target: String,
    /// Unix seconds of the last successful read, if any.
    pub last_success: Option<u64>,
    /// Unix seconds of the last attempt.
    pub last_attempt: u64,
    /// The last attempt's error, when it failed.
    pub last_error: Option<String>,
    /// How many entities the source holds now.
    pub entities: usize,
    /// Remote sources: the validator (HTTP ETag) of the uid/etag listing
    /// that the source's entities match exactly, to ask the server next
    /// time whether it changed.
    pub listing: Option<String>,
}

/// An entity a source read that the catalog would not store (it failed
/// validation, a placeholder could not be read, or the Location naming it
/// failed). Kept apart from the entities: never in relations, ownership,
/// health or plain search; shown as rejected, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Canonical ref.
    pub entity_ref: String,
    /// The source that read it.
    pub source: String,
    /// The file it was read from.
    pub file: Option<String>,
    /// The line its document starts on.
    pub line: u32,
    /// Why it is not stored.
    pub reason: String,
    /// The entity as read (JSON).
    pub body: String,
}

impl Rejected {
    /// The entity as read.
    pub fn entity(&self) -> Result<Entity, String> {
        let value: serde_json::Value = serde_json::from_str(&self.body).map_err(|e| e.to_string())?;
        Entity::from_json(value)
    }

    /// `file:line`, or the source's name.
    pub fn location(&self) -> String {
        match &self.file {
            Some(file) => format!("{file}:{}", self.line),
            None => format!("source `{}`", self.source),
        }
    }
}

/// One relation of an entity, by index: the type in [`Index::relation_types`],
/// the target in the ref table ([`Index::ref_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    /// Index into the relation type table.
    pub kind: u16,
    /// Index into the ref table (entities first, then dangling targets).
    pub target: u32,
}

pub use table::{Field, SummaryRef, Tags};

/// What search, lists and the graph need of an entity, as the build makes
/// it; the index keeps it compact (see [`Index::summary`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// `kind` as written.
    pub kind: String,
    /// `metadata.namespace` (or `default`).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `metadata.description`.
    pub description: Option<String>,
    /// Canonical ref of the owner (from `spec.owner`).
    pub owner: Option<String>,
    /// `spec.system` as a canonical ref.
    pub system: Option<String>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<String>,
    /// `spec.type`.
    pub spec_type: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
    /// `spec.profile.displayName` (users and groups).
    pub display_name: Option<String>,
    /// `spec.profile.email` (users and groups).
    pub email: Option<String>,
    /// Relations, sorted by type then target.
    pub links: Vec<Link>,
    /// Index into [`Index::sources`].
    pub source: u16,
    /// The file it came from (local sources).
    pub file: Option<String>,
    /// The line its document starts on.
    pub line: u32,
    /// Byte range of the JSON body in the bodies blob.
    pub body: (u64, u32),
    /// `metadata.uid` (remote sources).
    pub uid: Option<String>,
    /// `metadata.etag` (remote sources).
    pub etag: Option<String>,
}

/// Bytes of the index kept as they are: entity bodies, summary text.
#[derive(Clone)]
pub enum Bodies {
    /// In memory (a fresh build).
    Owned(Vec<u8>),
    /// A range of the memory-mapped index file.
    Mapped(Arc<memmap2::Mmap>, std::ops::Range<usize>),
    /// A range of the memory-mapped index file with the checksums of its
    /// blocks, checked as parts are read.
    Checked(Arc<memmap2::Mmap>, std::ops::Range<usize>, Arc<checksum::Blocks>),
}

impl Bodies {
    fn bytes(&self) -> &[u8] {
        match self {
            Bodies::Owned(v) => v,
            Bodies::Mapped(m, range) | Bodies::Checked(m, range, _) => m.get(range.clone()).unwrap_or(&[]),
        }
    }

    /// `len` bytes from `start`, when they are there and (for a checked
    /// file) as written.
    fn slice(&self, start: usize, len: usize) -> Option<&[u8]> {
        let all = self.bytes();
        let end = start.checked_add(len)?;
        if let Bodies::Checked(_, _, blocks) = self
            && !blocks.verify(all, start, end)
        {
            return None;
        }
        all.get(start..end)
    }

    /// Whether every block is as written (always, when not from a file).
    fn verify_all(&self) -> bool {
        match self {
            Bodies::Checked(_, _, blocks) => blocks.verify_all(self.bytes()),
            _ => true,
        }
    }

    /// The first `at` bytes and the rest.
    fn split(self, at: usize) -> (Bodies, Bodies) {
        match self {
            Bodies::Owned(mut v) => {
                let rest = v.split_off(at.min(v.len()));
                (Bodies::Owned(v), Bodies::Owned(rest))
            }
            Bodies::Mapped(m, range) | Bodies::Checked(m, range, _) => {
                let mid = range.start.saturating_add(at).min(range.end);
                (Bodies::Mapped(Arc::clone(&m), range.start..mid), Bodies::Mapped(m, mid..range.end))
            }
        }
    }
}

impl std::fmt::Debug for Bodies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bodies({} bytes)", self.bytes().len())
    }
}

/// The loaded index.
#[derive(Debug)]
pub struct Index {
    /// Unix seconds when the index was written.
    pub created: u64,
    /// Per-source sync state.
    pub sources: Vec<SourceState>,
    /// Every problem the last sync found.
    pub problems: Vec<Problem>,
    /// Relation type names.
    pub relation_types: Vec<String>,
    /// Entities read but not stored, sorted by ref.
    pub rejected: Vec<Rejected>,
    /// The random stamp of the index file this was read from (0 when it
    /// was not read from a file): a sidecar applies only to its own file.
    generation: u64,
    /// Entity summaries and canonical refs (entities sorted by ref, then
    /// dangling targets).
    table: table::Table,
    bodies: Bodies,
}

/// One relation as seen from an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationView<'a> {
    /// The relation type.
    pub kind: &'a str,
    /// The target's canonical ref.
    pub target: &'a str,
    /// The target entity, when it exists in the index.
    pub entity: Option<u32>,
}

impl Index {
    /// Assembles an index from its parts. Entity refs must be sorted (the
    /// build sorts them): lookups by ref are binary searches.
    pub fn from_parts(
        created: u64,
        sources: Vec<SourceState>,
        problems: Vec<Problem>,
        relation_types: Vec<String>,
        refs: Vec<String>,
        entities: Vec<Summary>,
        bodies: Bodies,
    ) -> Index {
        let table = table::Table::new(refs, entities);
        Index { created, sources, problems, relation_types, rejected: Vec::new(), generation: 0, table, bodies }
    }

    /// An index read back from its file (whose stamp is `generation`).
    fn from_table(header: store::Header, text: Bodies, bodies: Bodies) -> Index {
        let store::Header { created, generation, sources, problems, relation_types, rejected, columns, .. } = header;
        let table = table::Table { columns: std::sync::Arc::new(columns), text };
        Index { created, sources, problems, relation_types, rejected, generation, table, bodies }
    }

    /// Whether every stored body is as written (a sync checks this before
    /// building on a previous index; reading an entity checks its own).
    pub fn bodies_intact(&self) -> bool {
        self.bodies.verify_all()
    }

    /// The random stamp of the index file this index was read from (0 when
    /// it was built in memory and not read back).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The same entities, relations and bodies with another sync's time,
    /// source states and problems (a sync that changed no entity). It keeps
    /// the file stamp: its entities are still those of that file.
    pub fn restamped(&self, created: u64, sources: Vec<SourceState>, problems: Vec<Problem>) -> Index {
        let (relation_types, table, bodies) = (self.relation_types.clone(), self.table.clone(), self.bodies.clone());
        let rejected = self.rejected.clone();
        Index { created, sources, problems, relation_types, rejected, generation: self.generation, table, bodies }
    }

    /// The rejected entities with this canonical ref (any case).
    pub fn find_rejected(&self, canonical: &str) -> Vec<&Rejected> {
        let wanted = canonical.to_lowercase();
        let from = self.rejected.partition_point(|r| r.entity_ref < wanted);
        self.rejected[from..].iter().take_while(|r| r.entity_ref == wanted).collect()
    }

    /// An index with nothing in it.
    pub fn empty() -> Index {
        Index::from_parts(0, Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Bodies::Owned(Vec::new()))
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether there are no entities.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of refs: entities, then the dangling targets of relations.
    pub fn refs_len(&self) -> usize {
        self.table.refs_len()
    }

    /// The entity with this canonical ref (any case).
    pub fn find(&self, canonical: &str) -> Option<u32> {
        self.find_exact(canonical).or_else(|| self.find_exact(&canonical.to_lowercase()))
    }

    fn find_exact(&self, canonical: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.len().min(self.refs_len()));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.table.ref_at(mid).cmp(canonical) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }

    /// The canonical ref of entity `i`, or of dangling target `i` past the
    /// entities (`""` past the table).
    pub fn ref_of(&self, i: u32) -> &str {
        self.table.ref_at(i as usize)
    }

    /// The summary of entity `i`.
    ///
    /// # Panics
    /// When `i` is not an entity.
    pub fn summary(&self, i: u32) -> SummaryRef<'_> {
        self.table.get(i as usize)
    }

    /// The summary of entity `i`, if there is one.
    pub fn try_summary(&self, i: u32) -> Option<SummaryRef<'_>> {
        ((i as usize) < self.len()).then(|| self.table.get(i as usize))
    }

    /// Every entity's summary, in index (ref) order.
    pub fn summaries(&self) -> impl ExactSizeIterator<Item = SummaryRef<'_>> + '_ {
        (0..self.len()).map(|i| self.table.get(i))
    }

    /// The name of entity `i` (cheaper than its whole summary).
    ///
    /// # Panics
    /// When `i` is not an entity.
    pub fn name_of(&self, i: u32) -> &str {
        self.table.name(i as usize)
    }

    /// One field of entity `i` (cheaper than its whole summary).
    ///
    /// # Panics
    /// When `i` is not an entity.
    pub fn field(&self, i: u32, field: Field) -> Option<&str> {
        self.table.field(i as usize, field)
    }

    /// The tags of entity `i`.
    ///
    /// # Panics
    /// When `i` is not an entity.
    pub fn tags(&self, i: u32) -> Tags<'_> {
        self.table.tags(i as usize)
    }

    /// The relations of entity `i` by index (none past the entities).
    pub fn links(&self, i: u32) -> &[Link] {
        self.table.links(i as usize)
    }

    /// Lets go of the pages of the bodies read so far from a mapped index
    /// file: they leave the process's memory (the file stays in the page
    /// cache) and are read again if asked for. For a sync reading every
    /// body once, so that its memory does not grow by the whole file.
    pub fn release_body_pages(&self) {
        let (Bodies::Mapped(map, range) | Bodies::Checked(map, range, _)) = &self.bodies else { return };
        const PAGE: usize = 4096;
        let start = range.start.next_multiple_of(PAGE);
        let end = range.end - range.end % PAGE;
        if start < end {
            // SAFETY: the map is a shared, read-only mapping of the index
            // file, which is never written in place (a new index replaces it
            // by a rename). Dropping its pages only makes the next read of
            // them fault them in again from the file, with the same bytes.
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
        }
    }

    /// The raw JSON body of entity `i`.
    pub fn body_json(&self, i: u32) -> &[u8] {
        let Some((offset, len)) = self.table.body(i as usize) else { return &[] };
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        // A damaged body reads as empty: `entity` reports it.
        self.bodies.slice(start, len as usize).unwrap_or(&[])
    }

    /// The full entity `i`, read from its stored body.
    pub fn entity(&self, i: u32) -> Result<Entity, String> {
        let value: serde_json::Value = serde_json::from_slice(self.body_json(i))
            .map_err(|e| format!("stored body of {} is damaged: {e}; run `stagehand sync`", self.ref_of(i)))?;
        Entity::from_json(value)
    }

    /// The relations of entity `i`, targets resolved where they exist.
    pub fn relations(&self, i: u32) -> Vec<RelationView<'_>> {
        self.links(i)
            .iter()
            .map(|l| RelationView {
                kind: self.relation_types.get(l.kind as usize).map_or("", String::as_str),
                target: self.ref_of(l.target),
                entity: (l.target < self.len() as u32).then_some(l.target),
            })
            .collect()
    }

    /// Problems concerning entity `i`.
    pub fn problems_of(&self, i: u32) -> Vec<&Problem> {
        let r = self.ref_of(i);
        self.problems.iter().filter(|p| p.entity.as_deref() == Some(r)).collect()
    }

    /// Where entity `i`'s source is in [`Index::sources`].
    pub fn source_of(&self, i: u32) -> Option<usize> {
        self.table.source(i as usize).map(usize::from)
    }

    /// The file and line entity `i` was read from (local sources).
    pub fn origin(&self, i: u32) -> Option<(&str, u32)> {
        self.table.origin(i as usize)
    }

    /// The name of the source entity `i` came from.
    pub fn source_name(&self, i: u32) -> &str {
        self.table.source(i as usize).and_then(|s| self.sources.get(s as usize)).map_or("", |s| s.name.as_str())
    }

    /// The name of entity `i`'s source when that is a remote catalog (a
    /// `backstage:` source).
    pub fn remote_source_of(&self, i: u32) -> Option<&str> {
        let source = self.sources.get(self.table.source(i as usize)? as usize)?;
        (source.kind == "backstage").then_some(source.name.as_str())
    }

    /// The names of the remote (`backstage:`) sources, in config order.
    pub fn remote_sources(&self) -> Vec<&str> {
        self.sources.iter().filter(|s| s.kind == "backstage").map(|s| s.name.as_str()).collect()
    }

    /// Canonical refs closest to `text`, for "did you mean" hints.
    pub fn suggest(&self, text: &str, n: usize) -> Vec<&str> {
        let needle = text.to_lowercase();
        let mut scored: Vec<(f64, &str)> = (0..self.len() as u32)
            .map(|i| {
                let r = self.ref_of(i);
                let name = r.rsplit('/').next().unwrap_or(r);
                let score = strsim::jaro_winkler(&needle, r).max(strsim::jaro_winkler(&needle, name));
                (score, r)
            })
            .filter(|(s, _)| *s > 0.7)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, r)| r).collect()
    }

    /// Resolves user input (`petstore`, `component:petstore`, full ref) to an
    /// entity: an exact canonical match, else a unique match by name.
    pub fn resolve(&self, text: &str) -> Option<u32> {
        let parts = crate::model::entity_ref::split_ref(text).ok()?;
        let ns = parts.namespace.unwrap_or("default");
        if let Some(kind) = parts.kind {
            return self.find(&crate::model::EntityRef::new(kind, ns, parts.name).canonical());
        }
        let name = parts.name.to_lowercase();
        let mut found = self.summaries().enumerate().filter(|(_, s)| {
            s.name.to_lowercase() == name && (parts.namespace.is_none() || s.namespace.eq_ignore_ascii_case(ns))
        });
        let first = found.next()?;
        found.next().is_none().then_some(first.0 as u32)
    }
}

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// "3h ago"-style age of a Unix time, relative to `now`.
pub fn age(then: u64, now: u64) -> String {
    let secs = now.saturating_sub(then);
    match secs {
        0..=59 => "just now".to_string(),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

/// Building small indexes in unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::Index;
    use crate::index::build::{SourceInput, build};
    use crate::model::Entity;
    use crate::sources::{ReadEntity, SourceOutput};

    /// An index of these entities (JSON), read from one local source.
    pub fn index_of(values: Vec<serde_json::Value>) -> Index {
        let entities = values
            .into_iter()
            .map(|v| ReadEntity { entity: Entity::from_json(v).expect("test entity"), file: "f".into(), line: 1 })
            .collect();
        let out = SourceOutput { entities, files: 1, ..SourceOutput::default() };
        let input = SourceInput {
            name: "s".into(),
            kind: "dir".into(),
            target: "/".into(),
            read: Some(Ok(out.compacted(&crate::index::build::Record::local))),
            server_relations: false,
        };
        build(vec![input], None, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(100, 100), "just now");
        assert_eq!(age(0, 150), "2m ago");
        assert_eq!(age(0, 3 * 3600 + 5), "3h ago");
        assert_eq!(age(0, 2 * 86_400), "2d ago");
    }
}
