//! The index file: a prefix (magic, version, section lengths, the header's
//! checksum), the entity bodies (JSON), the summaries' text arena, then the
//! header with the summary tables (postcard). The bodies come first so that
//! a sync writes them straight into the new file as it lays them out; the
//! prefix is written last. The header is decoded and unmapped; the text and
//! the bodies stay memory-mapped. Written to a temporary file and renamed into place, so a reader sees the old index or
//! the new one, never half of either. A lock file keeps two syncs apart.
//! Each file written gets a random stamp; a [`sidecar`](super::sidecar)
//! with the same stamp updates its sync times when loaded. Every section is
//! checksummed ([`checksum`](super::checksum)): the header (its sum in the
//! prefix) and the text when loaded, the bodies block by block as read, so
//! a damaged file is an error that says to sync, never wrong answers.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};

use crate::model::Problem;

use super::checksum::{self, Blocks};
use super::table::Columns;
use super::{Bodies, FORMAT_VERSION, Index, Rejected, SourceState, sidecar};

const MAGIC: &[u8; 16] = b"STAGEHAND-INDEX\n";
/// Magic, version, the lengths of the header, the text and the bodies,
/// then the header's checksum.
const PREFIX: usize = 16 + 4 + 8 + 8 + 8 + 8;

/// The decoded header of an index file.
#[derive(Deserialize)]
pub(super) struct Header {
    pub(super) created: u64,
    pub(super) generation: u64,
    pub(super) sources: Vec<SourceState>,
    pub(super) problems: Vec<Problem>,
    pub(super) relation_types: Vec<String>,
    pub(super) rejected: Vec<Rejected>,
    pub(super) columns: Columns,
    /// The checksum of the summaries' text.
    pub(super) text_sum: u64,
    /// The checksums of the bodies' blocks.
    pub(super) body_sums: Blocks,
}

/// [`Header`] as written, borrowing from the index.
#[derive(Serialize)]
struct HeaderRef<'a> {
    created: u64,
    generation: u64,
    sources: &'a [SourceState],
    problems: &'a [Problem],
    relation_types: &'a [String],
    rejected: &'a [Rejected],
    columns: &'a Columns,
    text_sum: u64,
    body_sums: &'a Blocks,
}

/// Most elements reserved up front for one table (a damaged length past
/// this grows as usual instead of reserving a huge block).
const MAX_RESERVE: usize = 1 << 22;

/// Decodes a sequence into a vector reserved at its stored length: serde's
/// default grows it by doubling (its hint is capped), which at a million
/// summaries copied the table several times and held two copies at the peak.
pub(super) fn exact_vec<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Exact<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Exact<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_RESERVE));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_seq(Exact(std::marker::PhantomData))
}

