//! Keys on the tables: entity lists (filter, sort, open, start the wizard
//! on a template), problems, health findings and sources.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crossterm::event::KeyEvent;

use crate::index::Index;
use crate::index::search::{Hit, Query};
use crate::scaffold::{Template, template::base_dir_of};
use crate::tui::action::Action;
use crate::tui::app::{Level, Loaded};
use crate::tui::context::{Ctx, Handled, Nav, delta};
use crate::tui::effects::{Effect, SearchScope};
use crate::tui::screens::Screen;
use crate::tui::screens::entity::{EntityScreen, Tab};
use crate::tui::screens::rejected::RejectedScreen;
use crate::tui::screens::selection::Selection;
use crate::tui::screens::wizard::WizardScreen;

use super::health::HealthScreen;
use super::problems::ProblemsScreen;
use super::{ListScreen, ListSource};

/// Runs `action` on an entity list.
pub fn handle(l: &mut ListScreen, action: Action, cx: &mut Ctx) -> Handled {
    match action {
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::HalfPageUp
        | Action::HalfPageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(d) = delta(action, cx.page as isize) {
                l.sel.move_by(d, l.shown.len());
            }
        }
        Action::Select if l.filtering => l.filtering = false,
        Action::Select => match (l.selected(), &l.source) {
            (Some(i), ListSource::Kind(k)) if k.eq_ignore_ascii_case("template") => open_wizard(i, cx),
            (Some(i), _) => cx.go(Nav::Open(i)),
            (None, _) => {}
        },
        Action::Filter => l.filtering = true,
        Action::ClearQuery => {
            if l.filter.clear() {
                research(l, cx);
            }
        }
        Action::Back | Action::Quit if l.filtering => l.filtering = false,
        Action::SortNext | Action::SortReverse => {
            if let Some(loaded) = cx.loaded {
                sort(l, action == Action::SortReverse, &loaded.index);
            }
        }
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// A key no binding took: text for the filter while it has the keyboard.
pub fn typed(l: &mut ListScreen, key: KeyEvent, cx: &mut Ctx) {
    if l.filtering && l.filter.input(key) {
        research(l, cx);
    }
}

/// Opens the wizard on Template entity `i`.
fn open_wizard(i: u32, cx: &mut Ctx) {
    let index = cx.index();
    let template = index.entity(i).and_then(|e| Template::from_entity(&e, base_dir_of(&e)).map_err(|e| e.to_string()));
    let source = index.remote_source_of(i).map(String::from);
    let backends = index.remote_sources().into_iter().map(String::from).collect();
    match template {
        Ok(t) => {
            let w = WizardScreen::new(t).with_backends(source, backends);
            crate::tui::screens::wizard::draft::open(w, cx);
        }
        Err(e) => cx.flash(format!("cannot open the template: {e}"), Level::Error),
    }
}

/// `S` / `R`: next sort column, or reverse; the selection stays on its entity.
fn sort(l: &mut ListScreen, reverse: bool, index: &Index) {
    if reverse {
        l.sort.1 = !l.sort.1;
    } else {
        l.sort = ((l.sort.0 + 1) % l.columns.len().max(1), false);
    }
    let keep = l.selected();
    l.sort_rows(index);
    if let Some(k) = keep {
        let row = l.shown.iter().position(|&e| e == k).unwrap_or(0);
        l.sel.set(row, l.shown.len());
    }
}

/// Re-applies the filter: every row when empty, else a search over the rows.
pub fn research(l: &mut ListScreen, cx: &mut Ctx) {
    let Some(loaded) = cx.loaded else { return };
    let generation = cx.next_generation();
    if let Some(effect) = start(l, loaded, generation) {
        cx.effect(effect);
    }
}

/// The filter search for the list's rows, if the filter needs one.
pub fn start(l: &mut ListScreen, loaded: &Loaded, generation: u64) -> Option<Effect> {
    let query = Query::parse(l.filter.text());
    if query.text.is_empty() && query.facets.is_empty() {
        l.waiting = 0; // a filter search still running is stale now
        l.shown = l.rows.iter().map(|h| h.entity).collect();
        l.sort_rows(&loaded.index);
        l.sel.set(l.sel.selected, l.shown.len());
        return None;
    }
    l.waiting = generation;
    // Rows are sorted by column, not rank: no early first screen.
    let (scope, cancel) = (SearchScope::Rows(l.rows.clone()), Arc::new(AtomicBool::new(false)));
    Some(Effect::Search { generation, loaded: loaded.clone(), query, scope, window: 0, cancel })
}

/// Takes a finished filter search; false when it is not this list's.
pub fn results(l: &mut ListScreen, generation: u64, hits: &Arc<Vec<Hit>>, index: &Index) -> bool {
    if l.waiting != generation {
        return false;
    }
    let keep = l.selected();
    l.shown = hits.iter().map(|h| h.entity).collect();
    l.sort_rows(index);
    let row = keep.and_then(|k| l.shown.iter().position(|&e| e == k));
    l.sel.set(row.unwrap_or(0), l.shown.len());
    true
}

/// The rows of an identity list: what the user owns (transitively), or
/// their groups (direct and inherited). `None` when the user is unknown.
pub fn identity_rows(index: &Index, source: &ListSource) -> Option<Vec<u32>> {
    match source {
        ListSource::Mine(user) => Some(crate::index::graph::owned_by(index, index.find(user)?, true)),
        ListSource::MyGroups(user) => Some(crate::index::graph::groups_of(index, index.find(user)?, true)),
        _ => None,
    }
}

/// The starred entities found in `index`.
pub fn starred_rows(index: &Index, starred: &BTreeSet<String>) -> Vec<u32> {
    starred.iter().filter_map(|r| index.find(r)).collect()
}

/// The list with new rows, keeping its sort and selection row.
pub fn rebuilt(old: &ListScreen, rows: Vec<u32>, index: &Index) -> ListScreen {
    let mut list = ListScreen::new(old.title.clone(), old.source.clone(), rows, old.columns.clone());
    list.sort = old.sort;
    list.sort_rows(index);
    list.sel.set(old.sel.selected, list.shown.len());
    list
}

/// The list on a new index: its rows found again from its source.
pub fn carry_over(l: &ListScreen, index: &Index, starred: &BTreeSet<String>) -> ListScreen {
    let rows: Vec<u32> = match &l.source {
        ListSource::Kind(k) => {
            (0..index.len() as u32).filter(|&i| index.summary(i).kind.eq_ignore_ascii_case(k)).collect()
        }
        ListSource::Starred => starred_rows(index, starred),
        other => identity_rows(index, other).unwrap_or_default(),
    };
    let mut list = rebuilt(l, rows, index);
    list.filter = l.filter.clone();
    list.filtering = l.filtering;
    list
}

/// Runs `action` on the problems table.
pub fn handle_problems(p: &mut ProblemsScreen, action: Action, cx: &mut Ctx) -> Handled {
    match action {
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::HalfPageUp
        | Action::HalfPageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(d) = delta(action, cx.page as isize) {
                p.sel.move_by(d, p.shown.len());
            }
        }
        Action::Select if p.filtering => p.filtering = false,
        Action::Select => open_problem(p, cx),
        Action::Filter => p.filtering = true,
        Action::ClearQuery => {
            if p.filter.clear() {
                p.refilter(cx.index());
            }
        }
        Action::Back | Action::Quit if p.filtering => p.filtering = false,
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// Enter on a problem: its entity's page on the Problems tab, or for a
/// problem of a whole source, that source in the sources table.
fn open_problem(p: &ProblemsScreen, cx: &mut Ctx) {
    let Some(loaded) = cx.loaded else { return };
    let index = &loaded.index;
    let Some(problem) = p.selected(index) else { return };
    if let Some(r) = problem.entity.clone() {
        let Some(i) = index.find(&r) else {
            // A rejected entity has a page of its own, with the reason.
            if let Some(rejected) = index.find_rejected(&r).first() {
                let page = RejectedScreen::new((*rejected).clone());
                return cx.go(Nav::Push(Box::new(Screen::Rejected(Box::new(page)))));
            }
            let why = format!("{r} was not indexed (it failed validation or was a duplicate)");
            return cx.flash(why, Level::Warning);
        };
        let mut page = EntityScreen::new(index, i, crate::tui::navigation::index_id(loaded));
        if let Some(tab) = page.tabs.iter().position(|t| *t == Tab::Problems) {
            page.tab = tab;
        }
        cx.out.effects.push(Effect::LoadEntity { index: index.clone(), entity: i });
        cx.go(Nav::Push(Box::new(Screen::Entity(Box::new(page)))));
    } else if let Some(at) = problem.source.as_deref().and_then(|s| index.sources.iter().position(|x| x.name == s)) {
        let mut sel = Selection::default();
        sel.set(at, index.sources.len());
        cx.go(Nav::Push(Box::new(Screen::Sources(sel))));
    } else if let Some(file) = &problem.file {
        cx.flash(format!("{} is not about an entity: fix it in {file}", problem.location()), Level::Info);
    }
}

/// A key no binding took: text for the problems filter.
pub fn typed_problems(p: &mut ProblemsScreen, key: KeyEvent, cx: &mut Ctx) {
    if p.filtering && p.filter.input(key) && cx.loaded.is_some() {
        p.refilter(cx.index());
    }
}

/// Runs `action` on the health findings.
pub fn handle_health(h: &mut HealthScreen, action: Action, cx: &mut Ctx) -> Handled {
    match action {
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::HalfPageUp
        | Action::HalfPageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(d) = delta(action, cx.page as isize) {
                h.sel.move_by(d, h.issues.len());
            }
        }
        Action::Select => {
            if let Some(issue) = h.issues.get(h.sel.selected) {
                cx.go(Nav::Open(issue.entity));
            }
        }
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// Runs `action` on the sources table: enter syncs the selected source.
pub fn handle_sources(sel: &mut Selection, action: Action, cx: &mut Ctx) -> Handled {
    match action {
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::HalfPageUp
        | Action::HalfPageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(d) = delta(action, cx.page as isize) {
                sel.move_by(d, cx.index().sources.len());
            }
        }
        Action::Select => cx.out.sync = cx.index().sources.get(sel.selected).map(|s| s.name.clone()),
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// The health findings on a new index.
pub fn health_carry_over(h: &HealthScreen, index: &Index) -> HealthScreen {
    let mut fresh = HealthScreen { issues: crate::index::health::health(index), sel: Selection::default() };
    fresh.sel.set(h.sel.selected, fresh.issues.len());
    fresh
}

/// The problems table on a new index, its filter kept.
pub fn problems_carry_over(p: &ProblemsScreen, index: &Index) -> ProblemsScreen {
    let mut fresh = ProblemsScreen::new(p.setup.clone(), index);
    fresh.filter = p.filter.clone();
    fresh.refilter(index);
    fresh
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::screens::list::Column;

    fn list() -> ListScreen {
        ListScreen::new("components".into(), ListSource::Kind("Component".into()), vec![0, 1, 2], vec![Column::Name])
    }

    #[test]
    fn esc_leaves_the_filter_first_then_is_left_to_global_back() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut l = list();
        assert_eq!(handle(&mut l, Action::Filter, &mut cx), Handled::Yes);
        assert!(l.filtering);
        assert_eq!(handle(&mut l, Action::Back, &mut cx), Handled::Yes);
        assert!(!l.filtering);
        assert_eq!(handle(&mut l, Action::Back, &mut cx), Handled::No, "global back pops the list");
    }

    #[test]
    fn moves_stay_within_the_rows() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut l = list();
        assert_eq!(handle(&mut l, Action::Bottom, &mut cx), Handled::Yes);
        assert_eq!(l.sel.selected, 2);
        assert_eq!(handle(&mut l, Action::MoveDown, &mut cx), Handled::Yes);
        assert_eq!(l.sel.selected, 2);
        assert_eq!(handle(&mut l, Action::Top, &mut cx), Handled::Yes);
        assert_eq!(l.sel.selected, 0);
    }

    #[test]
    fn enter_opens_the_selected_entity() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut l = list();
        l.sel.set(1, 3);
        assert_eq!(handle(&mut l, Action::Select, &mut cx), Handled::Yes);
        assert!(matches!(cx.out.nav, Some(Nav::Open(1))));
    }
}
