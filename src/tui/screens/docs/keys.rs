//! What keys do on the docs tab and the `:docs-search` results.

use std::sync::Arc;

use crate::docs::render::Rendered;
use crate::docs::site::LinkTarget;

use crossterm::event::KeyEvent;

use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled, Nav, delta};
use crate::tui::effects::Effect;
use crate::tui::input::LineInput;

use super::{DocsSearchScreen, DocsTarget, DocsView, Focus, NavRowKind, content_width};

/// A key no binding took: text for the page search line, when open.
pub fn typed(view: &mut DocsView, key: KeyEvent) {
    if let Some(input) = view.search_input.as_mut() {
        input.input(key);
    }
}

/// Runs `action` on the `:docs-search` results.
pub fn handle_search(s: &mut DocsSearchScreen, action: Action, cx: &mut Ctx) -> Handled {
    let len = s.hits.as_ref().map_or(0, Vec::len);
    match action {
        Action::MoveUp
        | Action::MoveDown
        | Action::PageUp
        | Action::PageDown
        | Action::HalfPageUp
        | Action::HalfPageDown
        | Action::Top
        | Action::Bottom => {
            if let Some(d) = delta(action, 10) {
                s.sel.move_by(d, len);
            }
        }
        Action::Select => {
            let Some(hit) = s.hits.as_ref().and_then(|h| h.get(s.sel.selected)).cloned() else { return Handled::No };
            let target = DocsTarget { page: hit.page, anchor: None, term: Some(s.term.clone()), path: None };
            cx.go(Nav::OpenDocs(hit.entity, target));
        }
        _ => return Handled::No, // not handled
    }
    Handled::Yes
}

