//! The summary table as kept in memory and on disk: fixed-size rows of
//! offsets into one text arena (see [`text`](super::text)), every entity's
//! tags and links in two shared vectors, and the ref table as offsets too.
//! A million entities are a handful of allocations, and the arena is read
//! straight from the memory-mapped index file.

use serde::{Deserialize, Serialize};

use super::text::{self, Str};
use super::{Bodies, Link, Summary};

/// A range of one of the shared vectors (tags, links).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of<T>(all: &[T], start: usize) -> Span {
        let len = all.len() - start;
        Span { start: to_u32(start), len: to_u32(len) }
    }

    fn get<T>(self, all: &[T]) -> &[T] {
        let start = self.start as usize;
        all.get(start..start.saturating_add(self.len as usize)).unwrap_or(&[])
    }
}

/// Tables past 4 billion items are out of reach (an entity has a few tags
/// and links): a span there saturates and reads as empty.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One entity's summary, as offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    kind: Str,
    namespace: Str,
    name: Str,
    title: Str,
    description: Str,
    owner: Str,
    system: Str,
    lifecycle: Str,
    spec_type: Str,
    display_name: Str,
    email: Str,
    file: Str,
    uid: Str,
    etag: Str,
    tags: Span,
    links: Span,
    source: u16,
    line: u32,
    body: (u64, u32),
}

/// The tables of a [`Table`] that are decoded into memory (the arena is not).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Columns {
    /// One row per entity, sorted by canonical ref.
    #[serde(deserialize_with = "super::store::exact_vec")]
    pub rows: Vec<Row>,
    /// Every entity's tags, back to back.
    #[serde(deserialize_with = "super::store::exact_vec")]
    pub tags: Vec<Str>,
    /// Every entity's links, back to back.
    #[serde(deserialize_with = "super::store::exact_vec")]
    pub links: Vec<Link>,
    /// Canonical refs: entities first, then dangling targets.
    #[serde(deserialize_with = "super::store::exact_vec")]
    pub refs: Vec<Str>,
}

/// Entity summaries and refs, compact.
#[derive(Debug, Clone)]
pub struct Table {
    /// The decoded tables, shared by a restamped copy of the index.
    pub columns: std::sync::Arc<Columns>,
    /// The text arena the tables point into.
    pub text: Bodies,
}

/// A [`Table`] laid out one summary at a time, so a build never holds
/// every summary at once.
pub struct TableBuilder {
    b: text::Builder,
    c: Columns,
}

impl TableBuilder {
    /// A table of the ref table `refs` (entity refs, then dangling targets),
    /// room made for `summaries` more bytes of summary text.
    pub fn new(refs: &[String], summaries: usize) -> TableBuilder {
        let text = refs.iter().map(|r| r.len() + 2).sum::<usize>() + summaries;
        let mut b = text::Builder::with_capacity(text.min(u32::MAX as usize));
        let c = Columns { refs: refs.iter().map(|r| b.push(r)).collect(), ..Columns::default() };
        TableBuilder { b, c }
    }

    /// Adds the next entity's summary.
    pub fn push(&mut self, s: &Summary) {
        let (b, c) = (&mut self.b, &mut self.c);
        let tags_at = c.tags.len();
        c.tags.extend(s.tags.iter().map(|t| b.intern(t)));
        let links_at = c.links.len();
        c.links.extend_from_slice(&s.links);
        c.rows.push(Row {
            kind: b.intern(&s.kind),
            namespace: b.intern(&s.namespace),
            name: b.push(&s.name),
            title: b.push_opt(s.title.as_deref()),
            description: b.push_opt(s.description.as_deref()),
            owner: b.intern_opt(s.owner.as_deref()),
            system: b.intern_opt(s.system.as_deref()),
            lifecycle: b.intern_opt(s.lifecycle.as_deref()),
            spec_type: b.intern_opt(s.spec_type.as_deref()),
            display_name: b.push_opt(s.display_name.as_deref()),
            email: b.push_opt(s.email.as_deref()),
            file: b.intern_opt(s.file.as_deref()),
            uid: b.push_opt(s.uid.as_deref()),
            etag: b.push_opt(s.etag.as_deref()),
            tags: Span::of(&c.tags, tags_at),
            links: Span::of(&c.links, links_at),
            source: s.source,
            line: s.line,
            body: s.body,
        });
    }

