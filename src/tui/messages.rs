//! Delivering what effects answer: search results, loaded entities, a new
//! index (every screen carried over to it), sync progress, template runs,
//! docs; and, after every update, the loads the Docs tab needs.

use std::sync::Arc;

use crate::index::search::Hit;
use crate::workspace::SyncEvent;

use super::app::{App, Level, Loaded, Msg};
use super::effects::Effect;
use super::navigation::{self, index_id};
use super::screens::entity::EntityScreen;
use super::screens::entity::derive::fill;
use super::screens::{Screen, docs, list, portal, search, wizard};

/// Delivers a message that is not a key.
pub fn deliver(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(_) => {} // keys are routed by `update`
        Msg::Resize(w, h) => app.size = (w, h),
        Msg::Tick => {
            app.now = crate::index::now();
            if app.flash.as_ref().is_some_and(|f| f.until <= std::time::Instant::now()) {
                app.flash = None;
            }
        }
        Msg::IndexLoaded(Ok(loaded)) => return new_index(app, loaded),
        Msg::IndexLoaded(Err(e)) => {
            app.flash(e.clone(), Level::Error);
            app.load_error = Some(e);
        }
        Msg::SearchFirstScreen { generation, hits } => return first_screen(app, generation, &hits),
        Msg::SearchDone { generation, hits } => return search_done(app, generation, &hits),
        Msg::EntityLoaded { entity, index_id, result } => {
            let generation = &mut app.generation;
            for screen in app.stack.iter_mut().chain(app.forward.iter_mut()) {
                if let Screen::Entity(page) = screen
                    && page.entity == entity
                    && page.index_id == index_id
                    && page.body.is_none()
                {
                    fill(page, result.clone(), generation);
                }
            }
        }
        Msg::SyncProgress(event) => sync_progress(app, event),
        Msg::SyncDone(Ok(loaded)) => {
            let spared = app.sync.take().and_then(|s| s.spared()).map(|s| format!(" ({s})")).unwrap_or_default();
            let n = loaded.index.len();
            let problems = loaded.index.problems.len();
            app.flash(format!("synced: {n} entities, {problems} problems{spared}"), Level::Info);
            return new_index(app, loaded);
        }
        Msg::SyncDone(Err(e)) => {
            app.sync = None;
            app.flash(format!("sync failed: {e}; the index is unchanged"), Level::Error);
        }
        Msg::StarsLoaded(stars) => app.starred = stars,
        Msg::EffectFailed(e) => app.flash(e, Level::Error),
        Msg::Info(text) => app.flash(text, Level::Info),
        Msg::Refreshed(Ok(entity)) => {
            let r = entity.canonical_ref();
            let generation = &mut app.generation;
            if let Some(Screen::Entity(page)) = app.stack.last_mut()
                && page.canonical == r
            {
                fill(page, Ok(entity), generation);
            }
            app.flash(format!("refreshed {r} from its catalog; :sync updates the index"), Level::Info);
        }
        Msg::Refreshed(Err(e)) => app.flash(format!("refresh failed: {e}"), Level::Error),
        Msg::Ran { label, outcome, resync } => {
            match outcome {
                Ok(()) => app.flash(format!("{label}: done"), Level::Info),
                Err(e) => app.flash(e, Level::Error),
            }
            if let Some(source) = resync {
                return super::global::start_sync(app, Some(source));
            }
        }
        Msg::Terminate(status) => {
            app.exit_status = status;
            app.quit = true;
        }
        Msg::ScaffoldEvent(run_id, event) => wizard::keys::on_run_event(&mut app.stack, run_id, event),
        Msg::ScaffoldDone(run_id, result) => {
            let (effects, flash) = wizard::keys::on_run_done(&mut app.stack, run_id, *result);
            if let Some((text, level)) = flash {
                app.flash(text, level);
            }
            return effects;
        }
        Msg::Login(msg) => super::overlays::login::deliver(app, msg),
        Msg::Portal(msg) => {
            let (flash, effects) = portal::keys::on_msg(&mut app.stack, &mut app.generation, msg);
            if let Some((text, level)) = flash {
                app.flash(text, level);
            }
            return effects;
        }
        Msg::DraftLoaded(loaded) => {
            if let Some(e) = wizard::draft::on_loaded(app.stack.iter_mut(), loaded) {
                app.flash(e, Level::Warning);
            }
        }
        Msg::Docs(msg) => docs::lifecycle::on_msg(app.stack.iter_mut().chain(app.forward.iter_mut()).collect(), msg),
    }
    Vec::new()
}

/// After each update: what the Docs tab on top needs loaded or rendered.
pub fn docs_pending(app: &mut App) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    let Some(top) = app.stack.last_mut() else { return Vec::new() };
    let (effects, flash) = docs::lifecycle::pending(top, &loaded, app.size.0, &app.theme);
    if let Some(text) = flash {
        app.flash(text, Level::Warning);
    }
    effects
}

fn first_screen(app: &mut App, generation: u64, hits: &Arc<Vec<Hit>>) -> Vec<Effect> {
    for screen in app.stack.iter_mut() {
        if let Screen::Search(s) = screen
            && search::keys::first_screen(s, generation, hits)
        {
            // A first screen sent early is final: a deferred Enter opens its
            // top row now (on none, it waits for the complete results).
            return if s.results.is_empty() { Vec::new() } else { open_deferred(app) };
        }
    }
    Vec::new()
}

