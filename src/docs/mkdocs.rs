//! Reads a local MkDocs site: `mkdocs.yaml` (preferred) or `mkdocs.yml`,
//! `docs_dir`, the `nav` tree with nested sections and monorepo includes
//! (`!include ./sub/mkdocs.yml`, `*include ./parts/*/mkdocs.yml`), or, when
//! there is no nav, the pages in folder order with `index.md`/`README.md`
//! first. No path read here leaves the source root.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::yaml::{Limits, Node, NodeValue, load_single};
use crate::sources::placeholders::{confined_path, normalize};

use super::DocsError;
use super::site::{NavNode, Page, PageSource, Site, is_external, relative_path};

/// Most pages one site may have (auto nav stops there).
const MAX_PAGES: usize = 5000;
/// How deep `!include`s may nest.
const MAX_INCLUDE_DEPTH: usize = 6;
/// Largest config file read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The config file of a site folder: `mkdocs.yaml` wins over `mkdocs.yml`.
pub fn config_file(site_dir: &Path) -> Option<PathBuf> {
    ["mkdocs.yaml", "mkdocs.yml"].iter().map(|n| site_dir.join(n)).find(|p| p.is_file())
}

/// Reads the site in `site_dir`; nothing outside `root` is read.
pub fn read_site(root: &Path, site_dir: &Path) -> Result<Site, DocsError> {
    let mut builder = Builder { root: normalize(root), pages: Vec::new(), notes: Vec::new(), stack: Vec::new() };
    let Some(config) = config_file(site_dir) else {
        let docs = site_dir.join("docs");
        if docs.is_dir() {
            let title = site_dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let nav = builder.auto_nav(&docs, &docs, "", 0);
            let mut site = builder.finish(title, None, nav);
            site.notes.insert(0, format!("no mkdocs.yml in {}: pages in folder order", site_dir.display()));
            return Ok(site);
        }
        return Err(DocsError::no_docs(format!(
            "no mkdocs.yaml, mkdocs.yml or docs/ folder in {}; the techdocs-ref points at a folder without docs",
            site_dir.display()
        )));
    };
    let sub = builder.read_config(&config)?;
    let nav = builder.sub_nav(&sub, "", 0)?;
    Ok(builder.finish(sub.name, sub.description, nav))
}

/// One parsed config file.
struct SubSite {
    dir: PathBuf,
    name: String,
    description: Option<String>,
    docs_dir: PathBuf,
    nav: Option<Node>,
}

struct Builder {
    root: PathBuf,
    pages: Vec<Page>,
    notes: Vec<String>,
    /// Config files being read, to refuse include cycles.
    stack: Vec<PathBuf>,
}

impl Builder {
    fn finish(self, title: String, description: Option<String>, nav: Vec<NavNode>) -> Site {
        Site { title, description, pages: self.pages, nav, notes: self.notes }
    }

