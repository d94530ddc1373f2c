//! Local directories: a parallel, .gitignore-aware walk for catalog files.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

/// File names read when the config names none.
pub const DEFAULT_PATTERNS: [&str; 2] = ["catalog-info.yaml", "catalog-info.yml"];

/// Folders never walked into.
const SKIPPED_DIRS: [&str; 2] = ["node_modules", ".git"];

/// Builds the matcher for file-name patterns (globs allowed).
pub fn pattern_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| format!("pattern `{p}` is not a valid glob: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Every file under `dir` whose name matches `patterns`, sorted. Honours
/// .gitignore (also outside git repositories), skips `node_modules` and
/// `.git`, and never follows symlinks. The walk stops at
/// [`MAX_FILES`](super::fanout::MAX_FILES) files found.
pub fn find_catalog_files(dir: &Path, patterns: &GlobSet) -> Vec<PathBuf> {
    find_at_most(dir, patterns, super::fanout::MAX_FILES)
}

fn find_at_most(dir: &Path, patterns: &GlobSet, cap: usize) -> Vec<PathBuf> {
    let found = Mutex::new(Vec::new());
    WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| {
            let skip = e.file_type().is_some_and(|t| t.is_dir()) && SKIPPED_DIRS.iter().any(|s| e.file_name() == *s);
            !skip
        })
        .build_parallel()
        .run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Ok(entry) = entry {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file
                        && patterns.is_match(entry.file_name())
                        && let Ok(mut list) = found.lock()
                    {
                        if list.len() >= cap {
                            return WalkState::Quit;
                        }
                        list.push(entry.into_path());
                    }
                }
                WalkState::Continue
            })
        });
    let mut files = found.into_inner().unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_catalog_files_and_respects_ignores() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "a/catalog-info.yaml",
            "b/c/catalog-info.yml",
            "node_modules/x/catalog-info.yaml",
            "ignored/catalog-info.yaml",
            "d/other.yaml",
            "e/team.catalog.yaml",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        }
        std::fs::write(d.join(".gitignore"), "ignored/\n").unwrap();
        let patterns: Vec<String> =
            DEFAULT_PATTERNS.iter().map(|s| s.to_string()).chain(["*.catalog.yaml".into()]).collect();
        let files = find_catalog_files(d, &pattern_set(&patterns).unwrap());
        let rel: Vec<String> = files.iter().map(|f| f.strip_prefix(d).unwrap().display().to_string()).collect();
        assert_eq!(rel, vec!["a/catalog-info.yaml", "b/c/catalog-info.yml", "e/team.catalog.yaml"]);
    }

    #[test]
    fn the_walk_stops_at_the_file_cap() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..30 {
            let p = dir.path().join(format!("{i}/catalog-info.yaml"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        }
        let patterns = pattern_set(&["catalog-info.yaml".into()]).unwrap();
        assert_eq!(find_at_most(dir.path(), &patterns, 7).len(), 7);
        assert_eq!(find_catalog_files(dir.path(), &patterns).len(), 30);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_do_not_hang() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        std::fs::write(dir.path().join("catalog-info.yaml"), "x: 1\n").unwrap();
        let files = find_catalog_files(dir.path(), &pattern_set(&["catalog-info.yaml".into()]).unwrap());
        assert_eq!(files.len(), 1);
    }
}
