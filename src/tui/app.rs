//! The TUI's state and the messages that change it: data only. `update.rs`
//! routes each message; views only read.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;

use crate::index::Index;
use crate::index::search::Hit;
use crate::model::{Entity, Problem};
use crate::workspace::SyncEvent;

use super::keymap::{Context, Keymap, Pending};
pub use super::loaded::{Loaded, empty_index};
use super::overlays::Overlay;
use super::screens::Screen;
use super::screens::search::SearchScreen;
use super::theme::Theme;

/// Something that happened: a key, a finished task, a signal.
#[derive(Debug)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// The terminal was resized.
    Resize(u16, u16),
    /// Time passed (flash expiry, "synced 3m ago").
    Tick,
    /// The index finished loading, with its search haystacks.
    IndexLoaded(Result<Loaded, String>),
    /// A search's first screen is final; the rest is still being ranked.
    SearchFirstScreen {
        /// The generation it was started with; stale ones are dropped.
        generation: u64,
        /// The first screen's results, ranked.
        hits: Arc<Vec<Hit>>,
    },
    /// A search finished.
    SearchDone {
        /// The generation it was started with; stale ones are dropped.
        generation: u64,
        /// Ranked results.
        hits: Arc<Vec<Hit>>,
    },
    /// An entity body was read.
    EntityLoaded {
        /// The entity index.
        entity: u32,
        /// The index it was read from (to drop stale loads after a sync).
        index_id: usize,
        /// The entity, or why it could not be read.
        result: Result<Box<Entity>, String>,
    },
    /// Sync progress.
    SyncProgress(SyncEvent),
    /// A sync finished.
    SyncDone(Result<Loaded, String>),
    /// Starred refs were read from the data dir.
    StarsLoaded(BTreeSet<String>),
    /// Writing something failed (stars, clipboard, browser): say so.
    EffectFailed(String),
    /// Something finished that the user should hear about.
    Info(String),
    /// A remote entity was refreshed and re-read.
    Refreshed(Result<Box<Entity>, String>),
    /// SIGTERM, SIGHUP: leave now, with this exit status (128 + signal).
    Terminate(u8),
    /// Progress of a template run.
    ScaffoldEvent(u64, crate::scaffold::Event),
    /// A template run finished.
    ScaffoldDone(u64, Box<Result<crate::scaffold::RunResult, crate::scaffold::runner::RunError>>),
    /// A docs effect finished.
    Docs(super::screens::docs::DocsMsg),
    /// The `:login` task reports.
    Login(super::overlays::login_state::LoginMsg),
    /// A portal effect answered (or a followed task sent an event).
    Portal(super::screens::portal::PortalMsg),
    /// A wizard draft was read.
    DraftLoaded(super::screens::wizard::draft_types::DraftLoaded),
    /// An external program (plugin, editor, browser) exited.
    Ran {
        /// What it was (`plugin pods`, `editor`).
        label: String,
        /// Whether it ran and succeeded, or why not.
        outcome: Result<(), String>,
        /// Re-sync this source now (its file was edited).
        resync: Option<String>,
    },
}

/// How serious a flash message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Information.
    Info,
    /// Something to look at.
    Warning,
    /// Something failed.
    Error,
}

/// A status-bar message that expires.
pub struct Flash {
    /// The text (sanitized when drawn).
    pub text: String,
    /// Its level.
    pub level: Level,
    /// When it disappears.
    pub until: Instant,
}

/// A running sync.
pub struct SyncStatus {
    /// The source being read.
    pub source: String,
    /// Files or entities read so far.
    pub done: usize,
    /// Entities expected, when the catalog says.
    pub total: Option<usize>,
    /// What is counted.
    pub unit: &'static str,
    /// Sources read so far, and how many of them had no file changed.
    pub sources: (usize, usize),
    /// Files carried over unchanged (not parsed) so far.
    pub carried: usize,
}

impl SyncStatus {
    /// A sync starting with `source` (or every source, when empty).
    pub fn new(source: String) -> SyncStatus {
        SyncStatus { source, done: 0, total: None, unit: "files", sources: (0, 0), carried: 0 }
    }

    /// What the sync spared, for its closing message: nothing read when no
    /// source had a file changed, else the files carried over.
    pub fn spared(&self) -> Option<String> {
        match (self.sources, self.carried) {
            ((n, unchanged), _) if n > 0 && n == unchanged => Some("no file changed".into()),
            (_, 0) => None,
            (_, carried) => Some(format!("{carried} unchanged files carried over")),
        }
    }
}

/// Everything the TUI shows.
pub struct App {
    /// The loaded index, once loaded.
    pub loaded: Option<Loaded>,
    /// Why loading failed, if it did.
    pub load_error: Option<String>,
    /// Label of where the data comes from (`demo`, source names).
    pub origin: String,
    /// The theme.
    pub theme: Theme,
    /// The keymap.
    pub keymap: Keymap,
    /// Keys of a chord typed so far.
    pub pending: Pending,
    /// The view stack; the first is always the search home.
    pub stack: Vec<Screen>,
    /// Screens left by going back, for going forward.
    pub forward: Vec<Screen>,
    /// Help or palette, when open.
    pub overlay: Option<Overlay>,
    /// The status-bar message.
    pub flash: Option<Flash>,
    /// A running sync.
    pub sync: Option<SyncStatus>,
    /// Starred entity refs.
    pub starred: BTreeSet<String>,
    /// Problems with the user's keymap or theme files.
    pub setup_problems: Vec<Problem>,
    /// The user's themes folder (`:theme` lists and loads from it).
    pub themes_dir: Option<std::path::PathBuf>,
    /// Every status message so far, in full (`:messages`).
    pub messages: Vec<(Level, String)>,
    /// Whether `y` may copy through OSC 52.
    pub osc52: bool,
    /// Whether `$BROWSER` is set.
    pub browser: bool,
    /// The user, for `:mine` and `:my-groups` (canonical user ref).
    pub identity: Option<String>,
    /// Plugins and browser settings.
    pub external: External,
    /// Counter for stale-result dropping.
    pub generation: u64,
    /// Set when the app should exit.
    pub quit: bool,
    /// The process exit status (non-zero after a terminating signal).
    pub exit_status: u8,
    /// Terminal size, for page movements and layout choices.
    pub size: (u16, u16),
    /// Unix seconds, refreshed on ticks (for "synced 3m ago").
    pub now: u64,
}