    fn read_config(&mut self, path: &Path) -> Result<SubSite, DocsError> {
        let text = read_limited(path, MAX_CONFIG_BYTES)
            .map_err(|e| DocsError::failed(format!("cannot read {}: {e}", path.display())))?;
        let node = load_single(&text, Limits::default())
            .map_err(|e| DocsError::failed(format!("{}:{e}", path.display())))?
            .unwrap_or(Node { pos: Default::default(), value: NodeValue::Map(Vec::new()) });
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let text_of = |key: &str| node.get(key).and_then(Node::as_str).map(|s| s.trim().to_string());
        let name = text_of("site_name").filter(|s| !s.is_empty()).unwrap_or_else(|| {
            dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "docs".into())
        });
        let docs_name = text_of("docs_dir").filter(|s| !s.is_empty()).unwrap_or_else(|| "docs".into());
        let docs_dir = confined_path(&dir, &self.root, &docs_name).ok_or_else(|| {
            DocsError::refused(format!(
                "docs_dir `{docs_name}` in {} leaves the source root {}; refusing to read it",
                path.display(),
                self.root.display()
            ))
        })?;
        Ok(SubSite { dir, name, description: text_of("site_description"), docs_dir, nav: node.get("nav").cloned() })
    }

    /// The nav of one (sub-)site, its pages under `prefix`.
    fn sub_nav(&mut self, sub: &SubSite, prefix: &str, depth: usize) -> Result<Vec<NavNode>, DocsError> {
        match &sub.nav {
            Some(Node { value: NodeValue::Seq(items), .. }) => {
                let mut out = Vec::new();
                for item in items {
                    if let Some(node) = self.nav_item(sub, item, prefix, depth)? {
                        out.push(node);
                    }
                }
                Ok(out)
            }
            _ => {
                if !sub.docs_dir.is_dir() {
                    self.notes.push(format!("docs_dir {} does not exist", sub.docs_dir.display()));
                    return Ok(Vec::new());
                }
                Ok(self.auto_nav(&sub.docs_dir, &sub.docs_dir, prefix, 0))
            }
        }
    }

    fn nav_item(
        &mut self,
        sub: &SubSite,
        item: &Node,
        prefix: &str,
        depth: usize,
    ) -> Result<Option<NavNode>, DocsError> {
        match &item.value {
            NodeValue::Str(s) => self.nav_value(sub, None, s, prefix, depth),
            NodeValue::Map(entries) => {
                let Some(entry) = entries.first() else { return Ok(None) };
                let title = entry.key.trim().to_string();
                match &entry.value.value {
                    NodeValue::Str(s) => self.nav_value(sub, Some(title), s, prefix, depth),
                    NodeValue::Seq(children) => {
                        let mut kids = Vec::new();
                        for child in children {
                            if let Some(node) = self.nav_item(sub, child, prefix, depth)? {
                                kids.push(node);
                            }
                        }
                        Ok(Some(NavNode::Section { title, children: kids }))
                    }
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// A nav leaf: a page, an external link, or an include.
    fn nav_value(
        &mut self,
        sub: &SubSite,
        title: Option<String>,
        value: &str,
        prefix: &str,
        depth: usize,
    ) -> Result<Option<NavNode>, DocsError> {
        let value = value.trim();
        if let Some(target) = value.strip_prefix("!include") {
            return self.include(sub, title, target.trim(), depth).map(Some);
        }
        if let Some(pattern) = value.strip_prefix("*include") {
            return self.include_glob(sub, title, pattern.trim(), depth).map(Some);
        }
        // With the tag written unquoted (`x: !include ./a/mkdocs.yml`), the
        // YAML loader keeps only the text: a nav entry naming a config file
        // can only be an include.
        if value.ends_with("mkdocs.yml") || value.ends_with("mkdocs.yaml") {
            return self.include(sub, title, value, depth).map(Some);
        }
        if is_external(value) {
            let title = title.unwrap_or_else(|| value.to_string());
            return Ok(Some(NavNode::External { title, url: value.to_string() }));
        }
        Ok(Some(NavNode::Page(self.add_page(sub, title, value, prefix))))
    }

    fn add_page(&mut self, sub: &SubSite, title: Option<String>, rel: &str, prefix: &str) -> usize {
        let rel = rel.trim_start_matches("./");
        let path = join_prefix(prefix, rel);
        let source = match confined_path(&sub.docs_dir, &self.root, rel) {
            Some(file) if file.is_file() => PageSource::File(file),
            Some(_) => PageSource::Missing(rel.to_string()),
            None => {
                self.notes.push(format!("page `{rel}` leaves the source root; not read"));
                PageSource::Missing(rel.to_string())
            }
        };
        let title = title.filter(|t| !t.is_empty()).unwrap_or_else(|| match &source {
            PageSource::File(file) => first_heading(file).unwrap_or_else(|| title_from_name(rel)),
            _ => title_from_name(rel),
        });
        self.pages.push(Page { title, path, source });
        self.pages.len() - 1
    }

    fn include(
        &mut self,
        sub: &SubSite,
        title: Option<String>,
        target: &str,
        depth: usize,
    ) -> Result<NavNode, DocsError> {
        let Some(config) = confined_path(&sub.dir, &self.root, target) else {
            return Err(DocsError::refused(format!(
                "`!include {target}` leaves the source root {}; refusing to read it",
                self.root.display()
            )));
        };
        let config = if config.is_dir() { config_file(&config).unwrap_or(config) } else { config };
        if depth >= MAX_INCLUDE_DEPTH || self.stack.contains(&config) {
            self.notes.push(format!("`!include {target}` nests too deep or includes itself; skipped"));
            return Ok(NavNode::Section { title: title.unwrap_or_else(|| target.into()), children: Vec::new() });
        }
        if !config.is_file() {
            self.notes.push(format!("`!include {target}`: {} does not exist", config.display()));
            return Ok(NavNode::Section { title: title.unwrap_or_else(|| target.into()), children: Vec::new() });
        }
        self.stack.push(config.clone());
        let result = self.read_config(&config).and_then(|inner| {
            let prefix = inner.name.trim_matches('/').to_string();
            let children = self.sub_nav(&inner, &prefix, depth + 1)?;
            Ok(NavNode::Section { title: title.unwrap_or(inner.name), children })
        });
        self.stack.pop();
        result
    }

    fn include_glob(
        &mut self,
        sub: &SubSite,
        title: Option<String>,
        pattern: &str,
        depth: usize,
    ) -> Result<NavNode, DocsError> {
        let full = normalize(&sub.dir.join(pattern));
        if !full.starts_with(&self.root) {
            return Err(DocsError::refused(format!(
                "`*include {pattern}` leaves the source root; refusing to read it"
            )));
        }
        let mut matches: Vec<PathBuf> =
            glob::glob(&full.to_string_lossy()).map(|paths| paths.filter_map(Result::ok).collect()).unwrap_or_default();
        matches.sort();
        let mut children = Vec::new();
        for config in matches {
            let rel = relative_path(&sub.dir, &config);
            children.push(self.include(sub, None, &rel, depth)?);
        }
        Ok(NavNode::Section { title: title.unwrap_or_else(|| pattern.to_string()), children })
    }

    /// Pages of a folder: `index.md`/`README.md` first, then other Markdown
    /// files by name, then sub-folders as sections.
    fn auto_nav(&mut self, dir: &Path, docs_root: &Path, prefix: &str, depth: usize) -> Vec<NavNode> {
        let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                dirs.push(name);
            } else if name.to_ascii_lowercase().ends_with(".md") {
                files.push(name);
            }
        }
        files.sort_by_key(|n| (!matches!(n.to_ascii_lowercase().as_str(), "index.md" | "readme.md"), n.to_lowercase()));
        dirs.sort_by_key(|n| n.to_lowercase());
        let sub = SubSite {
            dir: docs_root.to_path_buf(),
            name: String::new(),
            description: None,
            docs_dir: docs_root.to_path_buf(),
            nav: None,
        };
        let mut out = Vec::new();
        for name in files {
            if self.pages.len() >= MAX_PAGES {
                break;
            }
            let rel = relative_path(docs_root, &dir.join(&name));
            out.push(NavNode::Page(self.add_page(&sub, None, &rel, prefix)));
        }
        if depth < 12 {
            for name in dirs {
                let children = self.auto_nav(&dir.join(&name), docs_root, prefix, depth + 1);
                if !children.is_empty() {
                    out.push(NavNode::Section { title: title_from_name(&name), children });
                }
            }
        }
        out
    }
}

fn join_prefix(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() { rel.to_string() } else { format!("{prefix}/{rel}") }
}

/// Reads at most `limit` bytes of a file as text (invalid UTF-8 replaced).
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit).read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The first `# Heading` of a Markdown file (outside code fences).
fn first_heading(file: &Path) -> Option<String> {
    let text = read_limited(file, 64 * 1024).ok()?;
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    Some(m) if m == marker => None,
                    None => Some(marker),
                    other => other,
                };
            }
        }
        if fence.is_none()
            && let Some(rest) = line.strip_prefix("# ")
        {
            let title = super::render::blocks::strip_heading_attrs(rest.trim()).0;
            let title = crate::model::sanitize::line(title.trim_end_matches('#').trim()).into_owned();
            return (!title.is_empty()).then_some(title);
        }
    }
    None
}

