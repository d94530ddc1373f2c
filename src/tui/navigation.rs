//! The only writer of the screen stack and its forward history. Screens and
//! commands ask for a move with a [`Nav`]; [`go`] makes it, under one rule:
//! opening something new forgets the forward history, going back keeps the
//! screen left for going forward, leaving drops it.

use std::sync::Arc;

use super::app::{App, Loaded};
use super::context::Nav;
use super::effects::Effect;
use super::screens::Screen;
use super::screens::entity::EntityScreen;

/// Makes a move; returns the effects it needs (loading an entity).
pub fn go(app: &mut App, nav: Nav) -> Vec<Effect> {
    match nav {
        Nav::Open(entity) => open_entity(app, entity),
        Nav::OpenDocs(entity, target) => {
            let effects = open_entity(app, entity);
            if let Some(Screen::Entity(e)) = app.stack.last_mut() {
                e.want_docs = Some(target);
            }
            effects
        }
        Nav::Push(screen) => {
            push(app, *screen);
            Vec::new()
        }
        Nav::Back => {
            back(app);
            Vec::new()
        }
        Nav::Leave => {
            if app.stack.len() > 1 {
                app.stack.pop();
            }
            Vec::new()
        }
    }
}

/// Identity of an index, to tell a fresh index from the old one.
pub fn index_id(loaded: &Loaded) -> usize {
    Arc::as_ptr(&loaded.index) as usize
}

/// Opens an entity page on top of the stack.
pub fn open_entity(app: &mut App, entity: u32) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    if entity as usize >= loaded.index.len() {
        return Vec::new();
    }
    push(app, Screen::Entity(Box::new(EntityScreen::new(&loaded.index, entity, index_id(&loaded)))));
    vec![Effect::LoadEntity { index: loaded.index.clone(), entity }]
}

fn push(app: &mut App, screen: Screen) {
    app.forward.clear();
    app.stack.push(screen);
}

/// Leaves the top screen (never the search home), keeping it for `forward`.
pub fn back(app: &mut App) {
    if app.stack.len() > 1
        && let Some(screen) = app.stack.pop()
    {
        app.forward.push(screen);
    }
}

/// Goes forward again to the screen last left by going back.
pub fn forward(app: &mut App) {
    if let Some(screen) = app.forward.pop() {
        app.stack.push(screen);
    }
}

/// Back to the search home, every other screen dropped.
pub fn home(app: &mut App) {
    app.stack.truncate(1);
}

/// Rebuilds every screen (after a new index): `carry` maps each old screen
/// to its new form, or drops it. The forward history is forgotten.
pub fn rebuild(app: &mut App, mut carry: impl FnMut(Screen) -> Option<Screen>) {
    let old = std::mem::take(&mut app.stack);
    app.forward.clear();
    app.stack.extend(old.into_iter().filter_map(&mut carry));
}
