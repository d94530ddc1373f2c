//! One Location target to the files it names, read as the catalog's
//! `FileReaderProcessor` reads them (node-glob: no dot-files, a matched
//! directory is an error), and never outside the source root.

use std::path::{Path, PathBuf};

use super::catalog_file::LocationTarget;
use super::placeholders::{confined_path, normalize};

/// What a target names.
#[derive(Debug, PartialEq, Eq)]
pub enum Expanded {
    /// These files (sorted), possibly none for an optional target.
    Files(Vec<PathBuf>),
    /// Not followed, and not an error: a URL (local sources do not fetch).
    Skipped(String),
    /// The catalog could not read it: the Location fails, and nothing it
    /// emits is stored. The text says why.
    Failed(String),
}

/// The files `target` (written in a file in `base`) names, at most `budget`
/// of them, all inside `root`.
pub fn expand(target: &LocationTarget, base: &Path, root: &Path, budget: usize) -> Expanded {
    match target.kind.as_str() {
        "file" => {}
        "url" if url::Url::parse(&target.target).is_ok() => {
            return Expanded::Skipped("is a URL: local sources do not fetch URLs, so it is not followed".into());
        }
        "url" => {
            return Expanded::Failed(
                "has type `url` but is not an absolute URL: the catalog cannot read it (a relative target \
                 needs `type: file`, or no type)"
                    .into(),
            );
        }
        other => {
            return Expanded::Failed(format!(
                "has type `{other}`, which no processor of the stock catalog reads (it reads `file` and `url`)"
            ));
        }
    }
    let joined = normalize(&base.join(&target.target));
    let root = normalize(root);
    if !joined.starts_with(&root) {
        return Expanded::Failed(format!("leaves the source root {} (it names {})", root.display(), joined.display()));
    }
    let found = if is_glob(&target.target) {
        match glob_files(&joined, &root, budget) {
            Ok(found) => found,
            Err(e) => return Expanded::Failed(e),
        }
    } else if joined.is_dir() {
        return Expanded::Failed(format!("is the directory {}: the catalog cannot read a directory", joined.display()));
    } else if joined.exists() {
        vec![joined.clone()]
    } else {
        Vec::new()
    };
    for path in &found {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if path.parent().and_then(|parent| confined_path(parent, &root, &name)).is_none() {
            return Expanded::Failed(format!(
                "leads to {}, outside the source root {}",
                path.display(),
                root.display()
            ));
        }
        if !path.is_file() {
            return Expanded::Failed(format!("names {}, which is not a regular file", path.display()));
        }
    }
    if found.is_empty() && !target.optional {
        let what = if is_glob(&target.target) { "matches no file" } else { "does not exist" };
        return Expanded::Failed(format!(
            "{what} (looked for {}); add `presence: optional` if it may be absent",
            joined.display()
        ));
    }
    Expanded::Files(found)
}

/// Whether a target is a glob pattern.
pub fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '['])
}