/// `billing-run.md` -> `Billing run`, as MkDocs titles pages without a heading.
pub fn title_from_name(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let spaced = stem.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn titles(site: &Site) -> Vec<(String, String)> {
        site.pages.iter().map(|p| (p.title.clone(), p.path.clone())).collect()
    }

    #[test]
    fn mkdocs_yaml_wins_and_nav_is_kept_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "mkdocs.yml", "site_name: Old\n");
        write(
            d,
            "mkdocs.yaml",
            "site_name: New\nnav:\n  - Home: index.md\n  - Guide:\n    - b.md\n    - A: a.md\n  - Ext: https://x.io\n",
        );
        write(d, "docs/index.md", "# Welcome\n");
        write(d, "docs/a.md", "# A page\n");
        write(d, "docs/b.md", "```\n# not a title\n```\n# Bee\n");
        let site = read_site(d, d).unwrap();
        assert_eq!(site.title, "New");
        assert_eq!(
            titles(&site),
            vec![("Home".into(), "index.md".into()), ("Bee".into(), "b.md".into()), ("A".into(), "a.md".into())]
        );
        assert!(
            matches!(&site.nav[1], NavNode::Section { title, children } if title == "Guide" && children.len() == 2)
        );
        assert!(matches!(&site.nav[2], NavNode::External { url, .. } if url == "https://x.io"));
    }

    #[test]
    fn without_nav_pages_come_in_folder_order_index_first() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            "mkdocs.yml",
            "site_name: S\ndocs_dir: pages\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        );
        write(d, "pages/zeta.md", "text\n");
        write(d, "pages/alpha.md", "text\n");
        write(d, "pages/README.md", "# Start\n");
        write(d, "pages/ops/run-book.md", "text\n");
        let site = read_site(d, d).unwrap();
        let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, vec!["README.md", "alpha.md", "zeta.md", "ops/run-book.md"]);
        assert_eq!(site.pages[3].title, "Run book");
    }

    #[test]
    fn docs_dir_and_includes_may_not_leave_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("repo");
        write(&d, "mkdocs.yml", "site_name: S\ndocs_dir: ../../etc\n");
        let err = read_site(&d, &d).unwrap_err();
        assert_eq!(err.kind, super::super::ErrorKind::Refused);
        write(&d, "mkdocs.yml", "site_name: S\nnav:\n  - X: '!include ../../other/mkdocs.yml'\n");
        assert!(read_site(&d, &d).unwrap_err().message.contains("leaves the source root"));
    }

    #[test]
    fn includes_nest_sub_sites_under_their_site_name() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(
            d,
            "mkdocs.yml",
            "site_name: Top\nnav:\n  - Intro: index.md\n  - V1: '!include ./v1/mkdocs.yml'\n  - Tagged: !include ./v2/mkdocs.yml\n  - Parts: '*include ./parts/*/mkdocs.yml'\n",
        );
        write(d, "docs/index.md", "# Intro\n");
        write(d, "v1/mkdocs.yml", "site_name: versions/v1\nnav:\n  - Reference: reference.md\n");
        write(d, "v1/docs/reference.md", "# Ref\n");
        write(d, "v2/mkdocs.yml", "site_name: versions/v2\n");
        write(d, "v2/docs/index.md", "# V2\n");
        write(d, "parts/a/mkdocs.yml", "site_name: Part A\nnav:\n  - Home: README.md\n");
        write(d, "parts/a/docs/README.md", "# A\n");
        write(d, "parts/b/mkdocs.yml", "site_name: Part B\nnav:\n  - Home: README.md\n");
        let site = read_site(d, d).unwrap();
        let paths: Vec<&str> = site.pages.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "index.md",
                "versions/v1/reference.md",
                "versions/v2/index.md",
                "Part A/README.md",
                "Part B/README.md"
            ]
        );
        assert!(matches!(site.pages[4].source, PageSource::Missing(_)));
        assert!(matches!(&site.nav[3], NavNode::Section { children, .. } if children.len() == 2));
    }
}
