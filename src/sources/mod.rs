//! Sources of entities: catalog files, local directories and git
//! repositories. Each yields entities with provenance plus problems; a
//! source that cannot be read at all is an error for that source only.

pub mod carry;
pub mod catalog_file;
pub mod depends;
pub mod dir;
pub mod fanout;
pub mod git;
pub mod login;
pub mod placeholders;
pub mod read;
pub mod registered;
pub mod remote;
pub mod targets;

use std::path::{Path, PathBuf};

use crate::config::{SourceConfig, SourceKind};
use crate::model::Problem;

pub use catalog_file::{ReadEntity, RejectedEntity};

/// What reading one source produced: entities as read, or in the compact
/// form a sync keeps ([`fanout::Compacted`]).
#[derive(Debug)]
pub struct SourceOutput<E = ReadEntity> {
    /// Entities read.
    pub entities: Vec<E>,
    /// Entities read that the catalog would not store, with the reason.
    pub rejected: Vec<RejectedEntity>,
    /// Problems found (the source still counts as read).
    pub problems: Vec<Problem>,
    /// Files read.
    pub files: usize,
    /// Remote sources: uids unchanged since the previous index, whose
    /// entities are carried over from it.
    pub kept: Vec<String>,
    /// Remote sources: the validator of the uid/etag listing these
    /// entities match exactly, when the server gave one.
    pub listing: Option<String>,
    /// Local sources: every file the read depended on (`None` for remote
    /// sources).
    pub depends: Option<depends::SourceFiles>,
    /// Local sources: nothing the previous read depended on changed, so
    /// nothing was read; the source's entities, problems and rejected
    /// entities are those of the previous index.
    pub unchanged: bool,
    /// Local sources: of the `files` read, how many were carried over
    /// unchanged from the previous read rather than parsed.
    pub carried: usize,
}

impl<E> Default for SourceOutput<E> {
    fn default() -> Self {
        SourceOutput {
            entities: Vec::new(),
            rejected: Vec::new(),
            problems: Vec::new(),
            files: 0,
            kept: Vec::new(),
            listing: None,
            depends: None,
            unchanged: false,
            carried: 0,
        }
    }
}

impl SourceOutput {
    /// The output with every entity made `compact`, in parallel.
    pub fn compacted<E: fanout::Compacted>(self, compact: &(dyn Fn(ReadEntity) -> E + Sync)) -> SourceOutput<E> {
        use rayon::prelude::*;
        let SourceOutput { entities, rejected, problems, files, kept, listing, depends, unchanged, carried } = self;
        let entities = entities.into_par_iter().map(compact).collect();
        SourceOutput { entities, rejected, problems, files, kept, listing, depends, unchanged, carried }
    }
}

/// Progress of reading one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Items done so far.
    pub done: usize,
    /// Items expected, when known.
    pub total: Option<usize>,
    /// What is counted: `files` or `entities`.
    pub unit: &'static str,
}

/// What reading a source needs besides its config.
pub struct ReadContext<'a> {
    /// Where git checkouts live.
    pub cache_dir: &'a Path,
    /// File-name patterns for `dir` and `git` sources.
    pub patterns: &'a [String],
    /// Called as the source is read.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Remote sources: what the previous index holds (uid → etag).
    pub known: Option<&'a remote::Known<'a>>,
    /// Remote sources: the validator of the listing `known` matches.
    pub listing: Option<&'a str>,
    /// Remote sources: fetch everything, ignoring `known`.
    pub full: bool,
    /// Local sources: what the previous read depended on; when none of it
    /// changed, the source is not read again ([`SourceOutput::unchanged`]).
    pub previous: Option<&'a depends::SourceFiles>,
}

/// Reads one source. `Err` means the source could not be read at all (its
/// previous entities should be kept).
pub fn read_source(source: &SourceConfig, ctx: &ReadContext<'_>) -> Result<SourceOutput, String> {
    read_source_into(source, ctx, &|read| read, None)
}

