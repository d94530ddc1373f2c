//! Sources of entities: catalog files, local directories and git
//! repositories. Each yields entities with provenance plus problems; a
//! source that cannot be read at all is an error for that source only.

pub mod catalog_file;
pub mod dir;
pub mod fanout;
pub mod git;
pub mod placeholders;
pub mod read;

use std::path::{Path, PathBuf};

use crate::config::{SourceConfig, SourceKind};
use crate::model::Problem;

pub use catalog_file::ReadEntity;

/// What reading one source produced.
#[derive(Debug, Default)]
pub struct SourceOutput {
    /// Entities read.
    pub entities: Vec<ReadEntity>,
    /// Problems found (the source still counts as read).
    pub problems: Vec<Problem>,
    /// Files read.
    pub files: usize,
}

/// What reading a source needs besides its config.
pub struct ReadContext<'a> {
    /// Where git checkouts live.
    pub cache_dir: &'a Path,
    /// File-name patterns for `dir` and `git` sources.
    pub patterns: &'a [String],
    /// Called with the number of files read so far.
    pub progress: &'a (dyn Fn(usize) + Sync),
}

/// Reads one source. `Err` means the source could not be read at all (its
/// previous entities should be kept).
pub fn read_source(source: &SourceConfig, ctx: &ReadContext<'_>) -> Result<SourceOutput, String> {
    let crawl = match &source.kind {
        SourceKind::Dir(dir) => read_dir(dir, ctx)?,
        SourceKind::File(file) => {
            if !file.is_file() {
                return Err(format!("catalog file {} does not exist", file.display()));
            }
            let file = std::path::absolute(file).map_err(|e| e.to_string())?;
            let sandbox = repo_root(&file);
            fanout::crawl(vec![fanout::Root::file(file)], &sandbox, ctx.progress)
        }
        SourceKind::Git { url, branch } => {
            let checkout = git::sync_checkout(ctx.cache_dir, url, branch.as_deref())?;
            read_dir(&checkout, ctx)?
        }
    };
    let problems = crawl.problems.into_iter().map(|p| p.from_source(&source.name)).collect();
    Ok(SourceOutput { entities: crawl.entities, problems, files: crawl.files })
}

fn read_dir(dir: &Path, ctx: &ReadContext<'_>) -> Result<fanout::Crawl, String> {
    if !dir.is_dir() {
        return Err(format!("directory {} does not exist", dir.display()));
    }
    let dir = std::path::absolute(dir).map_err(|e| e.to_string())?;
    let patterns = dir::pattern_set(ctx.patterns)?;
    let roots = dir::find_catalog_files(&dir, &patterns).into_iter().map(fanout::Root::file).collect();
    Ok(fanout::crawl(roots, &dir, ctx.progress))
}

/// The folder placeholders may read in: the enclosing git work tree, or
/// else the file's own folder.
pub fn repo_root(file: &Path) -> PathBuf {
    let folder = file.parent().unwrap_or(Path::new("/"));
    folder.ancestors().find(|a| a.join(".git").exists()).unwrap_or(folder).to_path_buf()
}
