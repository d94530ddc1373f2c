//! Location fan-out: read root files, follow their Location entities'
//! targets (relative to the file that names them, globs allowed), level by
//! level, in parallel, never outside the source root. What the catalog
//! would not store is set apart with the reason: a Location one of whose
//! targets cannot be read fails with everything it names, and so does a
//! Location reading a file that cannot be used whole (as the catalog's
//! processing of that Location fails). Cycles are warnings, never fatal.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::model::{Pos, Problem};

use super::carry::{FileCache, entry_of};
use super::catalog_file::{
    FileContext, FileOutput, LocationRead, ReadEntity, RejectedEntity, file_location, read_catalog_file,
};
use super::depends::{Expansion, FileEntry, outcome};
use super::placeholders::normalize;
use super::targets::{Expanded, expand, is_glob};

/// Most files one source may read through fan-out.
pub const MAX_FILES: usize = 500_000;

/// What a crawl found: entities as read ([`ReadEntity`]) or in the
/// compact form a sync keeps of each ([`Compacted`]).
#[derive(Debug)]
pub struct Crawl<E = ReadEntity> {
    /// Entities the catalog would store, in a stable order.
    pub entities: Vec<E>,
    /// Entities it would not store, with the reason.
    pub rejected: Vec<RejectedEntity>,
    /// Problems from every file.
    pub problems: Vec<Problem>,
    /// How many files were read.
    pub files: usize,
    /// Every catalog file read: what it depended on and gave.
    pub entries: Vec<FileEntry>,
    /// Every Location target followed, with what it expanded to.
    pub expansions: Vec<Expansion>,
    /// How many files were carried over unchanged rather than parsed.
    pub carried: usize,
}

impl<E> Default for Crawl<E> {
    fn default() -> Self {
        Crawl {
            entities: Vec::new(),
            rejected: Vec::new(),
            problems: Vec::new(),
            files: 0,
            entries: Vec::new(),
            expansions: Vec::new(),
            carried: 0,
        }
    }
}

/// An entity as a crawl keeps it: made from a [`ReadEntity`] as soon as
/// its file is parsed (in parallel), so the crawl never holds every parsed
/// entity tree at once.
pub trait Compacted: Send + Sized {
    /// Its canonical ref.
    fn canonical_ref(&self) -> String;
    /// It, not stored after all, for `reason`.
    fn rejected(self, reason: String) -> RejectedEntity;
}

impl Compacted for ReadEntity {
    fn canonical_ref(&self) -> String {
        self.entity.canonical_ref()
    }

    fn rejected(self, reason: String) -> RejectedEntity {
        RejectedEntity { read: self, reason }
    }
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
    /// The Location that names the file (its position in the crawl's
    /// entities); `None` for a root.
    parent: Option<usize>,
}

/// Reads `roots` and everything their Locations fan out to. Location
/// targets and placeholders may not leave `root` (lexically or through
/// symlinks). `progress` is called with the files read so far.
pub fn crawl(roots: Vec<Root>, root: &Path, progress: &(dyn Fn(usize) + Sync)) -> Crawl {
    crawl_into(roots, root, progress, &|read| read)
}

/// [`crawl`], each stored entity made `compact` as its file is parsed.
pub fn crawl_into<E: Compacted>(
    roots: Vec<Root>,
    root: &Path,
    progress: &(dyn Fn(usize) + Sync),
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
) -> Crawl<E> {
    crawl_with(roots, root, progress, compact, None)
}

