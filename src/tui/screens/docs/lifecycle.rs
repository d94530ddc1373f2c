//! The docs tab's life: attaching it to entity pages, starting the loads
//! and renders it needs after each update, storing effect results.

use crate::docs::render::inline::slugify;
use crate::portal::docs_place::page_at;
use crate::tui::effects::Effect;
use crate::tui::effects::docs::DocsEffect;
use crate::tui::loaded::Loaded;
use crate::tui::screens::Screen;
use crate::tui::screens::entity::{EntityScreen, Tab};
use crate::tui::theme::Theme;

use super::keys::run_search;
use super::{DocsMsg, DocsView, Status, content_width, doc_theme};

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

/// After each update, for the top screen: start loading or rendering what
/// the docs tab needs, and settle pending targets (anchors, search terms)
/// on rendered pages. Returns the effects and a warning to flash.
pub fn pending(top: &mut Screen, loaded: &Loaded, width: u16, theme: &Theme) -> (Vec<Effect>, Option<String>) {
    let theme_name = theme.name().to_string();
    let theme = doc_theme(theme);
    let mut flash = None;
    let mut effects = Vec::new();
    if let Screen::Entity(e) = top {
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
                    let docs = docs.clone();
                    if view.theme != theme_name {
                        // `:theme` switched: renderings carry the old colours.
                        view.rendered.clear();
                        view.in_flight = None;
                        view.theme = theme_name;
                    }
                    if let Some(missing) = place(view, &docs) {
                        flash =
                            Some(format!("{missing} is not in the docs of {}: showing the first page", e.canonical));
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
                    if let Some(missing) = settle(view, cw) {
                        flash = Some(missing);
                    }
                }
                _ => {}
            }
        }
    }
    (effects, flash)
}

/// Finds the page a target names by its path, once the site is known;
/// a path it does not have sends the view to the first page, and is
/// returned (quoted) to be said.
fn place(view: &mut DocsView, docs: &crate::docs::OpenDocs) -> Option<String> {
    let target = view.target.as_mut()?;
    let path = target.path.take()?;
    match page_at(&docs.site, &path) {
        Some(page) => target.page = page,
        None => {
            view.target = None;
            view.page = 0;
            return Some(format!("the page `{}`", path.trim_matches('/')));
        }
    }
    view.page = target.page;
    view.scroll = 0;
    None
}

/// Applies a pending target (anchor, search term) once its page is
/// rendered: the anchor's heading goes to the top (the anchor read as the
/// renderer's own heading ids, else as a heading's text through its slug
/// function). Returns what was not found, to be said.
fn settle(view: &mut DocsView, width: u16) -> Option<String> {
    let target = view.target.clone()?;
    if target.page != view.page {
        view.target = None;
        return None;
    }
    let rendered = view.rendered_at(width).cloned()?;
    view.target = None;
    let mut missing = None;
    if let Some(anchor) = &target.anchor {
        match rendered.anchor_line(anchor).or_else(|| rendered.anchor_line(&slugify(anchor))) {
            Some(line) => view.scroll = line,
            None => missing = Some(format!("no heading `#{anchor}` on this page: showing its top")),
        }
    }
    if let Some(term) = target.term.filter(|t| !t.is_empty()) {
        view.term = term;
        run_search(view, &rendered);
    }
    missing
}

fn views_with<'s>(screens: &'s mut [&mut Screen], generation: u64) -> impl Iterator<Item = &'s mut DocsView> {
    screens.iter_mut().filter_map(move |s| match &mut **s {
        Screen::Entity(e) => e.docs.as_deref_mut().filter(|v| v.generation == generation),
        _ => None,
    })
}

/// Stores an effect's result in the view (or search screen) it belongs to,
/// among `screens` (the stack and the forward history).
pub fn on_msg(mut screens: Vec<&mut Screen>, msg: DocsMsg) {
    match msg {
        DocsMsg::Opened { generation, result } => {
            for view in views_with(&mut screens, generation) {
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
            for view in views_with(&mut screens, generation) {
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
            for screen in screens {
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