/// Runs `action` on the Docs tab (`view`); while the page search line is
/// open every action is its own.
pub fn handle_tab(view: &mut DocsView, action: Action, cx: &mut Ctx) -> Handled {
    let cw = content_width(cx.size.0, view.show_nav);
    let browser = cx.browser;
    let rendered = view.rendered_at(cw).cloned();
    let mut flash: Option<(String, Level)> = None;
    let mut effects = Vec::new();
    if let Some(input) = view.search_input.as_mut() {
        match action {
            Action::Select => {
                view.term = input.text().to_string();
                view.search_input = None;
                match &rendered {
                    Some(r) => {
                        run_search(view, r);
                        flash = Some(match_summary(view));
                    }
                    None => {
                        view.target = Some(DocsTarget {
                            page: view.page,
                            anchor: None,
                            term: Some(view.term.clone()),
                            path: None,
                        })
                    }
                }
            }
            Action::Back => view.search_input = None,
            Action::ClearQuery => {
                input.clear();
            }
            Action::MoveDown => step_match(view, 1),
            Action::MoveUp => step_match(view, -1),
            _ => {}
        }
        return finish(cx, flash, effects);
    }
    let height = view.height.get().max(1);
    match (view.focus, action) {
        (_, Action::Filter) => {
            view.focus = Focus::Content;
            view.search_input = Some(LineInput::new("search this page (enter, n/N)"));
        }
        (_, Action::SearchNext | Action::SearchPrev) => {
            if view.matches.is_empty() {
                flash = Some((
                    if view.term.is_empty() {
                        "/ searches this page".into()
                    } else {
                        format!("`{}` is not on this page", view.term)
                    },
                    Level::Info,
                ));
            } else {
                step_match(view, if action == Action::SearchNext { 1 } else { -1 });
                flash = Some(match_summary(view));
            }
        }
        (_, Action::NextPage | Action::PrevPage) => {
            let pages = view.docs().map_or(0, |d| d.site.pages.len());
            let next = if action == Action::NextPage { view.page + 1 } else { view.page.wrapping_sub(1) };
            if next < pages {
                go_to(view, next, None);
            } else {
                flash = Some((if action == Action::NextPage { "last page" } else { "first page" }.into(), Level::Info));
            }
        }
        (_, Action::NextLink | Action::PrevLink) => {
            if let Some(r) = &rendered {
                step_link(view, r, if action == Action::NextLink { 1 } else { -1 });
            }
        }
        (_, Action::Toc) => {
            view.focus = if view.focus == Focus::Toc { Focus::Content } else { Focus::Toc };
            if let Some(r) = &rendered {
                let at = r.headings.iter().rposition(|h| h.line <= view.scroll).unwrap_or(0);
                view.toc.set(at, r.headings.len());
            }
        }
        (_, Action::DocsNav) => {
            view.focus = if view.focus == Focus::Nav { Focus::Content } else { Focus::Nav };
            let rows = view.nav_rows();
            let at = rows.iter().position(|r| r.kind == NavRowKind::Page(view.page)).unwrap_or(0);
            view.nav.set(at, rows.len());
        }
        (_, Action::HistoryBack) => match view.back.pop() {
            Some((page, scroll)) => {
                view.forward.push((view.page, view.scroll));
                jump(view, page, scroll);
            }
            None => {
                cx.go(Nav::Back);
                return Handled::Yes;
            }
        },
        (_, Action::HistoryForward) => {
            if let Some((page, scroll)) = view.forward.pop() {
                view.back.push((view.page, view.scroll));
                jump(view, page, scroll);
            }
        }
        (Focus::Nav | Focus::Toc, Action::Back) => view.focus = Focus::Content,
        (Focus::Content, Action::Back) if view.link.is_some() => view.link = None,
        (Focus::Content, Action::Back) if !view.term.is_empty() => {
            view.term.clear();
            view.matches.clear();
        }
        (Focus::Nav, Action::Select | Action::Fold) => {
            let rows = view.nav_rows();
            match rows.get(view.nav.selected).map(|r| (r.kind.clone(), r.key)) {
                Some((NavRowKind::Page(p), _)) if action == Action::Select => {
                    if p != view.page {
                        go_to(view, p, None);
                    }
                    view.focus = Focus::Content;
                }
                Some((NavRowKind::Section(_), key)) if !view.folded.remove(&key) => {
                    view.folded.insert(key);
                }
                Some((NavRowKind::External(url), _)) if action == Action::Select => {
                    (flash, effects) = external(browser, &url);
                }
                _ => {}
            }
        }
        (Focus::Content, Action::Fold) => flash = toggle_fold(view, rendered.as_deref(), height),
        (Focus::Toc, Action::Select) => {
            if let Some(h) = rendered.as_ref().and_then(|r| r.headings.get(view.toc.selected)) {
                view.back.push((view.page, view.scroll));
                view.forward.clear();
                view.scroll = h.line;
            }
            view.focus = Focus::Content;
        }
        (Focus::Content, Action::Select | Action::OpenLink) => match (view.link, &rendered, view.docs().cloned()) {
            (Some(k), Some(r), Some(docs)) => {
                let target = r.links.get(k).map(|l| l.target.clone()).unwrap_or_default();
                match docs.site.resolve_link(view.page, &target) {
                    LinkTarget::Internal(t) if t.page == view.page => {
                        view.back.push((view.page, view.scroll));
                        view.forward.clear();
                        if let Some(line) = t.anchor.as_deref().and_then(|a| r.anchor_line(a)) {
                            view.scroll = line;
                        }
                        view.link = None;
                    }
                    LinkTarget::Internal(t) => go_to(view, t.page, t.anchor),
                    LinkTarget::External(url) => (flash, effects) = external(browser, &url),
                    LinkTarget::Unresolved(href) => {
                        flash = Some((format!("{href} is not a page of these docs"), Level::Warning));
                    }
                }
            }
            _ if action == Action::OpenLink => return Handled::No,
            _ => flash = Some(("tab selects a link; enter follows it".into(), Level::Info)),
        },
        (focus, action) => {
            let Some(d) = delta(action, height as isize) else { return Handled::No };
            match focus {
                Focus::Nav => {
                    let len = view.nav_rows().len();
                    view.nav.move_by(d, len);
                }
                Focus::Toc => {
                    let len = rendered.as_ref().map_or(0, |r| r.headings.len());
                    view.toc.move_by(d, len);
                }
                Focus::Content => {
                    view.scroll = view.scroll.saturating_add_signed(d).min(view.max_scroll.get());
                }
            }
        }
    }
    finish(cx, flash, effects)
}

fn finish(cx: &mut Ctx, flash: Option<(String, Level)>, effects: Vec<Effect>) -> Handled {
    if let Some((text, level)) = flash {
        cx.flash(text, level);
    }
    cx.out.effects.extend(effects);
    Handled::Yes
}

fn external(browser: bool, url: &str) -> (Option<(String, Level)>, Vec<Effect>) {
    if browser && (url.starts_with("https://") || url.starts_with("http://")) {
        (Some((format!("opening {url}"), Level::Info)), vec![Effect::OpenUrl(url.to_string())])
    } else {
        (Some((format!("external link: {url} (set $BROWSER to open it)"), Level::Info)), Vec::new())
    }
}

/// Opens page `page` (history kept), optionally at an anchor.
fn go_to(view: &mut DocsView, page: usize, anchor: Option<String>) {
    view.back.push((view.page, view.scroll));
    view.forward.clear();
    jump(view, page, 0);
    let term = (!view.term.is_empty()).then(|| view.term.clone());
    view.target = Some(DocsTarget { page, anchor, term, path: None });
}

