//! Where an entity's docs live.
//!
//! `backstage.io/techdocs-ref: dir:<path>` resolves against
//! `backstage.io/source-location` when that is a local folder (`dir:` or
//! `file:`), else against the folder of the entity's own file
//! (`backstage.io/managed-by-location`). `url:<repo tree URL>` names a git
//! repository folder: it is cloned into the cache once and reused.
//! `backstage.io/techdocs-entity` hands over to another entity's docs.
//! Entities from a remote catalog read the site its TechDocs backend built.
//!
//! Every local path must stay inside the repository (the git work tree
//! holding the entity's file) or, outside git, the source's root folder.

use std::path::{Path, PathBuf};

use crate::index::Index;
use crate::model::entity::{MANAGED_BY_LOCATION, SOURCE_LOCATION, TECHDOCS_ENTITY, TECHDOCS_REF};
use crate::model::{Entity, EntityRef};
use crate::sources::git;
use crate::sources::placeholders::{confined_path, normalize};

use super::DocsError;

/// A docs site on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDocs {
    /// Nothing outside this folder is read.
    pub root: PathBuf,
    /// The folder holding `mkdocs.yml`.
    pub site_dir: PathBuf,
}

/// A site built and served by a TechDocs backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteDocs {
    /// The name of the catalog source the entity came from (for its token).
    pub source: String,
    /// The Backstage base URL (`https://backstage.example.com`).
    pub base_url: String,
    /// Entity namespace.
    pub namespace: String,
    /// Entity kind.
    pub kind: String,
    /// Entity name.
    pub name: String,
}

/// Where an entity's docs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Markdown sources on disk (a local source or a cached clone).
    Local(LocalDocs),
    /// A built site on a TechDocs backend.
    Remote(RemoteDocs),
}

/// The parsed `backstage.io/techdocs-ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsRef {
    /// `dir:<path>`, relative to the entity's source.
    Dir(String),
    /// `url:<repository tree URL>`.
    Url(String),
}

/// Parses a techdocs-ref value; legacy `github:`/`gitlab:` prefixes are read as `url:`.
pub fn parse_ref(value: &str) -> Result<DocsRef, DocsError> {
    let value = value.trim();
    let (kind, target) = value.split_once(':').ok_or_else(|| {
        DocsError::no_docs(format!("techdocs-ref `{value}` has no type; use `dir:<path>` or `url:<URL>`"))
    })?;
    match kind {
        "dir" => Ok(DocsRef::Dir(target.trim().to_string())),
        "url" | "github" | "gitlab" | "bitbucket" | "azure/api" => Ok(DocsRef::Url(target.trim().to_string())),
        other => Err(DocsError::no_docs(format!(
            "techdocs-ref type `{other}:` is not supported; use `dir:<path>` or `url:<URL>`"
        ))),
    }
}

/// The entity whose docs `i` shows (following `backstage.io/techdocs-entity`)
/// and where they are. `cache_dir` is where git clones live.
pub fn locate(index: &Index, i: u32, cache_dir: &Path) -> Result<(u32, Located), DocsError> {
    locate_with(index, i, cache_dir, true)
}

/// As [`locate`]; with `network` false, a `url:` ref is used only when its
/// clone is already cached, and remote sites are not located.
pub fn locate_with(index: &Index, i: u32, cache_dir: &Path, network: bool) -> Result<(u32, Located), DocsError> {
    let mut current = i;
    for _ in 0..5 {
        let entity = index.entity(current).map_err(DocsError::failed)?;
        if let Some(target) = entity.annotation(TECHDOCS_ENTITY).filter(|t| !t.trim().is_empty()) {
            let parsed = EntityRef::parse_with(target.trim(), Some("Component"), entity.namespace())
                .map_err(|e| DocsError::no_docs(format!("techdocs-entity `{target}` is not a valid ref: {e}")))?;
            current = index.find(&parsed.canonical()).ok_or_else(|| {
                DocsError::no_docs(format!(
                    "{} hands its docs to {} (techdocs-entity), which is not in the catalog",
                    index.ref_of(current),
                    parsed.canonical()
                ))
            })?;
            continue;
        }
        return locate_entity(index, current, &entity, cache_dir, network).map(|l| (current, l));
    }
    Err(DocsError::no_docs(format!("techdocs-entity redirects from {} loop or nest too deep", index.ref_of(i))))
}

