//! The event loop: terminal events, task messages and a slow tick go into
//! `update`; effects run on blocking tasks; the screen is redrawn only when
//! something changed. The terminal is restored on exit, error, panic
//! (ratatui's hook, then a short crash report: see `crash`), SIGTERM and
//! SIGHUP; Ctrl-z suspends.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::workspace::{DemoReason, Workspace};

use super::app::{App, External, Msg, Settings};
use super::colors::{self, ColorDepth};
use super::effects::{Effect, EffectContext, osc52, perform};
use super::keymap::Keymap;
use super::plugins::{Plugins, browser, external};
use super::theme::resolve_theme;
use super::update::update;
use super::views::render;

/// Builds the app's starting settings from the workspace: theme (mono on
/// a terminal without colours, or with NO_COLOR), keymap with the user's overrides, and what to say first.
pub fn settings(ws: &Workspace) -> Settings {
    let mono = colors::depth(&ws.config) == ColorDepth::Mono;
    let (theme, mut problems) = resolve_theme(ws.config.theme.as_deref(), mono, Some(&ws.paths.themes_dir()));
    let (keymap, keymap_problems) = Keymap::load_user_file(&ws.paths.keymap_file());
    problems.extend(keymap_problems);
    let config_file = ws.paths.config_file.display().to_string();
    let (plugins, plugin_problems) = Plugins::load(&ws.config.terminal, &config_file, &keymap);
    problems.extend(plugin_problems);
    let external = External {
        plugins,
        terminal_browsers: ws.config.terminal.terminal_browsers.clone(),
        hyperlinks: super::plugins::hyperlink::enabled(
            ws.config.terminal.hyperlinks,
            std::env::var("TERM").ok().as_deref(),
        ),
    };
    let (origin, notice) = match ws.demo {
        Some(DemoReason::Asked) => {
            ("demo".to_string(), Some("demo catalog: Lumen Freight (type to search, ? for help)".to_string()))
        }
        Some(DemoReason::NoConfig) => (
            "demo".to_string(),
            Some(format!(
                "no config at {}: showing the demo catalog (`stagehand config init` to set up yours)",
                ws.paths.config_file.display()
            )),
        ),
        None => {
            let names: Vec<&str> = ws.config.sources.iter().map(|s| s.name.as_str()).collect();
            (if names.is_empty() { "no sources".to_string() } else { names.join(",") }, None)
        }
    };
    let notice = notice.or_else(|| ws.paths.fallback_warning.clone());
    Settings {
        theme,
        keymap,
        setup_problems: problems,
        origin,
        notice,
        osc52: ws.config.osc52,
        browser: std::env::var_os("BROWSER").is_some_and(|b| !b.is_empty()),
        identity: ws.identity(),
        external,
    }
}

