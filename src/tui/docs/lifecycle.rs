//! The docs tab's life: attaching it to entity pages, starting the loads
//! and renders it needs after each update, storing effect results, and the
//! `:docs` / `:docs-search` commands.

use super::super::app::{App, Level};
use super::super::effects::Effect;
use super::super::effects::docs::DocsEffect;
use super::super::navigation::{self, Nav};
use super::super::screens::{EntityScreen, Screen, Tab};
use super::actions::run_search;
use super::{DocsMsg, DocsSearchScreen, DocsTarget, DocsView, Status, content_width, doc_theme};

/// Gives a loaded entity page its Docs tab (last, so the other tabs keep
/// their places) when the entity has a TechDocs annotation; honours a
/// pending `:docs`. `generation` is the app's counter.
pub fn attach(page: &mut EntityScreen, generation: &mut u64) {
    let Some(Ok(entity)) = &page.body else { return };
    if !crate::docs::has_docs(entity) || page.tabs.contains(&Tab::Docs) {
        return;
    }
    page.tabs.push(Tab::Docs);
    let target = page.want_docs.take();
    let wanted = target.is_some();
    *generation += 1;
    page.docs = Some(Box::new(DocsView::new(*generation, target)));
    if wanted {
        page.show(Tab::Docs);
    }
}

/// After each update: start loading or rendering what the docs tab needs,
/// and settle pending targets (anchors, search terms) on rendered pages.
pub fn pending_effects(app: &mut App) -> Vec<Effect> {
    let width = app.size.0;
    let theme = doc_theme(&app.theme);
    let theme_name = app.theme.name().to_string();
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
                    if view.theme != theme_name {
                        // `:theme` switched: renderings carry the old colours.
                        view.rendered.clear();
                        view.in_flight = None;
                        view.theme = theme_name;
                    }
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
    navigation::go(app, Nav::OpenDocs(entity, DocsTarget::default()))
}

/// `:docs-search TERM`.
pub fn search_docs(app: &mut App, term: &str) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    if term.trim().is_empty() {
        app.flash("usage: :docs-search TERM", Level::Error);
        return Vec::new();
    }
    let generation = app.next_generation();
    let screen = DocsSearchScreen { term: term.trim().to_string(), hits: None, sel: Default::default(), generation };
    navigation::go(app, Nav::Push(Box::new(Screen::DocsSearch(Box::new(screen)))));
    vec![Effect::Docs(DocsEffect::Search { index: loaded.index.clone(), term: term.trim().to_string(), generation })]
}