    /// The table.
    pub fn finish(self) -> Table {
        Table { columns: std::sync::Arc::new(self.c), text: Bodies::Owned(self.b.finish()) }
    }
}

impl Table {
    /// Lays out summaries built in memory (and the ref table: entity refs,
    /// then dangling targets).
    pub fn new(refs: Vec<String>, summaries: Vec<Summary>) -> Table {
        let mut builder = TableBuilder::new(&refs, 0);
        for s in &summaries {
            builder.push(s);
        }
        builder.finish()
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.columns.rows.len()
    }

    /// Number of refs (entities, then dangling targets).
    pub fn refs_len(&self) -> usize {
        self.columns.refs.len()
    }

    /// Ref `i` (`""` when out of range or damaged).
    pub fn ref_at(&self, i: usize) -> &str {
        self.columns.refs.get(i).and_then(|&s| text::read(self.text.bytes(), s)).unwrap_or("")
    }

    /// The links of entity `i`.
    pub fn links(&self, i: usize) -> &[Link] {
        self.columns.rows.get(i).map_or(&[], |r| r.links.get(&self.columns.links))
    }

    /// The summary of entity `i`.
    ///
    /// # Panics
    /// When `i` is not an entity.
    pub fn get(&self, i: usize) -> SummaryRef<'_> {
        let r = &self.columns.rows[i];
        let text = self.text.bytes();
        let opt = |s: Str| text::read(text, s);
        let req = |s: Str| text::read(text, s).unwrap_or("");
        SummaryRef {
            kind: req(r.kind),
            namespace: req(r.namespace),
            name: req(r.name),
            title: opt(r.title),
            description: opt(r.description),
            owner: opt(r.owner),
            system: opt(r.system),
            lifecycle: opt(r.lifecycle),
            spec_type: opt(r.spec_type),
            tags: Tags { ids: r.tags.get(&self.columns.tags), text },
            display_name: opt(r.display_name),
            email: opt(r.email),
            links: r.links.get(&self.columns.links),
            source: r.source,
            file: opt(r.file),
            line: r.line,
            body: r.body,
            uid: opt(r.uid),
            etag: opt(r.etag),
        }
    }

    /// What entity `i`'s search haystack is made of (cheaper than
    /// [`Table::get`]).
    pub fn searchable(&self, i: usize) -> Searchable<'_> {
        let r = &self.columns.rows[i];
        let text = self.text.bytes();
        let opt = |s: Str| text::read(text, s);
        Searchable {
            name: opt(r.name).unwrap_or(""),
            title: opt(r.title),
            display_name: opt(r.display_name),
            owner: opt(r.owner),
            tags: Tags { ids: r.tags.get(&self.columns.tags), text },
            description: opt(r.description),
        }
    }

    /// One field of entity `i` (cheaper than [`Table::get`]).
    pub fn field(&self, i: usize, field: Field) -> Option<&str> {
        self.text_of(self.field_key(i, field))
    }

    /// The arena key of entity `i`'s `field`: entities whose interned
    /// field has the same text share a key ([`Str::NONE`] when absent).
    pub fn field_key(&self, i: usize, field: Field) -> Str {
        let r = &self.columns.rows[i];
        match field {
            Field::Kind => r.kind,
            Field::Namespace => r.namespace,
            Field::Name => r.name,
            Field::Owner => r.owner,
            Field::System => r.system,
            Field::Lifecycle => r.lifecycle,
            Field::Type => r.spec_type,
            Field::Uid => r.uid,
            Field::Etag => r.etag,
        }
    }

    /// Entity `i`'s tags as arena keys.
    pub fn tag_keys(&self, i: usize) -> &[Str] {
        self.columns.rows[i].tags.get(&self.columns.tags)
    }

    /// Every entity's tags as arena keys, back to back.
    pub fn all_tag_keys(&self) -> &[Str] {
        &self.columns.tags
    }

    /// The text behind an arena key.
    pub fn text_of(&self, key: Str) -> Option<&str> {
        text::read(self.text.bytes(), key)
    }

    /// The tags of entity `i`.
    pub fn tags(&self, i: usize) -> Tags<'_> {
        Tags { ids: self.columns.rows[i].tags.get(&self.columns.tags), text: self.text.bytes() }
    }

    /// Entity `i`'s name alone (cheaper than [`Table::get`]).
    pub fn name(&self, i: usize) -> &str {
        text::read(self.text.bytes(), self.columns.rows[i].name).unwrap_or("")
    }

    /// Where entity `i`'s body is in the bodies blob.
    pub fn body(&self, i: usize) -> Option<(u64, u32)> {
        self.columns.rows.get(i).map(|r| r.body)
    }

    /// The source index of entity `i`.
    pub fn source(&self, i: usize) -> Option<u16> {
        self.columns.rows.get(i).map(|r| r.source)
    }

    /// The file and line entity `i` was read from, when it has a file.
    pub fn origin(&self, i: usize) -> Option<(&str, u32)> {
        let r = self.columns.rows.get(i)?;
        Some((text::read(self.text.bytes(), r.file)?, r.line))
    }
}

