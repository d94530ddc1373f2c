//! A headless harness for the TUI: the demo (or a given catalog) loaded into
//! an [`App`], effects run synchronously, frames drawn on a `TestBackend`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use stagehand::config::{SourceConfig, SourceKind};
use stagehand::tui::app::{App, Msg, Settings};
use stagehand::tui::effects::Effect;
use stagehand::tui::effects::{self, EffectContext};
use stagehand::tui::keymap::{Key, Keymap};
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::search::SearchFocus;
use stagehand::tui::theme::Theme;
use stagehand::tui::update::update;
use stagehand::workspace::Workspace;

/// The prefix of the temp dir the harness unpacks into; snapshot filters
/// replace `/tmp/<prefix>XXXXXX/...` with `[DEMO]`.
pub const TMP_PREFIX: &str = "stagehand-tui-";

/// A loaded app plus everything needed to run its effects.
pub struct Harness {
    /// The app under test.
    pub app: App,
    /// What effects run with.
    pub ctx: EffectContext,
    /// Effects the harness did not run (copy, open, suspend), in order.
    pub skipped: Vec<String>,
    /// Messages sent through the progress callback (sync), not yet delivered.
    pub progress: Arc<Mutex<Vec<Msg>>>,
    /// The temp dir holding cache, config and data.
    pub tmp: tempfile::TempDir,
}

/// Settings as a user with no config files, no NO_COLOR and no $BROWSER gets
/// them, with the `dark` theme forced.
pub fn settings(keymap: Keymap) -> Settings {
    Settings {
        theme: Theme::builtin("dark").expect("dark theme"),
        keymap,
        setup_problems: Vec::new(),
        origin: "demo".to_string(),
        notice: None,
        osc52: false,
        browser: false,
        identity: None,
        external: Default::default(),
    }
}

/// A temp dir in `/tmp` with a fixed-length name, so paths drawn in the UI
/// have the same length on every machine.
pub fn tmp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix(TMP_PREFIX).rand_bytes(6).tempdir_in("/tmp").expect("temp dir in /tmp")
}

/// A demo workspace whose cache, config and data dirs are under `tmp`.
pub fn demo_workspace(tmp: &Path) -> Workspace {
    let mut ws = Workspace::open(None, true, false).expect("demo workspace");
    point_at(&mut ws, tmp);
    ws
}

/// A workspace reading one `dir` source at `catalog`.
pub fn dir_workspace(tmp: &Path, catalog: PathBuf) -> Workspace {
    let mut ws = Workspace::open(None, true, false).expect("workspace");
    point_at(&mut ws, tmp);
    ws.demo = None;
    ws.config.sources = vec![SourceConfig { name: "hostile".into(), kind: SourceKind::Dir(catalog) }];
    ws
}

fn point_at(ws: &mut Workspace, tmp: &Path) {
    ws.paths.cache_dir = tmp.join("cache");
    ws.paths.config_dir = tmp.join("config");
    ws.paths.data_dir = tmp.join("data");
    ws.paths.config_file = tmp.join("config").join("config.yaml");
    ws.paths.fallback_warning = None;
}

impl Harness {
    /// The demo, with the default keymap.
    pub fn demo() -> Harness {
        Harness::demo_with(Keymap::default())
    }

    /// The demo, with a keymap.
    pub fn demo_with(keymap: Keymap) -> Harness {
        let tmp = tmp_dir();
        let ws = demo_workspace(tmp.path());
        Harness::with(ws, tmp, settings(keymap))
    }

    /// Any workspace: loads its index (a `dir` workspace is synced first,
    /// into the temp cache) and delivers it.
    pub fn with(ws: Workspace, tmp: tempfile::TempDir, settings: Settings) -> Harness {
        let mut h = Harness::unloaded(ws, tmp, settings);
        let loaded = effects::load(&h.ctx.ws);
        h.send(Msg::IndexLoaded(loaded));
        h.settle_clock();
        h
    }

    /// An app whose index is not delivered yet (a `dir` workspace is synced
    /// first, into the temp cache).
    pub fn unloaded(ws: Workspace, tmp: tempfile::TempDir, settings: Settings) -> Harness {
        if ws.demo.is_none() {
            ws.sync(None, false, &|_| {}).expect("sync the test catalog");
        }
        let progress = Arc::new(Mutex::new(Vec::new()));
        let sink = progress.clone();
        let ctx = EffectContext { ws: Arc::new(ws), progress: Arc::new(move |msg| sink.lock().unwrap().push(msg)) };
        Harness { app: App::new(settings), ctx, skipped: Vec::new(), progress, tmp }
    }

    /// Delivers a message but holds back its effects, as when the runtime
    /// has them still running on other threads.
    pub fn send_held(&mut self, msg: Msg) -> Vec<Effect> {
        update(&mut self.app, msg)
    }

