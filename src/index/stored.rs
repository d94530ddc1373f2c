//! A source's entities as the index stored them, found by the file and
//! line they were read from: what a sync carries over of the catalog files
//! that did not change ([`crate::sources::carry`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::model::Entity;
use crate::sources::carry::Stored;

use super::Index;

/// The entities one source stored in an index.
pub struct SourceEntities<'i> {
    index: &'i Index,
    source: usize,
    /// File → (line, entity), made on first use.
    by_file: OnceLock<HashMap<&'i str, Vec<(u32, u32)>>>,
}

impl<'i> SourceEntities<'i> {
    /// The entities source `name` stored in `index`, if it has that source.
    pub fn new(index: &'i Index, name: &str) -> Option<SourceEntities<'i>> {
        let source = index.sources.iter().position(|s| s.name == name)?;
        Some(SourceEntities { index, source, by_file: OnceLock::new() })
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

impl Stored for SourceEntities<'_> {
    fn entity(&self, file: &Path, line: u32) -> Option<Entity> {
        let entities = self.by_file().get(file.to_str()?)?;
        let &(_, i) = entities.iter().find(|(l, _)| *l == line)?;
        let mut value: serde_json::Value = serde_json::from_slice(self.index.body_json(i)).ok()?;
        // As read: the index derived its relations.
        value.as_object_mut()?.shift_remove("relations");
        Entity::from_json(value).ok()
    }
}
