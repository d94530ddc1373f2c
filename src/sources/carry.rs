//! Carrying unchanged files over in a source that changed: a catalog file
//! none of whose files (itself, its placeholders' files) changed since the
//! last read gives what it gave then. Its problems, failure, Location
//! targets and rejected entities come from its [`FileEntry`]; its entities
//! from the previous index, which stored each of them with this file and
//! line. A file whose entity the index no longer holds as read from it
//! (lost to an earlier claimer, or rejected with a failing Location) is
//! parsed again, so the fallback is always a plain read.

use std::collections::HashMap;
use std::path::Path;

use crate::model::Entity;

use super::catalog_file::{FileOutput, LocationRead, ReadEntity, RejectedEntity};
use super::depends::{FileEntry, SourceFiles};

/// The entities a source's previous read stored, as the previous index
/// holds them, in the compact form `E` a sync keeps.
pub trait Stored<E>: Sync {
    /// The entity the previous read stored from `file` at `line` (the line
    /// its document starts on), as read (without the relations the index
    /// derived), if the index holds it from there.
    fn record(&self, file: &Path, line: u32) -> Option<E>;
}

/// The files of a source's previous read, to carry over those unchanged.
pub struct FileCache<'a, E> {
    files: HashMap<&'a Path, &'a FileEntry>,
    started: i128,
    stored: &'a dyn Stored<E>,
}

/// What a file carried over gives: its output (without entities), its
/// entry (stamps renewed) and its entities.
pub type CarriedFile<E> = (FileOutput, FileEntry, Vec<E>);

impl<'a, E> FileCache<'a, E> {
    /// The files `previous` read, their entities in `stored`.
    pub fn new(previous: &'a SourceFiles, stored: &'a dyn Stored<E>) -> FileCache<'a, E> {
        let files = previous.files.iter().map(|f| (f.path.as_path(), f)).collect();
        FileCache { files, started: previous.started, stored }
    }

    /// What `path`, reached with `origin`, gave last time; `None` when it
    /// must be read: it is new, reached from elsewhere, changed, or one of
    /// its entities is not stored.
    pub fn output(&self, path: &Path, origin: &str) -> Option<CarriedFile<E>> {
        let entry = self.files.get(path).filter(|e| e.origin == origin && !e.reread)?.unchanged(self.started)?;
        let entities = entry.entities.iter().map(|&line| self.stored.record(path, line)).collect::<Option<Vec<_>>>()?;
        let rejected = entry
            .rejected
            .iter()
            .map(|(json, line, reason)| {
                let value = serde_json::from_str(json).ok()?;
                let entity = Entity::from_json(value).ok()?;
                let read = ReadEntity { entity, file: path.to_path_buf(), line: *line };
                Some(RejectedEntity { read, reason: reason.clone() })
            })
            .collect::<Option<Vec<_>>>()?;
        let locations =
            entry.locations.iter().map(|(at, targets)| LocationRead { at: *at, targets: targets.clone() }).collect();
        let out = FileOutput {
            entities: Vec::new(),
            rejected,
            problems: entry.problems.clone(),
            locations,
            reads: Vec::new(),
            failure: entry.failure.clone(),
        };
        Some((out, entry, entities))
    }
}

/// The entry of a file just read (its `reads` taken from `out`).
pub fn entry_of(out: &mut FileOutput, path: &Path, origin: &str) -> FileEntry {
    FileEntry {
        path: path.to_path_buf(),
        origin: origin.to_string(),
        reads: std::mem::take(&mut out.reads),
        problems: out.problems.clone(),
        failure: out.failure.clone(),
        locations: out.locations.iter().map(|l| (l.at, l.targets.clone())).collect(),
        entities: out.entities.iter().map(|e| e.line).collect(),
        rejected: out
            .rejected
            .iter()
            .map(|r| (serde_json::to_string(&r.read.entity).unwrap_or_default(), r.read.line, r.reason.clone()))
            .collect(),
        reread: out.entities.iter().any(|e| e.entity.as_map().contains_key("relations")),
    }
}
