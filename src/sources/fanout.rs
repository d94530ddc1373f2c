//! Location fan-out: read root files, follow their Location entities'
//! targets (relative to the file that names them, globs allowed), level by
//! level, in parallel. Cycles and missing files are problems, never fatal.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::model::Problem;

use super::catalog_file::{FileContext, FileOutput, LocationTarget, ReadEntity, file_location, read_catalog_file};
use super::placeholders::{confined_path, normalize};

/// Most files one source may read through fan-out.
pub const MAX_FILES: usize = 500_000;

/// What a crawl found.
#[derive(Debug, Default)]
pub struct Crawl {
    /// Entities from every file, in a stable order.
    pub entities: Vec<ReadEntity>,
    /// Problems from every file.
    pub problems: Vec<Problem>,
    /// How many files were read.
    pub files: usize,
}

/// A root file and the origin location its entities get.
#[derive(Debug, Clone)]
pub struct Root {
    /// The file.
    pub path: PathBuf,
    /// Its origin (`file:/abs/path`).
    pub origin: String,
}

impl Root {
    /// A root that is its own origin.
    pub fn file(path: PathBuf) -> Self {
        let origin = file_location(&path);
        Root { path, origin }
    }
}

struct Pending {
    path: PathBuf,
    origin: Arc<str>,
    chain: Arc<Vec<PathBuf>>,
}

/// Reads `roots` and everything their Locations fan out to. Placeholders may
/// not read outside `sandbox`. `progress` is called with the files read so far.
pub fn crawl(roots: Vec<Root>, sandbox: &Path, progress: &(dyn Fn(usize) + Sync)) -> Crawl {
    crawl_in(roots, sandbox, false, progress)
}

/// [`crawl`] for a tree stagehand does not trust (a git checkout): Location
/// targets may not leave `sandbox` either, lexically or through symlinks.
pub fn crawl_confined(roots: Vec<Root>, sandbox: &Path, progress: &(dyn Fn(usize) + Sync)) -> Crawl {
    crawl_in(roots, sandbox, true, progress)
}

fn crawl_in(roots: Vec<Root>, sandbox: &Path, confine: bool, progress: &(dyn Fn(usize) + Sync)) -> Crawl {
    let mut crawl = Crawl::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut level: Vec<Pending> = Vec::new();
    for root in roots {
        let path = absolute(&root.path);
        if seen.insert(path.clone()) {
            level.push(Pending { path, origin: root.origin.into(), chain: Arc::new(Vec::new()) });
        }
    }
    let read = AtomicUsize::new(0);
    while !level.is_empty() {
        let outputs: Vec<(Pending, FileOutput)> = level
            .into_par_iter()
            .map(|p| {
                let ctx = FileContext { root: sandbox, origin: &p.origin };
                let out = read_catalog_file(&p.path, &ctx);
                progress(read.fetch_add(1, Ordering::Relaxed) + 1);
                (p, out)
            })
            .collect();
        level = Vec::new();
        for (pending, out) in outputs {
            crawl.files += 1;
            let base = pending.path.parent().unwrap_or(Path::new("/")).to_path_buf();
            for target in &out.targets {
                let display = pending.path.display().to_string();
                let found = if confine {
                    let inside = normalize(&base.join(&target.target)).starts_with(normalize(sandbox));
                    let found =
                        if inside { expand_target(target, &base, &display, &mut crawl.problems) } else { Vec::new() };
                    confined(inside, found, sandbox, target, &display, &mut crawl.problems)
                } else {
                    expand_target(target, &base, &display, &mut crawl.problems)
                };
                for path in found {
                    if pending.chain.contains(&path) || path == pending.path {
                        crawl.problems.push(
                            Problem::warning(format!(
                                "Location cycle: `{}` includes `{}`, which includes it again; not following it",
                                display,
                                path.display()
                            ))
                            .in_file(&display)
                            .at(target.pos),
                        );
                        continue;
                    }
                    if crawl.files + level.len() >= MAX_FILES {
                        crawl.problems.push(
                            Problem::error(format!(
                                "more than {MAX_FILES} files through Location fan-out; stopping here"
                            ))
                            .in_file(&display)
                            .at(target.pos),
                        );
                        break;
                    }
                    if seen.insert(path.clone()) {
                        let mut chain = (*pending.chain).clone();
                        chain.push(pending.path.clone());
                        level.push(Pending { path, origin: pending.origin.clone(), chain: Arc::new(chain) });
                    }
                }
            }
            crawl.entities.extend(out.entities);
            crawl.problems.extend(out.problems);
        }
    }
    crawl
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    normalize(&joined)
}

fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '['])
}

/// The files a glob pattern (an absolute path) names, sorted. A `**`
/// component never descends into symlinked folders (Backstage's glob does not
/// either): the `glob` crate follows them, so a symlink loop such as
/// `loop/up -> ..` made it walk the same tree again and again, exponentially
/// with two such links. Other patterns go through the `glob` crate.
fn glob_files(pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let text = pattern.to_string_lossy();
    let mut files: Vec<PathBuf> = if pattern.components().any(|c| c.as_os_str() == "**") {
        let matcher = globset::GlobBuilder::new(&text)
            .literal_separator(true)
            .build()
            .map_err(|e| e.to_string())?
            .compile_matcher();
        let root: PathBuf = pattern.components().take_while(|c| !is_glob(&c.as_os_str().to_string_lossy())).collect();
        ignore::WalkBuilder::new(&root)
            .standard_filters(false)
            .follow_links(false)
            .build()
            .filter_map(Result::ok)
            .map(ignore::DirEntry::into_path)
            .filter(|p| matcher.is_match(p) && p.is_file())
            .collect()
    } else {
        glob::glob(&text).map_err(|e| e.to_string())?.filter_map(Result::ok).filter(|p| p.is_file()).collect()
    };
    files.sort();
    Ok(files)
}

/// The files of `found` inside `sandbox` (symlinks resolved); one problem
/// for the target when it (`inside` false: lexically) or any file leaves it.
fn confined(
    inside: bool,
    found: Vec<PathBuf>,
    sandbox: &Path,
    target: &LocationTarget,
    display: &str,
    problems: &mut Vec<Problem>,
) -> Vec<PathBuf> {
    let (kept, outside): (Vec<PathBuf>, Vec<PathBuf>) = found.into_iter().partition(|path| {
        let Some(parent) = path.parent() else { return false };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        confined_path(parent, sandbox, &name).is_some()
    });
    let escape = if inside { outside.first().map(|p| p.display().to_string()) } else { Some(target.target.clone()) };
    if let Some(path) = escape {
        problems.push(
            Problem::error(format!(
                "Location target `{}` leaves the repository ({path} is outside {}); not following it",
                target.target,
                sandbox.display()
            ))
            .in_file(display)
            .at(target.pos),
        );
    }
    kept
}

