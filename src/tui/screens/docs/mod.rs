//! The Docs tab: an entity's TechDocs with a nav tree, page content, a
//! table of contents, in-page search, links and history; and the
//! `:docs-search` results. State lives here; [`keys`] changes it,
//! [`lifecycle`] starts the loads and renders it needs (effects/docs.rs
//! runs them off the UI thread), [`view`] draws it.

pub mod keys;
pub mod lifecycle;
pub mod view;

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::docs::OpenDocs;
use crate::docs::render::{DocTheme, Prepared, Rendered};
use crate::docs::search::DocHit;
use crate::docs::site::NavNode;

use crate::tui::input::LineInput;
use crate::tui::theme::{Slot, Theme};

use super::selection::Selection;

/// Width of the nav sidebar (with its separator).
pub const NAV_WIDTH: u16 = 30;
/// Narrowest terminal that shows the nav sidebar beside the page.
pub const NAV_MIN_TERMINAL: u16 = 100;
/// Rendered pages kept per docs view (pages x widths).
const RENDER_CACHE: usize = 24;

/// A message from a docs effect.
#[derive(Debug)]
pub enum DocsMsg {
    /// A site was opened (or could not be).
    Opened {
        /// The view's generation.
        generation: u64,
        /// The docs, or why not.
        result: Result<Arc<OpenDocs>, String>,
    },
    /// A page was rendered for a width.
    Rendered {
        /// The view's generation.
        generation: u64,
        /// The page.
        page: usize,
        /// The width.
        width: u16,
        /// The prepared page (reused at other widths) and its layout.
        result: Result<(Arc<Prepared>, Arc<Rendered>), String>,
    },
    /// `:docs-search` finished.
    SearchDone {
        /// The screen's generation.
        generation: u64,
        /// Pages found.
        hits: Vec<DocHit>,
    },
}

/// Where the keyboard is in the docs tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The page.
    Content,
    /// The nav tree.
    Nav,
    /// The table of contents.
    Toc,
}

/// What to show when the docs are ready (from `:docs-search`, a link, a
/// TechDocs result of the server's search).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocsTarget {
    /// The page.
    pub page: usize,
    /// The page as a URL path of the site (`operations/runbook/`), found
    /// among its pages once they are known (then `page` is set).
    pub path: Option<String>,
    /// A heading anchor to scroll to.
    pub anchor: Option<String>,
    /// A term to search for on arrival.
    pub term: Option<String>,
}

/// Loading state of the site.
#[derive(Debug)]
pub enum Status {
    /// Not asked for yet (the tab was never shown).
    Idle,
    /// Being located and read.
    Loading,
    /// Could not be opened.
    Failed(String),
    /// Ready to read.
    Ready(Arc<OpenDocs>),
}

/// One docs tab.
pub struct DocsView {
    /// Identifies this view's effects.
    pub generation: u64,
    /// The site.
    pub status: Status,
    /// The page shown.
    pub page: usize,
    /// First line shown.
    pub scroll: usize,
    /// Largest useful scroll, learnt while drawing.
    pub max_scroll: Cell<usize>,
    /// Lines of the page area, learnt while drawing.
    pub height: Cell<usize>,
    /// Where the keyboard is.
    pub focus: Focus,
    /// Whether the nav sidebar is shown on wide screens.
    pub show_nav: bool,
    /// Cursor in the nav tree (an index into [`DocsView::nav_rows`]).
    pub nav: Selection,
    /// Folded nav sections (by their row in the unfolded tree).
    pub folded: HashSet<usize>,
    /// Cursor in the TOC.
    pub toc: Selection,
    /// The selected link of the page (0-based).
    pub link: Option<usize>,
    /// The search line, while typing.
    pub search_input: Option<LineInput>,
    /// The search term in effect.
    pub term: String,
    /// Matches of the term on the page: (line, column).
    pub matches: Vec<(usize, usize)>,
    /// The current match.
    pub match_at: usize,
    /// Pages left by following links: (page, scroll).
    pub back: Vec<(usize, usize)>,
    /// Pages gone back from.
    pub forward: Vec<(usize, usize)>,
    /// What to do when a page arrives.
    pub target: Option<DocsTarget>,
    /// Prepared pages.
    pub prepared: HashMap<usize, Arc<Prepared>>,
    /// Rendered pages by (page, width).
    pub rendered: HashMap<(usize, u16), Arc<Rendered>>,
    /// The render in flight.
    pub in_flight: Option<(usize, u16)>,
    /// Why the current page could not be rendered.
    pub page_error: Option<String>,
    /// The theme the cached renderings were made with.
    pub theme: String,
}

/// One row of the nav tree as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavRow {
    /// Indentation level.
    pub depth: usize,
    /// Shown text.
    pub title: String,
    /// What Enter does.
    pub kind: NavRowKind,
    /// The row in the unfolded tree (the fold key).
    pub key: usize,
}

/// What a nav row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavRowKind {
    /// A page.
    Page(usize),
    /// A section; folded or not.
    Section(bool),
    /// A link out.
    External(String),
}

