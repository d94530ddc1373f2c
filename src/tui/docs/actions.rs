//! What keys and effect results do to the docs tab and `:docs-search`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::docs::render::Rendered;
use crate::docs::site::LinkTarget;

use super::super::action::Action;
use super::super::app::{App, Effect, Level, Msg, Screen};
use super::super::input::LineInput;
use super::super::screens::{EntityScreen, Tab};
use super::super::update::{back, open_entity};
use super::{
    DocsEffect, DocsMsg, DocsSearchScreen, DocsTarget, DocsView, Focus, NavRowKind, Status, content_width, doc_theme,
};

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// A fresh generation for a docs view or search.
pub fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// Gives a loaded entity page its Docs tab (last, so the other tabs keep
/// their places) when the entity has a TechDocs annotation; honours a
/// pending `:docs`.
pub fn attach(page: &mut EntityScreen) {
    let Some(Ok(entity)) = &page.body else { return };
    if !crate::docs::has_docs(entity) || page.tabs.contains(&Tab::Docs) {
        return;
    }
    page.tabs.push(Tab::Docs);
    let target = page.want_docs.take();
    let wanted = target.is_some();
    page.docs = Some(Box::new(DocsView::new(next_generation(), target)));
    if wanted {
        page.show(Tab::Docs);
    }
}

/// The docs view of the top screen, when its Docs tab is showing.
fn top_view(app: &mut App) -> Option<&mut DocsView> {
    match app.stack.last_mut() {
        Some(Screen::Entity(e)) if e.current() == Tab::Docs => e.docs.as_deref_mut(),
        _ => None,
    }
}

/// The docs search line, while it has the keyboard.
pub fn search_input(app: &mut App) -> Option<&mut LineInput> {
    top_view(app).and_then(|v| v.search_input.as_mut())
}

/// Whether the docs search line has the keyboard (for the keymap context).
pub fn is_typing(app: &App) -> bool {
    matches!(app.stack.last(), Some(Screen::Entity(e)) if e.current() == Tab::Docs
        && e.docs.as_ref().is_some_and(|v| v.search_input.is_some()))
}

/// After each update: start loading or rendering what the docs tab needs,
/// and settle pending targets (anchors, search terms) on rendered pages.
pub fn pending_effects(app: &mut App) -> Vec<Effect> {
    let width = app.size.0;
    let theme = doc_theme(&app.theme);
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    let mut flash = None;
    let mut effects = Vec::new();
    if let Some(Screen::Entity(e)) = app.stack.last_mut() {
        if e.want_docs.is_some() && e.docs.is_none() && e.body.is_some() {
            e.want_docs = None;
            flash = Some(format!("{} has no TechDocs (no backstage.io/techdocs-ref annotation)", e.canonical));
        }
        let entity = e.entity;
        if e.current() == Tab::Docs
            && let Some(view) = e.docs.as_deref_mut()
        {
            match &view.status {
                Status::Idle => {
                    view.status = Status::Loading;
                    effects.push(Effect::Docs(DocsEffect::Open {
                        index: loaded.index.clone(),
                        entity,
                        generation: view.generation,
                    }));
                }
                Status::Ready(docs) => {
                    let cw = content_width(width, view.show_nav);
                    let key = (view.page, cw);
                    if view.rendered_at(cw).is_none() && view.in_flight != Some(key) && view.page_error.is_none() {
                        view.in_flight = Some(key);
                        effects.push(Effect::Docs(DocsEffect::Render {
                            docs: docs.clone(),
                            page: view.page,
                            width: cw,
                            prepared: view.prepared.get(&view.page).cloned(),
                            theme: Box::new(theme),
                            generation: view.generation,
                        }));
                    }
                    settle(view, cw);
                }
                _ => {}
            }
        }
    }
    if let Some(text) = flash {
        app.flash(text, Level::Warning);
    }
    effects
}

/// Applies a pending target (anchor, search term) once its page is rendered.
fn settle(view: &mut DocsView, width: u16) {
    let Some(target) = view.target.clone() else { return };
    if target.page != view.page {
        view.target = None;
        return;
    }
    let Some(rendered) = view.rendered_at(width).cloned() else { return };
    view.target = None;
    if let Some(anchor) = &target.anchor
        && let Some(line) = rendered.anchor_line(anchor)
    {
        view.scroll = line;
    }
    if let Some(term) = target.term.filter(|t| !t.is_empty()) {
        view.term = term;
        run_search(view, &rendered);
    }
}

fn views_with(app: &mut App, generation: u64) -> impl Iterator<Item = &mut DocsView> {
    app.stack.iter_mut().chain(app.forward.iter_mut()).filter_map(move |s| match s {
        Screen::Entity(e) => e.docs.as_deref_mut().filter(|v| v.generation == generation),
        _ => None,
    })
}

