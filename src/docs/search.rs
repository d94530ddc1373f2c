//! Finding pages across every entity's local docs by title and text
//! (`:docs-search`, `stagehand docs-search`). Reads only what is on disk:
//! local sources and cached clones; nothing is cloned or fetched.

use std::collections::HashSet;
use std::path::Path;

use crate::index::Index;
use crate::model::sanitize;

use super::locate::{Located, locate_with};
use super::mkdocs::read_site;
use super::open::page_text;

/// One page that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocHit {
    /// The entity whose docs hold the page.
    pub entity: u32,
    /// The page index in that entity's site.
    pub page: usize,
    /// The page title.
    pub title: String,
    /// The page's site path.
    pub path: String,
    /// The first matching line (one line, sanitized).
    pub snippet: String,
    /// Higher is better: a title match counts most, then the number of matches.
    pub score: u32,
}

/// Pages whose title or text contains `term` (case-insensitive), best first.
pub fn search_all(index: &Index, cache_dir: &Path, term: &str, limit: usize) -> Vec<DocHit> {
    let needle = term.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut seen_sites = HashSet::new();
    let mut hits = Vec::new();
    for i in 0..index.len() as u32 {
        let Ok(entity) = index.entity(i) else { continue };
        if !super::has_docs(&entity) {
            continue;
        }
        let Ok((owner, Located::Local(local))) = locate_with(index, i, cache_dir, false) else { continue };
        if !seen_sites.insert(local.site_dir.clone()) {
            continue;
        }
        let Ok(site) = read_site(&local.root, &local.site_dir) else { continue };
        for page in 0..site.pages.len() {
            let Ok(text) = page_text(&site, page) else { continue };
            let title = &site.pages[page].title;
            let in_title = title.to_lowercase().contains(&needle);
            let lower = text.to_lowercase();
            let count = lower.matches(&needle).count() as u32;
            if !in_title && count == 0 {
                continue;
            }
            let snippet = text
                .lines()
                .find(|l| l.to_lowercase().contains(&needle))
                .map(|l| snippet(&super::render::inline::plain_text(l.trim()), 100))
                .unwrap_or_default();
            hits.push(DocHit {
                entity: owner,
                page,
                title: sanitize::line(title).into_owned(),
                path: sanitize::line(&site.pages[page].path).into_owned(),
                snippet,
                score: u32::from(in_title) * 1000 + count.min(999),
            });
        }
    }
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.entity.cmp(&b.entity)).then(a.page.cmp(&b.page)));
    hits.truncate(limit);
    hits
}

fn snippet(line: &str, max: usize) -> String {
    let clean = sanitize::line(line);
    let mut out: String = clean.chars().take(max).collect();
    if clean.chars().count() > max {
        out.push('…');
    }
    out
}
