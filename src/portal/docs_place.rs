//! Where a TechDocs search result points: its location
//! (`/docs/<namespace>/<kind>/<name>/<path>#<anchor>`, the TechDocs
//! collator's default `locationTemplate`) read into the page path and the
//! heading anchor, and the path found among a site's pages the way MkDocs
//! builds its URLs (`use_directory_urls`: `a/b.md` and `a/b/index.md` are
//! both served at `a/b/`; `README.md` stands for `index.md`).

use crate::docs::site::Site;

/// The place in a docs site a TechDocs location names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsPlace {
    /// The page's URL path inside the site (`operations/runbook/`; empty
    /// for the home page), percent-decoded.
    pub path: String,
    /// The heading anchor, without `#`, percent-decoded.
    pub anchor: Option<String>,
}

/// Reads a TechDocs location (a path, or a full URL of the portal);
/// `None` when it is not one (`/catalog/...`, a bare `/docs`).
pub fn docs_place(location: &str) -> Option<DocsPlace> {
    let (rest, anchor) = match location.split_once('#') {
        Some((r, a)) => (r, Some(decode(a)).filter(|a| !a.is_empty())),
        None => (location, None),
    };
    let rest = rest.split('?').next().unwrap_or_default();
    // A full URL: its path only.
    let path = match rest.split_once("://") {
        Some((_, after)) => after.find('/').map_or("", |i| &after[i..]),
        None => rest,
    };
    let mut segments = path.trim_start_matches('/').splitn(5, '/');
    if segments.next() != Some("docs") {
        return None;
    }
    // namespace, kind and name must all be there.
    if segments.by_ref().take(3).filter(|s| !s.is_empty()).count() != 3 {
        return None;
    }
    let path = decode(segments.next().unwrap_or_default());
    Some(DocsPlace { path, anchor })
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The page of `site` served at `path` (a URL path such as `guide/setup/`,
/// `guide/setup.html` or `guide/setup.md`), compared without regard to case.
pub fn page_at(site: &Site, path: &str) -> Option<usize> {
    let path = path.trim_matches('/');
    let stem = path.strip_suffix(".html").or_else(|| path.strip_suffix(".md")).unwrap_or(path);
    let stem = stem.strip_suffix("/index").or_else(|| stem.strip_suffix("/README")).unwrap_or(stem);
    let candidates: Vec<String> = match stem {
        "" | "index" | "README" => vec!["index.md".into(), "README.md".into()],
        s => vec![format!("{s}.md"), format!("{s}/index.md"), format!("{s}/README.md")],
    };
    candidates.iter().find_map(|c| site.pages.iter().position(|p| p.path.eq_ignore_ascii_case(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::site::{Page, PageSource};

    fn place(path: &str, anchor: Option<&str>) -> Option<DocsPlace> {
        Some(DocsPlace { path: path.into(), anchor: anchor.map(String::from) })
    }

    #[test]
    fn a_location_reads_into_a_path_and_an_anchor() {
        assert_eq!(
            docs_place("/docs/default/component/tracker/operations/runbook/#consumer-lag"),
            place("operations/runbook/", Some("consumer-lag"))
        );
        assert_eq!(docs_place("/docs/default/component/tracker/"), place("", None));
        assert_eq!(docs_place("/docs/default/component/tracker"), place("", None));
        assert_eq!(docs_place("/docs/default/component/tracker/#top"), place("", Some("top")));
        assert_eq!(
            docs_place("https://portal.example.com/docs/ops/system/a%20b/caf%C3%A9/?x=1#r%C3%A9sum%C3%A9"),
            place("café/", Some("résumé")),
            "a full URL, its query dropped, percent-decoded"
        );
        assert_eq!(docs_place("/catalog/default/component/tracker"), None);
        assert_eq!(docs_place("/docs/default/component"), None);
        assert_eq!(docs_place("/docs"), None);
    }

    fn site(paths: &[&str]) -> Site {
        let pages = paths
            .iter()
            .map(|p| Page { title: p.to_string(), path: p.to_string(), source: PageSource::Missing(p.to_string()) })
            .collect();
        Site { pages, ..Site::default() }
    }

    #[test]
    fn paths_find_pages_as_mkdocs_serves_them() {
        let s = site(&["index.md", "architecture.md", "operations/runbook.md", "guide/index.md", "faq/README.md"]);
        assert_eq!(page_at(&s, ""), Some(0));
        assert_eq!(page_at(&s, "index.html"), Some(0));
        assert_eq!(page_at(&s, "architecture/"), Some(1));
        assert_eq!(page_at(&s, "Operations/Runbook/"), Some(2), "without regard to case");
        assert_eq!(page_at(&s, "operations/runbook.md"), Some(2));
        assert_eq!(page_at(&s, "guide/"), Some(3), "a folder's index.md");
        assert_eq!(page_at(&s, "guide/index.html"), Some(3));
        assert_eq!(page_at(&s, "faq/"), Some(4), "README.md stands for index.md");
        assert_eq!(page_at(&s, "operations/"), None);
        assert_eq!(page_at(&site(&["README.md"]), ""), Some(0));
    }
}