/// Why an index could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No index file yet.
    #[error("no index at {0}; run `stagehand sync` (or try `stagehand --demo`)")]
    Missing(PathBuf),
    /// Written by another version of stagehand.
    #[error(
        "the index at {path} has format {found}, this stagehand reads {FORMAT_VERSION}; run `stagehand sync` to rebuild it"
    )]
    OldFormat {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// Unreadable or damaged.
    #[error("the index at {path} is damaged ({reason}); run `stagehand sync` to rebuild it")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

fn corrupt(path: &Path, reason: impl Into<String>) -> LoadError {
    LoadError::Corrupt { path: path.to_path_buf(), reason: reason.into() }
}

/// Loads the index at `path`, with the sync times of its sidecar when
/// there is one; summary text and bodies stay on disk (memory-mapped).
pub fn load(path: &Path) -> Result<Index, LoadError> {
    let mut index = load_file(path)?;
    sidecar::apply(&mut index, path);
    Ok(index)
}

/// Loads the index file at `path` as it was written.
fn load_file(path: &Path) -> Result<Index, LoadError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(LoadError::Missing(path.into())),
        Err(e) => return Err(corrupt(path, e.to_string())),
    };
    let size = file.metadata().map_err(|e| corrupt(path, e.to_string()))?.len();
    let mut prefix = [0u8; PREFIX];
    if size < PREFIX as u64 || std::io::Read::read_exact(&mut &file, &mut prefix).is_err() || &prefix[..16] != MAGIC {
        return Err(corrupt(path, "not a stagehand index"));
    }
    let word = |at: usize, n: usize| -> u64 {
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&prefix[at..at + n]);
        u64::from_le_bytes(buf)
    };
    let version = word(16, 4) as u32;
    if version != FORMAT_VERSION {
        return Err(LoadError::OldFormat { path: path.into(), found: version });
    }
    let (header_len, text_len, bodies_len) = (word(20, 8), word(28, 8), word(36, 8));
    let expected =
        (PREFIX as u64).checked_add(header_len).and_then(|n| n.checked_add(text_len)?.checked_add(bodies_len));
    if expected != Some(size) {
        return Err(corrupt(path, format!("file is {size} bytes, header says {expected:?}")));
    }
    let fits = |n: u64| usize::try_from(n).map_err(|_| corrupt(path, "too large for this machine"));
    let (header_len, bodies_len, data_len) = (fits(header_len)?, fits(bodies_len)?, fits(text_len + bodies_len)?);
    // SAFETY (both maps): the index file is only ever replaced by rename,
    // never written in place, so the mapped bytes do not change under us.
    // The header gets a map of its own, unmapped once decoded, so its pages
    // do not stay in the process's memory.
    let header_at = (PREFIX + data_len) as u64;
    let header_map = unsafe { memmap2::MmapOptions::new().offset(header_at).len(header_len).map(&file) }
        .map_err(|e| corrupt(path, e.to_string()))?;
    if checksum::sum(&header_map) != word(44, 8) {
        return Err(corrupt(path, "the header's checksum does not match"));
    }
    let header: Header = postcard::from_bytes(&header_map).map_err(|e| corrupt(path, format!("header: {e}")))?;
    drop(header_map);
    if header.columns.refs.len() < header.columns.rows.len() {
        return Err(corrupt(path, "ref table shorter than entity table"));
    }
    let data = if data_len == 0 {
        Bodies::Owned(Vec::new())
    } else {
        let map = unsafe { memmap2::MmapOptions::new().offset(PREFIX as u64).len(data_len).map(&file) }
            .map_err(|e| corrupt(path, e.to_string()))?;
        Bodies::Mapped(std::sync::Arc::new(map), 0..data_len)
    };
    let (bodies, text) = data.split(bodies_len);
    if checksum::sum(text.bytes()) != header.text_sum {
        return Err(corrupt(path, "the summaries' checksum does not match"));
    }
    let bodies = match bodies {
        Bodies::Mapped(map, range) => Bodies::Checked(map, range, std::sync::Arc::new(header.body_sums.clone())),
        owned => owned,
    };
    Ok(Index::from_table(header, text, bodies))
}

/// Writes `index` to `path` atomically (temp file in the same folder,
/// flushed, then renamed over the old one), stamped with a new random
/// generation: a sidecar of the file it replaces no longer applies (see
/// [`sidecar::remove`]).
pub fn save(index: &Index, path: &Path) -> std::io::Result<()> {
    let bodies = index.bodies.bytes();
    let mut tmp = new_temp(path.parent().unwrap_or(Path::new(".")))?;
    tmp.as_file_mut().write_all(bodies)?;
    finish(index, tmp, bodies.len() as u64, &Blocks::of(bodies), path)
}

/// [`save`] for an index whose bodies a build wrote to `bodies` (the
/// index's own are empty): they are already in place in the temporary
/// file, which gets the text and the header and becomes the index.
pub fn save_with(index: &Index, bodies: crate::index::build::BodyFile, path: &Path) -> std::io::Result<()> {
    let (tmp, len, sums) = bodies.finish()?;
    finish(index, tmp, len, &sums, path)
}

