//! A source's entities as the index stored them, found by the file and
//! line they were read from: what a sync carries over of the catalog files
//! that did not change ([`crate::sources::carry`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crate::sources::carry::Stored;

use super::Index;
use super::build::{Record, Spill};

/// The entities one source stored in an index.
pub struct SourceEntities<'i> {
    index: &'i Index,
    source: usize,
    /// Where records carried over keep their bodies.
    spill: Option<&'i Arc<Spill>>,
    /// File → (line, entity), made on first use.
    by_file: OnceLock<HashMap<&'i str, Vec<(u32, u32)>>>,
    /// Body bytes read so far: every [`RELEASE_EVERY`] of them, the pages
    /// read are let go ([`Index::release_body_pages`]).
    read: AtomicUsize,
}

/// How many body bytes are read between two releases of their pages.
const RELEASE_EVERY: usize = 64 * 1024 * 1024;

impl<'i> SourceEntities<'i> {
    /// The entities source `name` stored in `index`, if it has that
    /// source; records made of them keep their bodies in `spill`.
    pub fn new(index: &'i Index, name: &str, spill: Option<&'i Arc<Spill>>) -> Option<SourceEntities<'i>> {
        let source = index.sources.iter().position(|s| s.name == name)?;
        Some(SourceEntities { index, source, spill, by_file: OnceLock::new(), read: AtomicUsize::new(0) })
    }

    fn by_file(&self) -> &HashMap<&'i str, Vec<(u32, u32)>> {
        self.by_file.get_or_init(|| {
            let mut map: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
            for i in 0..self.index.len() as u32 {
                if self.index.source_of(i) == Some(self.source)
                    && let Some((file, line)) = self.index.origin(i)
                {
                    map.entry(file).or_default().push((line, i));
                }
            }
            map
        })
    }
}

impl Stored<Record> for SourceEntities<'_> {
    fn record(&self, file: &Path, line: u32) -> Option<Record> {
        let entities = self.by_file().get(file.to_str()?)?;
        let &(_, i) = entities.iter().find(|(l, _)| *l == line)?;
        let summary = self.index.summary(i).to_summary();
        let body = self.index.body_json(i);
        let record = Record::carried(self.index.ref_of(i), body, summary, self.spill);
        let before = self.read.fetch_add(body.len(), Ordering::Relaxed);
        if before / RELEASE_EVERY != (before + body.len()) / RELEASE_EVERY {
            self.index.release_body_pages();
        }
        record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store;
    use crate::index::testing::index_of;
    use serde_json::json;

    #[test]
    fn bodies_read_after_their_pages_are_let_go_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        let entities = (0..400)
            .map(
                |n| json!({"kind": "Component", "metadata": {"name": format!("c{n}"), "description": "x".repeat(300)}}),
            )
            .collect();
        store::save(&index_of(entities), &path).unwrap();
        let index = store::load(&path).unwrap();
        let before: Vec<Vec<u8>> = (0..index.len() as u32).map(|i| index.body_json(i).to_vec()).collect();
        index.release_body_pages();
        let after: Vec<Vec<u8>> = (0..index.len() as u32).map(|i| index.body_json(i).to_vec()).collect();
        assert_eq!(before, after);
        assert!(before.iter().all(|b| b.len() > 300));
    }

    #[test]
    fn a_carried_record_is_found_by_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        store::save(&index_of(vec![json!({"kind": "Component", "metadata": {"name": "a"}})]), &path).unwrap();
        let index = store::load(&path).unwrap();
        let stored = SourceEntities::new(&index, "s", None).unwrap();
        assert!(stored.record(Path::new("f"), 1).is_some());
        assert!(stored.record(Path::new("f"), 2).is_none(), "another line");
        assert!(stored.record(Path::new("g"), 1).is_none(), "another file");
        assert!(SourceEntities::new(&index, "other", None).is_none());
    }
}
