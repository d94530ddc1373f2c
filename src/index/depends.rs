//! The file-dependency record beside the index: for each local source, what
//! its last read depended on ([`SourceFiles`]), so that the next sync skips
//! a source none of whose files changed. Like the sidecar, it names the
//! index file it belongs to by that file's random stamp
//! ([`Index::generation`]) and applies only to it: a record left from an
//! earlier index (say, after a kill between the two writes) is ignored and
//! every source is read. Damage is found by a checksum and means the same.
//! Written like the index (temp file, flushed, renamed; readable by its
//! owner only) under the sync lock.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sources::depends::SourceFiles;

use super::checksum;
use super::store::{TEMP_PREFIX, create_private_dir, sync_dir};

/// The record format this stagehand writes and reads; the stagehand
/// version is part of it too, as a newer reader may read files differently.
const FORMAT: u32 = 1;

/// Largest record read (a few hundred bytes per file of a 500,000-file
/// source is far below it).
const MAX_LEN: u64 = 1024 * 1024 * 1024;

/// What the record holds.
#[derive(Serialize, Deserialize)]
struct Record {
    format: u32,
    version: String,
    /// The stamp of the index file it applies to.
    index: u64,
    /// Per local source read: its name and what the read depended on.
    sources: Vec<(String, SourceFiles)>,
}

/// The record of the index at `index_path`.
pub fn path_for(index_path: &Path) -> PathBuf {
    index_path.with_extension("files")
}

/// What each local source depended on when the index file stamped
/// `generation` at `index_path` was built; empty when there is no record
/// for that file (or it is damaged, or of another stagehand).
pub fn load(index_path: &Path, generation: u64) -> Vec<(String, SourceFiles)> {
    read(&path_for(index_path)).filter(|r| r.index == generation).map(|r| r.sources).unwrap_or_default()
}

fn read(path: &Path) -> Option<Record> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_LEN + 1).read_to_end(&mut bytes).ok()?;
    let (sum, body) = bytes.split_at_checked(8)?;
    if u64::from_le_bytes(sum.try_into().ok()?) != checksum::sum(body) {
        return None;
    }
    let record: Record = postcard::from_bytes(body).ok()?;
    (record.format == FORMAT && record.version == env!("CARGO_PKG_VERSION")).then_some(record)
}

/// Records `sources` for the index file stamped `generation` at
/// `index_path`, replacing any earlier record atomically; with no sources,
/// removes it.
pub fn save(index_path: &Path, generation: u64, sources: Vec<(String, SourceFiles)>) -> std::io::Result<()> {
    let path = path_for(index_path);
    if sources.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let record = Record { format: FORMAT, version: env!("CARGO_PKG_VERSION").into(), index: generation, sources };
    let body = postcard::to_allocvec(&record).map_err(std::io::Error::other)?;
    let dir = index_path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)?;
    tmp.write_all(&checksum::sum(&body).to_le_bytes())?;
    tmp.write_all(&body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(n: usize) -> SourceFiles {
        SourceFiles { roots: vec![PathBuf::from(format!("/c/{n}.yaml"))], entities: n, ..SourceFiles::default() }
    }

    #[test]
    fn a_record_applies_only_to_its_index_file() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index.bin");
        save(&index, 7, vec![("a".into(), files(3))]).unwrap();
        assert_eq!(load(&index, 7), vec![("a".to_string(), files(3))]);
        assert!(load(&index, 8).is_empty(), "another index file's record is ignored");
        save(&index, 7, Vec::new()).unwrap();
        assert!(!path_for(&index).exists());
        save(&index, 7, Vec::new()).unwrap();
    }

    #[test]
    fn a_damaged_record_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index.bin");
        save(&index, 7, vec![("a".into(), files(3))]).unwrap();
        let path = path_for(&index);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(&index, 7).is_empty());
        std::fs::write(&path, b"short").unwrap();
        assert!(load(&index, 7).is_empty());
    }
}