/// A new temporary index file in `dir`: its prefix left blank (written by
/// [`save`] or [`save_with`] last), the bodies to be written after it.
pub(super) fn new_temp(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)?;
    tmp.as_file_mut().write_all(&[0; PREFIX])?;
    Ok(tmp)
}

/// Completes the temporary index file `tmp`, which holds the prefix's room
/// and `bodies_len` bytes of bodies: the text and the header after them,
/// then the prefix; flushed and renamed to `path`.
fn finish(
    index: &Index,
    mut tmp: tempfile::NamedTempFile,
    bodies_len: u64,
    body_sums: &Blocks,
    path: &Path,
) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let generation = fastrand::u64(1..);
    let text = index.table.text.bytes();
    let header = HeaderRef {
        created: index.created,
        generation,
        sources: &index.sources,
        problems: &index.problems,
        relation_types: &index.relation_types,
        rejected: &index.rejected,
        columns: &index.table.columns,
        text_sum: checksum::sum(text),
        body_sums,
    };
    let header = postcard::to_allocvec(&header).map_err(std::io::Error::other)?;
    let file = tmp.as_file_mut();
    if file.seek(SeekFrom::End(0))? != PREFIX as u64 + bodies_len {
        return Err(std::io::Error::other("the bodies file was cut short"));
    }
    {
        let mut w = BufWriter::new(&mut *file);
        w.write_all(text)?;
        w.write_all(&header)?;
        w.flush()?;
    }
    let mut prefix = Vec::with_capacity(PREFIX);
    prefix.extend_from_slice(MAGIC);
    prefix.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    for len in [header.len() as u64, text.len() as u64, bodies_len] {
        prefix.extend_from_slice(&len.to_le_bytes());
    }
    prefix.extend_from_slice(&checksum::sum(&header).to_le_bytes());
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&prefix)?;
    file.sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// Flushes a folder's entries (a rename into it) to disk, where the
/// platform allows it.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates a folder readable only by its owner (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    crate::paths::create_private_dir(dir)
}

/// Removes `.index-*` temporaries a killed writer left in `dir`.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The name prefix of temporary index and sidecar files.
pub(super) const TEMP_PREFIX: &str = ".index-";

/// Writes a file readable only by its owner (0600 on Unix), replacing it.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

/// An exclusive lock on an index, held while syncing.
pub struct SyncLock {
    file: File,
}

impl SyncLock {
    /// Takes the lock beside `index_path`, waiting if another stagehand holds
    /// it; `on_wait` is called once before waiting.
    pub fn acquire(index_path: &Path, on_wait: impl FnOnce()) -> std::io::Result<SyncLock> {
        let lock_path = index_path.with_extension("lock");
        if let Some(dir) = lock_path.parent() {
            create_private_dir(dir)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&lock_path)?;
        if !FileExt::try_lock_exclusive(&file)? {
            on_wait();
            FileExt::lock_exclusive(&file)?;
        }
        // Only the lock holder writes here, so any temporary index left is
        // from a writer that died (kill -9, power loss): remove it.
        if let Some(dir) = lock_path.parent() {
            remove_stale_temps(dir);
        }
        Ok(SyncLock { file })
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::build::{SourceInput, build};
    use crate::model::Entity;
    use crate::sources::{ReadEntity, SourceOutput};
    use serde_json::json;

    fn sample() -> Index {
        let e = Entity::from_json(
            json!({"kind": "Component", "metadata": {"name": "a", "title": "A"}, "spec": {"owner": "g"}}),
        )
        .unwrap();
        let output = SourceOutput {
            entities: vec![ReadEntity { entity: e, file: "f.yaml".into(), line: 2 }],
            problems: vec![Problem::warning("w")],
            files: 1,
            ..SourceOutput::default()
        };
        build(
            vec![SourceInput {
                name: "s".into(),
                kind: "dir".into(),
                target: "/x".into(),
                read: Some(Ok(output.compacted(&crate::index::build::Record::local))),
                server_relations: false,
            }],
            None,
            42,
        )
    }

    #[test]
    fn round_trips_through_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p/index.bin");
        let index = sample();
        save(&index, &path).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.created, 42);
        assert!(loaded.summaries().eq(index.summaries()));
        assert_eq!(loaded.refs_len(), index.refs_len());
        assert_eq!(loaded.ref_of(0), index.ref_of(0));
        assert_eq!(loaded.entity(0).unwrap(), index.entity(0).unwrap());
        assert_eq!(loaded.problems.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path.parent().unwrap()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn damaged_or_old_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        assert!(matches!(load(&path), Err(LoadError::Missing(_))));
        save(&sample(), &path).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert!(matches!(load(&path), Err(LoadError::Corrupt { .. })));
        let mut old = bytes.clone();
        old[16] = 0;
        fs::write(&path, &old).unwrap();
        assert!(matches!(load(&path), Err(LoadError::OldFormat { found: 0, .. })));
        fs::write(&path, b"garbage").unwrap();
        let e = load(&path).unwrap_err();
        assert!(e.to_string().contains("run `stagehand sync`"));
    }

