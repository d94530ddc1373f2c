//! Per-screen state: selection, scroll, tabs, filters and sort order.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::index::search::{Hit, Query};
use crate::index::{Index, SummaryRef};
use crate::model::Entity;

use super::input::LineInput;

pub mod selection;

pub use selection::Selection;

/// Which part of the search screen has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFocus {
    /// Typing goes into the query.
    Query,
    /// Keys move through the results.
    Results,
}

/// The search home.
pub struct SearchScreen {
    /// The query line.
    pub input: LineInput,
    /// Where the keyboard is.
    pub focus: SearchFocus,
    /// The query the results are for.
    pub query: Query,
    /// Ranked results.
    pub results: Arc<Vec<Hit>>,
    /// The selection.
    pub sel: Selection,
    /// The generation of the search in flight.
    pub waiting: u64,
    /// `results` hold only the first screen of the search in flight.
    pub first_screen_only: bool,
    /// The newest complete results and their query: a search started while
    /// another runs narrows from these when it can.
    pub settled: Option<(Query, Arc<Vec<Hit>>)>,
    /// Set to abandon the search in flight.
    pub cancel: Arc<AtomicBool>,
    /// After a sync: the ref to select again when results arrive.
    pub reselect: Option<String>,
}

impl SearchScreen {
    /// An empty search.
    pub fn new() -> SearchScreen {
        SearchScreen {
            input: LineInput::new("type to search · kind:api owner:team-a tag:go !lifecycle:deprecated"),
            focus: SearchFocus::Query,
            query: Query::default(),
            results: Arc::new(Vec::new()),
            sel: Selection::default(),
            waiting: 0,
            first_screen_only: false,
            settled: None,
            cancel: Arc::new(AtomicBool::new(false)),
            reselect: None,
        }
    }

    /// The selected entity.
    pub fn selected(&self) -> Option<u32> {
        self.results.get(self.sel.selected).map(|h| h.entity)
    }
}

impl Default for SearchScreen {
    fn default() -> Self {
        Self::new()
    }
}

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
    pub docs: Option<Box<super::docs::DocsView>>,
    /// `:docs` asked for this page's docs before its body loaded.
    pub want_docs: Option<super::docs::DocsTarget>,
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
        }
    }

    /// The active tab.
    pub fn current(&self) -> Tab {
        self.tabs.get(self.tab).copied().unwrap_or(Tab::Overview)
    }

    /// Switches to `tab` when the page has it.
    pub fn show(&mut self, tab: Tab) {
        if let Some(i) = self.tabs.iter().position(|t| *t == tab) {
            self.tab = i;
            self.scroll = 0;
        }
    }
}

/// What an entity list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// Every entity of a kind.
    Kind(String),
    /// Starred entities.
    Starred,
    /// What the configured identity owns, directly and through its groups.
    Mine(String),
    /// The configured identity's groups, direct and inherited.
    MyGroups(String),
}

/// Columns of entity tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `metadata.name`
    Name,
    /// Kind.
    Kind,
    /// Namespace.
    Namespace,
    /// Owner.
    Owner,
    /// `spec.type`
    Type,
    /// `spec.lifecycle`
    Lifecycle,
    /// Title or description.
    Title,
}

impl Column {
    /// Every column, in table order.
    pub const ALL: [Column; 7] =
        [Column::Name, Column::Kind, Column::Namespace, Column::Owner, Column::Type, Column::Lifecycle, Column::Title];

    /// The header label.
    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::Kind => "KIND",
            Column::Namespace => "NAMESPACE",
            Column::Owner => "OWNER",
            Column::Type => "TYPE",
            Column::Lifecycle => "LIFECYCLE",
            Column::Title => "TITLE",
        }
    }

    /// The cell text for an entity.
    pub fn value<'a>(self, s: SummaryRef<'a>) -> &'a str {
        match self {
            Column::Name => s.name,
            Column::Kind => s.kind,
            Column::Namespace => s.namespace,
            Column::Owner => s.owner.map_or("", |o| {
                let r = o.split_once(':').map_or(o, |(_, r)| r);
                r.strip_prefix("default/").unwrap_or(r)
            }),
            Column::Type => s.spec_type.unwrap_or(""),
            Column::Lifecycle => s.lifecycle.unwrap_or(""),
            Column::Title => s.title.or(s.description).unwrap_or(""),
        }
    }
}

