//! Keys on an entity page: tabs, scrolling, the relations list, the
//! outline (team, groups, structure) and the graph (depth, filters,
//! fan-outs). On the Docs tab the docs keys go first.

use crossterm::event::KeyEvent;

use crate::index::Index;
use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav, delta};
use crate::tui::screens::docs;

use super::derive::{GraphChoice, graph_choice, graph_lines, outline_lines};
use super::outline::LineKind;
use super::{EntityScreen, KIND_SETS, MAX_GRAPH_DEPTH, RELATION_SETS, Tab, find};

/// Runs `action` on an entity page.
pub fn handle(page: &mut EntityScreen, action: Action, cx: &mut Ctx) -> Handled {
    if page.current() == Tab::Docs
        && let Some(view) = page.docs.as_deref_mut()
        && docs::keys::handle_tab(view, action, cx) == Handled::Yes
    {
        return Handled::Yes;
    }
    if find::findable(page.current()) && find::handle(page, action, cx) == Handled::Yes {
        return Handled::Yes;
    }
    let index = cx.index();
    match (page.current(), action) {
        (_, Action::ShowRelations) => page.show(Tab::Relations),
        (_, Action::ShowGraph) => page.show(Tab::Graph),
        (
            tab,
            Action::MoveUp
            | Action::MoveDown
            | Action::PageUp
            | Action::PageDown
            | Action::HalfPageUp
            | Action::HalfPageDown
            | Action::Top
            | Action::Bottom,
        ) => {
            let Some(d) = delta(action, cx.page as isize) else { return Handled::No };
            match tab {
                Tab::Outline => {
                    let len = outline_lines(index, page).len();
                    page.outline.move_by(d, len);
                }
                Tab::Graph => {
                    let len = graph_lines(index, page).len();
                    page.graph.sel.move_by(d, len);
                }
                Tab::Relations => page.relations.move_by(d, index.links(page.entity).len()),
                _ => page.scroll = page.scroll.saturating_add_signed(d).min(page.max_scroll.get()),
            }
        }
        (Tab::Outline, Action::Select | Action::Fold) => outline_select(index, page, action == Action::Fold, cx),
        (Tab::Outline, Action::ToggleSubgroups) => {
            page.with_subgroups = !page.with_subgroups;
            let len = outline_lines(index, page).len();
            page.outline.set(page.outline.selected, len);
        }
        (Tab::Graph, Action::Select | Action::Fold) => graph_select(index, page, action == Action::Fold, cx),
        (Tab::Graph, Action::DepthMore | Action::DepthLess) => {
            let depth = &mut page.graph.depth;
            *depth = if action == Action::DepthMore {
                (*depth + 1).min(MAX_GRAPH_DEPTH)
            } else {
                depth.saturating_sub(1).max(1)
            };
            page.graph.sel.set(0, 1);
            cx.flash(format!("graph depth {}", page.graph.depth), Level::Info);
        }
        (Tab::Graph, Action::CycleRelations) => {
            page.graph.relations = (page.graph.relations + 1) % RELATION_SETS.len();
            page.graph.sel.set(0, 1);
            cx.flash(format!("graph: {}", RELATION_SETS[page.graph.relations].0), Level::Info);
        }
        (Tab::Graph, Action::CycleKinds) => {
            page.graph.kinds = (page.graph.kinds + 1) % KIND_SETS.len();
            page.graph.sel.set(0, 1);
            cx.flash(format!("graph: {}", KIND_SETS[page.graph.kinds].0), Level::Info);
        }
        (Tab::Relations, Action::Select) => {
            let rels = index.relations(page.entity);
            match rels.get(page.relations.selected) {
                Some(r) if r.entity.is_some() => cx.go(Nav::Open(r.entity.unwrap_or_default())),
                Some(r) => {
                    let text = format!("{} is not in the catalog (dangling {} reference)", r.target, r.kind);
                    cx.flash(text, Level::Warning);
                }
                None => {}
            }
        }
        (_, Action::NextPane | Action::NextTab) => step_tab(page, 1),
        (_, Action::PrevPane | Action::PrevTab) => step_tab(page, -1),
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// A key no binding took: text for the find line of the YAML or API tab,
/// or for the Docs tab's page search line.
pub fn typed(page: &mut EntityScreen, key: KeyEvent) {
    if let Some(input) = page.find.input.as_mut() {
        input.input(key);
        return;
    }
    if page.current() == Tab::Docs
        && let Some(view) = page.docs.as_deref_mut()
    {
        docs::keys::typed(view, key);
    }
}

fn step_tab(e: &mut EntityScreen, by: isize) {
    let n = e.tabs.len() as isize;
    e.tab = ((e.tab as isize + by).rem_euclid(n)) as usize;
    e.find.clear();
    e.scroll = 0;
}

fn outline_select(index: &Index, page: &mut EntityScreen, fold_only: bool, cx: &mut Ctx) {
    let lines = outline_lines(index, page);
    let Some(line) = lines.get(page.outline.selected) else { return };
    match (&line.kind, line.fold) {
        (LineKind::Entity(e), Some(_)) if fold_only && !page.toggled.remove(e) => {
            page.toggled.insert(*e);
        }
        (LineKind::Entity(_), Some(_)) if fold_only => {}
        (LineKind::Entity(e), _) if !fold_only => cx.go(Nav::Open(*e)),
        (LineKind::Missing, _) => cx.flash(format!("{} ", line.text.trim()), Level::Warning),
        _ => {}
    }
}

fn graph_select(index: &Index, page: &mut EntityScreen, fold_only: bool, cx: &mut Ctx) {
    let lines = graph_lines(index, page);
    match graph_choice(index, &lines, page.graph.sel.selected) {
        Some(GraphChoice::Expand(node)) => {
            page.graph.expanded.insert(node);
        }
        Some(GraphChoice::Open(i)) if !fold_only => cx.go(Nav::Open(i)),
        Some(GraphChoice::Missing(r)) => cx.flash(format!("{r} is not in the catalog"), Level::Warning),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::index::search::Haystacks;
    use crate::index::testing::index_of;
    use crate::tui::app::Loaded;

    fn loaded() -> Loaded {
        let index = index_of(vec![
            json!({"kind": "Group", "metadata": {"name": "team"}, "spec": {"type": "team", "children": []}}),
            json!({"kind": "Component", "metadata": {"name": "svc"}, "spec": {"owner": "team", "type": "service", "lifecycle": "production", "dependsOn": ["component:gone"]}}),
        ]);
        Loaded { index: Arc::new(index), hay: Arc::new(Haystacks::lazy()) }
    }

    fn page(loaded: &Loaded, name: &str) -> EntityScreen {
        let i = loaded.index.find(name).unwrap();
        EntityScreen::new(&loaded.index, i, 0)
    }

    #[test]
    fn tabs_step_and_wrap_and_back_is_left_to_global() {
        let loaded = loaded();
        let mut generation = 0;
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        let mut e = page(&loaded, "component:default/svc");
        assert_eq!(handle(&mut e, Action::NextTab, &mut cx), Handled::Yes);
        assert_eq!(e.current(), Tab::Relations);
        assert_eq!(handle(&mut e, Action::PrevTab, &mut cx), Handled::Yes);
        assert_eq!(handle(&mut e, Action::PrevPane, &mut cx), Handled::Yes);
        assert_eq!(e.tab, e.tabs.len() - 1, "wraps to the last tab");
        assert_eq!(handle(&mut e, Action::Back, &mut cx), Handled::No);
        assert!(cx.out.nav.is_none());
    }

    #[test]
    fn enter_on_a_relation_opens_it_and_a_dangling_one_says_so() {
        let loaded = loaded();
        let mut generation = 0;
        let mut e = page(&loaded, "component:default/svc");
        e.show(Tab::Relations);
        let rels = loaded.index.relations(e.entity);
        let owner = rels.iter().position(|r| r.entity.is_some()).unwrap();
        let dangling = rels.iter().position(|r| r.entity.is_none()).unwrap();
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        e.relations.set(owner, rels.len());
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes);
        assert!(matches!(cx.out.nav, Some(Nav::Open(i)) if Some(i) == rels[owner].entity));
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        e.relations.set(dangling, rels.len());
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes);
        assert!(cx.out.nav.is_none());
        assert!(cx.out.flash.is_some_and(|(text, level)| text.contains("dangling") && level == Level::Warning));
    }

    #[test]
    fn graph_keys_change_depth_and_say_so() {
        let loaded = loaded();
        let mut generation = 0;
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        let mut e = page(&loaded, "component:default/svc");
        assert_eq!(handle(&mut e, Action::ShowGraph, &mut cx), Handled::Yes);
        assert_eq!(e.current(), Tab::Graph);
        assert_eq!(handle(&mut e, Action::DepthMore, &mut cx), Handled::Yes);
        assert_eq!(e.graph.depth, 2);
        assert_eq!(cx.out.flash.as_ref().map(|f| f.0.as_str()), Some("graph depth 2"));
        assert_eq!(handle(&mut e, Action::ToggleSubgroups, &mut cx), Handled::No, "only on the outline");
    }

    #[test]
    fn slash_finds_in_the_yaml_tab_and_n_steps_through_the_matches() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let loaded = loaded();
        let mut generation = 0;
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        let mut e = page(&loaded, "component:default/svc");
        e.show(Tab::Yaml);
        assert_eq!(e.current(), Tab::Yaml);
        e.yaml =
            (0..30).map(|i| if i % 10 == 3 { format!("owner: team{i}\n") } else { format!("line{i}: x\n") }).collect();
        assert_eq!(handle(&mut e, Action::SearchNext, &mut cx), Handled::Yes, "n before / explains itself");
        assert_eq!(handle(&mut e, Action::Filter, &mut cx), Handled::Yes);
        assert!(e.docs_typing(), "the find line takes the keys");
        for c in "TEAM".chars() {
            typed(&mut e, KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
        }
        assert_eq!(handle(&mut e, Action::NextTab, &mut cx), Handled::Yes, "swallowed while typing");
        assert_eq!(e.current(), Tab::Yaml);
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes);
        assert!(!e.docs_typing());
        assert_eq!(e.find.matches, vec![(3, 7), (13, 7), (23, 7)], "case-insensitive, by row and column");
        assert_eq!(cx.out.flash.as_ref().map(|f| f.0.as_str()), Some("`TEAM`: match 1 of 3 (n/N)"));
        assert_eq!(e.scroll, 1, "the match shows with two rows above it");
        assert_eq!(handle(&mut e, Action::SearchNext, &mut cx), Handled::Yes);
        assert_eq!((e.find.at, e.scroll), (1, 11));
        assert_eq!(handle(&mut e, Action::SearchPrev, &mut cx), Handled::Yes);
        assert_eq!(handle(&mut e, Action::SearchPrev, &mut cx), Handled::Yes);
        assert_eq!((e.find.at, e.scroll), (2, 21), "wraps backwards");
        assert_eq!(handle(&mut e, Action::Back, &mut cx), Handled::Yes, "esc forgets the find first");
        assert!(e.find.matches.is_empty());
        assert_eq!(handle(&mut e, Action::Back, &mut cx), Handled::No, "then leaves the page");

        assert_eq!(handle(&mut e, Action::Filter, &mut cx), Handled::Yes);
        typed(&mut e, KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE));
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes);
        assert!(cx.out.flash.as_ref().is_some_and(|(t, l)| t == "`z` is not in this tab" && *l == Level::Warning));
        e.find.matches.push((0, 0));
        assert_eq!(handle(&mut e, Action::NextTab, &mut cx), Handled::Yes);
        assert!(e.find.matches.is_empty(), "another tab starts without a find");
    }

    #[test]
    fn slash_in_the_relations_tab_selects_the_matching_relation() {
        use crossterm::event::{KeyCode, KeyModifiers};
        let loaded = loaded();
        let mut generation = 0;
        let mut cx = Ctx::new(Some(&loaded), &mut generation);
        let mut e = page(&loaded, "component:default/svc");
        e.show(Tab::Relations);
        let rels = loaded.index.relations(e.entity);
        let gone = rels.iter().position(|r| r.target.contains("gone")).unwrap();
        assert_eq!(handle(&mut e, Action::Filter, &mut cx), Handled::Yes);
        for c in "gone".chars() {
            typed(&mut e, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes);
        assert_eq!(e.relations.selected, gone, "the selection moves to the match");
        assert_eq!(e.find.matches, vec![(gone, 22)], "the column as drawn: `  → component` then the name");
        assert!(!e.docs_typing());
        assert_eq!(handle(&mut e, Action::Select, &mut cx), Handled::Yes, "enter then acts on the relation");
        assert!(cx.out.flash.is_some_and(|(text, _)| text.contains("dangling")));
    }
}
