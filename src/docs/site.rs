//! A docs site as stagehand reads it: pages in reading order, the nav tree
//! over them, and how a link in one page finds another.

use std::path::{Path, PathBuf};

/// Where a page's text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageSource {
    /// A Markdown file on disk (already confined to the source root).
    File(PathBuf),
    /// A page of a remote site: Markdown converted from its built HTML,
    /// cached at this path.
    Cached(PathBuf),
    /// Named by the nav, but not there.
    Missing(String),
}

/// One page of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The title shown in the nav.
    pub title: String,
    /// The page's path in the built site's URL space, e.g.
    /// `versions/v1/reference.md` (monorepo sub-sites are prefixed with
    /// their `site_name`, as the monorepo plugin does). Links resolve
    /// against it.
    pub path: String,
    /// Where its text is read from.
    pub source: PageSource,
}

/// One entry of the nav tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavNode {
    /// A page: an index into [`Site::pages`].
    Page(usize),
    /// A titled section with children.
    Section {
        /// The section title.
        title: String,
        /// What is inside.
        children: Vec<NavNode>,
    },
    /// A link out of the site.
    External {
        /// The title.
        title: String,
        /// The URL.
        url: String,
    },
}

/// A whole docs site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// `site_name`.
    pub title: String,
    /// `site_description`, if any.
    pub description: Option<String>,
    /// Every page, in reading order (the nav flattened).
    pub pages: Vec<Page>,
    /// The nav tree.
    pub nav: Vec<NavNode>,
    /// Things that were skipped or odd (missing includes, refused paths).
    pub notes: Vec<String>,
}

/// A link target inside a site: a page and maybe a heading anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The page index.
    pub page: usize,
    /// The anchor (`#section`), without the `#`.
    pub anchor: Option<String>,
}

/// What a link in a page points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A page of this site (or an anchor on the current page).
    Internal(Target),
    /// An http(s) or mailto URL.
    External(String),
    /// A relative link this site has no page for (an image, a file).
    Unresolved(String),
}

impl Site {
    /// The page whose site path is `path` (exact match).
    pub fn page_by_path(&self, path: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.path == path)
    }

    /// Finds a page by what a user typed: a site path (`code/code-sample.md`,
    /// with or without `.md`), a title, or a 1-based number.
    pub fn find_page(&self, wanted: &str) -> Option<usize> {
        let wanted = wanted.trim().trim_start_matches("./").trim_start_matches('/');
        if let Ok(n) = wanted.parse::<usize>() {
            return (n >= 1 && n <= self.pages.len()).then(|| n - 1);
        }
        let lower = wanted.to_lowercase();
        let candidates = [lower.clone(), format!("{lower}.md"), format!("{}/index.md", lower.trim_end_matches('/'))];
        self.pages
            .iter()
            .position(|p| candidates.contains(&p.path.to_lowercase()))
            .or_else(|| self.pages.iter().position(|p| p.title.to_lowercase() == lower))
    }

    /// The nav tree flattened to the pages it lists, in order, with depth.
    pub fn nav_lines(&self) -> Vec<(usize, &NavNode)> {
        fn walk<'a>(nodes: &'a [NavNode], depth: usize, out: &mut Vec<(usize, &'a NavNode)>) {
            for node in nodes {
                out.push((depth, node));
                if let NavNode::Section { children, .. } = node {
                    walk(children, depth + 1, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.nav, 0, &mut out);
        out
    }

    /// Resolves a link written in page `from` (`sub-page.md`, `../x/`,
    /// `#anchor`, `https://...`).
    pub fn resolve_link(&self, from: usize, href: &str) -> LinkTarget {
        let href = href.trim();
        if is_external(href) {
            return LinkTarget::External(href.to_string());
        }
        let (path, anchor) = match href.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (href, None),
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.is_empty() {
            return LinkTarget::Internal(Target { page: from, anchor });
        }
        let base = self.pages.get(from).map_or("", |p| p.path.as_str());
        let joined = join_site_path(base, path);
        let candidates = link_candidates(&joined);
        match self.pages.iter().position(|p| candidates.iter().any(|c| c.eq_ignore_ascii_case(&p.path))) {
            Some(page) => LinkTarget::Internal(Target { page, anchor }),
            None => LinkTarget::Unresolved(href.to_string()),
        }
    }
}

/// Whether a link leaves the site.
pub fn is_external(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "ftp://", "//"].iter().any(|p| lower.starts_with(p))
}

/// Joins a relative link to the folder of `base` (a site path), resolving
/// `.` and `..` lexically; `..` never climbs above the site root.
pub fn join_site_path(base: &str, link: &str) -> String {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
        p.pop();
        p
    };
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The page paths a built-site link may mean: `x.md`, `x/` (pretty URLs),
/// `x/index.md`, `x/README.md`, `x.html`.
fn link_candidates(path: &str) -> Vec<String> {
    let trimmed = path.trim_end_matches('/');
    let mut out = vec![path.to_string()];
    if let Some(stem) = trimmed.strip_suffix(".html") {
        out.push(format!("{stem}.md"));
        if stem.ends_with("index") {
            out.push(format!("{}README.md", stem.trim_end_matches("index")));
        }
    } else if !trimmed.ends_with(".md") {
        out.push(format!("{trimmed}.md"));
        let dir = if trimmed.is_empty() { String::new() } else { format!("{trimmed}/") };
        out.push(format!("{dir}index.md"));
        out.push(format!("{dir}README.md"));
    }
    out
}

/// A page path relative to a folder, with `/` separators.
pub fn relative_path(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str) -> Page {
        Page { title: path.into(), path: path.into(), source: PageSource::Missing(path.into()) }
    }

    fn site() -> Site {
        Site {
            title: "t".into(),
            pages: vec![
                page("index.md"),
                page("sub-page.md"),
                page("code/code-sample.md"),
                page("versions/v1/reference.md"),
            ],
            ..Site::default()
        }
    }

    #[test]
    fn links_resolve_relative_to_the_page() {
        let s = site();
        assert_eq!(s.resolve_link(0, "sub-page.md"), LinkTarget::Internal(Target { page: 1, anchor: None }));
        assert_eq!(
            s.resolve_link(2, "../sub-page.md#details"),
            LinkTarget::Internal(Target { page: 1, anchor: Some("details".into()) })
        );
        assert_eq!(s.resolve_link(1, "#x"), LinkTarget::Internal(Target { page: 1, anchor: Some("x".into()) }));
        assert_eq!(
            s.resolve_link(0, "./versions/v1/reference.md").clone(),
            LinkTarget::Internal(Target { page: 3, anchor: None })
        );
        assert_eq!(s.resolve_link(0, "code/code-sample/"), LinkTarget::Internal(Target { page: 2, anchor: None }));
        assert_eq!(s.resolve_link(0, "https://x.io"), LinkTarget::External("https://x.io".into()));
        assert_eq!(s.resolve_link(0, "images/logo.svg"), LinkTarget::Unresolved("images/logo.svg".into()));
        assert_eq!(
            s.resolve_link(3, "../../../../../index.md"),
            LinkTarget::Internal(Target { page: 0, anchor: None })
        );
    }

    #[test]
    fn pages_are_found_by_path_title_or_number() {
        let s = site();
        assert_eq!(s.find_page("sub-page"), Some(1));
        assert_eq!(s.find_page("code/code-sample.md"), Some(2));
        assert_eq!(s.find_page("2"), Some(1));
        assert_eq!(s.find_page("nope"), None);
    }
}
