//! What a screen's keys see instead of the whole app ([`Ctx`]), and what
//! they answer besides changing their own state ([`Out`]): effects to run,
//! a flash message, a [`Nav`] move that only `navigation.rs` makes.

use crate::index::Index;

use super::action::Action;
use super::app::{App, Level, Loaded, empty_index};
use super::effects::Effect;
use super::screens::Screen;
use super::screens::docs::DocsTarget;

/// A move through the screens, asked for by a screen or a command and
/// made by `navigation::go`.
pub enum Nav {
    /// Open an entity page on top.
    Open(u32),
    /// Open an entity page on its Docs tab, at a target.
    OpenDocs(u32, DocsTarget),
    /// Put a new screen on top.
    Push(Box<Screen>),
    /// Leave the top screen, keeping it for going forward.
    Back,
    /// Leave the top screen for good (it is done: a closed wizard).
    Leave,
}

/// Whether a screen's keys took an action; one it did not take goes to
/// the global actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Handled {
    /// The screen did it.
    Yes,
    /// Not the screen's: the global actions get it.
    No,
}

/// What a screen asks for besides its own state changes.
#[derive(Default)]
pub struct Out {
    /// Work to run off the UI thread.
    pub effects: Vec<Effect>,
    /// A status-bar message.
    pub flash: Option<(String, Level)>,
    /// A move through the screens.
    pub nav: Option<Nav>,
    /// Sync this source in the background (the sources table's enter).
    pub sync: Option<String>,
}

/// The part of the app a screen's keys may read, and where they answer.
pub struct Ctx<'a> {
    /// The index with its haystacks, once loaded.
    pub loaded: Option<&'a Loaded>,
    /// The user (canonical ref), for pickers and "mine".
    pub identity: Option<&'a str>,
    /// Rows a page moves by.
    pub page: usize,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Whether `$BROWSER` is set.
    pub browser: bool,
    /// The app's one generation counter (stale results are dropped by it).
    generation: &'a mut u64,
    /// What the screen asks for.
    pub out: Out,
}

impl<'a> Ctx<'a> {
    /// A context over some state, for tests of a screen's keys.
    pub fn new(loaded: Option<&'a Loaded>, generation: &'a mut u64) -> Ctx<'a> {
        Ctx { loaded, identity: None, page: 18, size: (80, 24), browser: false, generation, out: Out::default() }
    }

    /// The top screen of `app` and a context over the rest of it.
    pub fn top(app: &'a mut App) -> (&'a mut Screen, Ctx<'a>) {
        let page = app.page();
        let App { stack, loaded, identity, size, browser, generation, .. } = app;
        let screen = stack.last_mut().unwrap_or_else(|| unreachable!("the stack always holds the search screen"));
        let cx = Ctx {
            loaded: loaded.as_ref(),
            identity: identity.as_deref(),
            page,
            size: *size,
            browser: *browser,
            generation,
            out: Out::default(),
        };
        (screen, cx)
    }

    /// The index, or an empty one while loading.
    pub fn index(&self) -> &'a Index {
        match self.loaded {
            Some(l) => &l.index,
            None => empty_index(),
        }
    }

    /// The next generation number.
    pub fn next_generation(&mut self) -> u64 {
        *self.generation += 1;
        *self.generation
    }

    /// Asks for a status-bar message.
    pub fn flash(&mut self, text: impl Into<String>, level: Level) {
        self.out.flash = Some((text.into(), level));
    }

    /// Asks for an effect.
    pub fn effect(&mut self, effect: Effect) {
        self.out.effects.push(effect);
    }

    /// Asks for a move through the screens.
    pub fn go(&mut self, nav: Nav) {
        self.out.nav = Some(nav);
    }
}

/// How far a movement action moves the cursor, with `page` rows a page.
pub fn delta(action: Action, page: isize) -> Option<isize> {
    let half = (page / 2).max(1);
    Some(match action {
        Action::MoveUp => -1,
        Action::MoveDown => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::HalfPageUp => -half,
        Action::HalfPageDown => half,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}
