//! The screens of the view stack, one folder each: its state in `mod.rs`,
//! its keys in `keys.rs` (one match naming every action it handles), its
//! drawing in `view.rs`. Screens never see the app: keys get a `Ctx`
//! (context.rs), views a `ViewCx` (draw.rs).

pub mod docs;
pub mod entity;
pub mod form;
pub mod list;
pub mod portal;
pub mod rejected;
pub mod search;
pub mod selection;
pub mod wizard;

use crate::index::Index;

use super::keymap::Context;
use docs::DocsSearchScreen;
use entity::{EntityScreen, Tab};
use list::health::HealthScreen;
use list::problems::ProblemsScreen;
use list::{ListScreen, ListSource};
use rejected::RejectedScreen;
use search::{SearchFocus, SearchScreen};
use selection::Selection;
use wizard::WizardScreen;

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
    Wizard(Box<WizardScreen>),
    /// `:docs-search` results.
    DocsSearch(Box<DocsSearchScreen>),
    /// The configured sources and how their last sync went.
    Sources(Selection),
    /// The portal: actions, tasks, the server's search.
    Portal(Box<portal::PortalScreen>),
    /// An entity the catalog would not store.
    Rejected(Box<RejectedScreen>),
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
            Screen::Portal(p) => p.label(),
            Screen::Rejected(r) => r.label(),
        }
    }

    /// The keymap context of this screen: where its keys are looked up.
    pub fn keymap_context(&self) -> Context {
        match self {
            Screen::Search(s) if s.focus == SearchFocus::Query => Context::Search,
            Screen::List(l) if l.filtering => Context::Search,
            Screen::Problems(p) if p.filtering => Context::Search,
            Screen::Entity(e) if e.docs_typing() => Context::Search,
            Screen::Entity(e) if e.current() == Tab::Docs => Context::Docs,
            Screen::Entity(_) => Context::Entity,
            Screen::Wizard(w) if w.typing() => Context::Search,
            Screen::Wizard(_) => Context::Wizard,
            Screen::Portal(p) => p.keymap_context(),
            Screen::Search(_)
            | Screen::List(_)
            | Screen::Problems(_)
            | Screen::Health(_)
            | Screen::DocsSearch(_)
            | Screen::Sources(_)
            | Screen::Rejected(_) => Context::List,
        }
    }

    /// The entity under the cursor (or shown), for star, copy, open, refresh.
    pub fn selected_entity(&self, index: &Index) -> Option<u32> {
        match self {
            Screen::Search(s) => s.selected(),
            Screen::List(l) => l.selected(),
            Screen::Entity(e) => Some(e.entity),
            Screen::Problems(p) => {
                let problem = p.shown.get(p.sel.selected).and_then(|&i| index.problems.get(i))?;
                index.find(problem.entity.as_deref()?)
            }
            Screen::Health(h) => h.issues.get(h.sel.selected).map(|i| i.entity),
            Screen::Wizard(_) | Screen::Sources(_) | Screen::Portal(_) | Screen::Rejected(_) => None,
            Screen::DocsSearch(s) => s.hits.as_ref().and_then(|h| h.get(s.sel.selected)).map(|h| h.entity),
        }
    }

    /// Whether this is the starred list (it follows star changes).
    pub fn is_starred_list(&self) -> bool {
        matches!(self, Screen::List(l) if l.source == ListSource::Starred)
    }
}