/// Stores an effect's result in the view (or search screen) it belongs to.
pub fn on_msg(app: &mut App, msg: DocsMsg) {
    match msg {
        DocsMsg::Opened { generation, result } => {
            for view in views_with(app, generation) {
                view.status = match &result {
                    Ok(docs) => {
                        view.page = view.page.min(docs.site.pages.len().saturating_sub(1));
                        Status::Ready(docs.clone())
                    }
                    Err(e) => Status::Failed(e.clone()),
                };
            }
        }
        DocsMsg::Rendered { generation, page, width, result } => {
            for view in views_with(app, generation) {
                if view.in_flight == Some((page, width)) {
                    view.in_flight = None;
                }
                match &result {
                    Ok((prepared, rendered)) => view.store(page, width, prepared.clone(), rendered.clone()),
                    Err(e) if page == view.page => view.page_error = Some(e.clone()),
                    Err(_) => {}
                }
            }
        }
        DocsMsg::SearchDone { generation, hits } => {
            for screen in app.stack.iter_mut() {
                if let Screen::DocsSearch(s) = screen
                    && s.generation == generation
                {
                    s.sel.set(0, hits.len());
                    s.hits = Some(hits.clone());
                }
            }
        }
    }
}

/// `:docs [REF]`: the Docs tab of REF, of the current entity, or of the selected one.
pub fn open_docs(app: &mut App, reference: &str) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    let index = &loaded.index;
    let target = if reference.is_empty() {
        match app.stack.last_mut() {
            Some(Screen::Entity(e)) => {
                if e.tabs.contains(&Tab::Docs) {
                    e.show(Tab::Docs);
                } else if e.body.is_none() {
                    e.want_docs = Some(DocsTarget::default());
                } else {
                    let text = format!("{} has no TechDocs", e.canonical);
                    app.flash(text, Level::Warning);
                }
                return Vec::new();
            }
            _ => super::super::commands::selected_entity(app),
        }
    } else {
        index.resolve(reference)
    };
    let Some(entity) = target else {
        let hint = index.suggest(reference, 1).first().map(|r| format!("; did you mean {r}?")).unwrap_or_default();
        let text = if reference.is_empty() {
            "usage: :docs REF (or select an entity first)".to_string()
        } else {
            format!("no entity `{reference}`{hint}")
        };
        app.flash(text, Level::Error);
        return Vec::new();
    };
    open_entity_docs(app, entity, DocsTarget::default())
}

fn open_entity_docs(app: &mut App, entity: u32, target: DocsTarget) -> Vec<Effect> {
    let effects = open_entity(app, entity);
    if let Some(Screen::Entity(e)) = app.stack.last_mut() {
        e.want_docs = Some(target);
    }
    effects
}

/// `:docs-search TERM`.
pub fn search_docs(app: &mut App, term: &str) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    if term.trim().is_empty() {
        app.flash("usage: :docs-search TERM", Level::Error);
        return Vec::new();
    }
    let generation = next_generation();
    app.forward.clear();
    app.stack.push(Screen::DocsSearch(Box::new(DocsSearchScreen {
        term: term.trim().to_string(),
        hits: None,
        sel: Default::default(),
        generation,
    })));
    vec![Effect::Docs(DocsEffect::Search { index: loaded.index.clone(), term: term.trim().to_string(), generation })]
}

/// Handles `action` on the docs tab or the docs-search screen; `None`
/// leaves it to the generic handling.
pub fn handle(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    if let Some(Screen::DocsSearch(s)) = app.stack.last_mut() {
        let len = s.hits.as_ref().map_or(0, Vec::len);
        if let Some(d) = delta(action, 10) {
            s.sel.move_by(d, len);
            return Some(Vec::new());
        }
        if action == Action::Select {
            let hit = s.hits.as_ref().and_then(|h| h.get(s.sel.selected)).cloned()?;
            let term = s.term.clone();
            return Some(open_entity_docs(
                app,
                hit.entity,
                DocsTarget { page: hit.page, anchor: None, term: Some(term) },
            ));
        }
        return None;
    }
    let width = app.size.0;
    let browser = app.browser;
    let view = top_view(app)?;
    let cw = content_width(width, view.show_nav);
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
                        view.target = Some(DocsTarget { page: view.page, anchor: None, term: Some(view.term.clone()) })
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
        return Some(finish(app, flash, effects));
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
            None => return Some(back(app)),
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
            _ if action == Action::OpenLink => return None,
            _ => flash = Some(("tab selects a link; enter follows it".into(), Level::Info)),
        },
        (focus, action) => {
            let d = delta(action, height as isize)?;
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
    Some(finish(app, flash, effects))
}

fn finish(app: &mut App, flash: Option<(String, Level)>, effects: Vec<Effect>) -> Vec<Effect> {
    if let Some((text, level)) = flash {
        app.flash(text, level);
    }
    effects
}

fn delta(action: Action, page: isize) -> Option<isize> {
    Some(match action {
        Action::MoveUp => -1,
        Action::MoveDown => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::HalfPageUp => -(page / 2).max(1),
        Action::HalfPageDown => (page / 2).max(1),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
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
    view.target = Some(DocsTarget { page, anchor, term });
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

fn run_search(view: &mut DocsView, rendered: &Rendered) {
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

/// Sends a docs message into the app (for tests and the runtime).
pub fn msg(m: DocsMsg) -> Msg {
    Msg::Docs(m)
}