/// The single-valued text fields that can be read alone with
/// [`Table::field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `kind`
    Kind,
    /// `metadata.namespace`
    Namespace,
    /// `metadata.name`
    Name,
    /// `spec.owner` (canonical ref)
    Owner,
    /// `spec.system` (canonical ref)
    System,
    /// `spec.lifecycle`
    Lifecycle,
    /// `spec.type`
    Type,
    /// `metadata.uid` (remote sources)
    Uid,
    /// `metadata.etag` (remote sources)
    Etag,
}

/// The fields of an entity a search haystack is made of (see
/// [`SummaryRef`] for their meanings).
#[derive(Debug, Clone, Copy)]
pub struct Searchable<'a> {
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.title`.
    pub title: Option<&'a str>,
    /// `spec.profile.displayName`.
    pub display_name: Option<&'a str>,
    /// The owner's canonical ref.
    pub owner: Option<&'a str>,
    /// `metadata.tags`.
    pub tags: Tags<'a>,
    /// `metadata.description`.
    pub description: Option<&'a str>,
}

/// One entity's summary, borrowed from the [`Table`]: what search, lists and
/// the graph need of an entity. Field meanings are those of [`Summary`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryRef<'a> {
    /// `kind` as written.
    pub kind: &'a str,
    /// `metadata.namespace` (or `default`).
    pub namespace: &'a str,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.title`.
    pub title: Option<&'a str>,
    /// `metadata.description`.
    pub description: Option<&'a str>,
    /// Canonical ref of the owner (from `spec.owner`).
    pub owner: Option<&'a str>,
    /// `spec.system` as a canonical ref.
    pub system: Option<&'a str>,
    /// `spec.lifecycle`.
    pub lifecycle: Option<&'a str>,
    /// `spec.type`.
    pub spec_type: Option<&'a str>,
    /// `metadata.tags`.
    pub tags: Tags<'a>,
    /// `spec.profile.displayName` (users and groups).
    pub display_name: Option<&'a str>,
    /// `spec.profile.email` (users and groups).
    pub email: Option<&'a str>,
    /// Relations, sorted by type then target.
    pub links: &'a [Link],
    /// Index into [`Index::sources`](super::Index::sources).
    pub source: u16,
    /// The file it came from (local sources).
    pub file: Option<&'a str>,
    /// The line its document starts on.
    pub line: u32,
    /// Byte range of the JSON body in the bodies blob.
    pub body: (u64, u32),
    /// `metadata.uid` (remote sources).
    pub uid: Option<&'a str>,
    /// `metadata.etag` (remote sources).
    pub etag: Option<&'a str>,
}