/// [`read_source`], each entity made `compact` as soon as it is read. With
/// `stored` (the entities the previous read stored) and
/// [`ReadContext::previous`], the files of a local source unchanged since
/// that read are carried over, not parsed.
pub fn read_source_into<E: fanout::Compacted>(
    source: &SourceConfig,
    ctx: &ReadContext<'_>,
    compact: &(dyn Fn(ReadEntity) -> E + Sync),
    stored: Option<&dyn carry::Stored<E>>,
) -> Result<SourceOutput<E>, String> {
    let files = |n: usize| (ctx.progress)(Progress { done: n, total: None, unit: "files" });
    let (roots, root, capped) = match &source.kind {
        SourceKind::Dir(dir) => dir_roots(dir, ctx)?,
        SourceKind::File(file) => {
            if !file.is_file() {
                return Err(format!("catalog file {} does not exist", file.display()));
            }
            let file = std::path::absolute(file).map_err(|e| e.to_string())?;
            (vec![file.clone()], repo_root(&file), None)
        }
        SourceKind::Git { url, branch } => {
            let checkout = git::sync_checkout(ctx.cache_dir, url, branch.as_deref())?;
            dir_roots(&checkout, ctx)?
        }
        SourceKind::Backstage(config) => {
            let out = remote::read_into(config, ctx.known, ctx.listing, ctx.full, ctx.progress, compact)?;
            let problems = out.problems.into_iter().map(|p| p.from_source(&source.name)).collect();
            return Ok(SourceOutput { problems, ..out });
        }
    };
    if let Some(same) = ctx.previous.and_then(|p| p.unchanged(&root, &roots)) {
        let files = same.files.len();
        return Ok(SourceOutput { files, depends: Some(same), unchanged: true, ..SourceOutput::default() });
    }
    let started = depends::now_nanos();
    let origins = roots.iter().cloned().map(fanout::Root::file).collect();
    let cache = match (ctx.previous, stored) {
        (Some(previous), Some(stored)) if previous.root == root => Some(carry::FileCache::new(previous, stored)),
        _ => None,
    };
    let mut crawl = fanout::crawl_with(origins, &root, &files, compact, cache.as_ref());
    if let Some(problem) = capped {
        crawl.problems.push(problem);
    }
    let depends = depends::SourceFiles {
        root,
        roots,
        files: std::mem::take(&mut crawl.entries),
        expansions: std::mem::take(&mut crawl.expansions),
        started,
        entities: crawl.entities.len(),
    };
    let problems = crawl.problems.into_iter().map(|p| p.from_source(&source.name)).collect();
    Ok(SourceOutput {
        entities: crawl.entities,
        rejected: crawl.rejected,
        problems,
        files: crawl.files,
        carried: crawl.carried,
        depends: Some(depends),
        ..SourceOutput::default()
    })
}

/// The catalog files under `dir` (Location targets stay inside it), the
/// folder itself, and a problem when the walk stopped at the file cap.
fn dir_roots(dir: &Path, ctx: &ReadContext<'_>) -> Result<(Vec<PathBuf>, PathBuf, Option<Problem>), String> {
    if !dir.is_dir() {
        return Err(format!("directory {} does not exist", dir.display()));
    }
    let dir = std::path::absolute(dir).map_err(|e| e.to_string())?;
    let patterns = dir::pattern_set(ctx.patterns)?;
    let roots = dir::find_catalog_files(&dir, &patterns);
    let capped = (roots.len() >= fanout::MAX_FILES).then(|| {
        let message =
            format!("more than {} catalog files under {}; reading the first", fanout::MAX_FILES, dir.display());
        Problem::error(message).in_file(dir.display().to_string())
    });
    Ok((roots, dir, capped))
}

/// The root a catalog file's Location targets and placeholders stay in: the
/// enclosing git work tree, or else the file's own folder.
pub fn repo_root(file: &Path) -> PathBuf {
    let folder = file.parent().unwrap_or(Path::new("/"));
    folder.ancestors().find(|a| a.join(".git").exists()).unwrap_or(folder).to_path_buf()
}
