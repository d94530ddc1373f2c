//! Docs built and served by a TechDocs backend.
//!
//! The built site lives at `{base}/api/techdocs/static/docs/{ns}/{kind}/{name}/`
//! (MkDocs output: `index.html` and one folder per page); its metadata at
//! `{base}/api/techdocs/metadata/techdocs/{ns}/{kind}/{name}` (`site_name`,
//! `site_description`, `build_timestamp`, sometimes `files`). The metadata
//! has no nav: the nav comes from the built pages' primary nav (material
//! theme), else from the metadata's file list. Every page's article is
//! converted to Markdown and cached under the cache dir, so the docs read
//! offline, and the cache is reused while `build_timestamp` is unchanged.
//! Requests go through the catalog sync's [`Client`]: the source's token,
//! `ca_file` and `timeout`, retries with backoff, and messages that say
//! what to do. Blocking: call it from an effect or a CLI command, never
//! the UI thread.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::config::RemoteConfig;
use crate::sources::remote::client::{Client, Failure};

use super::DocsError;
use super::html::read_built_page;
use super::site::{NavNode, Page, PageSource, Site, is_external, join_site_path};

/// Most pages fetched from one site.
const MAX_PAGES: usize = 300;
/// Largest page fetched.
const MAX_PAGE_BYTES: u64 = 16 << 20;

/// What fetching a remote site needs.
#[derive(Debug, Clone)]
pub struct RemoteRequest<'a> {
    /// The backend: base URL, token source, `ca_file`, timeout.
    pub config: &'a RemoteConfig,
    /// Entity namespace.
    pub namespace: &'a str,
    /// Entity kind.
    pub kind: &'a str,
    /// Entity name.
    pub name: &'a str,
    /// The cache dir (docs go under `techdocs/` there).
    pub cache_dir: &'a Path,
}

/// What the cache keeps of a fetched site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CachedSite {
    title: String,
    description: Option<String>,
    build: Option<String>,
    /// (title, site path, cached file name).
    pages: Vec<(String, String, String)>,
    /// (depth, title, page index or none, external URL).
    nav: Vec<(usize, String, Option<usize>, Option<String>)>,
}

/// The metadata endpoint's answer (fields TechDocs writes).
#[derive(Debug, Default, Deserialize)]
struct Metadata {
    site_name: Option<String>,
    site_description: Option<String>,
    build_timestamp: Option<serde_json::Value>,
    etag: Option<String>,
    files: Option<Vec<String>>,
}

/// Where a site is cached: `techdocs/<backend>/<namespace>/<kind>/<name>`
/// under the cache dir, each part a plain folder name (never `.` or `..`,
/// nothing but ASCII letters, digits, `-`, `_` and `.`), so no entity can
/// put its cache elsewhere.
pub fn cache_folder(req: &RemoteRequest<'_>) -> PathBuf {
    let host = sha1_smol::Sha1::from(&req.config.url).digest().to_string();
    req.cache_dir
        .join("techdocs")
        .join(&host[..12])
        .join(cache_part(req.namespace))
        .join(cache_part(req.kind))
        .join(cache_part(req.name))
}

/// One part of an entity's cache path. A part that had to change (other
/// characters, a leading dot, empty, too long) gets a hash of what it was,
/// so two entities never share a folder.
fn cache_part(text: &str) -> String {
    const MAX: usize = 100;
    let lower = text.to_lowercase();
    let mut part: String = lower
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .take(MAX)
        .collect();
    if part.is_empty() || part.starts_with('.') {
        part.insert(0, '_');
    }
    if part != lower {
        let digest = sha1_smol::Sha1::from(&lower).digest().to_string();
        part.push('~');
        part.push_str(&digest[..10]);
    }
    part
}

/// Fetches (or reuses from the cache) a remote site. When the backend
/// cannot be reached, the cached copy is used, with a note saying so.
pub fn fetch_site(req: &RemoteRequest<'_>) -> Result<Site, DocsError> {
    let folder = cache_folder(req);
    match fetch_into(req, &folder) {
        Ok(site) => Ok(site),
        Err(e) => match read_cached(&folder) {
            Some(mut site) => {
                site.notes.insert(0, format!("offline: showing the cached copy ({e})"));
                Ok(site)
            }
            None => Err(e),
        },
    }
}

/// The path of the static site folder under the base URL.
pub fn static_base(req: &RemoteRequest<'_>) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "/api/techdocs/static/docs/{}/{}/{}/",
        enc(&req.namespace.to_lowercase()),
        enc(&req.kind.to_lowercase()),
        enc(&req.name.to_lowercase())
    )
}

