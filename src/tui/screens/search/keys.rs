//! Keys on the search home: moving through results, opening one, switching
//! between the query and the results, and the searches typing starts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{KeyCode, KeyEvent};

use crate::index::search::{Hit, Query, facet_hints, narrows};
use crate::tui::action::Action;
use crate::tui::app::{Level, Loaded};
use crate::tui::context::{Ctx, Handled, Nav, delta};
use crate::tui::effects::{Effect, SearchScope};

use super::super::Screen;
use super::super::rejected::RejectedScreen;
use super::{SearchFocus, SearchScreen};

/// Runs `action` on the search home.
pub fn handle(s: &mut SearchScreen, action: Action, cx: &mut Ctx) -> Handled {
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
                s.sel.move_by(d, s.row_count());
            }
        }
        // Enter acts on the query as typed: while its search runs, the rows
        // shown are an older query's, so the top row opens when it is done.
        // The rejected rows are known as soon as the query is typed.
        Action::Select if s.query.rejected => match s.selected_rejected() {
            Some(r) => {
                let page = RejectedScreen::new(r.clone());
                cx.go(Nav::Push(Box::new(Screen::Rejected(Box::new(page)))));
            }
            None => cx.flash(no_matches(s), Level::Info),
        },
        Action::Select if s.waiting != 0 && !s.first_screen_only => s.open_when_done = true,
        Action::Select => match s.selected() {
            Some(i) => cx.go(Nav::Open(i)),
            None => cx.flash(no_matches(s), Level::Info),
        },
        Action::NextPane | Action::PrevPane => {
            s.focus = match s.focus {
                SearchFocus::Query => SearchFocus::Results,
                SearchFocus::Results => SearchFocus::Query,
            };
        }
        Action::Filter => s.focus = SearchFocus::Query,
        Action::ClearQuery => {
            if s.input.clear() {
                research(s, cx);
            }
        }
        // The home is never left: back returns to the query, then clears it.
        Action::Back => {
            if s.focus == SearchFocus::Results {
                s.focus = SearchFocus::Query;
            } else if s.input.clear() {
                research(s, cx);
            }
        }
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// A key no binding took: text for the query. On an empty query `:` and
/// `?` are the palette and help instead (k9s habits; anywhere else in the
/// query they are typed, as in `kind:api`): the action to run is returned.
pub fn typed(s: &mut SearchScreen, key: KeyEvent, cx: &mut Ctx) -> Option<Action> {
    if s.focus != SearchFocus::Query {
        return None;
    }
    if s.input.text().is_empty() {
        match key.code {
            KeyCode::Char(':') => return Some(Action::CommandPalette),
            KeyCode::Char('?') => return Some(Action::Help),
            _ => {}
        }
    }
    if s.input.input(key) {
        research(s, cx);
    }
    None
}

/// Sets the query text and searches (the palette's `:search`, tests).
pub fn set_query(s: &mut SearchScreen, text: &str, cx: &mut Ctx) {
    s.input.set(text);
    s.focus = SearchFocus::Query;
    research(s, cx);
}

/// Starts the search for the query as typed now.
pub fn research(s: &mut SearchScreen, cx: &mut Ctx) {
    let Some(loaded) = cx.loaded else { return };
    let generation = cx.next_generation();
    let window = usize::from(cx.size.1.max(1));
    if let Some(effect) = start(s, loaded, generation, window) {
        cx.effect(effect);
    }
}

/// The search effect for the query as typed, `generation` marking it;
/// none when the newest complete results are already its answer (the
/// same query: a space typed after a word, a character typed and erased).
pub fn start(s: &mut SearchScreen, loaded: &Loaded, generation: u64, window: usize) -> Option<Effect> {
    let query = Query::parse(s.input.text());
    // Only a `word:value` token can be an unknown facet.
    s.hints =
        if s.input.text().contains(':') { facet_hints(&loaded.index, &loaded.hay, s.input.text()) } else { Vec::new() };
    s.rejected =
        if query.rejected { loaded.index.search_rejected(&query).into_iter().cloned().collect() } else { Vec::new() };
    s.first_screen_only = false;
    s.cancel.store(true, Ordering::Relaxed);
    // The newest complete results answer the same query, unless an Enter
    // pressed while a search ran waits for a search's answer.
    if let Some((before, hits)) = s.settled.as_ref().filter(|(before, _)| *before == query && !s.open_when_done) {
        s.query = before.clone();
        s.waiting = 0;
        if !Arc::ptr_eq(&s.results, hits) {
            s.results = hits.clone();
            s.sel.set(0, s.row_count());
        }
        return None;
    }
    // Narrow from the newest complete results (those shown, or older
    // ones while a search runs) when the new query only grew from theirs.
    let scope = match &s.settled {
        Some((before, hits)) if can_narrow(before, &query) => {
            SearchScope::Narrowing { before: before.clone(), hits: hits.clone() }
        }
        _ => SearchScope::All,
    };
    s.query = query.clone();
    s.waiting = generation;
    s.cancel = Arc::new(AtomicBool::new(false));
    Some(Effect::Search { generation, loaded: loaded.clone(), query, scope, window, cancel: s.cancel.clone() })
}