impl DocsView {
    /// A view that loads when first shown.
    pub fn new(generation: u64, target: Option<DocsTarget>) -> DocsView {
        DocsView {
            generation,
            status: Status::Idle,
            page: target.as_ref().map_or(0, |t| t.page),
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
            height: Cell::new(20),
            focus: Focus::Content,
            show_nav: true,
            nav: Selection::default(),
            folded: HashSet::new(),
            toc: Selection::default(),
            link: None,
            search_input: None,
            term: String::new(),
            matches: Vec::new(),
            match_at: 0,
            back: Vec::new(),
            forward: Vec::new(),
            target,
            prepared: HashMap::new(),
            rendered: HashMap::new(),
            in_flight: None,
            page_error: None,
            theme: String::new(),
        }
    }

    /// The open docs, once ready.
    pub fn docs(&self) -> Option<&Arc<OpenDocs>> {
        match &self.status {
            Status::Ready(d) => Some(d),
            _ => None,
        }
    }

    /// The current page's rendering for `width`, if done.
    pub fn rendered_at(&self, width: u16) -> Option<&Arc<Rendered>> {
        self.rendered.get(&(self.page, width))
    }

    /// The current page at `width`, or at any width while that one renders.
    pub fn any_rendering(&self, width: u16) -> Option<&Arc<Rendered>> {
        self.rendered_at(width).or_else(|| self.rendered.iter().find(|((p, _), _)| *p == self.page).map(|(_, r)| r))
    }

    /// Keeps the render cache bounded (the current page stays).
    pub fn store(&mut self, page: usize, width: u16, prepared: Arc<Prepared>, rendered: Arc<Rendered>) {
        if self.rendered.len() >= RENDER_CACHE {
            let current = self.page;
            let drop: Vec<(usize, u16)> =
                self.rendered.keys().filter(|(p, _)| *p != current).copied().take(8).collect();
            for k in drop {
                self.rendered.remove(&k);
            }
        }
        if self.prepared.len() >= RENDER_CACHE {
            self.prepared.retain(|p, _| *p == page);
        }
        self.prepared.insert(page, prepared);
        self.rendered.insert((page, width), rendered);
    }

    /// The nav tree rows, folded sections hidden.
    pub fn nav_rows(&self) -> Vec<NavRow> {
        let Some(docs) = self.docs() else { return Vec::new() };
        let site = &docs.site;
        let mut rows = Vec::new();
        let mut hide_below: Option<usize> = None;
        for (key, (depth, node)) in site.nav_lines().into_iter().enumerate() {
            if let Some(d) = hide_below {
                if depth > d {
                    continue;
                }
                hide_below = None;
            }
            let (title, kind) = match node {
                NavNode::Page(p) => {
                    (site.pages.get(*p).map_or_else(String::new, |pg| pg.title.clone()), NavRowKind::Page(*p))
                }
                NavNode::Section { title, .. } => {
                    let folded = self.folded.contains(&key);
                    if folded {
                        hide_below = Some(depth);
                    }
                    (title.clone(), NavRowKind::Section(folded))
                }
                NavNode::External { title, url } => (title.clone(), NavRowKind::External(url.clone())),
            };
            rows.push(NavRow { depth, title, kind, key });
        }
        rows
    }
}

/// The page's layout width for a terminal `width` wide: the entity page's
/// border, the nav sidebar when shown, a column of margin on each side
/// (the right one absorbs emoji whose width terminals disagree on).
pub fn content_width(term_width: u16, show_nav: bool) -> u16 {
    let inner = term_width.saturating_sub(2);
    inner.saturating_sub(nav_width(term_width, show_nav)).saturating_sub(2).max(20)
}

/// The nav sidebar's width (0 when hidden).
pub fn nav_width(term_width: u16, show_nav: bool) -> u16 {
    if show_nav && term_width >= NAV_MIN_TERMINAL { NAV_WIDTH } else { 0 }
}

/// Docs styles from the TUI theme (mono when the theme is mono).
pub fn doc_theme(theme: &Theme) -> DocTheme {
    if theme.name() == "mono" {
        return DocTheme { fold: true, ..DocTheme::mono() };
    }
    let mut t = DocTheme { fold: true, ..DocTheme::default() };
    t.headings[0] = theme.style(Slot::Title);
    t.link = theme.style(Slot::Link);
    t.link_selected = theme.style(Slot::Selected);
    t.dim = theme.style(Slot::Dim);
    t.warn = theme.style(Slot::Warning).add_modifier(ratatui::style::Modifier::BOLD);
    t.bad = theme.style(Slot::Error);
    t.good = theme.style(Slot::Ok).add_modifier(ratatui::style::Modifier::BOLD);
    t.syntax = crate::tui::syntax_colors::syntax_styles(theme);
    t
}

/// The `:docs-search` results screen.
pub struct DocsSearchScreen {
    /// What was searched.
    pub term: String,
    /// Pages found (`None` while searching).
    pub hits: Option<Vec<DocHit>>,
    /// The selection.
    pub sel: Selection,
    /// Identifies the search in flight.
    pub generation: u64,
}