/// A failed request as a docs error: a 404 means the backend has no
/// built docs for the entity.
fn docs_error(req: &RemoteRequest<'_>, failure: Failure) -> DocsError {
    if failure.status == Some(StatusCode::NOT_FOUND) {
        return DocsError::no_docs(format!(
            "the TechDocs backend has no built docs for {}:{}/{} ({}); build and publish them \
             (techdocs-cli, or the backend's docs builder), or check the entity's techdocs-ref",
            req.kind.to_lowercase(),
            req.namespace.to_lowercase(),
            req.name.to_lowercase(),
            failure.message
        ));
    }
    DocsError::failed(format!("cannot fetch the docs: {}", failure.message))
}

fn fetch_into(req: &RemoteRequest<'_>, folder: &Path) -> Result<Site, DocsError> {
    let client = Client::new(req.config).map_err(|e| DocsError::failed(format!("cannot fetch the docs: {e}")))?;
    let meta_path = format!(
        "/api/techdocs/metadata/techdocs/{}/{}/{}",
        req.namespace.to_lowercase(),
        req.kind.to_lowercase(),
        req.name.to_lowercase()
    );
    let get = |path: &str| client.get_text(path, MAX_PAGE_BYTES).map_err(|e| docs_error(req, e));
    // Metadata is optional (older backends): a missing or unreadable one
    // only loses the title and the cache check.
    let meta: Metadata = match get(&meta_path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
        Err(e) if e.kind == super::ErrorKind::NoDocs => Metadata::default(),
        Err(e) => return Err(e),
    };
    let build = meta.build_timestamp.as_ref().map(|v| v.to_string()).or(meta.etag.clone());
    if let (Some(build), Some(cached)) = (&build, read_cached_raw(folder))
        && cached.build.as_ref() == Some(build)
        && let Some(site) = read_cached(folder)
    {
        return Ok(site);
    }
    let base = static_base(req);
    let index_html = get(&format!("{base}index.html"))?;
    let index = read_built_page(&index_html);
    // Site paths of the pages, in nav order.
    let mut cached = CachedSite {
        title: meta.site_name.clone().unwrap_or_else(|| index.title.clone()),
        description: meta.site_description.clone(),
        build,
        ..CachedSite::default()
    };
    let mut hrefs: Vec<(usize, String, String)> = index.nav.clone();
    if hrefs.is_empty() {
        let files = meta.files.clone().unwrap_or_default();
        hrefs = files
            .iter()
            .filter(|f| {
                f.ends_with("index.html") && !f.starts_with("search") && !f.starts_with("assets") && *f != "404.html"
            })
            .map(|f| (0, String::new(), f.trim_end_matches("index.html").to_string()))
            .collect();
        hrefs.sort_by_key(|(_, _, h)| (!h.is_empty(), h.clone()));
        if hrefs.is_empty() {
            hrefs.push((0, index.title.clone(), "./".into()));
        }
    }
    crate::index::store::create_private_dir(&folder.join("pages"))
        .map_err(|e| DocsError::failed(format!("cannot create {}: {e}", folder.display())))?;
    for (depth, title, href) in hrefs {
        if href.is_empty() {
            cached.nav.push((depth, title, None, None));
            continue;
        }
        if is_external(&href) {
            cached.nav.push((depth, title, None, Some(href)));
            continue;
        }
        let path = page_path(&href);
        if let Some(existing) = cached.pages.iter().position(|p| p.1 == path) {
            cached.nav.push((depth, title, Some(existing), None));
            continue;
        }
        if cached.pages.len() >= MAX_PAGES {
            break;
        }
        let page = if path == "index.md" {
            index.clone()
        } else {
            let folder_url = path.trim_end_matches("index.md");
            match get(&format!("{base}{folder_url}index.html")) {
                Ok(html) => read_built_page(&html),
                Err(e) => super::html::BuiltPage {
                    title: title.clone(),
                    markdown: format!("!!! failure \"Not fetched\"\n    {e}\n"),
                    nav: Vec::new(),
                },
            }
        };
        let file = format!("{}.md", cached.pages.len());
        crate::index::store::write_private(&folder.join("pages").join(&file), page.markdown.as_bytes())
            .map_err(|e| DocsError::failed(format!("cannot write the docs cache: {e}")))?;
        let title = if title.is_empty() { page.title.clone() } else { title };
        cached.nav.push((depth, title.clone(), Some(cached.pages.len()), None));
        cached.pages.push((title, path, file));
    }
    let json = serde_json::to_string_pretty(&cached).map_err(|e| DocsError::failed(e.to_string()))?;
    let tmp = folder.join("site.json.partial");
    crate::index::store::write_private(&tmp, json.as_bytes())
        .and_then(|_| std::fs::rename(&tmp, folder.join("site.json")))
        .map_err(|e| DocsError::failed(format!("cannot write the docs cache: {e}")))?;
    read_cached(folder).ok_or_else(|| DocsError::failed("the docs cache could not be read back"))
}

