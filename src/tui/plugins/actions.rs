//! The actions on the selected entity that start external programs: `e`
//! (its catalog file in the editor), `o` (its links, through a picker when
//! there are several), plugin keys and `:NAME`.

use crossterm::event::KeyEvent;

use crate::model::entity::{EDIT_URL, SOURCE_LOCATION, VIEW_URL};
use crate::model::{Entity, sanitize};
use crate::tui::app::{App, Level};
use crate::tui::context::Nav;
use crate::tui::effects::Effect;
use crate::tui::keymap::{Context, Key};
use crate::tui::navigation;
use crate::tui::overlays::{LinkPicker, Overlay};
use crate::tui::screens::Screen;
use crate::tui::screens::docs::DocsTarget;
use crate::tui::screens::entity::Tab;

use super::{Plugins, applies, browser, command, editor, template_context};

/// The selected entity and its body (the page's, else read from the index).
fn selected(app: &App) -> Option<(u32, Entity)> {
    let i = app.screen().selected_entity(app.index())?;
    if let Screen::Entity(page) = app.screen()
        && page.entity == i
        && let Some(Ok(body)) = &page.body
    {
        return Some((i, (**body).clone()));
    }
    app.index().entity(i).ok().map(|e| (i, e))
}

/// A URL from an annotation: `url:` prefixes (location refs) dropped.
fn annotation_url(entity: &Entity, key: &str) -> Option<String> {
    let value = entity.annotation(key)?.trim();
    let url = value.strip_prefix("url:").unwrap_or(value);
    browser::check_url(url).is_ok().then(|| url.to_string())
}

/// An entity's links, labelled, in picker order: `metadata.links`, then the
/// view, edit and source-location URLs. Only web links; labels sanitized.
pub fn entity_links(entity: &Entity) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = Vec::new();
    let mut add = |label: String, url: String| {
        if browser::check_url(&url).is_ok() && !links.iter().any(|(_, u)| *u == url) {
            links.push((sanitize::line(&label).into_owned(), sanitize::line(&url).into_owned()));
        }
    };
    for (url, title) in entity.links() {
        add(title.unwrap_or(url).to_string(), url.to_string());
    }
    for (key, label) in [(VIEW_URL, "View in catalog"), (EDIT_URL, "Edit"), (SOURCE_LOCATION, "Source")] {
        if let Some(url) = annotation_url(entity, key) {
            add(label.to_string(), url);
        }
    }
    links
}

/// Opens `url` with `$BROWSER`, or shows it when none is set.
pub fn open_url(app: &mut App, url: &str) -> Vec<Effect> {
    if let Err(e) = browser::check_url(url) {
        app.flash(e, Level::Error);
        return Vec::new();
    }
    if !app.browser {
        app.flash(format!("{url}  (set $BROWSER to open links)"), Level::Info);
        return Vec::new();
    }
    app.flash(format!("opening {url}"), Level::Info);
    vec![Effect::OpenUrl(url.to_string())]
}

/// `o`: the entity's only link opens; several (its TechDocs count as
/// one) open a picker.
pub fn open_link(app: &mut App) -> Vec<Effect> {
    let Some((i, entity)) = selected(app) else { return Vec::new() };
    let mut links = entity_links(&entity);
    let docs = crate::docs::has_docs(&entity).then_some(i);
    match (links.len(), docs) {
        (0, None) => {
            app.flash("this entity has no links", Level::Warning);
            Vec::new()
        }
        (0, Some(i)) => open_docs(app, i),
        (1, None) => {
            let (_, url) = links.remove(0);
            open_url(app, &url)
        }
        _ => {
            let title = app.index().ref_of(i).to_string();
            app.overlay = Some(Overlay::Links(Box::new(LinkPicker { title, links, docs, selected: 0 })));
            Vec::new()
        }
    }
}

