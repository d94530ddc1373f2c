//! A source's entities as the index stored them, found by the file and
//! line they were read from: what a sync carries over of the catalog files
//! that did not change ([`crate::sources::carry`]).

use std::collections::HashMap;
use std::path::Path;
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
}

impl<'i> SourceEntities<'i> {
    /// The entities source `name` stored in `index`, if it has that
    /// source; records made of them keep their bodies in `spill`.
    pub fn new(index: &'i Index, name: &str, spill: Option<&'i Arc<Spill>>) -> Option<SourceEntities<'i>> {
        let source = index.sources.iter().position(|s| s.name == name)?;
        Some(SourceEntities { index, source, spill, by_file: OnceLock::new() })
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
        Record::carried(self.index.ref_of(i), self.index.body_json(i), summary, self.spill)
    }
}