fn search_done(app: &mut App, generation: u64, hits: &Arc<Vec<Hit>>) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    for screen in app.stack.iter_mut() {
        let taken = match screen {
            Screen::Search(s) => search::keys::results(s, generation, hits, &loaded),
            Screen::List(l) => list::keys::results(l, generation, hits, &loaded.index),
            _ => false,
        };
        if taken {
            return open_deferred(app);
        }
    }
    Vec::new()
}

/// Opens what an Enter typed ahead of its results chose, when the search
/// home is on top.
fn open_deferred(app: &mut App) -> Vec<Effect> {
    let Some(Screen::Search(s)) = app.stack.last_mut() else { return Vec::new() };
    match search::keys::deferred_open(s) {
        Some(Ok(entity)) => navigation::go(app, super::context::Nav::Open(entity)),
        Some(Err(message)) => {
            app.flash(message, Level::Info);
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// After a load or sync: keep every screen on the same entities (by ref)
/// and re-run searches.
fn new_index(app: &mut App, loaded: Loaded) -> Vec<Effect> {
    let selected_ref = match &app.stack[0] {
        Screen::Search(s) => s.selected().map(|i| app.index().ref_of(i).to_string()),
        _ => None,
    };
    // The first index to arrive (loaded, or made by the first sync) ends
    // the error of a failed load.
    app.load_error = None;
    app.loaded = Some(loaded.clone());
    let id = index_id(&loaded);
    let starred = app.starred.clone();
    navigation::rebuild(app, |screen| carry_over(screen, &loaded, id, &starred, selected_ref.clone()));
    let mut effects: Vec<Effect> = app
        .stack
        .iter()
        .filter_map(|s| match s {
            Screen::Entity(page) => Some(Effect::LoadEntity { index: loaded.index.clone(), entity: page.entity }),
            _ => None,
        })
        .collect();
    let window = usize::from(app.size.1.max(1));
    for i in 0..app.stack.len() {
        let generation = app.next_generation();
        match &mut app.stack[i] {
            Screen::Search(s) => effects.extend(search::keys::start(s, &loaded, generation, window)),
            Screen::List(l) => effects.extend(list::keys::start(l, &loaded, generation)),
            Screen::Problems(p) => p.refilter(&loaded.index),
            _ => {}
        }
    }
    effects
}

/// Moves a screen onto a new index, keeping it on the same entity by ref.
/// Screens whose entity disappeared are dropped.
fn carry_over(
    screen: Screen,
    loaded: &Loaded,
    id: usize,
    starred: &std::collections::BTreeSet<String>,
    selected_ref: Option<String>,
) -> Option<Screen> {
    let index = &loaded.index;
    Some(match screen {
        Screen::Search(s) => Screen::Search(search::keys::carry_over(s, selected_ref)),
        Screen::Entity(e) => {
            let entity = index.find(&e.canonical)?;
            let mut page = EntityScreen::new(index, entity, id);
            if e.current() == super::screens::entity::Tab::Docs {
                let docs_page = e.docs.as_ref().map_or(0, |d| d.page);
                page.want_docs = Some(docs::DocsTarget { page: docs_page, ..Default::default() });
            } else {
                page.tab = e.tab.min(page.tabs.len() - 1);
            }
            Screen::Entity(Box::new(page))
        }
        Screen::List(l) => Screen::List(list::keys::carry_over(&l, index, starred)),
        Screen::Problems(p) => Screen::Problems(list::keys::problems_carry_over(&p, index)),
        Screen::Health(h) => Screen::Health(list::keys::health_carry_over(&h, index)),
        Screen::DocsSearch(s) => Screen::DocsSearch(s),
        Screen::Sources(sel) => Screen::Sources(sel),
        Screen::Wizard(w) => Screen::Wizard(w),
        Screen::Portal(p) => Screen::Portal(p),
        Screen::Rejected(r) => {
            let again = index.find_rejected(&r.rejected.entity_ref).into_iter().next()?;
            Screen::Rejected(Box::new(super::screens::rejected::RejectedScreen::new(again.clone())))
        }
    })
}

/// Records sync progress for the status bar.
fn sync_progress(app: &mut App, event: SyncEvent) {
    let Some(status) = &mut app.sync else { return };
    match event {
        SyncEvent::SourceStarted(name) => {
            status.source = name;
            status.done = 0;
            status.total = None;
        }
        SyncEvent::Progress(_, p) => {
            status.done = p.done;
            status.total = p.total;
            status.unit = p.unit;
        }
        SyncEvent::Waiting => status.source = "waiting for another sync".into(),
        SyncEvent::Unchanged(_, files) => {
            status.sources.1 += 1;
            status.carried += files;
        }
        SyncEvent::Carried(_, carried, _) => status.carried += carried,
        SyncEvent::SourceDone(name, result) => {
            status.sources.0 += 1;
            if let Err(e) = result {
                app.flash(format!("{name}: {e}"), Level::Error);
            }
        }
    }
}
