//! Running effects: the blocking work `update` asks for, done off the UI
//! thread, each answering with a message.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::index::Index;
use crate::index::search::{Haystacks, Hit, Query, Scope, Stream, search_streaming};
use crate::workspace::Workspace;

use super::app::{Loaded, Msg};
use super::stars;

pub mod docs;
pub mod draft;
pub mod login;
pub mod portal;

/// Which entities a search effect considers: [`Scope`], owned.
#[derive(Debug, Clone)]
pub enum SearchScope {
    /// The whole index.
    All,
    /// Only these (a list's rows).
    Rows(Arc<Vec<Hit>>),
    /// The ranked results (`hits`) of a query with text (`before`) that
    /// the new one narrows.
    Narrowing {
        /// The earlier query.
        before: Query,
        /// Its complete results.
        hits: Arc<Vec<Hit>>,
    },
}

impl SearchScope {
    /// Borrowed, as [`crate::index::search::search_streaming`] takes it.
    pub fn as_scope(&self) -> Scope<'_> {
        match self {
            SearchScope::All => Scope::All,
            SearchScope::Rows(rows) => Scope::Rows(rows),
            SearchScope::Narrowing { before, hits } => Scope::Narrowing { before, hits },
        }
    }
}

/// Work `update` asks the runtime to do off the UI thread.
pub enum Effect {
    /// Load the index (or build the demo) and its haystacks.
    LoadIndex,
    /// Run a search.
    Search {
        /// Generation for stale-result dropping.
        generation: u64,
        /// What to search.
        loaded: Loaded,
        /// The query.
        query: Query,
        /// Which entities.
        scope: SearchScope,
        /// Rows of the first screen, sent early when known
        /// ([`Msg::SearchFirstScreen`]); 0 sends none.
        window: usize,
        /// Set when a newer search makes this one pointless.
        cancel: Arc<AtomicBool>,
    },
    /// Read one entity's body.
    LoadEntity {
        /// The index to read from.
        index: Arc<Index>,
        /// The entity.
        entity: u32,
    },
    /// Sync every source (or one) in the background.
    Sync(Option<String>),
    /// Read starred refs.
    LoadStars,
    /// Write starred refs.
    SaveStars(Vec<String>),
    /// Copy text to the clipboard through the terminal (OSC 52).
    CopyOsc52(String),
    /// Open a URL with `$BROWSER`.
    OpenUrl(String),
    /// Suspend the process (Ctrl-z).
    Suspend,
    /// Run a program with the terminal (the TUI is suspended meanwhile).
    Foreground(crate::tui::plugins::external::External),
    /// Run a program without the terminal and report how it went.
    Background(crate::tui::plugins::external::External),
    /// Run a template, locally or on a backend.
    RunTemplate {
        /// Identifies the run (stale events are dropped).
        run_id: u64,
        /// The template.
        template: Arc<crate::scaffold::Template>,
        /// Its values.
        input: Box<crate::scaffold::RunInput>,
        /// Where and how.
        options: Box<crate::scaffold::RunOptions>,
        /// For `catalog:fetch` and the user's entity.
        index: Option<Arc<Index>>,
        /// Set to stop the run.
        cancel: Arc<AtomicBool>,
        /// The `backstage:` source the template came from (where
        /// `catalog:register` registers).
        source: Option<String>,
        /// Run on the backend of this `backstage:` source instead.
        backend: Option<String>,
    },
    /// Open, render or search docs.
    Docs(docs::DocsEffect),
    /// Load, save or delete a wizard draft.
    Draft(crate::tui::screens::wizard::draft_types::DraftEffect),
    /// Ask the remote catalog of `source` to refresh an entity, then re-read it.
    RefreshRemote {
        /// The remote source's name.
        source: String,
        /// The entity.
        entity: crate::model::EntityRef,
    },
    /// Sign in to a remote source (`:login`), until done or cancelled.
    Login {
        /// The source (`None`: the only remote source).
        source: Option<String>,
        /// Set when the overlay closes.
        cancel: Arc<AtomicBool>,
    },
    /// Hand a pasted address to the running sign-in.
    LoginPaste {
        /// The sign-in's paste channel.
        to: std::sync::mpsc::Sender<crate::sources::login::callback::Arrival>,
        /// What was pasted.
        address: String,
    },
    /// Work on a backend's portal plugins (actions, tasks, search).
    Portal(portal::PortalEffect),
    /// Register a location on a remote catalog (or only preview it).
    Register {
        /// The URL or path.
        target: String,
        /// Only show what would be added.
        dry_run: bool,
    },
}

