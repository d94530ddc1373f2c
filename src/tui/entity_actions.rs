//! Actions on an entity page's structured tabs: the outline (team, groups,
//! structure) and the graph: moving, opening, folding, depth and filters.

use super::action::Action;
use super::app::{App, Level};
use super::effects::Effect;
use super::entity_page::{GraphChoice, graph_choice, graph_lines, outline_lines};
use super::navigation::open_entity;
use super::outline::LineKind;
use super::screens::{EntityScreen, KIND_SETS, MAX_GRAPH_DEPTH, RELATION_SETS, Screen, Tab};

/// What the page asks for after an action.
enum Outcome {
    Nothing,
    Open(u32),
    Flash(String, Level),
}

/// Handles `action` when the top screen is an entity page and the action is
/// about its outline or graph tab; `None` leaves it to the generic handling.
pub fn handle(app: &mut App, action: Action, delta: Option<isize>) -> Option<Vec<Effect>> {
    let loaded = app.loaded.clone()?;
    let index = &loaded.index;
    let Screen::Entity(page) = app.screen_mut() else { return None };
    let outcome = match (page.current(), action, delta) {
        (_, Action::ShowRelations, _) => {
            page.show(Tab::Relations);
            Outcome::Nothing
        }
        (_, Action::ShowGraph, _) => {
            page.show(Tab::Graph);
            Outcome::Nothing
        }
        (Tab::Outline, _, Some(d)) => {
            let len = outline_lines(index, page).len();
            page.outline.move_by(d, len);
            Outcome::Nothing
        }
        (Tab::Graph, _, Some(d)) => {
            let len = graph_lines(index, page).len();
            page.graph.sel.move_by(d, len);
            Outcome::Nothing
        }
        (Tab::Outline, Action::Select | Action::Fold, _) => outline_select(index, page, action == Action::Fold),
        (Tab::Outline, Action::ToggleSubgroups, _) => {
            page.with_subgroups = !page.with_subgroups;
            let len = outline_lines(index, page).len();
            page.outline.set(page.outline.selected, len);
            Outcome::Nothing
        }
        (Tab::Graph, Action::Select | Action::Fold, _) => graph_select(index, page, action == Action::Fold),
        (Tab::Graph, Action::DepthMore | Action::DepthLess, _) => {
            let depth = &mut page.graph.depth;
            *depth = if action == Action::DepthMore {
                (*depth + 1).min(MAX_GRAPH_DEPTH)
            } else {
                depth.saturating_sub(1).max(1)
            };
            page.graph.sel.set(0, 1);
            Outcome::Flash(format!("graph depth {}", page.graph.depth), Level::Info)
        }
        (Tab::Graph, Action::CycleRelations, _) => {
            page.graph.relations = (page.graph.relations + 1) % RELATION_SETS.len();
            page.graph.sel.set(0, 1);
            Outcome::Flash(format!("graph: {}", RELATION_SETS[page.graph.relations].0), Level::Info)
        }
        (Tab::Graph, Action::CycleKinds, _) => {
            page.graph.kinds = (page.graph.kinds + 1) % KIND_SETS.len();
            page.graph.sel.set(0, 1);
            Outcome::Flash(format!("graph: {}", KIND_SETS[page.graph.kinds].0), Level::Info)
        }
        _ => return None,
    };
    Some(match outcome {
        Outcome::Nothing => Vec::new(),
        Outcome::Open(i) => open_entity(app, i),
        Outcome::Flash(text, level) => {
            app.flash(text, level);
            Vec::new()
        }
    })
}

fn outline_select(index: &crate::index::Index, page: &mut EntityScreen, fold_only: bool) -> Outcome {
    let lines = outline_lines(index, page);
    let Some(line) = lines.get(page.outline.selected) else { return Outcome::Nothing };
    match (&line.kind, line.fold) {
        (LineKind::Entity(e), Some(_)) if fold_only => {
            if !page.toggled.remove(e) {
                page.toggled.insert(*e);
            }
            Outcome::Nothing
        }
        (LineKind::Entity(e), _) if !fold_only => Outcome::Open(*e),
        (LineKind::Missing, _) => Outcome::Flash(format!("{} ", line.text.trim()), crate::tui::app::Level::Warning),
        _ => Outcome::Nothing,
    }
}

fn graph_select(index: &crate::index::Index, page: &mut EntityScreen, fold_only: bool) -> Outcome {
    let lines = graph_lines(index, page);
    match graph_choice(index, &lines, page.graph.sel.selected) {
        Some(GraphChoice::Expand(node)) => {
            page.graph.expanded.insert(node);
            Outcome::Nothing
        }
        Some(GraphChoice::Open(i)) if !fold_only => Outcome::Open(i),
        Some(GraphChoice::Missing(r)) => Outcome::Flash(format!("{r} is not in the catalog"), Level::Warning),
        _ => Outcome::Nothing,
    }
}