fn jump(view: &mut DocsView, page: usize, scroll: usize) {
    view.page = page;
    view.scroll = scroll;
    view.max_scroll.set(usize::MAX);
    view.link = None;
    view.matches.clear();
    view.page_error = None;
    view.focus = Focus::Content;
}

/// Finds the term on the page and scrolls to the first match from the current line.
pub fn run_search(view: &mut DocsView, rendered: &Rendered) {
    view.matches = rendered.find(&view.term);
    view.match_at = view.matches.iter().position(|(line, _)| *line >= view.scroll).unwrap_or(0);
    if let Some((line, _)) = view.matches.get(view.match_at) {
        view.scroll = line.saturating_sub(2);
    }
}

fn step_match(view: &mut DocsView, by: isize) {
    let n = view.matches.len();
    if n == 0 {
        return;
    }
    view.match_at = (view.match_at as isize + by).rem_euclid(n as isize) as usize;
    if let Some((line, _)) = view.matches.get(view.match_at) {
        view.scroll = line.saturating_sub(2);
    }
}

fn match_summary(view: &DocsView) -> (String, Level) {
    if view.matches.is_empty() {
        (format!("`{}` is not on this page", view.term), Level::Warning)
    } else {
        (format!("`{}`: match {} of {} (n/N)", view.term, view.match_at + 1, view.matches.len()), Level::Info)
    }
}

/// Moves the link cursor to the next link that landed on screen lines,
/// scrolling to show it.
fn step_link(view: &mut DocsView, rendered: &Arc<Rendered>, by: isize) {
    let placed: Vec<usize> =
        rendered.links.iter().enumerate().filter(|(_, l)| !l.spots.is_empty()).map(|(i, _)| i).collect();
    if placed.is_empty() {
        return;
    }
    let height = view.height.get().max(1);
    let next = match view.link.and_then(|k| placed.iter().position(|&p| p == k)) {
        Some(at) => placed[(at as isize + by).rem_euclid(placed.len() as isize) as usize],
        None => {
            // The first link on screen (or after it, going forward).
            let visible = placed.iter().copied().find(|&k| rendered.links[k].spots[0].0 >= view.scroll);
            if by > 0 {
                visible.unwrap_or(placed[0])
            } else {
                placed
                    .iter()
                    .copied()
                    .rev()
                    .find(|&k| rendered.links[k].spots[0].0 < view.scroll + height)
                    .unwrap_or(placed[placed.len() - 1])
            }
        }
    };
    view.link = Some(next);
    let line = rendered.links[next].spots[0].0;
    if line < view.scroll || line >= view.scroll + height {
        view.scroll = line.saturating_sub(height / 3);
    }
}

/// `space` on the page: opens or closes the first collapsible block
/// (`???`) whose title is on screen; the page is laid out again.
fn toggle_fold(view: &mut DocsView, rendered: Option<&Rendered>, height: usize) -> Option<(String, Level)> {
    let rendered = rendered?;
    let rows = rendered.fold_rows();
    let Some(n) = rows.iter().position(|&row| row >= view.scroll && row < view.scroll + height.max(1)) else {
        return Some(("no collapsible block (???) on screen".into(), Level::Info));
    };
    let prepared = view.prepared.get_mut(&view.page)?;
    if !Arc::make_mut(prepared).toggle_fold(n) {
        return None;
    }
    let page = view.page;
    view.rendered.retain(|(p, _), _| *p != page);
    view.in_flight = None;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_search_line_takes_every_action_until_esc() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut view = DocsView::new(1, None);
        assert_eq!(handle_tab(&mut view, Action::Filter, &mut cx), Handled::Yes);
        assert!(view.search_input.is_some());
        assert_eq!(handle_tab(&mut view, Action::Help, &mut cx), Handled::Yes, "typing: help is text");
        assert_eq!(handle_tab(&mut view, Action::Back, &mut cx), Handled::Yes);
        assert!(view.search_input.is_none());
    }

    #[test]
    fn history_back_without_history_leaves_the_docs() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut view = DocsView::new(1, None);
        assert_eq!(handle_tab(&mut view, Action::HistoryBack, &mut cx), Handled::Yes);
        assert!(matches!(cx.out.nav, Some(Nav::Back)));
    }

    #[test]
    fn esc_on_the_page_is_left_to_global_back_and_tabs_to_the_entity() {
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        let mut view = DocsView::new(1, None);
        assert_eq!(handle_tab(&mut view, Action::Back, &mut cx), Handled::No);
        assert_eq!(handle_tab(&mut view, Action::NextTab, &mut cx), Handled::No);
        view.focus = Focus::Toc;
        assert_eq!(handle_tab(&mut view, Action::Back, &mut cx), Handled::Yes);
        assert_eq!(view.focus, Focus::Content);
    }
}