/// What effects need: the workspace, and a way to report progress.
#[derive(Clone)]
pub struct EffectContext {
    /// The workspace (config, paths, index).
    pub ws: Arc<Workspace>,
    /// Sends progress messages while an effect runs.
    pub progress: Arc<dyn Fn(Msg) + Send + Sync>,
}

/// Loads the index; its haystacks are built on a background thread, so the
/// first frame (an empty query needs no haystacks) does not wait for them.
pub fn load(ws: &Workspace) -> Result<Loaded, String> {
    let index = ws.load_index().map_err(|e| format!("{e:#}"))?;
    Ok(loaded(index))
}

/// Wraps a new index and starts building its haystacks in the background
/// (a search that needs them first waits for that build).
pub fn loaded(index: Index) -> Loaded {
    let loaded = Loaded { index: Arc::new(index), hay: Arc::new(Haystacks::lazy()) };
    let (index, hay) = (loaded.index.clone(), loaded.hay.clone());
    // Without a thread, the first search that needs them builds them.
    let _ = std::thread::Builder::new().name("haystacks".into()).spawn(move || hay.ensure(&index));
    loaded
}

/// Runs one blocking effect and returns the message it produces. Effects
/// that touch the terminal (suspend, OSC 52) are handled by the runtime.
pub fn perform(effect: Effect, ctx: &EffectContext) -> Option<Msg> {
    match effect {
        Effect::LoadIndex => Some(Msg::IndexLoaded(load(&ctx.ws))),
        Effect::Search { generation, loaded, query, scope, window, cancel } => {
            let progress = ctx.progress.clone();
            let first_screen =
                move |hits: Vec<Hit>| progress(Msg::SearchFirstScreen { generation, hits: Arc::new(hits) });
            let cancelled = || cancel.load(Ordering::Relaxed);
            let stream = Stream {
                window: if window == 0 { usize::MAX } else { window },
                first_screen: &first_screen,
                cancelled: &cancelled,
            };
            let hits = search_streaming(&loaded.index, &loaded.hay, &query, scope.as_scope(), &stream)?;
            Some(Msg::SearchDone { generation, hits: Arc::new(hits) })
        }
        Effect::LoadEntity { index, entity } => {
            let result = index.entity(entity).map(Box::new);
            Some(Msg::EntityLoaded { entity, index_id: Arc::as_ptr(&index) as usize, result })
        }
        Effect::Sync(only) => {
            let progress = ctx.progress.clone();
            let report = ctx.ws.sync(only.as_deref(), false, &move |event| progress(Msg::SyncProgress(event)));
            Some(Msg::SyncDone(report.map_err(|e| format!("{e:#}")).map(|r| loaded(r.index))))
        }
        Effect::LoadStars => {
            let path = stars::file(&ctx.ws.paths.profile_data_dir());
            Some(match stars::load(&path) {
                Ok(s) => Msg::StarsLoaded(s),
                Err(e) => Msg::EffectFailed(e),
            })
        }
        Effect::SaveStars(refs) => {
            let path = stars::file(&ctx.ws.paths.profile_data_dir());
            stars::save(&path, &refs).err().map(Msg::EffectFailed)
        }
        Effect::OpenUrl(url) => open_url(&url).err().map(Msg::EffectFailed),
        Effect::RunTemplate { run_id, template, input, mut options, index, cancel, source, backend } => {
            let progress = ctx.progress.clone();
            let mut events = |e| progress(Msg::ScaffoldEvent(run_id, e));
            let result = match backend {
                Some(name) => ctx
                    .ws
                    .scaffolder_backend(Some(&name))
                    .map_err(|e| crate::scaffold::runner::RunError {
                        step: None,
                        message: format!("{e:#}"),
                        workspace: None,
                    })
                    .and_then(|b| {
                        crate::scaffold::backend::run(&b, &template, &input, options.dry_run, &mut events, &cancel)
                    }),
                None => {
                    options.register = ctx.ws.registrar(source.as_deref());
                    let lookup = |r: &str| {
                        index.as_ref().and_then(|ix| ix.find(r).and_then(|i| ix.entity(i).ok())).map(|e| e.to_value())
                    };
                    crate::scaffold::run(&template, &input, &options, &lookup, &mut events, &cancel)
                }
            };
            Some(Msg::ScaffoldDone(run_id, Box::new(result)))
        }
        Effect::Docs(docs) => Some(Msg::Docs(docs::perform(docs, ctx))),
        Effect::Portal(work) => Some(Msg::Portal(portal::perform(work, ctx))),
        Effect::Draft(d) => draft::perform(d, &ctx.ws.paths.profile_data_dir()),
        Effect::RefreshRemote { source, entity } => {
            let result = ctx
                .ws
                .remote_source(Some(&source))
                .map_err(|e| format!("{e:#}"))
                .and_then(|(_, config)| crate::sources::remote::refresh(&config, &entity))
                .map(Box::new);
            Some(Msg::Refreshed(result))
        }
        Effect::Register { target, dry_run } => Some(register(ctx, &target, dry_run)),
        Effect::Login { source, cancel } => Some(Msg::Login(login::run(ctx, source.as_deref(), &cancel))),
        Effect::LoginPaste { to, address } => {
            // The sign-in may have ended meanwhile; then there is no one to tell.
            let _ = to.send(crate::sources::login::callback::Arrival::Address(address));
            None
        }
        Effect::Background(command) => Some(command.run_background()),
        Effect::CopyOsc52(_) | Effect::Suspend | Effect::Foreground(_) => None,
    }
}

