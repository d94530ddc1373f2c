//! The built-in demo organisation, Lumen Freight: catalog, TechDocs and
//! templates, embedded in the binary and unpacked on first use.

pub mod generate;

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static CATALOG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/demo/catalog");

/// The name of the demo's source.
pub const SOURCE_NAME: &str = "demo";

/// A stable fingerprint of the embedded files, so each build unpacks to its
/// own folder and a stale copy is never used.
fn fingerprint() -> String {
    let mut hasher = sha1_smol::Sha1::new();
    fn walk(dir: &Dir<'_>, hasher: &mut sha1_smol::Sha1) {
        for file in dir.files() {
            hasher.update(file.path().to_string_lossy().as_bytes());
            hasher.update(file.contents());
        }
        for sub in dir.dirs() {
            walk(sub, hasher);
        }
    }
    walk(&CATALOG, &mut hasher);
    hasher.digest().to_string()[..12].to_string()
}

/// Unpacks the demo under `base` (once per build) and returns the path of
/// its root catalog file, `all.yaml`.
pub fn unpack(base: &Path) -> std::io::Result<PathBuf> {
    let dir = base.join("demo").join(fingerprint());
    let root = dir.join("all.yaml");
    if root.is_file() {
        return Ok(root);
    }
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    crate::index::store::create_private_dir(&partial)?;
    CATALOG.extract(&partial)?;
    match std::fs::rename(&partial, &dir) {
        Ok(()) => Ok(root),
        // Another stagehand unpacked it at the same time.
        Err(_) if root.is_file() => {
            let _ = std::fs::remove_dir_all(&partial);
            Ok(root)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_once_and_has_the_root_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = unpack(dir.path()).unwrap();
        assert!(root.ends_with("all.yaml"));
        assert_eq!(unpack(dir.path()).unwrap(), root);
        assert!(root.parent().unwrap().join("templates").is_dir());
    }
}
