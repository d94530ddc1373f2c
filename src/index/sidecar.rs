//! The sync-state sidecar: a small file beside the index that records the
//! sync time and per-source state of a sync that changed no entity and no
//! problem, so that such a sync does not rewrite the whole index. It names
//! the index file it belongs to by that file's random stamp
//! ([`Index::generation`]); the loader applies it only to that file, so a
//! later rewrite of the index supersedes it. Written like the index (temp
//! file, flushed, renamed; readable by its owner only) under the sync lock.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Problem;

use super::store::{TEMP_PREFIX, create_private_dir, sync_dir};
use super::{Index, SourceState};

/// The sidecar format this stagehand writes and reads.
const FORMAT: u32 = 1;

/// Largest sidecar read (a few hundred bytes per source): anything bigger is
/// not one.
const MAX_LEN: u64 = 16 * 1024 * 1024;

/// What the sidecar holds.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncState {
    /// [`FORMAT`] when written.
    format: u32,
    /// The stamp of the index file it applies to.
    index: u64,
    /// When the sync ran (Unix seconds): the index's `created`.
    created: u64,
    /// Every source's state after that sync.
    sources: Vec<SourceState>,
}

/// The sidecar of the index at `index_path`.
pub fn path_for(index_path: &Path) -> PathBuf {
    index_path.with_extension("state")
}

/// Records `index`'s sync time and source states for the index file it was
/// read from, replacing the sidecar atomically. Only for an index with the
/// same entities, relations, bodies and problems as that file.
pub fn write(index: &Index, index_path: &Path) -> std::io::Result<()> {
    if index.generation() == 0 {
        return Err(std::io::Error::other("the index was not read from a file; save it instead"));
    }
    let state =
        SyncState { format: FORMAT, index: index.generation(), created: index.created, sources: index.sources.clone() };
    let bytes = serde_json::to_vec(&state).map_err(std::io::Error::other)?;
    let dir = index_path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).tempfile_in(dir)?;
    tmp.write_all(&bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path_for(index_path)).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Removes the sidecar of the index at `index_path` (after the index was
/// rewritten). A sidecar that cannot be removed no longer matches the new
/// file's stamp, so it is ignored anyway.
pub fn remove(index_path: &Path) {
    let _ = std::fs::remove_file(path_for(index_path));
}

/// Applies the sidecar of the index at `index_path` to `index`, read from
/// that file: its sync time and source states replace the index's own. A
/// missing sidecar, or one for another file, changes nothing; a damaged one
/// is reported as a warning in the index's problems and ignored.
pub fn apply(index: &mut Index, index_path: &Path) {
    let path = path_for(index_path);
    match read(&path, index) {
        Ok(Some(state)) => {
            index.created = state.created;
            index.sources = state.sources;
        }
        Ok(None) => {}
        Err(reason) => index.problems.push(
            Problem::warning(format!(
                "the sync state at {} is damaged ({reason}); showing the sync times stored in the index; \
                 the next `stagehand sync` replaces it",
                path.display()
            ))
            .in_file(path.display().to_string()),
        ),
    }
}

/// The sidecar at `path` when it applies to `index`; `None` when there is
/// none or it belongs to another index file.
fn read(path: &Path, index: &Index) -> Result<Option<SyncState>, String> {
    let bytes = match std::fs::File::open(path) {
        Ok(file) => {
            let mut bytes = Vec::new();
            file.take(MAX_LEN + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            bytes
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if bytes.len() as u64 > MAX_LEN {
        return Err(format!("larger than {MAX_LEN} bytes"));
    }
    let state: SyncState = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if state.format != FORMAT {
        return Err(format!("format {}, this stagehand reads {FORMAT}", state.format));
    }
    if state.index != index.generation() {
        return Ok(None);
    }
    let names = |sources: &[SourceState]| sources.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    if names(&state.sources) != names(&index.sources) {
        return Err("its sources are not the index's".into());
    }
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::store;
    use crate::index::testing::index_of;
    use serde_json::json;

    /// An index saved to `dir/index.bin` and read back.
    fn saved(dir: &Path) -> (PathBuf, Index) {
        let path = dir.join("index.bin");
        let mut index = index_of(vec![json!({"kind": "Component", "metadata": {"name": "a"}})]);
        index.created = 10;
        index.sources[0].last_success = Some(10);
        store::save(&index, &path).unwrap();
        let loaded = store::load(&path).unwrap();
        (path, loaded)
    }

    fn restamped(index: &Index, now: u64) -> Index {
        let mut sources = index.sources.clone();
        sources[0].last_success = Some(now);
        sources[0].last_attempt = now;
        index.restamped(now, sources, index.problems.clone())
    }

    #[test]
    fn a_sidecar_updates_the_sync_times_of_its_own_index() {
        let dir = tempfile::tempdir().unwrap();
        let (path, loaded) = saved(dir.path());
        let before = std::fs::read(&path).unwrap();
        write(&restamped(&loaded, 20), &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before, "the index file is untouched");
        let again = store::load(&path).unwrap();
        assert_eq!((again.created, again.sources[0].last_success), (20, Some(20)));
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_for(&path)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_rewritten_index_ignores_the_old_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let (path, loaded) = saved(dir.path());
        write(&restamped(&loaded, 20), &path).unwrap();
        store::save(&restamped(&loaded, 15), &path).unwrap();
        let again = store::load(&path).unwrap();
        assert_eq!(again.sources[0].last_success, Some(15), "the sidecar was for the previous file");
        assert!(again.problems.is_empty());
        remove(&path);
        assert!(!path_for(&path).exists());
    }

    #[test]
    fn a_damaged_sidecar_is_reported_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let (path, loaded) = saved(dir.path());
        write(&restamped(&loaded, 20), &path).unwrap();
        let text = std::fs::read_to_string(path_for(&path)).unwrap();
        for damaged in [&text[..text.len() / 2], "garbage", &text.replace("\"format\":1", "\"format\":9")] {
            std::fs::write(path_for(&path), damaged).unwrap();
            let again = store::load(&path).unwrap();
            assert_eq!(again.sources[0].last_success, Some(10), "the index's own times");
            let warning = &again.problems[0];
            assert!(warning.message.contains("is damaged") && warning.message.contains("index.state"), "{warning:?}");
        }
    }

    #[test]
    fn a_sidecar_that_cannot_be_written_is_an_error_and_the_index_stays() {
        let dir = tempfile::tempdir().unwrap();
        let (path, loaded) = saved(dir.path());
        let before = std::fs::read(&path).unwrap();
        std::fs::create_dir(path_for(&path)).unwrap();
        std::fs::write(path_for(&path).join("x"), b"x").unwrap();
        assert!(write(&restamped(&loaded, 20), &path).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().flatten();
        assert!(leftovers.into_iter().all(|e| !e.file_name().to_string_lossy().starts_with(TEMP_PREFIX)));
    }

    #[test]
    fn an_index_built_in_memory_has_no_file_to_annotate() {
        let dir = tempfile::tempdir().unwrap();
        let index = index_of(vec![]);
        assert!(write(&index, &dir.path().join("index.bin")).is_err());
    }
}
