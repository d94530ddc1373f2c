//! Index load, first frame and bytes written to the terminal. The app runs
//! headless: effects are performed synchronously on this thread (as the
//! runtime's blocking tasks would), frames are drawn on a `TestBackend` or on
//! a `CrosstermBackend` writing into a byte counter.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use stagehand::index::search::Hit;
use stagehand::tui::app::{App, Loaded, Msg};
use stagehand::tui::effects::{Effect, EffectContext, perform};
use stagehand::tui::screens::Screen;
use stagehand::tui::update::update;
use stagehand::tui::views::render;
use stagehand::workspace::Workspace;

use super::Opts;
use super::data::DataSet;
use super::stats::{ms, pct};

/// The terminal size every frame is drawn at.
pub const SIZE: (u16, u16) = (120, 40);

/// Messages an effect sent while it ran, with when.
type Sent = Arc<Mutex<Vec<(Instant, Msg)>>>;

/// A headless app: effects run inline, messages go back into `update`.
pub struct Driver {
    /// The app.
    pub app: App,
    ctx: EffectContext,
    sent: Sent,
    /// When the last search sent its first screen early, and that screen.
    pub first_screen: Option<(Instant, Arc<Vec<Hit>>)>,
}

impl Driver {
    /// A fresh app for the workspace, sized 120x40.
    pub fn new(ws: Workspace) -> Driver {
        let mut app = App::new(stagehand::tui::runtime::settings(&ws));
        app.size = SIZE;
        let sent: Sent = Arc::default();
        let to = sent.clone();
        let progress = Arc::new(move |m| to.lock().unwrap_or_else(|e| e.into_inner()).push((Instant::now(), m)));
        let ctx = EffectContext { ws: Arc::new(ws), progress };
        Driver { app, ctx, sent, first_screen: None }
    }

    /// Delivers a message and runs every effect it leads to (searches and
    /// loads; others are dropped), until nothing is left. Messages an
    /// effect sent while running are delivered before its answer.
    pub fn send(&mut self, msg: Msg) {
        let mut queue = vec![msg];
        while let Some(msg) = queue.pop() {
            for effect in update(&mut self.app, msg) {
                if matches!(effect, Effect::Search { .. } | Effect::LoadIndex)
                    && let Some(m) = perform(effect, &self.ctx)
                {
                    queue.push(m);
                    let sent = std::mem::take(&mut *self.sent.lock().unwrap_or_else(|e| e.into_inner()));
                    for (at, m) in sent.into_iter().rev() {
                        if let Msg::SearchFirstScreen { hits, .. } = &m {
                            self.first_screen = Some((at, hits.clone()));
                        }
                        queue.push(m);
                    }
                }
            }
        }
    }

    /// The results the search screen on top shows.
    pub fn results(&self) -> Arc<Vec<Hit>> {
        match self.app.stack.last() {
            Some(Screen::Search(s)) => s.results.clone(),
            _ => Arc::default(),
        }
    }

    /// Types one key.
    pub fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// Hands the app a loaded index (what `Effect::LoadIndex` answers).
    pub fn loaded(&mut self, loaded: Loaded) {
        self.send(Msg::IndexLoaded(Ok(loaded)));
    }
}

/// A `TestBackend` terminal at [`SIZE`].
pub fn test_terminal() -> anyhow::Result<Terminal<TestBackend>> {
    Ok(Terminal::new(TestBackend::new(SIZE.0, SIZE.1))?)
}

/// Counts bytes written (shared, so the bench reads it while the backend
/// owns the writer).
#[derive(Default, Clone)]
pub struct Counter(pub Arc<std::sync::atomic::AtomicUsize>);

