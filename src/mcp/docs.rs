//! The docs tools: `docs_page` (an entity's TechDocs page as Markdown) and
//! `docs_search`, on the calls `stagehand docs` and `docs-search` use.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cli::docs::{find_page, resolve};
use crate::docs::search::search_all;
use crate::docs::{OpenContext, open, page_text, workspace_remotes};
use crate::index::Index;
use crate::workspace::Workspace;

use super::reply::{MAX_ITEMS, Reply, Window, chunk, more_hint};

/// Arguments of `docs_page`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DocsPageArgs {
    /// The entity: `name`, `kind:name` or `kind:namespace/name`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The page: its path (`code/code-sample.md`), title or number; the first page when omitted.
    pub page: Option<String>,
    /// Byte offset into the page's Markdown (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// A page of a docs site.
#[derive(Serialize, JsonSchema)]
pub struct PageOut {
    /// Its number (1-based, reading order).
    pub number: usize,
    /// Its nav title.
    pub title: String,
    /// Its path, e.g. `code/code-sample.md`.
    pub path: String,
}

/// Result of `docs_page`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocsPageOut {
    /// The entity whose docs these are.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// The site's name.
    pub site: String,
    /// The page shown.
    pub page: PageOut,
    /// Its Markdown (this part of it).
    pub markdown: String,
    /// The page's size in bytes.
    pub total_bytes: usize,
    /// Where the rest of the page starts, when it was cut.
    pub next_offset: Option<usize>,
    /// Every page of the site (at most 200), to ask for another.
    pub pages: Vec<PageOut>,
    /// What was skipped or odd while reading the site.
    pub notes: Vec<String>,
}

/// `docs_page`: `stagehand docs REF [PAGE]`, as Markdown.
pub fn docs_page(ws: &Workspace, index: &Index, args: &DocsPageArgs) -> anyhow::Result<Reply> {
    let i = resolve(index, &args.reference)?;
    let remotes = workspace_remotes(ws);
    let opened = open(index, i, OpenContext { cache_dir: &ws.paths.cache_dir, remote: &remotes })
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let site = &opened.site;
    let p = find_page(site, args.page.as_deref())?;
    let markdown = page_text(site, p).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let (part, next) = chunk(&markdown, args.offset.unwrap_or(0))?;
    let page_out =
        |n: usize| PageOut { number: n + 1, title: site.pages[n].title.clone(), path: site.pages[n].path.clone() };
    let data = DocsPageOut {
        entity_ref: index.ref_of(i).into(),
        site: site.title.clone(),
        page: page_out(p),
        markdown: part.into(),
        total_bytes: markdown.len(),
        next_offset: next,
        pages: (0..site.pages.len().min(MAX_ITEMS)).map(page_out).collect(),
        notes: site.notes.clone(),
    };
    Ok(Reply { text: part.to_string() + &more_hint(next, "of this page"), data: serde_json::to_value(&data)? })
}

/// Arguments of `docs_search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct DocsSearchArgs {
    /// What to look for in page titles and text.
    pub term: String,
    /// At most this many pages (default 20, at most 200).
    pub limit: Option<usize>,
    /// Skip this many pages (a previous reply's `nextOffset`).
    pub offset: Option<usize>,
}

/// A docs page that matched.
#[derive(Serialize, JsonSchema)]
pub struct DocHitOut {
    /// The entity the docs belong to.
    #[serde(rename = "ref")]
    pub entity_ref: String,
    /// The page's title.
    pub title: String,
    /// The page's path (give it to `docs_page`).
    pub path: String,
    /// The text around the match.
    pub snippet: String,
}

/// Result of `docs_search`.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocsSearchOut {
    /// Matching pages, best first.
    pub hits: Vec<DocHitOut>,
    /// Where the next page of hits starts, when there is one.
    pub next_offset: Option<usize>,
}

/// `docs_search`: `stagehand docs-search TERM`.
pub fn docs_search(ws: &Workspace, index: &Index, args: &DocsSearchArgs) -> anyhow::Result<Reply> {
    let window = Window::new(args.offset, args.limit);
    let hits = search_all(index, &ws.paths.cache_dir, &args.term, window.probe());
    let (hits, next) = window.take(hits);
    let hits: Vec<DocHitOut> = hits
        .into_iter()
        .map(|h| DocHitOut {
            entity_ref: index.ref_of(h.entity).into(),
            title: h.title,
            path: h.path,
            snippet: h.snippet,
        })
        .collect();
    let mut text = String::new();
    if hits.is_empty() {
        text.push_str(&format!("no docs page matches `{}`\n", args.term));
    }
    for h in &hits {
        text.push_str(&format!("{}  {}  [{}]  {}\n", h.entity_ref, h.title, h.path, h.snippet));
    }
    text.push_str(&more_hint(next, "pages"));
    Reply::new(text, &DocsSearchOut { hits, next_offset: next })
}