fn register(ctx: &EffectContext, target: &str, dry_run: bool) -> Msg {
    let result = ctx
        .ws
        .remote_source(None)
        .map_err(|e| format!("{e:#}"))
        .and_then(|(name, config)| crate::sources::remote::register(&config, target, dry_run).map(|r| (name, r)));
    match result {
        Err(e) => Msg::EffectFailed(format!("register: {e}")),
        Ok((name, r)) if r.dry_run => {
            let mut shown: Vec<&str> = r.entities.iter().map(String::as_str).take(4).collect();
            if r.entities.len() > 4 {
                shown.push("…");
            }
            Msg::Info(format!(
                "{} would add {} entities to `{name}` ({}); :register! {target} to register it",
                r.location,
                r.entities.len(),
                shown.join(", ")
            ))
        }
        Ok((name, r)) => {
            Msg::Info(format!("registered {} on `{name}`; :sync {name} once the catalog processed it", r.location))
        }
    }
}

/// Starts a graphical `$BROWSER` (its words, then the URL; no shell)
/// without the terminal. Terminal browsers run in the foreground instead
/// (the runtime's job).
fn open_url(url: &str) -> Result<(), String> {
    let words = crate::tui::plugins::browser::configured().ok_or_else(|| "$BROWSER is not set".to_string())?;
    crate::tui::plugins::browser::check_url(url)?;
    let browser = &words[0];
    std::process::Command::new(browser)
        .args(&words[1..])
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("cannot start $BROWSER ({browser}): {e}"))
}

/// The OSC 52 sequence that asks the terminal to copy `text`.
pub fn osc52(text: &str) -> String {
    use base64::Engine;
    let clean = crate::model::sanitize::line(text);
    format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode(clean.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_payloads_are_base64_of_sanitized_text() {
        assert_eq!(osc52("ab"), "\x1b]52;c;YWI=\x07");
        assert!(!osc52("a\x1b]0;x\x07").contains("\x1b]0"));
    }

    #[test]
    fn only_web_links_open() {
        // SAFETY of the assertion: with or without $BROWSER set, a file: URL is refused.
        let err = open_url("file:///etc/passwd").unwrap_err();
        assert!(err.contains("BROWSER") || err.contains("only http"));
    }
}
