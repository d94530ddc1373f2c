//! Catalog files registered by `catalog:register` in local scaffolder runs:
//! a list kept in the profile's data folder (`registered.yaml`, 0600,
//! written atomically), each file read as a `file` source named
//! `registered-N` by the next sync.

use std::path::{Path, PathBuf};

use crate::config::{SourceConfig, SourceKind};

/// The list's file name in the profile's data folder.
pub const FILE: &str = "registered.yaml";

/// The list's path for a profile data folder.
pub fn file(profile_data_dir: &Path) -> PathBuf {
    profile_data_dir.join(FILE)
}

/// The source name of the `n`th (0-based) registered file.
pub fn source_name(n: usize) -> String {
    format!("registered-{}", n + 1)
}

/// The registered files, in the order they were added (none when the list
/// does not exist yet).
pub fn load(list: &Path) -> Result<Vec<PathBuf>, String> {
    match std::fs::read_to_string(list) {
        Ok(text) if text.trim().is_empty() => Ok(Vec::new()),
        Ok(text) => serde_yaml::from_str::<Vec<PathBuf>>(&text)
            .map_err(|e| format!("cannot read the registered catalog files in {}: {e}", list.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("cannot read {}: {e}", list.display())),
    }
}

/// Adds `catalog_file` (made absolute) to the list unless it is there;
/// returns the name of its source.
pub fn add(list: &Path, catalog_file: &Path) -> Result<String, String> {
    let absolute = std::path::absolute(catalog_file).map_err(|e| format!("{}: {e}", catalog_file.display()))?;
    let mut files = load(list)?;
    if let Some(n) = files.iter().position(|f| *f == absolute) {
        return Ok(source_name(n));
    }
    files.push(absolute);
    save(list, &files)?;
    Ok(source_name(files.len() - 1))
}

fn save(list: &Path, files: &[PathBuf]) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot save {}: {e}", list.display());
    let text = serde_yaml::to_string(files).map_err(|e| fail(&e))?;
    crate::paths::save_private(list, ".registered-", text.as_bytes()).map_err(|e| fail(&e))
}

/// The registered files that still exist, as `file` sources.
pub fn sources(list: &Path) -> Result<Vec<SourceConfig>, String> {
    Ok(load(list)?
        .into_iter()
        .enumerate()
        .filter(|(_, f)| f.is_file())
        .map(|(n, f)| SourceConfig { name: source_name(n), kind: SourceKind::File(f) })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_added_once_and_read_as_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let list = file(&tmp.path().join("profiles/default"));
        let a = tmp.path().join("a.yaml");
        std::fs::write(&a, "kind: Component\n").unwrap();
        assert_eq!(add(&list, &a).unwrap(), "registered-1");
        assert_eq!(add(&list, &tmp.path().join("gone.yaml")).unwrap(), "registered-2");
        assert_eq!(add(&list, &a).unwrap(), "registered-1", "added once");
        let sources = sources(&list).unwrap();
        assert_eq!(sources.len(), 1, "missing files are left out");
        assert_eq!(sources[0].name, "registered-1");
        assert_eq!(sources[0].kind, SourceKind::File(a));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&list).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
