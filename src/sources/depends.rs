//! What a local source's read depended on, so that the next sync can tell,
//! by a walk and a `stat` per file, that reading it again would give the
//! same entities: the catalog files found (the walk), every file read
//! (catalog files and placeholder targets) with its size, times and inode,
//! and every Location target's expansion. A source whose files are all
//! unchanged is not parsed again; its entities are carried over from the
//! previous index. In a source that changed, each unchanged file is
//! carried over on its own ([`super::carry`]).

use std::hash::Hasher;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::Problem;

use super::catalog_file::LocationTarget;
use super::targets::{Expanded, expand};

/// How long before a read began a file must have last changed for its
/// stamp to be trusted: a file changed within this window of the read may
/// change again with the same time stamp (coarse file-system clocks), so it
/// is checked by its content instead.
const RACY_NANOS: i128 = 2_000_000_000;

/// A file's size, modification and change times and inode: if all are the
/// same, the file was not written since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified: i128,
    /// Status change time, nanoseconds since the Unix epoch (0 where the
    /// platform has none).
    pub changed: i128,
    /// Inode number (0 where the platform has none).
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        let nanos = |t: std::io::Result<std::time::SystemTime>| {
            t.ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as i128)
        };
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            (i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = (0, 0);
        Stamp { len: meta.len(), modified: nanos(meta.modified()), changed, inode }
    }

    /// The stamp of the file at `path` (links followed), `None` when there
    /// is none to read.
    pub fn of_path(path: &Path) -> Option<Stamp> {
        std::fs::metadata(path).ok().map(|m| Stamp::of(&m))
    }
}

/// A file a read depended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRead {
    /// The file.
    pub path: PathBuf,
    /// Its stamp just before it was read; `None`: it was not there.
    pub stamp: Option<Stamp>,
    /// The checksum of its text, when it was read (a file written again
    /// with the same text is still the same).
    pub sum: Option<u64>,
}

impl FileRead {
    /// `path` as it is now, stamped before it is read.
    pub fn now(path: PathBuf) -> FileRead {
        let stamp = Stamp::of_path(&path);
        FileRead { path, stamp, sum: None }
    }
}

/// A Location target as it was expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    /// The target.
    pub target: LocationTarget,
    /// The folder of the file that names it.
    pub base: PathBuf,
    /// The file budget it was expanded with.
    pub budget: usize,
    /// What it expanded to ([`outcome`]).
    pub outcome: u64,
}

/// The digest of an expansion's result: its files, or its reason.
pub fn outcome(expanded: &Expanded) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    match expanded {
        Expanded::Files(files) => {
            h.write_u8(0);
            for f in files {
                h.write(f.as_os_str().as_encoded_bytes());
                h.write_u8(0xff);
            }
        }
        Expanded::Skipped(why) => {
            h.write_u8(1);
            h.write(why.as_bytes());
        }
        Expanded::Failed(why) => {
            h.write_u8(2);
            h.write(why.as_bytes());
        }
    }
    h.finish()
}

/// Everything one read of a local source depended on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFiles {
    /// The folder Location targets and placeholders stay in.
    pub root: PathBuf,
    /// The catalog files the read started from (a folder's walk, or the
    /// configured file), in order.
    pub roots: Vec<PathBuf>,
    /// Every catalog file read, in no particular order.
    pub files: Vec<FileEntry>,
    /// Every Location target followed.
    pub expansions: Vec<Expansion>,
    /// When the read began, nanoseconds since the Unix epoch.
    pub started: i128,
    /// How many entities the read gave the index.
    pub entities: usize,
}

impl SourceFiles {
    /// Whether a read from `roots` in `root` would depend on exactly the
    /// same files as this one, each unchanged. Returns the record of that
    /// read (stamps of files rewritten with the same text renewed), or
    /// `None` when something changed.
    pub fn unchanged(&self, root: &Path, roots: &[PathBuf]) -> Option<SourceFiles> {
        if self.root != root || self.roots != roots {
            return None;
        }
        let started = now_nanos();
        let files: Vec<FileEntry> =
            self.files.par_iter().map(|f| f.unchanged(self.started)).collect::<Option<Vec<_>>>()?;
        let same =
            self.expansions.par_iter().all(|e| outcome(&expand(&e.target, &e.base, root, e.budget)) == e.outcome);
        // As if read now: every file's stamp is now checked against it.
        same.then(|| SourceFiles { files, started, ..self.clone() })
    }
}