/// Where the docs of one entity (no redirects) are.
pub fn locate_entity(
    index: &Index,
    i: u32,
    entity: &Entity,
    cache_dir: &Path,
    network: bool,
) -> Result<Located, DocsError> {
    let summary = index.summary(i);
    let source = index.sources.get(summary.source as usize);
    if let Some(s) = source
        && !matches!(s.kind.as_str(), "dir" | "file" | "git")
        && (s.target.starts_with("https://") || s.target.starts_with("http://"))
    {
        if !network {
            return Err(DocsError::failed("remote docs are not read without the network"));
        }
        return Ok(Located::Remote(RemoteDocs {
            source: s.name.clone(),
            base_url: s.target.trim_end_matches('/').to_string(),
            namespace: summary.namespace.to_string(),
            kind: summary.kind.to_string(),
            name: summary.name.to_string(),
        }));
    }
    let value = entity.annotation(TECHDOCS_REF).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
        DocsError::no_docs(format!(
            "{} has no TechDocs: add the `{TECHDOCS_REF}: dir:.` annotation next to its mkdocs.yml",
            index.ref_of(i)
        ))
    })?;
    match parse_ref(value)? {
        DocsRef::Dir(path) => {
            let file = entity_file(entity, summary.file).ok_or_else(|| {
                DocsError::failed(format!(
                    "{} has `dir:` docs but no local file to resolve them against (no file: managed-by-location)",
                    index.ref_of(i)
                ))
            })?;
            let source_root = source.and_then(|s| source_root(&s.kind, &s.target, cache_dir));
            let root = repo_root(&file, source_root.as_deref());
            let folder = file.parent().unwrap_or(Path::new("/")).to_path_buf();
            let base = source_location_dir(entity, &folder).unwrap_or(folder);
            Ok(Located::Local(resolve_dir(&root, &base, &path)?))
        }
        DocsRef::Url(url) => Ok(Located::Local(checkout_url(&url, cache_dir, network)?)),
    }
}

/// `dir:<path>` against `base`, refused when it leaves `root`.
pub fn resolve_dir(root: &Path, base: &Path, path: &str) -> Result<LocalDocs, DocsError> {
    let refused = || {
        DocsError::refused(format!(
            "techdocs-ref `dir:{path}` leaves the repository root {}; refusing to read outside it",
            root.display()
        ))
    };
    if !normalize(base).starts_with(normalize(root)) {
        return Err(refused());
    }
    let site_dir = confined_path(base, root, if path.is_empty() { "." } else { path }).ok_or_else(refused)?;
    if !site_dir.is_dir() {
        return Err(DocsError::no_docs(format!(
            "techdocs-ref `dir:{path}` names {}, which is not a folder",
            site_dir.display()
        )));
    }
    Ok(LocalDocs { root: normalize(root), site_dir })
}

/// The entity's file: `file:` managed-by-location, else the index's record.
fn entity_file(entity: &Entity, indexed: Option<&str>) -> Option<PathBuf> {
    let from_annotation =
        entity.annotation(MANAGED_BY_LOCATION).and_then(|l| l.strip_prefix("file:")).map(|p| PathBuf::from(p.trim()));
    from_annotation.or_else(|| indexed.map(PathBuf::from)).filter(|p| p.is_absolute())
}

/// The folder a source reads: a `dir` source's folder, a `file` source's
/// folder, a `git` source's checkout.
fn source_root(kind: &str, target: &str, cache_dir: &Path) -> Option<PathBuf> {
    match kind {
        "dir" => Some(PathBuf::from(target)),
        "file" => Path::new(target).parent().map(Path::to_path_buf),
        "git" => Some(git::checkout_dir(cache_dir, target)),
        _ => None,
    }
}

/// The repository holding `file`: the enclosing git work tree, else the
/// source's root folder (when the file is inside it), else the file's folder.
fn repo_root(file: &Path, source_root: Option<&Path>) -> PathBuf {
    let folder = file.parent().unwrap_or(Path::new("/"));
    if let Some(git_root) = folder.ancestors().find(|a| a.join(".git").exists()) {
        return git_root.to_path_buf();
    }
    match source_root.map(normalize) {
        Some(root) if normalize(folder).starts_with(&root) => root,
        _ => folder.to_path_buf(),
    }
}