    /// Presses keys, holding back the effects they cause.
    pub fn keys_held(&mut self, keys: &str) -> Vec<Effect> {
        let mut held = Vec::new();
        for k in keys.split_whitespace() {
            let key = Key::parse(k).unwrap_or_else(|e| panic!("bad key {k}: {e}"));
            held.extend(self.send_held(Msg::Key(KeyEvent::new(key.code, key.modifiers))));
        }
        held
    }

    /// Runs held effects in order, delivering what each answers (and what
    /// that causes) before the next one.
    pub fn finish(&mut self, held: Vec<Effect>) {
        for effect in held {
            if let Some(msg) = effects::perform(effect, &self.ctx) {
                self.send(msg);
            }
        }
    }

    /// Pins "now" to the newest sync so the status bar always says "just now".
    pub fn settle_clock(&mut self) {
        let newest = self.app.index().sources.iter().filter_map(|s| s.last_success).max();
        if let Some(t) = newest {
            self.app.now = t;
        }
    }

    /// Delivers a message and runs every effect it causes, feeding their
    /// messages back until none remain.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = std::collections::VecDeque::from([msg]);
        let mut rounds = 0;
        while let Some(msg) = queue.pop_front() {
            rounds += 1;
            assert!(rounds < 10_000, "effects never settle");
            for effect in update(&mut self.app, msg) {
                match effect {
                    Effect::Suspend => self.skipped.push("suspend".into()),
                    Effect::CopyOsc52(text) => self.skipped.push(format!("copy {text}")),
                    Effect::OpenUrl(url) => self.skipped.push(format!("open {url}")),
                    Effect::Foreground(command) => {
                        self.skipped.push(format!("run {}", command.line()));
                        queue.push_back(command.run_foreground());
                    }
                    other => {
                        let answer = effects::perform(other, &self.ctx);
                        queue.extend(self.progress.lock().unwrap().drain(..));
                        queue.extend(answer);
                    }
                }
            }
        }
    }

    /// Presses one key event.
    pub fn key_event(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.send(Msg::Key(KeyEvent::new(code, mods)));
    }

    /// Presses keys written as in keymap files, separated by spaces
    /// (`"tab j enter"`, `"alt-left"`, `"?"`).
    pub fn keys(&mut self, keys: &str) {
        for k in keys.split_whitespace() {
            let key = Key::parse(k).unwrap_or_else(|e| panic!("bad key {k}: {e}"));
            self.key_event(key.code, key.modifiers);
        }
    }

    /// Types text, one character key at a time (spaces included).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            self.key_event(KeyCode::Char(c), mods);
        }
    }

    /// Runs a palette command: `:` then the text then enter. On the search
    /// home `:` is text while the query line has focus, so focus moves to
    /// the results first.
    pub fn command(&mut self, line: &str) {
        if let Screen::Search(s) = self.app.screen()
            && s.focus == SearchFocus::Query
        {
            self.keys("tab");
        }
        self.keys(":");
        self.type_text(line);
        self.keys("enter");
    }

    /// Opens the entity page of `entity_ref` from the search home.
    pub fn open(&mut self, entity_ref: &str) {
        let i = self.app.index().find(entity_ref).unwrap_or_else(|| panic!("{entity_ref} is not in the index"));
        self.send_open(i);
    }

    fn send_open(&mut self, i: u32) {
        for effect in stagehand::tui::navigation::open_entity(&mut self.app, i) {
            if let Some(m) = effects::perform(effect, &self.ctx) {
                self.send(m);
            }
        }
    }

    /// Draws a frame of `w` x `h`.
    pub fn draw(&mut self, w: u16, h: u16) -> Buffer {
        self.send(Msg::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        terminal.draw(|f| stagehand::tui::views::render(&self.app, f)).expect("draw");
        terminal.backend().buffer().clone()
    }

    /// Draws a frame and returns it as text, one line per row.
    pub fn screen(&mut self, w: u16, h: u16) -> String {
        text(&self.draw(w, h))
    }

    /// The label of the top screen.
    pub fn top(&self) -> String {
        self.app.screen().label(self.app.index())
    }

    /// The canonical ref of the entity page on top, if it is one.
    pub fn top_entity(&self) -> Option<String> {
        match self.app.screen() {
            Screen::Entity(e) => Some(e.canonical.clone()),
            _ => None,
        }
    }

    /// The flash text, if any.
    pub fn flash(&self) -> String {
        self.app.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
    }
}

/// A buffer as text: each row's symbols, trailing spaces trimmed (wide
/// characters' continuation cells are skipped).
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The first (x, y) where `needle` starts, one char per cell.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let wanted: Vec<String> = needle.chars().map(String::from).collect();
    for y in 0..buf.area.height {
        'start: for x in 0..buf.area.width {
            for (i, w) in wanted.iter().enumerate() {
                let xi = x + i as u16;
                if xi >= buf.area.width || buf[(xi, y)].symbol() != w {
                    continue 'start;
                }
            }
            return Some((x, y));
        }
    }
    None
}