impl SummaryRef<'_> {
    /// An owned copy, as the build makes summaries.
    pub fn to_summary(&self) -> Summary {
        let owned = |s: Option<&str>| s.map(String::from);
        Summary {
            kind: self.kind.to_string(),
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
            title: owned(self.title),
            description: owned(self.description),
            owner: owned(self.owner),
            system: owned(self.system),
            lifecycle: owned(self.lifecycle),
            spec_type: owned(self.spec_type),
            tags: self.tags.iter().map(String::from).collect(),
            display_name: owned(self.display_name),
            email: owned(self.email),
            links: self.links.to_vec(),
            source: self.source,
            file: owned(self.file),
            line: self.line,
            body: self.body,
            uid: owned(self.uid),
            etag: owned(self.etag),
        }
    }

    /// The display form `kind:namespace/name`, case kept.
    pub fn display_ref(&self) -> String {
        format!("{}:{}/{}", self.kind.to_lowercase(), self.namespace, self.name)
    }
}

/// An entity's tags, read from the arena.
#[derive(Clone, Copy)]
pub struct Tags<'a> {
    ids: &'a [Str],
    text: &'a [u8],
}

impl<'a> Tags<'a> {
    /// The tags, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let text = self.text;
        self.ids.iter().map(move |&s| text::read(text, s).unwrap_or(""))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl PartialEq for Tags<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Tags<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(name: &str, tags: &[&str], owner: Option<&str>) -> Summary {
        Summary {
            kind: "Component".into(),
            namespace: "default".into(),
            name: name.into(),
            title: None,
            description: Some(format!("about {name}")),
            owner: owner.map(String::from),
            system: None,
            lifecycle: Some("production".into()),
            spec_type: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            display_name: None,
            email: None,
            links: vec![Link { kind: 0, target: 1 }],
            source: 3,
            file: Some("f.yaml".into()),
            line: 7,
            body: (10, 20),
            uid: None,
            etag: None,
        }
    }

    #[test]
    fn rows_read_back_as_built() {
        let refs = vec!["component:default/a".into(), "component:default/b".into(), "group:default/gone".into()];
        let table =
            Table::new(refs, vec![summary("a", &["java", "web"], Some("group:default/t")), summary("b", &[], None)]);
        assert_eq!(table.len(), 2);
        assert_eq!(table.refs_len(), 3);
        assert_eq!(table.ref_at(2), "group:default/gone");
        assert_eq!(table.ref_at(9), "");
        let a = table.get(0);
        assert_eq!((a.kind, a.name, a.title), ("Component", "a", None));
        assert_eq!(a.description, Some("about a"));
        assert_eq!(a.owner, Some("group:default/t"));
        assert_eq!(a.tags.iter().collect::<Vec<_>>(), ["java", "web"]);
        assert_eq!((a.source, a.file, a.line, a.body), (3, Some("f.yaml"), 7, (10, 20)));
        assert_eq!(a.links, &[Link { kind: 0, target: 1 }]);
        assert_eq!(a.display_ref(), "component:default/a");
        let b = table.get(1);
        assert!(b.tags.is_empty());
        assert_eq!(b.owner, None);
        assert_eq!(table.name(1), "b");
        assert_eq!(table.field(0, Field::Owner), Some("group:default/t"));
        assert_eq!(table.field(0, Field::Kind), Some("Component"));
        assert_eq!(table.field(1, Field::System), None);
        assert_eq!(table.field(0, Field::Uid), None);
        assert_eq!(table.origin(0), Some(("f.yaml", 7)));
        assert_eq!(table.origin(5), None);
        assert_eq!(table.tags(0).iter().collect::<Vec<_>>(), ["java", "web"]);
        assert_eq!(table.links(1).len(), 1);
        assert_eq!(table.body(5), None);
    }
}