/// `backstage.io/source-location` when it is a local folder.
fn source_location_dir(entity: &Entity, folder: &Path) -> Option<PathBuf> {
    let value = entity.annotation(SOURCE_LOCATION)?.trim();
    let path = value.strip_prefix("dir:").or_else(|| value.strip_prefix("file:"))?;
    let path = path.strip_prefix("//").unwrap_or(path);
    Some(normalize(&folder.join(path)))
}

/// A repository tree URL split into what git needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeUrl {
    /// What to clone.
    pub clone_url: String,
    /// The branch, when the URL names one.
    pub branch: Option<String>,
    /// The folder inside the repository.
    pub path: String,
}

/// Splits `https://host/org/repo/tree/main/docs` (GitHub),
/// `.../-/tree/main/docs` (GitLab), `.../src/main/docs` (Bitbucket) or
/// `.../blob/main/docs`; any other URL is the repository itself.
pub fn parse_tree_url(url: &str) -> TreeUrl {
    let url = url.trim().trim_end_matches('/');
    for marker in ["/-/tree/", "/-/blob/", "/tree/", "/blob/", "/src/"] {
        if let Some((repo, rest)) = url.split_once(marker) {
            let (branch, path) = rest.split_once('/').unwrap_or((rest, ""));
            let branch = branch.split_once('?').map_or(branch, |(b, _)| b);
            return TreeUrl {
                clone_url: repo.to_string(),
                branch: (!branch.is_empty()).then(|| branch.to_string()),
                path: path.to_string(),
            };
        }
    }
    TreeUrl { clone_url: url.to_string(), branch: None, path: String::new() }
}

/// Clones (or reuses the cached clone of) the repository a `url:` ref names.
fn checkout_url(url: &str, cache_dir: &Path, network: bool) -> Result<LocalDocs, DocsError> {
    let tree = parse_tree_url(url);
    git::check_url(&tree.clone_url).map_err(DocsError::failed)?;
    let dir = git::checkout_dir(cache_dir, &tree.clone_url);
    let checkout = if dir.join(".git").is_dir() {
        dir
    } else if !network {
        return Err(DocsError::failed(format!("{} is not cloned yet", tree.clone_url)));
    } else {
        git::sync_checkout(cache_dir, &tree.clone_url, tree.branch.as_deref())
            .map_err(|e| DocsError::failed(format!("cannot clone {} for its docs: {e}", tree.clone_url)))?
    };
    resolve_dir(&checkout, &checkout, &tree.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_parse() {
        assert_eq!(parse_ref("dir:.").unwrap(), DocsRef::Dir(".".into()));
        assert_eq!(
            parse_ref("url:https://h/o/r/tree/main/x").unwrap(),
            DocsRef::Url("https://h/o/r/tree/main/x".into())
        );
        assert!(parse_ref("nope").is_err());
        assert!(parse_ref("s3:bucket").is_err());
    }

    #[test]
    fn tree_urls_split() {
        let t = parse_tree_url("https://github.com/backstage/backstage/tree/master/plugins/x");
        assert_eq!(t.clone_url, "https://github.com/backstage/backstage");
        assert_eq!(t.branch.as_deref(), Some("master"));
        assert_eq!(t.path, "plugins/x");
        let g = parse_tree_url("https://gitlab.com/g/r/-/tree/main/docs");
        assert_eq!((g.clone_url.as_str(), g.path.as_str()), ("https://gitlab.com/g/r", "docs"));
        assert_eq!(parse_tree_url("file:///tmp/repo").clone_url, "file:///tmp/repo");
    }

    #[test]
    fn dir_refs_stay_inside_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("svc/docs")).unwrap();
        let ok = resolve_dir(&root, &root.join("svc"), ".").unwrap();
        assert_eq!(ok.site_dir, normalize(&root.join("svc")));
        let err = resolve_dir(&root, &root.join("svc"), "../../..").unwrap_err();
        assert_eq!(err.kind, super::super::ErrorKind::Refused);
        assert!(err.message.contains("leaves the repository root"), "{}", err.message);
    }
}
