//! Opening an entity's docs: locate them, read the site (local, cloned or
//! remote), and read one page's Markdown. All blocking: call from effects
//! and CLI commands.

use std::path::Path;

use crate::config::RemoteConfig;
use crate::index::Index;

use super::DocsError;
use super::locate::{Located, locate};
use super::mkdocs::{read_limited, read_site};
use super::remote::{RemoteRequest, fetch_site};
use super::site::{PageSource, Site};

/// Largest page read.
pub const MAX_PAGE_BYTES: u64 = 16 << 20;

/// An entity's docs, ready to read.
#[derive(Debug, Clone)]
pub struct OpenDocs {
    /// The entity asked for.
    pub entity: u32,
    /// The entity whose docs these are (differs after a techdocs-entity redirect).
    pub owner: u32,
    /// Where they came from.
    pub located: Located,
    /// The site.
    pub site: Site,
}

/// What opening docs needs besides the index.
#[derive(Clone, Copy)]
pub struct OpenContext<'a> {
    /// Cache dir (git clones, fetched remote docs).
    pub cache_dir: &'a Path,
    /// The config of a remote catalog source, by source name (its token,
    /// `ca_file` and timeout apply to fetching its docs).
    pub remote: &'a dyn Fn(&str) -> Option<RemoteConfig>,
}

/// The configs of the workspace's `backstage:` sources.
pub fn workspace_remotes(ws: &crate::workspace::Workspace) -> impl Fn(&str) -> Option<RemoteConfig> + '_ {
    move |name: &str| {
        ws.config.sources.iter().find(|s| s.name == name).and_then(|s| match &s.kind {
            crate::config::SourceKind::Backstage(remote) => Some(remote.clone()),
            _ => None,
        })
    }
}

/// Locates and reads the docs of entity `i`.
pub fn open(index: &Index, i: u32, ctx: OpenContext<'_>) -> Result<OpenDocs, DocsError> {
    let (owner, located) = locate(index, i, ctx.cache_dir)?;
    let site = match &located {
        Located::Local(local) => read_site(&local.root, &local.site_dir)?,
        Located::Remote(remote) => fetch_site(&RemoteRequest {
            config: &(ctx.remote)(&remote.source).unwrap_or_else(|| RemoteConfig::new(&remote.base_url)),
            namespace: &remote.namespace,
            kind: &remote.kind,
            name: &remote.name,
            cache_dir: ctx.cache_dir,
        })?,
    };
    if site.pages.is_empty() {
        return Err(DocsError::no_docs(format!("the docs of {} have no pages", index.ref_of(owner))));
    }
    Ok(OpenDocs { entity: i, owner, located, site })
}

/// The Markdown of page `page` (a stand-in page when the nav names a missing file).
pub fn page_text(site: &Site, page: usize) -> Result<String, DocsError> {
    let p = site.pages.get(page).ok_or_else(|| DocsError::failed(format!("no page {}", page + 1)))?;
    match &p.source {
        PageSource::File(path) | PageSource::Cached(path) => read_limited(path, MAX_PAGE_BYTES)
            .map_err(|e| DocsError::failed(format!("cannot read {}: {e}", path.display()))),
        PageSource::Missing(rel) => Ok(format!(
            "# {}\n\n!!! warning \"Missing page\"\n    `{rel}` is named in the nav but is not in the docs folder.\n",
            p.title.replace('#', "")
        )),
    }
}
