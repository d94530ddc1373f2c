//! Actions that work on every screen: help, palette, sync, back, forward,
//! quit, and star, copy, open and refresh on the selected entity. A screen
//! gets each action first; what it leaves comes here.

use crate::tui::action::Action;
use crate::tui::app::{App, Level, SyncStatus};
use crate::tui::effects::Effect;
use crate::tui::navigation;
use crate::tui::overlays::{Overlay, palette};
use crate::tui::screens::Screen;
use crate::tui::screens::list::keys::{rebuilt, starred_rows};

/// Runs an action no overlay or screen took.
pub fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ForceQuit => app.quit = true,
        Action::Suspend => return vec![Effect::Suspend],
        Action::Help => app.overlay = Some(Overlay::Help(0)),
        Action::CommandPalette => palette::open(app),
        Action::Sync => return start_sync(app, None),
        Action::Back => navigation::back(app),
        Action::Quit if app.stack.len() > 1 => navigation::back(app),
        Action::Quit => app.quit = true,
        Action::Forward => navigation::forward(app),
        Action::ToggleStar => return toggle_star(app),
        Action::CopyRef => return copy_ref(app),
        Action::OpenLink => return crate::tui::plugins::actions::open_link(app),
        Action::Edit => return crate::tui::plugins::actions::edit(app),
        Action::Refresh => {
            if let Some(effect) = refresh_remote(app) {
                return vec![effect];
            }
            app.flash(
                "refresh re-fetches from a remote catalog; this entity comes from a local source (use :sync)",
                Level::Info,
            );
        }
        _ => {} // nothing else works on every screen
    }
    Vec::new()
}

/// Starts a background sync unless one runs.
pub fn start_sync(app: &mut App, only: Option<String>) -> Vec<Effect> {
    if app.sync.is_some() {
        app.flash("a sync is already running", Level::Warning);
        return Vec::new();
    }
    app.sync = Some(SyncStatus::new(only.clone().unwrap_or_default()));
    vec![Effect::Sync(only)]
}

/// The entity under the cursor (or shown) on the top screen.
pub fn selected_entity(app: &App) -> Option<u32> {
    app.screen().selected_entity(app.index())
}

/// `R` on an entity from a remote catalog: the effect that refreshes it.
pub fn refresh_remote(app: &App) -> Option<Effect> {
    let i = selected_entity(app)?;
    let index = app.index();
    let source = index.sources.get(index.summary(i).source as usize)?;
    if source.kind != "backstage" {
        return None;
    }
    let s = index.summary(i);
    let entity = crate::model::EntityRef::new(s.kind, s.namespace, s.name);
    Some(Effect::RefreshRemote { source: source.name.clone(), entity })
}

/// `s`: star or unstar the selected entity.
pub fn toggle_star(app: &mut App) -> Vec<Effect> {
    let Some(i) = selected_entity(app) else { return Vec::new() };
    let r = app.index().ref_of(i).to_string();
    if app.starred.remove(&r) {
        app.flash(format!("unstarred {r}"), Level::Info);
    } else {
        app.flash(format!("starred {r}"), Level::Info);
        app.starred.insert(r);
    }
    if app.screen().is_starred_list() {
        let rows = starred_rows(app.index(), &app.starred);
        if let Some(loaded) = app.loaded.clone()
            && let Screen::List(l) = app.screen_mut()
        {
            *l = rebuilt(l, rows, &loaded.index);
        }
    }
    vec![Effect::SaveStars(app.starred.iter().cloned().collect())]
}

/// `y`: copy the selected ref (OSC 52 when enabled), else show it.
pub fn copy_ref(app: &mut App) -> Vec<Effect> {
    let Some(i) = selected_entity(app) else { return Vec::new() };
    let r = app.index().ref_of(i).to_string();
    if app.osc52 {
        app.flash(format!("copied {r}"), Level::Info);
        vec![Effect::CopyOsc52(r)]
    } else {
        app.flash(format!("{r}  (set `osc52: true` in config to copy to the clipboard)"), Level::Info);
        Vec::new()
    }
}