/// Runs the TUI until the user quits.
pub fn run(ws: Workspace) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(event_loop(ws));
    ratatui::restore();
    match result {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("error: {}", crate::model::sanitize::text(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn spawn(effect: Effect, ctx: &EffectContext, tx: &UnboundedSender<Msg>) {
    let ctx = ctx.clone();
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let msg = super::crash::guarded(|| perform(effect, &ctx)).unwrap_or_else(|e| Some(Msg::EffectFailed(e)));
        if let Some(msg) = msg {
            let _ = tx.send(msg);
        }
    });
}

fn listen_for_signals(tx: &UnboundedSender<Msg>) {
    #[cfg(unix)]
    for (kind, number) in [
        (tokio::signal::unix::SignalKind::terminate(), libc::SIGTERM),
        (tokio::signal::unix::SignalKind::hangup(), libc::SIGHUP),
    ] {
        let tx = tx.clone();
        if let Ok(mut signal) = tokio::signal::unix::signal(kind) {
            tokio::spawn(async move {
                if signal.recv().await.is_some() {
                    let _ = tx.send(Msg::Terminate(128 + number as u8));
                }
            });
        }
    }
}

/// What the status bar shows that changes with time alone.
fn clock_view(app: &App) -> (bool, String) {
    let synced = app.index().sources.iter().filter_map(|s| s.last_success).min().map(|t| crate::index::age(t, app.now));
    (app.flash.is_some(), synced.unwrap_or_default())
}

async fn event_loop(ws: Workspace) -> anyhow::Result<u8> {
    let settings = settings(&ws);
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let progress_tx = tx.clone();
    let ctx = EffectContext {
        ws: Arc::new(ws),
        progress: Arc::new(move |msg| {
            let _ = progress_tx.send(msg);
        }),
    };
    // Before ratatui's hook, which wraps it: the terminal is restored first.
    let reporter = super::crash::install(&ctx.ws.paths.cache_dir, &ctx.ws.config);
    let depth = colors::depth(&ctx.ws.config);
    let mut terminal = colors::backend::init(depth);
    super::crash::guard_effects(reporter);
    let mut app = App::new(settings);
    app.themes_dir = Some(ctx.ws.paths.themes_dir());
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    spawn(Effect::LoadIndex, &ctx, &tx);
    spawn(Effect::LoadStars, &ctx, &tx);
    listen_for_signals(&tx);
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| render(&app, frame))?;
        }
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => break,
            },
            Some(msg) = rx.recv() => msg,
            _ = ticker.tick() => Msg::Tick,
        };
        forced_test_panic(&msg);
        let before = matches!(msg, Msg::Tick).then(|| clock_view(&app));
        let mut queue: std::collections::VecDeque<Effect> = update(&mut app, msg).into();
        while let Some(effect) = queue.pop_front() {
            let foreground = match effect {
                Effect::Suspend => {
                    suspend();
                    terminal = colors::backend::init(depth);
                    terminal.clear()?;
                    None
                }
                Effect::CopyOsc52(text) => {
                    let mut out = std::io::stdout();
                    out.write_all(osc52(&text).as_bytes())?;
                    out.flush()?;
                    None
                }
                Effect::Foreground(command) => Some(command),
                Effect::OpenUrl(url) => match terminal_browser(&url, &app.external.terminal_browsers) {
                    Some(command) => Some(command),
                    None => {
                        spawn(Effect::OpenUrl(url), &ctx, &tx);
                        None
                    }
                },
                other => {
                    spawn(other, &ctx, &tx);
                    None
                }
            };
            // Effects only come after `select!` returned, so the key reader
            // is idle (it reads only while polled) and the program gets
            // every key. Dropping the stream instead would leave a wake-up
            // pending that makes the next cursor-position query fail.
            if let Some(command) = foreground {
                let ran = in_foreground(&command);
                terminal = colors::backend::init(depth);
                terminal.clear()?;
                queue.extend(update(&mut app, ran));
            }
        }
        dirty = before.is_none_or(|b| b != clock_view(&app));
        if app.quit {
            break;
        }
    }
    Ok(app.exit_status)
}

/// Debug builds only (the tests' binary): `STAGEHAND_TEST_PANIC` set makes
/// the loop panic once the index is loaded, to prove the crash path. Release
/// builds compile this to nothing.
#[cfg(debug_assertions)]
fn forced_test_panic(msg: &Msg) {
    if matches!(msg, Msg::IndexLoaded(Ok(_)))
        && let Ok(value) = std::env::var("STAGEHAND_TEST_PANIC")
    {
        panic!("forced test panic: {value}");
    }
}

#[cfg(not(debug_assertions))]
fn forced_test_panic(_: &Msg) {}

/// `$BROWSER` as a foreground command when it is a terminal browser
/// (w3m, lynx... or one in config `terminal_browsers`) and `url` is a web link.
fn terminal_browser(url: &str, extra: &[String]) -> Option<external::External> {
    let words = browser::configured()?;
    (browser::is_terminal(&words[0], extra) && browser::check_url(url).is_ok()).then(|| browser::open(&words, url))
}

/// Leaves the TUI, runs `command` with the terminal, and answers with how
/// it went. The caller restores the TUI afterwards.
fn in_foreground(command: &external::External) -> Msg {
    ratatui::restore();
    command.run_foreground()
}

/// Restores the terminal and stops the process until it is resumed (`fg`).
fn suspend() {
    ratatui::restore();
    #[cfg(unix)]
    // SAFETY: raising SIGTSTP on our own process is the documented way to
    // suspend; the default handler stops us and SIGCONT resumes here.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
}