/// `e`: the entity's catalog file at its line in the editor, then a
/// re-sync of its source; entities without a local file offer their
/// edit-url (or source-location) instead.
pub fn edit(app: &mut App) -> Vec<Effect> {
    let Some((i, entity)) = selected(app) else { return Vec::new() };
    let index = app.index();
    let source = index.source_of(i).and_then(|s| index.sources.get(s));
    let local = source.filter(|s| matches!(s.kind.as_str(), "dir" | "file"));
    if let (Some(source), Some((file, line))) = (local, index.origin(i))
        && std::path::Path::new(file).is_file()
    {
        let command = editor::open_at(&editor::configured(), file, line, Some(source.name.clone()));
        app.flash(format!("editing {}:{line}", sanitize::line(file)), Level::Info);
        return vec![Effect::Foreground(command)];
    }
    let from = source.map_or("no file".to_string(), |s| format!("the {} source `{}`", s.kind, s.name));
    match annotation_url(&entity, EDIT_URL).or_else(|| annotation_url(&entity, SOURCE_LOCATION)) {
        Some(url) => {
            let effects = open_url(app, &url);
            if effects.is_empty() {
                app.flash(
                    format!("{} comes from {from}; edit it at {url}  (set $BROWSER to open it)", index_ref(app, i)),
                    Level::Info,
                );
            }
            effects
        }
        None => {
            app.flash(
                format!("{} comes from {from} and has no edit-url or source-location to edit it at", index_ref(app, i)),
                Level::Warning,
            );
            Vec::new()
        }
    }
}

fn index_ref(app: &App, i: u32) -> String {
    app.index().ref_of(i).to_string()
}

/// A key no binding took: the plugin bound to it, if any, runs on the
/// selected entity. `armed` is the plugin that was waiting for its
/// confirming press (cleared by any other key).
pub fn on_key(app: &mut App, context: Context, event: KeyEvent, armed: Option<(usize, u32)>) -> Option<Vec<Effect>> {
    let key = Key::from(event);
    if app.overlay.is_some() || !Plugins::active_in(context, key) {
        return None;
    }
    let n = app.external.plugins.for_key(key)?;
    let confirmed = armed.is_some_and(|(p, e)| p == n && Some(e) == app.screen().selected_entity(app.index()));
    Some(run(app, n, confirmed))
}

/// Runs plugin `n` on the selected entity; a `confirm: true` plugin not yet
/// `confirmed` waits for a second press.
pub fn run(app: &mut App, n: usize, confirmed: bool) -> Vec<Effect> {
    let Some(plugin) = app.external.plugins.list.get(n).cloned() else { return Vec::new() };
    let name = &plugin.config.name;
    let Some((i, entity)) = selected(app) else {
        app.flash(format!("plugin `{name}` runs on an entity: select one first"), Level::Warning);
        return Vec::new();
    };
    let kind = app.index().summary(i).kind.to_string();
    if !applies(&plugin.config, &kind) {
        let kinds = plugin.config.kinds.join(", ");
        app.flash(format!("plugin `{name}` applies to {kinds}, not {kind}"), Level::Warning);
        return Vec::new();
    }
    let ctx = template_context(app.index(), i, &entity);
    let command = match command(&plugin.config, &ctx) {
        Ok(c) => c,
        Err(e) => {
            app.flash(e, Level::Error);
            return Vec::new();
        }
    };
    if plugin.config.confirm && !confirmed {
        app.external.plugins.armed = Some((n, i));
        app.flash(format!("press {} again to run: {}", plugin.key, command.line()), Level::Warning);
        return Vec::new();
    }
    if plugin.config.background {
        app.flash(format!("running {}", command.line()), Level::Info);
        vec![Effect::Background(command)]
    } else {
        vec![Effect::Foreground(command)]
    }
}

/// The entity's Docs tab: shown in place when its page is on top, else
/// its page opens on that tab.
pub fn open_docs(app: &mut App, entity: u32) -> Vec<Effect> {
    if let Screen::Entity(page) = app.screen_mut()
        && page.entity == entity
        && page.tabs.contains(&Tab::Docs)
    {
        page.show(Tab::Docs);
        return Vec::new();
    }
    navigation::go(app, Nav::OpenDocs(entity, DocsTarget::default()))
}