/// One catalog file as a read left it: what it depended on and what it
/// gave, so that, unchanged, it need not be parsed again (see
/// [`super::carry`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file.
    pub path: PathBuf,
    /// The origin location its entities were annotated with.
    pub origin: String,
    /// The file and every placeholder file it read.
    pub reads: Vec<FileRead>,
    /// Its own problems (parsing, validation, placeholders).
    pub problems: Vec<Problem>,
    /// Why it could not be used whole, when it could not.
    pub failure: Option<String>,
    /// Its Location entities (their place among `entities`) and targets.
    pub locations: Vec<(usize, Vec<LocationTarget>)>,
    /// The line of each entity it gave, in order.
    pub entities: Vec<u32>,
    /// The entities it rejected itself: JSON, line, reason.
    pub rejected: Vec<(String, u32, String)>,
    /// Parse it again even when unchanged: an entity of it has relations
    /// of its own, which its stored body no longer shows.
    pub reread: bool,
}

impl FileEntry {
    /// This entry if none of its files changed since a read that began at
    /// `started` (stamps of files rewritten with the same text renewed).
    pub fn unchanged(&self, started: i128) -> Option<FileEntry> {
        let reads = self.reads.iter().map(|r| r.unchanged(started)).collect::<Option<Vec<_>>>()?;
        Some(FileEntry { reads, ..self.clone() })
    }
}

impl FileRead {
    /// This file's record if it is unchanged since a read that began at
    /// `started`, else `None`.
    fn unchanged(&self, started: i128) -> Option<FileRead> {
        let now = Stamp::of_path(&self.path);
        let racy = self.stamp.is_some_and(|s| s.modified.max(s.changed) + RACY_NANOS >= started);
        if now == self.stamp && !racy {
            return Some(self.clone());
        }
        // The stamp changed (or cannot be trusted): the same text is still
        // the same file.
        let sum = self.sum?;
        let text = super::read::read_text(&self.path).ok()?;
        (super::catalog_file::text_sum(&text) == sum).then(|| FileRead { stamp: now, ..self.clone() })
    }
}

/// Nanoseconds since the Unix epoch, now.
pub fn now_nanos() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::catalog_file::text_sum;

    fn read_of(path: &Path, text: &str) -> FileRead {
        FileRead { path: path.to_path_buf(), stamp: Stamp::of_path(path), sum: Some(text_sum(text)) }
    }

    #[test]
    fn a_stamp_changed_since_the_read_is_a_change_unless_the_text_is_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let read = read_of(&path, "a: 1\n");
        let long_after = read.stamp.unwrap().modified + 10 * RACY_NANOS;
        assert_eq!(read.unchanged(long_after), Some(read.clone()));
        std::fs::write(&path, "a: 2\n").unwrap();
        assert_eq!(read.unchanged(long_after), None, "same size, other text");
        std::fs::write(&path, "a: 1\n").unwrap();
        let again = read.unchanged(long_after).expect("written again with the same text");
        assert_eq!(again.stamp, Stamp::of_path(&path), "its stamp is renewed");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(read.unchanged(long_after), None);
    }

    #[test]
    fn a_stamp_from_just_before_the_read_is_checked_by_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        // Its stamp is unchanged, but it was written as the read began: a
        // write in the same clock tick would leave the same stamp.
        let racy = FileRead { sum: Some(text_sum("a: 2\n")), ..read_of(&path, "") };
        let began = racy.stamp.unwrap().modified;
        assert_eq!(racy.unchanged(began), None);
        assert!(racy.unchanged(began + 10 * RACY_NANOS).is_some(), "an old stamp is trusted");
        let same = read_of(&path, "a: 1\n");
        assert!(same.unchanged(began).is_some());
        let no_text = FileRead { sum: None, ..same };
        assert_eq!(no_text.unchanged(began), None, "without its text's checksum, a racy file is a change");
    }

    #[test]
    fn a_missing_file_stays_missing_until_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("later.txt");
        let read = FileRead::now(path.clone());
        assert_eq!(read.stamp, None);
        assert!(read.unchanged(now_nanos()).is_some());
        std::fs::write(&path, "x").unwrap();
        assert_eq!(read.unchanged(now_nanos()), None);
    }
}