/// Turns one Location target into the files it names.
fn expand_target(target: &LocationTarget, base: &Path, display: &str, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    if target.kind != "file" {
        problems.push(
            Problem::warning(format!(
                "Location target `{}` has type `{}`; local sources follow only `file` targets",
                target.target, target.kind
            ))
            .in_file(display)
            .at(target.pos),
        );
        return Vec::new();
    }
    let joined = normalize(&base.join(&target.target));
    let found: Vec<PathBuf> = if is_glob(&target.target) {
        match glob_files(&joined) {
            Ok(v) => v,
            Err(e) => {
                problems.push(
                    Problem::error(format!("Location target `{}` is not a valid glob: {e}", target.target))
                        .in_file(display)
                        .at(target.pos),
                );
                return Vec::new();
            }
        }
    } else if joined.is_file() {
        vec![joined.clone()]
    } else {
        Vec::new()
    };
    if found.is_empty() && !target.optional {
        let what = if is_glob(&target.target) { "matches no file" } else { "does not exist" };
        problems.push(
            Problem::error(format!(
                "Location target `{}` {what} (looked for {}); add `presence: optional` if it may be absent",
                target.target,
                joined.display()
            ))
            .in_file(display)
            .at(target.pos),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn location(name: &str, targets: &[&str]) -> String {
        let list: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: {name}}}\nspec:\n  targets: [{}]\n",
            list.join(", ")
        )
    }

    fn group(name: &str) -> String {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {name}}}\nspec: {{type: team, children: []}}\n"
        )
    }

    #[test]
    fn follows_targets_globs_and_reports_missing_and_cycles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root = write(d, "all.yaml", &location("all", &["./teams/*.yaml", "./nested/loc.yaml", "./missing.yaml"]));
        write(d, "teams/a.yaml", &group("a"));
        write(d, "teams/b.yaml", &group("b"));
        write(d, "nested/loc.yaml", &location("nested", &["../all.yaml", "./c.yaml"]));
        write(d, "nested/c.yaml", &group("c"));
        let crawl = crawl(vec![Root::file(root.clone())], d, &|_| {});
        let mut names: Vec<&str> = crawl.entities.iter().map(|e| e.entity.name()).collect();
        names.sort();
        assert_eq!(names, vec!["a", "all", "b", "c", "nested"]);
        assert_eq!(crawl.files, 5);
        let messages: Vec<&str> = crawl.problems.iter().map(|p| p.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("`./missing.yaml` does not exist")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("Location cycle")), "{messages:?}");
        let origin = file_location(&root);
        assert!(crawl.entities.iter().all(|e| {
            e.entity.annotation(crate::model::entity::MANAGED_BY_ORIGIN_LOCATION) == Some(origin.as_str())
        }));
    }

    #[cfg(unix)]
    #[test]
    fn recursive_globs_do_not_follow_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root = write(d, "all.yaml", &location("all", &["./**/catalog-info.yaml"]));
        write(d, "teams/catalog-info.yaml", &group("a"));
        write(d, "teams/deep/er/catalog-info.yaml", &group("b"));
        std::fs::create_dir_all(d.join("loop")).unwrap();
        // A link back up: the glob crate read every file ~40 times through
        // it (and 2^40 times with a second such link).
        std::os::unix::fs::symlink("..", d.join("loop/up")).unwrap();
        // A symlinked file is still matched, as Backstage's glob does.
        write(d, "shared/g.yaml", &group("c"));
        std::fs::create_dir_all(d.join("linked")).unwrap();
        std::os::unix::fs::symlink("../shared/g.yaml", d.join("linked/catalog-info.yaml")).unwrap();
        let crawl = crawl(vec![Root::file(root)], d, &|_| {});
        let mut names: Vec<&str> = crawl.entities.iter().map(|e| e.entity.name()).collect();
        names.sort();
        assert_eq!(names, vec!["a", "all", "b", "c"]);
        assert_eq!(crawl.files, 4);
        assert!(crawl.problems.is_empty(), "{:?}", crawl.problems);
        // Without `**` the glob crate is used as before.
        let other = write(d, "one.yaml", &location("one", &["./teams/*.yaml", "./*/catalog-info.yaml"]));
        let crawl = super::crawl(vec![Root::file(other)], d, &|_| {});
        let mut names: Vec<&str> = crawl.entities.iter().map(|e| e.entity.name()).collect();
        names.sort();
        assert_eq!(names, vec!["a", "c", "one"]);
    }

    #[test]
    fn optional_targets_may_be_missing() {
        let dir = tempfile::tempdir().unwrap();
        let text = location("all", &["./nope.yaml"]) + "  presence: optional\n";
        let root = write(dir.path(), "all.yaml", &text);
        let crawl = crawl(vec![Root::file(root)], dir.path(), &|_| {});
        assert!(crawl.problems.is_empty(), "{:?}", crawl.problems);
    }

    #[test]
    fn confined_crawls_keep_targets_inside_the_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let (outside, repo) = (dir.path(), dir.path().join("repo"));
        write(outside, "secret.yaml", &group("outsider"));
        write(&repo, "team.yaml", &group("insider"));
        std::os::unix::fs::symlink(outside.join("secret.yaml"), repo.join("link.yaml")).unwrap();
        let targets = ["./team.yaml", "../secret.yaml", "./link.yaml", "../**/*.yaml"];
        let root = write(&repo, "all.yaml", &location("all", &targets));
        let names = |c: &Crawl| c.entities.iter().map(|e| e.entity.name().to_string()).collect::<Vec<_>>();

        let open = crawl(vec![Root::file(root.clone())], &repo, &|_| {});
        assert!(names(&open).contains(&"outsider".to_string()), "a trusted tree follows targets anywhere");

        let shut = crawl_confined(vec![Root::file(root)], &repo, &|_| {});
        assert_eq!(names(&shut), ["all", "insider"]);
        let refused: Vec<&str> = shut.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(refused.len(), 3, "{refused:?}");
        assert!(refused.iter().all(|m| m.contains("leaves the repository")), "{refused:?}");
    }
}
