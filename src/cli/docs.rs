//! `stagehand docs REF [PAGE]`: an entity's TechDocs on stdout, and
//! `stagehand docs-search TERM`: pages across every entity's docs.

use std::io::IsTerminal;

use anyhow::bail;

use crate::docs::render::{DocTheme, ansi, render};
use crate::docs::search::search_all;
use crate::docs::site::{NavNode, Site};
use crate::docs::{ErrorKind, OpenContext, open, page_text, workspace_remotes};
use crate::index::Index;
use crate::workspace::Workspace;

use super::output::Out;

/// Options of `stagehand docs`.
#[derive(Debug, Clone)]
pub struct DocsOptions {
    /// The page (path, title or number); the first page when absent.
    pub page: Option<String>,
    /// Layout width (default: the terminal's, else 80).
    pub width: Option<u16>,
    /// No colours.
    pub plain: bool,
    /// Print the nav tree instead of a page.
    pub list: bool,
}

/// Finds the entity whose docs are asked for, or fails with close refs.
pub fn resolve(index: &Index, reference: &str) -> anyhow::Result<u32> {
    match index.resolve(reference) {
        Some(i) => Ok(i),
        None => {
            let hint = index.suggest(reference, 3);
            let hint = if hint.is_empty() { String::new() } else { format!("; did you mean {}?", hint.join(", ")) };
            bail!("no entity `{reference}` in the index{hint}")
        }
    }
}

/// `stagehand docs`.
pub fn docs(ws: &Workspace, reference: &str, opts: &DocsOptions) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let i = resolve(&index, reference)?;
    let remotes = workspace_remotes(ws);
    let opened = match open(&index, i, OpenContext { cache_dir: &ws.paths.cache_dir, remote: &remotes }) {
        Ok(o) => o,
        Err(e) if e.kind == ErrorKind::NoDocs => {
            eprintln!("error: {}", crate::model::sanitize::text(&e.message));
            return Ok(super::EXIT_ERROR);
        }
        Err(e) => bail!("{e}"),
    };
    for note in &opened.site.notes {
        eprintln!("note: {}", crate::model::sanitize::line(note));
    }
    let mut out = Out::default();
    if opts.list {
        list(&mut out, &opened.site);
        out.flush()?;
        return Ok(0);
    }
    let page = find_page(&opened.site, opts.page.as_deref())?;
    let text = page_text(&opened.site, page)?;
    let tty = std::io::stdout().is_terminal();
    let width =
        opts.width.unwrap_or_else(|| if tty { crossterm::terminal::size().map(|(w, _)| w).unwrap_or(80) } else { 80 });
    let color = !opts.plain && tty && !crate::tui::theme::no_color_env();
    let theme = if color { DocTheme::default() } else { DocTheme::mono() };
    let rendered = render(&text, width, &theme);
    out.raw(&ansi::to_text(&rendered.lines, color));
    out.flush()?;
    Ok(0)
}

/// The page asked for (path, title or number; the first when `None`), or
/// an error listing the pages.
pub fn find_page(site: &Site, wanted: Option<&str>) -> anyhow::Result<usize> {
    let Some(wanted) = wanted else { return Ok(0) };
    match site.find_page(wanted) {
        Some(p) => Ok(p),
        None => {
            let mut listing = Out::default();
            list(&mut listing, site);
            bail!("no page `{wanted}` in these docs; pages (path, title or number):\n{}", listing.into_string())
        }
    }
}

/// The nav tree: numbered pages with their paths, sections, external links.
pub fn list(out: &mut Out, site: &Site) {
    out.line(&site.title);
    if let Some(d) = &site.description {
        out.line(&format!("  {d}"));
    }
    for (depth, node) in site.nav_lines() {
        let pad = "  ".repeat(depth + 1);
        match node {
            NavNode::Page(p) => {
                let page = &site.pages[*p];
                let missing =
                    if matches!(page.source, crate::docs::site::PageSource::Missing(_)) { "  (missing)" } else { "" };
                out.line(&format!("{pad}{:>2}. {}  [{}]{missing}", p + 1, page.title, page.path));
            }
            NavNode::Section { title, .. } => out.line(&format!("{pad}{title}/")),
            NavNode::External { title, url } => out.line(&format!("{pad}↗ {title}  {url}")),
        }
    }
}

/// `stagehand docs-search`.
pub fn docs_search(ws: &Workspace, term: &str, limit: usize) -> anyhow::Result<u8> {
    let index = ws.load_index()?;
    let hits = search_all(&index, &ws.paths.cache_dir, term, limit);
    let mut out = Out::default();
    if hits.is_empty() {
        eprintln!("no docs page matches `{}`", crate::model::sanitize::line(term));
        return Ok(super::EXIT_FOUND_PROBLEMS);
    }
    for h in &hits {
        out.line(&format!("{}  {}  [{}]  {}", index.ref_of(h.entity), h.title, h.path, h.snippet));
    }
    out.flush()?;
    Ok(0)
}