impl Counter {
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the load / first-frame section.
pub fn run(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let reps = if opts.smoke { 1 } else { 3 };
    let mut load = Vec::new();
    let mut hay = Vec::new();
    let mut first = Vec::new();
    let mut frame_ms = Vec::new();
    for _ in 0..reps {
        let ws = set.workspace()?;
        let t = Instant::now();
        let mut d = Driver::new(ws);
        let mut term = test_terminal()?;
        term.draw(|f| render(&d.app, f))?;
        let loading = t.elapsed();
        d.send(Msg::IndexLoaded(Ok(stagehand::tui::effects::load(&d.ctx.ws).map_err(anyhow::Error::msg)?)));
        let t1 = Instant::now();
        term.draw(|f| render(&d.app, f))?;
        let draw = t1.elapsed();
        first.push(t.elapsed());
        frame_ms.push(draw);
        let _ = loading;
        // Split load and haystacks.
        let t = Instant::now();
        let index = stagehand::index::store::load(&set.index_file()?)?;
        load.push(t.elapsed());
        let t = Instant::now();
        let h = stagehand::index::search::Haystacks::build(&index);
        hay.push(t.elapsed());
        drop((h, index, d));
    }
    let child = super::child::spawn_all(opts, set)?;
    println!("### index load and first frame (in-process best of {reps}; processes median of {})\n", child.runs);
    println!("| step | time |\n|---|---:|");
    let best = |v: &[Duration]| ms(pct(v).p50.min(*v.iter().min().unwrap_or(&Duration::ZERO)));
    println!("| store::load (index ready) | {} |", best(&load));
    println!("| Haystacks::build | {} |", best(&hay));
    println!("| draw of the first results frame | {} |", best(&frame_ms));
    println!("| in-process: app start → first results frame | {} |", best(&first));
    println!("| process: start → first frame (\"loading\" state) | {} |", ms(child.loading));
    println!("| process: start → index ready | {} |", ms(child.ready));
    println!("| process: start → first results frame | {} |", ms(child.first));
    println!("| process: `stagehand list > /dev/null` | {} |", ms(child.list));
    println!("| peak RSS after load + first frame | {:.0} MB |", child.rss_load);
    println!("| peak RSS after a search session | {:.0} MB |", child.rss_session);
    println!();
    Ok(())
}

/// Bytes written per keystroke while typing and while scrolling.
pub fn bytes(opts: &Opts, set: &DataSet) -> anyhow::Result<()> {
    let _ = opts;
    let ws = set.workspace()?;
    let mut d = Driver::new(ws);
    d.loaded(stagehand::tui::effects::load(&d.ctx.ws).map_err(anyhow::Error::msg)?);
    let counter = Counter::default();
    let backend = CrosstermBackend::new(counter.clone());
    let viewport = Viewport::Fixed(Rect::new(0, 0, SIZE.0, SIZE.1));
    let mut term = Terminal::with_options(backend, TerminalOptions { viewport })?;
    term.draw(|f| render(&d.app, f))?;
    let first = counter.get();
    let mut typing = Vec::new();
    for q in ["payments", "lunar billing", "kind:api checkout"] {
        d.key(KeyCode::Esc);
        term.draw(|f| render(&d.app, f))?;
        for c in q.chars() {
            let before = counter.get();
            d.key(KeyCode::Char(c));
            term.draw(|f| render(&d.app, f))?;
            typing.push(counter.get() - before);
        }
    }
    d.key(KeyCode::Esc);
    term.draw(|f| render(&d.app, f))?;
    d.key(KeyCode::Tab); // focus the results
    let mut scrolling = Vec::new();
    for i in 0..120 {
        let before = counter.get();
        d.key(if i % 40 == 39 { KeyCode::PageDown } else { KeyCode::Down });
        term.draw(|f| render(&d.app, f))?;
        scrolling.push(counter.get() - before);
    }
    let med = |v: &mut Vec<usize>| {
        v.sort_unstable();
        (v[v.len() / 2], v[(v.len() * 95).div_ceil(100) - 1], v.iter().max().copied().unwrap_or(0))
    };
    let (t50, t95, tmax) = med(&mut typing);
    let (s50, s95, smax) = med(&mut scrolling);
    println!("### bytes written to the terminal at 120x40 (CrosstermBackend)\n");
    println!("| what | median | p95 | max |\n|---|---:|---:|---:|");
    println!("| first full frame | {first} | | |");
    println!("| per keystroke typing ({} keys) | {t50} | {t95} | {tmax} |", typing.len());
    println!("| per keystroke scrolling ({} keys) | {s50} | {s95} | {smax} |", scrolling.len());
    println!();
    Ok(())
}