/// [`crawl_into`], files unchanged since the read `cache` describes
/// carried over from it instead of parsed.
pub fn crawl_with<E: Compacted>(
    roots: Vec<Root>,
    root: &Path,
    progress: &(dyn Fn(usize) + Sync),
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
    cache: Option<&FileCache<'_, E>>,
) -> Crawl<E> {
    let mut crawl: Crawl<E> = Crawl::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut level: Vec<Pending> = Vec::new();
    for r in roots {
        let path = absolute(&r.path);
        if seen.insert(path.clone()) {
            level.push(Pending { path, origin: r.origin.into(), chain: Arc::new(Vec::new()), parent: None });
        }
    }
    // Stored entities found later not to be stored (failed Locations).
    let mut failed: HashMap<usize, String> = HashMap::new();
    let read = AtomicUsize::new(0);
    let placeholders = super::placeholders::SourceBudget::per_source();
    while !level.is_empty() {
        let outputs: Vec<(Pending, FileOutput, FileEntry, Vec<E>, bool)> = level
            .into_par_iter()
            .map(|p| {
                let carried = cache.and_then(|c| c.output(&p.path, &p.origin));
                let was_carried = carried.is_some();
                let (out, entry, entities) = carried.unwrap_or_else(|| {
                    let ctx = FileContext { root, origin: &p.origin, placeholders: &placeholders };
                    let mut out = read_catalog_file(&p.path, &ctx);
                    let entry = entry_of(&mut out, &p.path, &p.origin);
                    let entities = std::mem::take(&mut out.entities).into_iter().map(compact).collect();
                    (out, entry, entities)
                });
                progress(read.fetch_add(1, Ordering::Relaxed) + 1);
                (p, out, entry, entities, was_carried)
            })
            .collect();
        level = Vec::new();
        // A file that cannot be used fails the Location that reads it.
        let mut failing: HashMap<usize, String> = HashMap::new();
        for (p, out, ..) in &outputs {
            if let (Some(parent), Some(why)) = (p.parent, &out.failure) {
                failing.entry(parent).or_insert_with(|| format!("{}: {why}", p.path.display()));
            }
        }
        // Every Location target expanded up front, in parallel, with the
        // most file budget any can have in this level: `follow` takes an
        // expansion the budget it has would not change.
        let budget = MAX_FILES.saturating_sub(crawl.files);
        let named: Vec<(&Path, &[LocationRead])> =
            outputs.iter().map(|(p, out, ..)| (p.path.as_path(), out.locations.as_slice())).collect();
        let early: Vec<Vec<Vec<Expanded>>> = named
            .into_par_iter()
            .map(|(path, locations)| {
                let base = path.parent().unwrap_or(Path::new("/"));
                let expand_all = |l: &LocationRead| l.targets.iter().map(|t| expand(t, base, root, budget)).collect();
                locations.iter().map(expand_all).collect()
            })
            .collect();
        // Room for the level at once: at a million entities, growing by
        // doubling copied the records over and over into fresh pages.
        crawl.entities.reserve(outputs.iter().map(|(.., entities, _)| entities.len()).sum());
        crawl.entries.reserve(outputs.len());
        for ((pending, out, entry, entities, was_carried), early) in outputs.into_iter().zip(early) {
            crawl.files += 1;
            crawl.carried += usize::from(was_carried);
            crawl.entries.push(entry);
            crawl.problems.extend(out.problems);
            let why = match pending.parent {
                Some(parent) => failing.get(&parent).map(|why| {
                    let location = crawl.entities[parent].canonical_ref();
                    format!("not stored: its Location `{location}` fails, as {why}")
                }),
                None => out.failure.as_ref().map(|why| format!("not stored: its file cannot be used whole ({why})")),
            };
            if let Some(why) = why {
                let dropped = entities.into_iter().map(|e| e.rejected(why.clone()));
                crawl.rejected.extend(dropped);
                crawl.rejected.extend(out.rejected);
                continue;
            }
            let base = crawl.entities.len();
            crawl.entities.extend(entities);
            crawl.rejected.extend(out.rejected);
            for (location, early) in out.locations.into_iter().zip(early) {
                let at = base + location.at;
                let found = follow(&pending, &location.targets, early, root, &mut crawl, level.len());
                match found {
                    Ok(found) => queue(&pending, at, found, &mut seen, &mut crawl, &mut level),
                    Err(why) => {
                        failed.insert(at, why);
                    }
                }
            }
        }
        for (parent, why) in failing {
            failed.entry(parent).or_insert(format!("not stored: a file it reads cannot be used ({why})"));
        }
    }
    if !failed.is_empty() {
        let entities = std::mem::take(&mut crawl.entities);
        crawl.entities.reserve(entities.len() - failed.len().min(entities.len()));
        for (i, entity) in entities.into_iter().enumerate() {
            match failed.remove(&i) {
                Some(reason) => crawl.rejected.push(entity.rejected(reason)),
                None => crawl.entities.push(entity),
            }
        }
    }
    crawl
}