/// The files a glob pattern (an absolute path inside `root`) names, sorted,
/// as node-glob finds them: `*` and `**` skip names starting with `.`
/// unless the pattern spells the dot, and `**` does not descend into
/// symlinked folders (a link loop made the `glob` crate walk the same tree
/// again and again). A matched directory is an error (the catalog's read
/// fails with EISDIR), and so is a walk past `budget` files: the walk stops
/// there.
fn glob_files(pattern: &Path, root: &Path, budget: usize) -> Result<Vec<PathBuf>, String> {
    let text = pattern.to_string_lossy();
    let matcher = globset::GlobBuilder::new(&text)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("is not a valid glob: {e}"))?
        .compile_matcher();
    let start: PathBuf = pattern.components().take_while(|c| !is_glob(&c.as_os_str().to_string_lossy())).collect();
    if !start.starts_with(root) {
        return Err(format!("leaves the source root {}", root.display()));
    }
    let below: Vec<String> =
        pattern.strip_prefix(&start).unwrap_or(pattern).iter().map(|c| c.to_string_lossy().into_owned()).collect();
    let dots = below.iter().any(|c| c.starts_with('.'));
    let deep = below.iter().any(|c| c == "**");
    let mut walk = ignore::WalkBuilder::new(&start);
    walk.standard_filters(false).follow_links(!deep).max_depth((!deep).then_some(below.len()));
    if !dots {
        walk.filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    }
    let mut files = Vec::new();
    for entry in walk.build().filter_map(Result::ok) {
        if entry.depth() == 0 || !matcher.is_match(entry.path()) {
            continue;
        }
        if entry.path().is_dir() {
            return Err(format!(
                "matches the directory {}: the catalog cannot read a directory (EISDIR)",
                entry.path().display()
            ));
        }
        if files.len() == budget {
            return Err(format!("matches more than {budget} files; stopped there"));
        }
        files.push(entry.into_path());
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pos;

    fn target(kind: &str, text: &str, optional: bool) -> LocationTarget {
        LocationTarget { kind: kind.into(), target: text.into(), optional, pos: Pos { line: 1, col: 1 } }
    }

    fn touch(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "x: 1\n").unwrap();
        path
    }

    fn failed(e: Expanded) -> String {
        match e {
            Expanded::Failed(why) => why,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn globs_skip_dot_files_and_dot_folders() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let top = touch(d, "catalog-info.yaml");
        let sub = touch(d, "sub/catalog-info.yaml");
        touch(d, ".github/catalog-info.yaml");
        touch(d, "sub/.hidden/catalog-info.yaml");
        let a = touch(d, "a.yaml");
        touch(d, ".x.yaml");
        let all = expand(&target("file", "./**/catalog-info.yaml", false), d, d, 100);
        assert_eq!(all, Expanded::Files(vec![top.clone(), sub]));
        assert_eq!(expand(&target("file", "./*.yaml", false), d, d, 100), Expanded::Files(vec![a, top.clone()]));
        let spelled = expand(&target("file", "./.github/*.yaml", false), d, d, 100);
        assert_eq!(spelled, Expanded::Files(vec![d.join(".github/catalog-info.yaml")]), "a dot written is matched");
    }

    #[test]
    fn a_glob_matching_a_directory_or_a_directory_target_fails() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        touch(d, "g/a.yaml");
        std::fs::create_dir_all(d.join("g/d.yaml")).unwrap();
        assert!(failed(expand(&target("file", "./g/*.yaml", false), d, d, 100)).contains("EISDIR"));
        assert!(failed(expand(&target("file", "./g", true), d, d, 100)).contains("directory"));
        std::fs::create_dir_all(d.join("only/x.yaml")).unwrap();
        let why = failed(expand(&target("file", "./only/*.yaml", false), d, d, 100));
        assert!(why.contains("EISDIR"), "only directories match: not `matches no file`: {why}");
    }

    #[test]
    fn targets_stay_inside_the_source_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        touch(dir.path(), "secret.yaml");
        touch(&root, "in.yaml");
        for escape in ["../secret.yaml", "/proc/self/environ", "/**/*.yaml", "../**/*.yaml", "/etc/passwd"] {
            let why = failed(expand(&target("file", escape, false), &root, &root, 100));
            assert!(why.contains("leaves the source root"), "{escape}: {why}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.yaml"), root.join("link.yaml")).unwrap();
            let why = failed(expand(&target("file", "./link.yaml", false), &root, &root, 100));
            assert!(why.contains("outside the source root"), "{why}");
            let why = failed(expand(&target("file", "./*.yaml", false), &root, &root, 100));
            assert!(why.contains("outside the source root"), "{why}");
        }
    }

    #[test]
    fn the_file_cap_applies_while_walking() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..20 {
            touch(dir.path(), &format!("t/{i}/catalog-info.yaml"));
        }
        let why = failed(expand(&target("file", "./**/catalog-info.yaml", false), dir.path(), dir.path(), 5));
        assert!(why.contains("more than 5 files"), "{why}");
    }

    #[test]
    fn url_and_other_types() {
        let d = Path::new("/nowhere");
        assert!(failed(expand(&target("url", "./x.yaml", false), d, d, 1)).contains("not an absolute URL"));
        assert!(matches!(expand(&target("url", "https://example.com/c.yaml", false), d, d, 1), Expanded::Skipped(_)));
        assert!(failed(expand(&target("github", "org/repo", true), d, d, 1)).contains("no processor"));
    }

    #[test]
    fn missing_targets_fail_unless_optional() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert!(failed(expand(&target("file", "./nope.yaml", false), d, d, 1)).contains("does not exist"));
        assert!(failed(expand(&target("file", "./*.yml", false), d, d, 1)).contains("matches no file"));
        assert_eq!(expand(&target("file", "./nope.yaml", true), d, d, 1), Expanded::Files(vec![]));
    }
}