/// How long flash messages stay.
pub const FLASH_FOR: Duration = Duration::from_secs(4);

/// Status messages `:messages` keeps (the oldest go first).
pub const MAX_MESSAGES: usize = 500;

/// Settings the app starts with.
pub struct Settings {
    /// Theme in use.
    pub theme: Theme,
    /// Keymap in use.
    pub keymap: Keymap,
    /// Problems loading keymap or theme files.
    pub setup_problems: Vec<Problem>,
    /// Where the data comes from.
    pub origin: String,
    /// A note for the status bar at start (e.g. "no config: showing the demo").
    pub notice: Option<String>,
    /// OSC 52 copying allowed.
    pub osc52: bool,
    /// `$BROWSER` is set.
    pub browser: bool,
    /// The user, for "owned by me" (config `identity` or `--as`).
    pub identity: Option<String>,
    /// Plugins and browser settings.
    pub external: External,
}

/// What the app knows about external programs: plugins, which browsers
/// run in the terminal, and whether URLs are written as hyperlinks.
#[derive(Debug, Default)]
pub struct External {
    /// The loaded plugins.
    pub plugins: super::plugins::Plugins,
    /// Config `terminal_browsers`: more browsers run in the foreground.
    pub terminal_browsers: Vec<String>,
    /// Write URLs on screen as OSC 8 hyperlinks.
    pub hyperlinks: bool,
}

impl App {
    /// A new app, not yet loaded.
    pub fn new(settings: Settings) -> App {
        let mut app = App {
            loaded: None,
            load_error: None,
            origin: settings.origin,
            theme: settings.theme,
            keymap: settings.keymap,
            pending: Pending::default(),
            stack: vec![Screen::Search(SearchScreen::new())],
            forward: Vec::new(),
            overlay: None,
            flash: None,
            sync: None,
            starred: BTreeSet::new(),
            setup_problems: settings.setup_problems,
            themes_dir: None,
            messages: Vec::new(),
            osc52: settings.osc52,
            browser: settings.browser,
            identity: settings.identity,
            external: settings.external,
            generation: 0,
            quit: false,
            exit_status: 0,
            size: (80, 24),
            now: crate::index::now(),
        };
        if let Some(first) = app.setup_problems.first() {
            let more = app.setup_problems.len() - 1;
            let suffix = if more > 0 { format!(" (+{more} more; see :problems)") } else { "; see :problems".into() };
            app.flash_for(format!("{first}{suffix}"), Level::Error, FLASH_FOR * 3);
        } else if let Some(notice) = settings.notice {
            app.flash_for(notice, Level::Info, FLASH_FOR * 2);
        }
        app
    }

    /// Shows a flash message.
    pub fn flash(&mut self, text: impl Into<String>, level: Level) {
        self.flash_for(text, level, FLASH_FOR);
    }

    fn flash_for(&mut self, text: impl Into<String>, level: Level, for_: Duration) {
        let text = text.into();
        if self.messages.len() == MAX_MESSAGES {
            self.messages.remove(0);
        }
        self.messages.push((level, text.clone()));
        self.flash = Some(Flash { text, level, until: Instant::now() + for_ });
    }

    /// The next generation number.
    pub fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// The current (top) screen.
    pub fn screen(&self) -> &Screen {
        self.stack.last().unwrap_or_else(|| unreachable!("the stack always holds the search screen"))
    }

    /// The current (top) screen, mutable.
    pub fn screen_mut(&mut self) -> &mut Screen {
        self.stack.last_mut().unwrap_or_else(|| unreachable!("the stack always holds the search screen"))
    }

    /// The index, or an empty one while loading.
    pub fn index(&self) -> &Index {
        match &self.loaded {
            Some(l) => &l.index,
            None => empty_index(),
        }
    }

    /// The keymap context of what has the keyboard now: the overlay's,
    /// else the top screen's.
    pub fn keymap_context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(_) | Overlay::Messages(_)) => Context::Help,
            Some(Overlay::Palette(_)) => Context::Palette,
            Some(Overlay::Login(_)) => Context::Login,
            Some(Overlay::Links(_)) => Context::List,
            None => self.screen().keymap_context(),
        }
    }

    /// Rows a page moves by.
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::SyncStatus;

    #[test]
    fn a_sync_says_what_it_spared() {
        let mut status = SyncStatus::new(String::new());
        assert_eq!(status.spared(), None, "nothing read yet");
        status.sources = (2, 2);
        status.carried = 40;
        assert_eq!(status.spared().as_deref(), Some("no file changed"));
        status.sources = (2, 1);
        assert_eq!(status.spared().as_deref(), Some("40 unchanged files carried over"));
        status.carried = 0;
        assert_eq!(status.spared(), None, "every file parsed");
    }
}