/// The message for Enter on no results.
pub fn no_matches(s: &SearchScreen) -> String {
    format!("no matches for `{}`", crate::model::sanitize::line(s.input.text()))
}

/// Where a deferred Enter goes once the results it waited for are shown
/// (see [`SearchScreen::open_when_done`]): the selected row, or a message.
pub fn deferred_open(s: &mut SearchScreen) -> Option<Result<u32, String>> {
    if !std::mem::take(&mut s.open_when_done) {
        return None;
    }
    Some(s.selected().ok_or_else(|| no_matches(s)))
}

/// Whether a new query can narrow the previous results.
pub fn can_narrow(before: &Query, after: &Query) -> bool {
    narrows(before, after) && !before.text.is_empty()
}

/// Shows a search's first screen while the rest is still being ranked;
/// false when the results are not this screen's.
pub fn first_screen(s: &mut SearchScreen, generation: u64, hits: &Arc<Vec<Hit>>) -> bool {
    if s.waiting != generation {
        return false;
    }
    s.results = hits.clone();
    s.first_screen_only = true;
    s.sel.set(0, s.row_count());
    true
}

/// Takes a finished search's results; false when they are not this screen's.
pub fn results(s: &mut SearchScreen, generation: u64, hits: &Arc<Vec<Hit>>, loaded: &Loaded) -> bool {
    if s.waiting != generation {
        return false;
    }
    let row_before = s.first_screen_only.then_some(s.sel.selected);
    s.waiting = 0;
    s.first_screen_only = false;
    s.settled = Some((s.query.clone(), hits.clone()));
    s.results = hits.clone();
    let keep = s.reselect.take().and_then(|r| loaded.index.find(&r));
    let row = keep.and_then(|k| s.results.iter().position(|h| h.entity == k));
    // The first screen shown early was final: a move made on it stays.
    s.sel.set(row.or(row_before).unwrap_or(0), s.row_count());
    true
}

/// The search home on a new index: the old results are ids in the old one;
/// `selected_ref` is selected again when the new results arrive.
pub fn carry_over(mut s: SearchScreen, selected_ref: Option<String>) -> SearchScreen {
    s.reselect = selected_ref;
    s.query = Query::default();
    s.results = Arc::new(Vec::new());
    s.settled = None;
    s.rejected = Vec::new();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), crossterm::event::KeyModifiers::NONE)
    }

    #[test]
    fn back_returns_to_the_query_then_clears_it_and_never_leaves() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut s = SearchScreen::new();
        assert_eq!(typed(&mut s, key('x'), &mut cx), None);
        assert_eq!(handle(&mut s, Action::NextPane, &mut cx), Handled::Yes);
        assert_eq!(s.focus, SearchFocus::Results);
        assert_eq!(handle(&mut s, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(s.focus, SearchFocus::Query);
        assert_eq!(handle(&mut s, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(s.input.text(), "");
        assert!(cx.out.nav.is_none(), "the home is never left");
    }

    #[test]
    fn colon_and_question_mark_on_an_empty_query_are_the_palette_and_help() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut s = SearchScreen::new();
        assert_eq!(typed(&mut s, key(':'), &mut cx), Some(Action::CommandPalette));
        assert_eq!(typed(&mut s, key('?'), &mut cx), Some(Action::Help));
        assert_eq!(typed(&mut s, key('k'), &mut cx), None);
        assert_eq!(typed(&mut s, key(':'), &mut cx), None, "typed after text");
        assert_eq!(s.input.text(), "k:");
    }

    #[test]
    fn quit_and_star_are_left_to_the_global_actions() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut s = SearchScreen::new();
        assert_eq!(handle(&mut s, Action::Quit, &mut cx), Handled::No);
        assert_eq!(handle(&mut s, Action::ToggleStar, &mut cx), Handled::No);
    }
}