/// A table of entities (by kind, starred).
pub struct ListScreen {
    /// Title for the breadcrumb.
    pub title: String,
    /// What it lists.
    pub source: ListSource,
    /// Columns shown.
    pub columns: Vec<Column>,
    /// Every entity listed, before the filter.
    pub rows: Arc<Vec<Hit>>,
    /// Rows after the filter, sorted.
    pub shown: Vec<u32>,
    /// The `/` filter.
    pub filter: LineInput,
    /// Whether the filter has the keyboard.
    pub filtering: bool,
    /// Sort column (index into `columns`) and direction.
    pub sort: (usize, bool),
    /// The selection.
    pub sel: Selection,
    /// Generation of the filter search in flight.
    pub waiting: u64,
}

impl ListScreen {
    /// A list over `rows`.
    pub fn new(title: String, source: ListSource, rows: Vec<u32>, columns: Vec<Column>) -> ListScreen {
        let rows: Vec<Hit> = rows.into_iter().map(Hit::unranked).collect();
        let shown = rows.iter().map(|h| h.entity).collect();
        ListScreen {
            title,
            source,
            columns,
            rows: Arc::new(rows),
            shown,
            filter: LineInput::new("filter"),
            filtering: false,
            sort: (0, false),
            sel: Selection::default(),
            waiting: 0,
        }
    }

    /// Orders `shown` by the sort column (ties by ref, which is index order).
    pub fn sort_rows(&mut self, index: &Index) {
        let column = self.columns.get(self.sort.0).copied().unwrap_or(Column::Name);
        let reverse = self.sort.1;
        self.shown.sort_by(|&a, &b| {
            let (sa, sb) = (index.summary(a), index.summary(b));
            let ord = column.value(sa).to_lowercase().cmp(&column.value(sb).to_lowercase()).then(a.cmp(&b));
            if reverse { ord.reverse() } else { ord }
        });
    }

    /// The selected entity.
    pub fn selected(&self) -> Option<u32> {
        self.shown.get(self.sel.selected).copied()
    }
}

/// The problems table.
pub struct ProblemsScreen {
    /// Indexes into the index's problems, after the filter.
    pub shown: Vec<usize>,
    /// The `/` filter (substring, case-insensitive).
    pub filter: LineInput,
    /// Whether the filter has the keyboard.
    pub filtering: bool,
    /// The selection.
    pub sel: Selection,
}

impl ProblemsScreen {
    /// Every problem of the index.
    pub fn new(index: &Index) -> ProblemsScreen {
        ProblemsScreen {
            shown: (0..index.problems.len()).collect(),
            filter: LineInput::new("filter"),
            filtering: false,
            sel: Selection::default(),
        }
    }

    /// Re-applies the filter.
    pub fn refilter(&mut self, index: &Index) {
        let needle = self.filter.text().to_lowercase();
        self.shown = index
            .problems
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                needle.is_empty()
                    || p.message.to_lowercase().contains(&needle)
                    || p.location().to_lowercase().contains(&needle)
                    || p.entity.as_deref().is_some_and(|e| e.contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
        self.sel.set(self.sel.selected, self.shown.len());
    }
}

/// The `:health` table.
pub struct HealthScreen {
    /// Findings, sorted by kind then ref.
    pub issues: Vec<crate::index::health::HealthIssue>,
    /// The selection.
    pub sel: Selection,
}

/// The screens of the view stack.
pub enum Screen {
    /// The search home.
    Search(SearchScreen),
    /// One entity.
    Entity(Box<EntityScreen>),
    /// A table of entities.
    List(ListScreen),
    /// The problems table.
    Problems(ProblemsScreen),
    /// Catalog health findings.
    Health(HealthScreen),
    /// The scaffolding wizard.
    Wizard(Box<super::wizard::WizardScreen>),
    /// `:docs-search` results.
    DocsSearch(Box<super::docs::DocsSearchScreen>),
    /// The configured sources and how their last sync went.
    Sources(Selection),
}

impl Screen {
    /// The breadcrumb label.
    pub fn label(&self, index: &Index) -> String {
        match self {
            Screen::Search(_) => "search".into(),
            Screen::Entity(e) => index.try_summary(e.entity).map_or_else(|| "entity".into(), |s| s.name.to_string()),
            Screen::List(l) => l.title.clone(),
            Screen::Problems(_) => "problems".into(),
            Screen::Health(_) => "health".into(),
            Screen::Wizard(w) => w.template.title.clone(),
            Screen::DocsSearch(s) => format!("docs: {}", s.term),
            Screen::Sources(_) => "sources".into(),
        }
    }
}
