//! One entity's page: its tabs, selections and the graph tab's settings.
//! Keys in [`keys`], what the tabs show in [`derive`] and [`outline`],
//! drawing in [`view`] and [`structure_view`].

pub mod code_view;
pub mod derive;
pub mod find;
pub mod keys;
pub mod outline;
pub mod overview_view;
pub mod structure_view;
pub mod view;

use std::cell::Cell;
use std::collections::HashSet;

use crate::index::Index;
use crate::model::Entity;
use crate::tui::page_find::PageFind;

use super::docs::{DocsTarget, DocsView};
use super::selection::Selection;

/// The tabs of an entity page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Kind, ref, owner, links...
    Overview,
    /// Team (groups), Groups (users) or Structure (systems, domains).
    Outline,
    /// Relations grouped by type.
    Relations,
    /// The neighbourhood graph.
    Graph,
    /// The API definition (APIs only).
    Api,
    /// The entity as stored.
    Yaml,
    /// Problems of this entity.
    Problems,
    /// TechDocs (entities with a techdocs annotation).
    Docs,
}

impl Tab {
    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Outline => "Structure",
            Tab::Relations => "Relations",
            Tab::Graph => "Graph",
            Tab::Api => "API",
            Tab::Yaml => "YAML",
            Tab::Problems => "Problems",
            Tab::Docs => "Docs",
        }
    }
}

/// One entity's page.
pub struct EntityScreen {
    /// The entity.
    pub entity: u32,
    /// Its canonical ref (to find it again after a sync).
    pub canonical: String,
    /// Identity of the index `entity` belongs to.
    pub index_id: usize,
    /// The loaded body, or why it failed; `None` while loading.
    pub body: Option<Result<Box<Entity>, String>>,
    /// The entity as YAML (built when loaded).
    pub yaml: String,
    /// The API definition summary and text (APIs).
    pub api: Vec<String>,
    /// The tabs shown.
    pub tabs: Vec<Tab>,
    /// The active tab.
    pub tab: usize,
    /// Scroll of text tabs.
    pub scroll: usize,
    /// The largest useful scroll of the current tab, learnt while drawing.
    pub max_scroll: Cell<usize>,
    /// Selection in the relations tab.
    pub relations: Selection,
    /// Selection in the outline tab.
    pub outline: Selection,
    /// Outline nodes whose default fold was flipped.
    pub toggled: HashSet<u32>,
    /// Group pages: ownership including sub-groups.
    pub with_subgroups: bool,
    /// The graph tab's state.
    pub graph: GraphState,
    /// The Docs tab's state (entities with docs, once loaded).
    pub docs: Option<Box<DocsView>>,
    /// `:docs` asked for this page's docs before its body loaded.
    pub want_docs: Option<DocsTarget>,
    /// Highlighted lines of the YAML or API tab, kept while scrolling.
    pub highlight: code_view::HighlightCache,
    /// `/` in the YAML or API tab: the term and its matches (wrapped rows).
    pub find: PageFind,
    /// The width the YAML or API tab was last drawn at (its rows wrap to it).
    pub text_width: Cell<u16>,
    /// The width `find` found its matches at.
    pub find_width: u16,
}

/// Relation-type sets the graph tab cycles through.
pub const RELATION_SETS: [(&str, &[&str]); 6] = [
    ("all relations", &[]),
    ("ownership", &["ownedBy", "ownerOf"]),
    ("structure", &["partOf", "hasPart"]),
    ("dependencies", &["dependsOn", "dependencyOf"]),
    ("APIs", &["providesApi", "apiProvidedBy", "consumesApi", "apiConsumedBy"]),
    ("membership", &["memberOf", "hasMember", "childOf", "parentOf"]),
];

/// Kind sets the graph tab cycles through.
pub const KIND_SETS: [(&str, &[&str]); 6] = [
    ("all kinds", &[]),
    ("components", &["component"]),
    ("APIs", &["api"]),
    ("resources", &["resource"]),
    ("systems and domains", &["system", "domain"]),
    ("groups and users", &["group", "user"]),
];

/// Most graph depth offered.
pub const MAX_GRAPH_DEPTH: usize = 5;

/// Relations shown per graph node before "+N more".
pub const GRAPH_PER_NODE: usize = 12;

/// The graph tab: depth, filters, expanded fan-outs, cursor.
#[derive(Debug)]
pub struct GraphState {
    /// Hops from the entity.
    pub depth: usize,
    /// Index into [`RELATION_SETS`].
    pub relations: usize,
    /// Index into [`KIND_SETS`].
    pub kinds: usize,
    /// Nodes whose "+N more" was expanded.
    pub expanded: HashSet<u32>,
    /// The cursor.
    pub sel: Selection,
}

impl Default for GraphState {
    fn default() -> Self {
        GraphState { depth: 1, relations: 0, kinds: 0, expanded: HashSet::new(), sel: Selection::default() }
    }
}

impl GraphState {
    /// The options for [`crate::index::graph_tree::tree`].
    pub fn options(&self) -> crate::index::graph::GraphOptions {
        crate::index::graph::GraphOptions {
            depth: self.depth,
            relations: RELATION_SETS[self.relations].1.iter().map(|s| s.to_string()).collect(),
            kinds: KIND_SETS[self.kinds].1.iter().map(|s| s.to_string()).collect(),
            per_node: GRAPH_PER_NODE,
        }
    }
}

/// Whether entities of this kind get an outline tab.
pub fn has_outline(kind: &str) -> bool {
    matches!(kind.to_lowercase().as_str(), "group" | "user" | "system" | "domain")
}

impl EntityScreen {
    /// A page for entity `entity`, loading.
    pub fn new(index: &Index, entity: u32, index_id: usize) -> EntityScreen {
        let summary = index.summary(entity);
        let mut tabs = vec![Tab::Overview];
        if has_outline(summary.kind) {
            tabs.push(Tab::Outline);
        }
        tabs.push(Tab::Relations);
        if summary.kind.eq_ignore_ascii_case("api") {
            tabs.push(Tab::Api);
        }
        tabs.extend([Tab::Graph, Tab::Yaml]);
        if !index.problems_of(entity).is_empty() {
            tabs.push(Tab::Problems);
        }
        EntityScreen {
            entity,
            canonical: index.ref_of(entity).to_string(),
            index_id,
            body: None,
            yaml: String::new(),
            api: Vec::new(),
            tabs,
            tab: 0,
            scroll: 0,
            max_scroll: Cell::new(usize::MAX),
            relations: Selection::default(),
            outline: Selection::default(),
            toggled: HashSet::new(),
            with_subgroups: false,
            graph: GraphState::default(),
            docs: None,
            want_docs: None,
            highlight: Default::default(),
            find: PageFind::default(),
            text_width: Cell::new(80),
            find_width: 80,
        }
    }

    /// The active tab.
    pub fn current(&self) -> Tab {
        self.tabs.get(self.tab).copied().unwrap_or(Tab::Overview)
    }

    /// Whether a find line (the Docs tab's page search, or `/` in another
    /// tab) has the keyboard.
    pub fn docs_typing(&self) -> bool {
        self.find.input.is_some()
            || (self.current() == Tab::Docs && self.docs.as_ref().is_some_and(|v| v.search_input.is_some()))
    }

    /// Switches to `tab` when the page has it.
    pub fn show(&mut self, tab: Tab) {
        if let Some(i) = self.tabs.iter().position(|t| *t == tab) {
            self.tab = i;
            self.scroll = 0;
            self.find.clear();
        }
    }
}