/// The files the targets of one Location name, or why the Location fails
/// (each failing target is a problem; the first one is the reason).
/// `early` is each target expanded with at least the budget it has here.
fn follow<E>(
    pending: &Pending,
    targets: &[super::catalog_file::LocationTarget],
    early: Vec<Expanded>,
    root: &Path,
    crawl: &mut Crawl<E>,
    queued: usize,
) -> Result<Vec<(PathBuf, Pos)>, String> {
    let display = pending.path.display().to_string();
    let base = pending.path.parent().unwrap_or(Path::new("/"));
    let mut files = Vec::new();
    let mut reason = None;
    for (target, early) in targets.iter().zip(early) {
        let budget = MAX_FILES.saturating_sub(crawl.files + queued + files.len());
        let expanded = if still_holds(target, &early, budget) { early } else { expand(target, base, root, budget) };
        let outcome = outcome(&expanded);
        crawl.expansions.push(Expansion { target: target.clone(), base: base.to_path_buf(), budget, outcome });
        match expanded {
            Expanded::Files(found) => files.extend(found.into_iter().map(|f| (f, target.pos))),
            Expanded::Skipped(why) => crawl.problems.push(
                Problem::warning(format!("Location target `{}` {why}", target.target)).in_file(&display).at(target.pos),
            ),
            Expanded::Failed(why) => {
                let message = format!("Location target `{}` {why}", target.target);
                reason.get_or_insert_with(|| format!("not stored: {message}"));
                let tail = "; the catalog stores neither this Location nor anything it names";
                crawl.problems.push(Problem::error(format!("{message}{tail}")).in_file(&display).at(target.pos));
            }
        }
    }
    match reason {
        Some(why) => Err(why),
        None => Ok(files),
    }
}

/// Whether `early`, `target` expanded with a budget of at least `budget`
/// files, is what expanding it with `budget` gives: only a glob's walk
/// depends on its budget, and only when it reaches it (or fails, which may
/// be at the budget).
fn still_holds(target: &super::catalog_file::LocationTarget, early: &Expanded, budget: usize) -> bool {
    !is_glob(&target.target) || matches!(early, Expanded::Files(found) if found.len() < budget)
}