/// A built-site href (`./`, `ops/run/`, `x.html`) as a site page path.
fn page_path(href: &str) -> String {
    let href = href.split(['#', '?']).next().unwrap_or("");
    let joined = join_site_path("index.md", href);
    if joined.is_empty() {
        "index.md".into()
    } else if let Some(stem) = joined.strip_suffix("/index.html") {
        format!("{stem}/index.md")
    } else if joined == "index.html" {
        "index.md".into()
    } else if let Some(stem) = joined.strip_suffix(".html") {
        format!("{stem}/index.md")
    } else {
        format!("{}/index.md", joined.trim_end_matches('/'))
    }
}

fn read_cached_raw(folder: &Path) -> Option<CachedSite> {
    let text = std::fs::read_to_string(folder.join("site.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The cached copy of a site, if there is one.
pub fn read_cached(folder: &Path) -> Option<Site> {
    let cached = read_cached_raw(folder)?;
    let pages: Vec<Page> = cached
        .pages
        .iter()
        .map(|(title, path, file)| Page {
            title: title.clone(),
            path: path.clone(),
            source: PageSource::Cached(folder.join("pages").join(file.replace(['/', '\\'], "_"))),
        })
        .collect();
    let nav = nav_tree(&cached.nav, pages.len());
    Some(Site { title: cached.title, description: cached.description, pages, nav, notes: Vec::new() })
}

/// Rebuilds a nav tree from (depth, title, page, url) rows.
fn nav_tree(rows: &[(usize, String, Option<usize>, Option<String>)], pages: usize) -> Vec<NavNode> {
    fn build(
        rows: &[(usize, String, Option<usize>, Option<String>)],
        at: &mut usize,
        depth: usize,
        pages: usize,
    ) -> Vec<NavNode> {
        let mut out = Vec::new();
        while let Some((d, title, page, url)) = rows.get(*at) {
            if *d < depth {
                break;
            }
            *at += 1;
            match (page, url) {
                (Some(p), _) if *p < pages => out.push(NavNode::Page(*p)),
                (_, Some(u)) => out.push(NavNode::External { title: title.clone(), url: u.clone() }),
                _ => {
                    let children = build(rows, at, d + 1, pages);
                    out.push(NavNode::Section { title: title.clone(), children });
                }
            }
        }
        out
    }
    let mut at = 0;
    build(rows, &mut at, 0, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_paths_stay_in_the_cache_whatever_the_names() {
        let config = RemoteConfig::new("https://b.example.com");
        let cache = Path::new("/cache");
        for (namespace, kind, name) in
            [("..", "..", "../.."), (".", ".", "."), ("", "", ""), ("default", "component", "/etc/passwd")]
        {
            let req = RemoteRequest { config: &config, namespace, kind, name, cache_dir: cache };
            let folder = cache_folder(&req);
            let parts: Vec<_> = folder.strip_prefix("/cache/techdocs").unwrap().components().collect();
            assert_eq!(parts.len(), 4, "{}", folder.display());
            for part in parts {
                let std::path::Component::Normal(part) = part else { panic!("{}", folder.display()) };
                assert!(!part.to_string_lossy().starts_with('.'), "{}", folder.display());
            }
        }
        assert_eq!(cache_part("petstore"), "petstore");
        assert_ne!(cache_part("a/b"), cache_part("a_b"), "altered names do not share a folder");
    }

    #[test]
    fn hrefs_become_page_paths() {
        assert_eq!(page_path("./"), "index.md");
        assert_eq!(page_path("sub-page/"), "sub-page/index.md");
        assert_eq!(page_path("code/code-sample/#x"), "code/code-sample/index.md");
        assert_eq!(page_path("extensions.html"), "extensions/index.md");
    }

    #[test]
    fn nav_rows_nest_by_depth() {
        let rows = vec![
            (0, "Home".to_string(), Some(0), None),
            (0, "Ops".to_string(), None, None),
            (1, "Run".to_string(), Some(1), None),
            (0, "Out".to_string(), None, Some("https://x".to_string())),
        ];
        let nav = nav_tree(&rows, 2);
        assert_eq!(nav.len(), 3);
        assert!(matches!(&nav[1], NavNode::Section { children, .. } if children == &vec![NavNode::Page(1)]));
    }
}
