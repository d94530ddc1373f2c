//! Starred entities, kept in the profile's data dir across syncs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The stars file of a profile.
pub fn file(profile_data_dir: &Path) -> PathBuf {
    profile_data_dir.join("starred.yaml")
}

/// Reads starred refs; a missing file means none.
pub fn load(path: &Path) -> Result<BTreeSet<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml::from_str::<Vec<String>>(&text)
            .map(|v| v.into_iter().collect())
            .map_err(|e| format!("cannot read stars from {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(format!("cannot read stars from {}: {e}", path.display())),
    }
}

/// Writes starred refs atomically (0600 file in a 0700 folder).
pub fn save(path: &Path, refs: &[String]) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot save stars to {}: {e}", path.display());
    let text = serde_yaml::to_string(refs).map_err(|e| fail(&e))?;
    crate::paths::save_private(path, ".starred-", text.as_bytes()).map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir.path().join("p"));
        assert!(load(&path).unwrap().is_empty());
        save(&path, &["component:default/a".into(), "api:default/b".into()]).unwrap();
        let stars = load(&path).unwrap();
        assert_eq!(stars.len(), 2);
        assert!(stars.contains("api:default/b"));
    }
}