/// Queues the files a stored Location at `at` names, once each, up to
/// [`MAX_FILES`]; a file that includes itself again is a warning.
fn queue<E>(
    pending: &Pending,
    at: usize,
    found: Vec<(PathBuf, Pos)>,
    seen: &mut HashSet<PathBuf>,
    crawl: &mut Crawl<E>,
    level: &mut Vec<Pending>,
) {
    let display = pending.path.display().to_string();
    let mut chain = (*pending.chain).clone();
    chain.push(pending.path.clone());
    let chain = Arc::new(chain);
    for (path, pos) in found {
        if chain.contains(&path) {
            crawl.problems.push(
                Problem::warning(format!(
                    "Location cycle: `{display}` includes `{}`, which includes it again; not following it",
                    path.display()
                ))
                .in_file(&display)
                .at(pos),
            );
            continue;
        }
        if crawl.files + level.len() >= MAX_FILES {
            let message = format!("more than {MAX_FILES} files through Location fan-out; stopping here");
            crawl.problems.push(Problem::error(message).in_file(&display).at(pos));
            return;
        }
        if seen.insert(path.clone()) {
            let next = Pending { path, origin: pending.origin.clone(), chain: chain.clone(), parent: Some(at) };
            level.push(next);
        }
    }
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    normalize(&joined)
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

    fn names(entities: &[ReadEntity]) -> Vec<&str> {
        let mut names: Vec<&str> = entities.iter().map(|e| e.entity.name()).collect();
        names.sort();
        names
    }

    fn rejected(crawl: &Crawl) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> =
            crawl.rejected.iter().map(|r| (r.read.entity.name(), r.reason.as_str())).collect();
        out.sort();
        out
    }

    #[test]
    fn follows_targets_globs_and_reports_cycles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root = write(d, "all.yaml", &location("all", &["./teams/*.yaml", "./nested/loc.yaml"]));
        write(d, "teams/a.yaml", &group("a"));
        write(d, "teams/b.yaml", &group("b"));
        write(d, "nested/loc.yaml", &location("nested", &["../all.yaml", "./c.yaml"]));
        write(d, "nested/c.yaml", &group("c"));
        let crawl = crawl(vec![Root::file(root.clone())], d, &|_| {});
        assert_eq!(names(&crawl.entities), vec!["a", "all", "b", "c", "nested"]);
        assert_eq!(crawl.files, 5);
        let messages: Vec<&str> = crawl.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("Location cycle"), "{messages:?}");
        let origin = file_location(&root);
        assert!(crawl.entities.iter().all(|e| {
            e.entity.annotation(crate::model::entity::MANAGED_BY_ORIGIN_LOCATION) == Some(origin.as_str())
        }));
    }

    /// Rule 2: one missing required target fails the Location; nothing it
    /// names is stored, its siblings in its own file are.
    #[test]
    fn a_missing_target_fails_the_location_and_what_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let text = location("loc", &["./a.yaml", "./missing.yaml"])
            + "---
