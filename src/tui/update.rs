//! `update`: where every message enters. It only routes: a key goes to the
//! open overlay, else to the top screen's keys, else to the global
//! actions; any other message is delivered by [`super::messages`]. No I/O
//! here: work that reads or writes is returned as [`Effect`]s.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::app::{App, Msg};
use super::context::{Ctx, Handled, Out};
use super::effects::Effect;
use super::keymap::{Resolution, resolve};
use super::overlays::{Overlay, help, links, login, palette};
use super::screens::{Screen, docs, entity, list, portal, search, wizard};
use super::{global, messages, navigation, plugins};

/// Applies one message; returns the effects to run.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::Key(key) => on_key(app, key),
        other => messages::deliver(app, other),
    };
    effects.extend(messages::docs_pending(app));
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let armed = app.external.plugins.armed.take();
    let context = app.keymap_context();
    match resolve(&app.keymap, context, key, &mut app.pending) {
        Resolution::Action(action) => apply(app, action),
        Resolution::Pending => Vec::new(),
        Resolution::Unbound => match plugins::actions::on_key(app, context, key, armed) {
            Some(effects) => effects,
            None => typed(app, key),
        },
    }
}

/// Runs one action: the overlay's, else the top screen's, else global.
pub fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    if matches!(action, Action::ForceQuit | Action::Suspend) {
        return global::apply(app, action);
    }
    match &mut app.overlay {
        Some(Overlay::Help(scroll)) => {
            if help::handle(scroll, action) {
                app.overlay = None;
            }
            return Vec::new();
        }
        Some(Overlay::Messages(up)) => {
            if crate::tui::overlays::messages_view::handle(up, action) {
                app.overlay = None;
            }
            return Vec::new();
        }
        Some(Overlay::Palette(_)) => return palette::handle(app, action),
        Some(Overlay::Login(_)) => return login::handle(app, action),
        Some(Overlay::Links(_)) => return links::handle(app, action),
        None => {}
    }
    let (screen, mut cx) = Ctx::top(app);
    let handled = match screen {
        Screen::Search(s) => search::keys::handle(s, action, &mut cx),
        Screen::List(l) => list::keys::handle(l, action, &mut cx),
        Screen::Problems(p) => list::keys::handle_problems(p, action, &mut cx),
        Screen::Health(h) => list::keys::handle_health(h, action, &mut cx),
        Screen::Sources(sel) => list::keys::handle_sources(sel, action, &mut cx),
        Screen::Entity(e) => entity::keys::handle(e, action, &mut cx),
        Screen::DocsSearch(s) => docs::keys::handle_search(s, action, &mut cx),
        Screen::Wizard(w) => wizard::keys::handle(w, action, &mut cx),
        Screen::Portal(p) => portal::keys::handle(p, action, &mut cx),
        Screen::Rejected(r) => super::screens::rejected::keys::handle(r, action, &mut cx),
    };
    let out = cx.out;
    let mut effects = settle(app, out);
    if handled == Handled::No {
        effects.extend(global::apply(app, action));
    }
    effects
}

/// Keys no binding took: text for whatever input has focus.
fn typed(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && !matches!(key.code, KeyCode::Char('h' | 'w'))
    {
        return Vec::new();
    }
    match &mut app.overlay {
        Some(Overlay::Palette(p)) => {
            palette::typed(p, key);
            return Vec::new();
        }
        Some(Overlay::Login(l)) => {
            login::typed(l, key);
            return Vec::new();
        }
        _ => {}
    }
    let (screen, mut cx) = Ctx::top(app);
    let then = match screen {
        Screen::Search(s) => search::keys::typed(s, key, &mut cx),
        Screen::List(l) => {
            list::keys::typed(l, key, &mut cx);
            None
        }
        Screen::Problems(p) => {
            list::keys::typed_problems(p, key, &mut cx);
            None
        }
        Screen::Entity(e) => {
            entity::keys::typed(e, key);
            None
        }
        Screen::Wizard(w) => {
            wizard::keys::typed(w, key, &mut cx);
            None
        }
        Screen::Portal(p) => {
            portal::keys::typed(p, key, &mut cx);
            None
        }
        Screen::Health(_) | Screen::Sources(_) | Screen::DocsSearch(_) | Screen::Rejected(_) => None,
    };
    let out = cx.out;
    let mut effects = settle(app, out);
    if let Some(action) = then {
        effects.extend(apply(app, action));
    }
    effects
}

/// Carries out what a screen's keys asked for: a flash, a sync, a move.
fn settle(app: &mut App, out: Out) -> Vec<Effect> {
    let Out { mut effects, flash, nav, sync } = out;
    if let Some((text, level)) = flash {
        app.flash(text, level);
    }
    if let Some(source) = sync {
        effects.extend(global::start_sync(app, Some(source)));
    }
    if let Some(nav) = nav {
        effects.extend(navigation::go(app, nav));
    }
    effects
}