    /// Everything a command could show of `index`, or the first error.
    fn everything(index: &Index) -> Result<String, String> {
        let mut out = format!("{} {:?} {:?}\n", index.created, index.sources, index.problems);
        for i in 0..index.refs_len() as u32 {
            out.push_str(index.ref_of(i));
        }
        for i in 0..index.len() as u32 {
            out.push_str(&format!("{:?}\n{:?}\n", index.summary(i), index.entity(i)?));
        }
        Ok(out)
    }

    #[test]
    fn every_flipped_byte_is_an_error_never_wrong_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        let entities = (0..40)
            .map(|i| {
                json!({"kind": "Component", "metadata": {"name": format!("e{i}"), "title": format!("Entity {i}"),
                 "description": "x".repeat(300)}, "spec": {"owner": "g", "type": "service"}})
            })
            .collect();
        let index = crate::index::testing::index_of(entities);
        save(&index, &path).unwrap();
        let bytes = fs::read(&path).unwrap();
        let good = everything(&load(&path).unwrap()).unwrap();
        let mut missed = Vec::new();
        // Every byte of the prefix, then every 7th byte of the rest.
        let positions = (0..PREFIX).chain((PREFIX..bytes.len()).step_by(7));
        for at in positions {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            fs::write(&path, &damaged).unwrap();
            match load(&path) {
                Err(e) => assert!(e.to_string().contains("run `stagehand sync`"), "{e}"),
                Ok(loaded) => match everything(&loaded) {
                    Err(e) => {
                        assert!(e.contains("damaged") && e.contains("stagehand sync"), "{e}");
                        assert!(!loaded.bodies_intact(), "the sync rebuilds");
                    }
                    // Not read by any command, but a sync does not build on it.
                    Ok(read) if read == good && !loaded.bodies_intact() => {}
                    Ok(_) => missed.push(at),
                },
            }
        }
        assert!(missed.is_empty(), "{} of {} flips went unnoticed, at {missed:?}", missed.len(), bytes.len());
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        let held = SyncLock::acquire(&path, || {}).unwrap();
        let lock_path = path.with_extension("lock");
        let other = OpenOptions::new().write(true).open(&lock_path).unwrap();
        assert!(!FileExt::try_lock_exclusive(&other).unwrap());
        drop(held);
        assert!(FileExt::try_lock_exclusive(&other).unwrap());
    }

    #[test]
    fn a_killed_writer_leaves_no_temporary_behind_the_next_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.bin");
        fs::write(dir.path().join(".index-abc123"), b"half").unwrap();
        drop(SyncLock::acquire(&path, || {}).unwrap());
        assert!(!dir.path().join(".index-abc123").exists());
    }
}