" + &group("sibling");
        let root = write(d, "all.yaml", &text);
        write(d, "a.yaml", &group("a"));
        let crawl = crawl(vec![Root::file(root)], d, &|_| {});
        assert_eq!(names(&crawl.entities), ["sibling"]);
        let why = rejected(&crawl);
        assert_eq!(why.len(), 1, "{why:?}");
        assert_eq!(why[0].0, "loc");
        assert!(why[0].1.contains("`./missing.yaml` does not exist"), "{why:?}");
        assert_eq!(crawl.files, 1, "the other target is not read either");
        let problem = &crawl.problems[0];
        assert_eq!((problem.severity, problem.pos.map(|p| p.line)), (crate::model::Severity::Error, Some(5)));
    }

    /// A file the Location reads that cannot be used whole (a YAML error, a
    /// document that is not an entity) fails that Location: every file it
    /// names is dropped, deeper Locations are not followed.
    #[test]
    fn a_broken_file_fails_the_location_that_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let root = write(
            d,
            "all.yaml",
            &(location("top", &["./mid.yaml"])
                + "---
" + &group("kept")),
        );
        write(d, "mid.yaml", &location("mid", &["./good.yaml", "./bad.yaml", "./deeper.yaml"]));
        write(d, "good.yaml", &group("good"));
        write(
            d,
            "bad.yaml",
            &(group("in-bad")
                + "---
kind: [oops
"),
        );
        write(d, "deeper.yaml", &location("deeper", &["./never.yaml"]));
        write(d, "never.yaml", &group("never"));
        let crawl = crawl(vec![Root::file(root)], d, &|_| {});
        assert_eq!(names(&crawl.entities), ["kept", "top"]);
        let why = rejected(&crawl);
        let names: Vec<&str> = why.iter().map(|w| w.0).collect();
        assert_eq!(names, ["deeper", "good", "in-bad", "mid"]);
        assert!(why.iter().all(|w| w.1.contains("bad.yaml")), "{why:?}");
        assert_eq!(crawl.files, 5, "never.yaml is not read");
        let broken = write(
            d,
            "broken.yaml",
            &(group("lost")
                + "---
- not an entity
"),
        );
        let alone = super::crawl(vec![Root::file(broken)], d, &|_| {});
        assert!(alone.entities.is_empty());
        assert!(rejected(&alone)[0].1.contains("cannot be used whole"), "{:?}", rejected(&alone));
    }

    /// Rules 4 and 5 through a crawl: a relative `url` target and a glob
    /// matching a directory each drop their Location and its entities.
    #[test]
    fn relative_url_targets_and_globs_matching_folders_fail() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let url = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: by-url}\n\
                   spec: {type: url, target: ./g/a.yaml}\n";
        let text = [url, &location("globbed", &["./g/*.yaml"]), &location("dotted", &["./h/*.yaml"])].join("---\n");
        let root = write(d, "all.yaml", &text);
        write(d, "g/a.yaml", &group("a"));
        std::fs::create_dir_all(d.join("g/folder.yaml")).unwrap();
        write(d, "h/.hidden.yaml", &group("hidden"));
        write(d, "h/shown.yaml", &group("shown"));
        let crawl = crawl(vec![Root::file(root)], d, &|_| {});
        assert_eq!(names(&crawl.entities), ["dotted", "shown"]);
        let why = rejected(&crawl);
        assert_eq!(why.iter().map(|w| w.0).collect::<Vec<_>>(), ["by-url", "globbed"]);
        assert!(why[0].1.contains("not an absolute URL") && why[1].1.contains("EISDIR"), "{why:?}");
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

    /// A target expanded early, with more budget than it has when it is
    /// followed, is expanded again only where the budget could matter.
    #[test]
    fn an_early_expansion_is_redone_only_where_the_budget_could_change_it() {
        use super::super::catalog_file::LocationTarget;
        let target = |text: &str| LocationTarget {
            kind: "file".into(),
            target: text.into(),
            optional: false,
            pos: Pos { line: 1, col: 1 },
        };
        let files = |n: usize| Expanded::Files((0..n).map(|i| PathBuf::from(format!("/r/{i}.yaml"))).collect());
        let failed = Expanded::Failed("matches more than 3 files; stopped there".into());
        assert!(still_holds(&target("./a.yaml"), &files(1), 0), "a plain path has no walk");
        assert!(still_holds(&target("./a.yaml"), &failed, 0));
        assert!(still_holds(&target("./*.yaml"), &files(2), 3));
        assert!(!still_holds(&target("./*.yaml"), &files(3), 3), "the walk would stop at the budget");
        assert!(!still_holds(&target("./**/x.yaml"), &failed, 3));
        assert!(!still_holds(&target("./[ab].yaml"), &files(5), 3));
    }

    #[test]
    fn optional_targets_may_be_missing() {
        let dir = tempfile::tempdir().unwrap();
        let text = location("all", &["./nope.yaml"]) + "  presence: optional\n";
        let root = write(dir.path(), "all.yaml", &text);
        let crawl = crawl(vec![Root::file(root)], dir.path(), &|_| {});
        assert!(crawl.problems.is_empty(), "{:?}", crawl.problems);
    }

    #[cfg(unix)]
    #[test]
    fn targets_stay_inside_the_source_root() {
        let dir = tempfile::tempdir().unwrap();
        let (outside, repo) = (dir.path(), dir.path().join("repo"));
        write(outside, "secret.yaml", &group("outsider"));
        write(&repo, "team.yaml", &group("insider"));
        std::os::unix::fs::symlink(outside.join("secret.yaml"), repo.join("link.yaml")).unwrap();
        let escapes = ["../secret.yaml", "./link.yaml", "../**/*.yaml", "/proc/self/environ", "/**/*.yaml"];
        let mut text = location("inside", &["./team.yaml"]);
        for (i, target) in escapes.iter().enumerate() {
            text += &format!("---\n{}", location(&format!("escape-{i}"), &[target]));
        }
        let root = write(&repo, "all.yaml", &text);
        let crawl = crawl(vec![Root::file(root)], &repo, &|_| {});
        assert_eq!(names(&crawl.entities), ["inside", "insider"]);
        let why = rejected(&crawl);
        assert_eq!(why.len(), escapes.len(), "{why:?}");
        assert!(why.iter().all(|w| w.1.contains("source root")), "{why:?}");
        assert_eq!(crawl.files, 2, "nothing outside is read");
    }
}
