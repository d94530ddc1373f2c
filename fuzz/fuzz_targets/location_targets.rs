//! Location target resolution (`file` targets and globs) against a small
//! fixed tree with a dot-folder, a directory named like a catalog file,
//! symlinks out of the root, a link loop and a folder of more files than
//! the budget: whatever the target, every file it resolves to stays inside
//! the source root (lexically and once links are resolved), is a regular
//! file, and there are never more than the budget (the walk stops there);
//! nothing panics. With the first byte's top bit set, the rest is a list of
//! `dir` source file-name patterns instead: the walk never follows a link
//! out of the root, finds only regular files whose names match, and stays
//! under its file cap.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stagehand::model::yaml::Pos;
use stagehand::sources::catalog_file::LocationTarget;
use stagehand::sources::dir::{find_catalog_files, pattern_set};
use stagehand::sources::fanout::MAX_FILES;
use stagehand::sources::placeholders::normalize;
use stagehand::sources::targets::{Expanded, expand};

/// Files a glob may find: a walk past this many is an error.
const BUDGET: usize = 16;

/// The temp dir, and in it the source root (`root/`) beside a folder the
/// root must never reach (`outside/`).
static TREE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

fn tree() -> &'static Path {
    &TREE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let top = dir.path().canonicalize().expect("temp dir path");
            let root = top.join("root");
            let write = |rel: &str| {
                let path = top.join(rel);
                std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
                std::fs::write(&path, "kind: Component\n").expect("file");
            };
            for rel in [
                "root/catalog-info.yaml",
                "root/all.yaml",
                "root/a/catalog-info.yaml",
                "root/a/b/api.yaml",
                "root/.github/catalog-info.yaml",
                "root/.x.yaml",
                "outside/secret.yaml",
            ] {
                write(rel);
            }
            // More files than the budget: a glob over them stops walking.
            for i in 0..=BUDGET {
                write(&format!("root/many/{i}/catalog-info.yaml"));
            }
            // Each hazard in its own folder, so globs elsewhere still find files.
            std::fs::create_dir_all(root.join("d/dir.yaml")).expect("folder");
            #[cfg(unix)]
            {
                let _ = std::os::unix::fs::symlink(top.join("outside"), root.join("link"));
                std::fs::create_dir_all(root.join("s")).expect("folder");
                let _ = std::os::unix::fs::symlink(top.join("outside/secret.yaml"), root.join("s/leak.yaml"));
                std::fs::create_dir_all(root.join("l")).expect("folder");
                let _ = std::os::unix::fs::symlink(&root, root.join("l/loop"));
            }
            (dir, root)
        })
        .1
}

/// A `dir` source over the tree, with the patterns in `text` (one a line).
fn walk(text: &str) {
    let root = tree();
    let patterns: Vec<String> = text.lines().take(8).map(String::from).collect();
    let Ok(set) = pattern_set(&patterns) else { return };
    let real_root = root.canonicalize().expect("the root exists");
    let files = find_catalog_files(root, &set);
    assert!(files.len() <= MAX_FILES);
    for file in &files {
        let real = file.canonicalize().expect("a found file exists");
        assert!(real.starts_with(&real_root), "{patterns:?} found {} through a link", real.display());
        let meta = std::fs::symlink_metadata(file).expect("a found file exists");
        assert!(meta.is_file(), "{patterns:?} found {}, not a regular file", file.display());
        assert!(set.is_match(file.file_name().expect("a name")), "{} matches no pattern", file.display());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    if flags & 0x80 != 0 {
        walk(&String::from_utf8_lossy(&rest[..rest.len().min(256)]));
        return;
    }
    // Long targets add nothing the tree can answer.
    let text = String::from_utf8_lossy(&rest[..rest.len().min(256)]).into_owned();
    let root = tree();
    let base = if flags & 1 == 0 { root.to_path_buf() } else { root.join("a") };
    let kind = match (flags >> 1) & 3 {
        0 | 1 => "file",
        2 => "url",
        _ => "",
    };
    let target =
        LocationTarget { kind: kind.to_string(), target: text, optional: flags & 8 != 0, pos: Pos { line: 1, col: 1 } };
    let real_root = root.canonicalize().expect("the root exists");
    match expand(&target, &base, root, BUDGET) {
        Expanded::Files(files) => {
            assert!(files.len() <= BUDGET, "{} files over a budget of {BUDGET}", files.len());
            for file in &files {
                assert!(
                    normalize(file).starts_with(root),
                    "{:?} resolved to {} outside the root",
                    target.target,
                    file.display()
                );
                let real = file.canonicalize().expect("a resolved file exists");
                assert!(real.starts_with(&real_root), "{:?} reached {} through a link", target.target, real.display());
                assert!(real.is_file(), "{:?} resolved to {}, not a regular file", target.target, real.display());
            }
        }
        Expanded::Skipped(why) | Expanded::Failed(why) => assert!(!why.is_empty()),
    }
});
