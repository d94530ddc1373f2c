//! `update`: the only place the TUI state changes. No I/O here: work that
//! reads or writes is returned as [`Effect`]s.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::index::search::{Query, narrows};

use super::action::Action;
use super::app::{App, Level, Loaded, Msg, Overlay};
use super::commands;
use super::effects::Effect;
use super::entity_actions;
use super::entity_page;
use super::keymap::{Context, Resolution, resolve};
use super::navigation::{self, index_id, open_entity};
use super::screens::{EntityScreen, Screen, SearchFocus, Tab};

/// Applies one message; returns the effects to run.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = update_inner(app, msg);
    effects.extend(super::docs::lifecycle::pending_effects(app));
    effects
}

fn update_inner(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, key),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick => {
            app.now = crate::index::now();
            if app.flash.as_ref().is_some_and(|f| f.until <= std::time::Instant::now()) {
                app.flash = None;
            }
            Vec::new()
        }
        Msg::IndexLoaded(Ok(loaded)) => {
            app.load_error = None;
            refresh_after_new_index(app, loaded)
        }
        Msg::IndexLoaded(Err(e)) => {
            app.flash(e.clone(), Level::Error);
            app.load_error = Some(e);
            Vec::new()
        }
        Msg::SearchFirstScreen { generation, hits } => {
            commands::apply_first_screen(app, generation, hits);
            Vec::new()
        }
        Msg::SearchDone { generation, hits } => {
            commands::apply_search(app, generation, hits);
            Vec::new()
        }
        Msg::EntityLoaded { entity, index_id, result } => {
            let generation = &mut app.generation;
            for screen in app.stack.iter_mut().chain(app.forward.iter_mut()) {
                if let Screen::Entity(page) = screen
                    && page.entity == entity
                    && page.index_id == index_id
                    && page.body.is_none()
                {
                    entity_page::fill(page, result.clone(), generation);
                }
            }
            Vec::new()
        }
        Msg::SyncProgress(event) => {
            commands::sync_progress(app, event);
            Vec::new()
        }
        Msg::SyncDone(Ok(loaded)) => {
            app.sync = None;
            let n = loaded.index.len();
            let problems = loaded.index.problems.len();
            app.flash(format!("synced: {n} entities, {problems} problems"), Level::Info);
            refresh_after_new_index(app, loaded)
        }
        Msg::SyncDone(Err(e)) => {
            app.sync = None;
            app.flash(format!("sync failed: {e}; the index is unchanged"), Level::Error);
            Vec::new()
        }
        Msg::StarsLoaded(stars) => {
            app.starred = stars;
            Vec::new()
        }
        Msg::EffectFailed(e) => {
            app.flash(e, Level::Error);
            Vec::new()
        }
        Msg::Info(text) => {
            app.flash(text, Level::Info);
            Vec::new()
        }
        Msg::Refreshed(Ok(entity)) => {
            let r = entity.canonical_ref();
            let generation = &mut app.generation;
            if let Some(Screen::Entity(page)) = app.stack.last_mut()
                && page.canonical == r
            {
                entity_page::fill(page, Ok(entity), generation);
            }
            app.flash(format!("refreshed {r} from its catalog; :sync updates the index"), Level::Info);
            Vec::new()
        }
        Msg::Refreshed(Err(e)) => {
            app.flash(format!("refresh failed: {e}"), Level::Error);
            Vec::new()
        }
        Msg::Terminate(status) => {
            app.exit_status = status;
            app.quit = true;
            Vec::new()
        }
        Msg::ScaffoldEvent(run_id, event) => {
            super::wizard_keys::on_run_event(app, run_id, event);
            Vec::new()
        }
        Msg::ScaffoldDone(run_id, result) => super::wizard_keys::on_run_done(app, run_id, *result),
        Msg::Docs(msg) => {
            super::docs::lifecycle::on_msg(app, msg);
            Vec::new()
        }
    }
}

/// After a load or sync: keep every screen on the same entities (by ref)
/// and re-run searches.
fn refresh_after_new_index(app: &mut App, loaded: Loaded) -> Vec<Effect> {
    let selected_ref = match &app.stack[0] {
        Screen::Search(s) => s.selected().map(|i| app.index().ref_of(i).to_string()),
        _ => None,
    };
    app.loaded = Some(loaded.clone());
    let id = index_id(&loaded);
    let mut effects = Vec::new();
    let starred = app.starred.clone();
    navigation::rebuild(app, |screen| commands::carry_over(screen, &loaded, id, &starred, selected_ref.clone()));
    for i in 0..app.stack.len() {
        if let Screen::Entity(page) = &app.stack[i] {
            effects.push(Effect::LoadEntity { index: loaded.index.clone(), entity: page.entity });
        }
    }
    effects.extend(commands::research_all(app));
    effects
}

/// The keymap context of what has the keyboard now.
pub fn context(app: &App) -> Context {
    match &app.overlay {
        Some(Overlay::Help(_)) => return Context::Help,
        Some(Overlay::Palette(_)) => return Context::Palette,
        None => {}
    }
    match app.screen() {
        Screen::Search(s) if s.focus == SearchFocus::Query => Context::Search,
        Screen::List(l) if l.filtering => Context::Search,
        Screen::Problems(p) if p.filtering => Context::Search,
        Screen::Entity(_) if super::docs::actions::is_typing(app) => Context::Search,
        Screen::Entity(e) if e.current() == Tab::Docs => Context::Docs,
        Screen::Entity(_) => Context::Entity,
        Screen::Wizard(w) if w.typing() => Context::Search,
        _ => Context::List,
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctx = context(app);
    match resolve(&app.keymap, ctx, key, &mut app.pending) {
        Resolution::Action(action) => apply(app, action),
        Resolution::Pending => Vec::new(),
        Resolution::Unbound => type_text(app, key),
    }
}

/// Keys no binding took: text for whatever input has focus.
fn type_text(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && !matches!(key.code, KeyCode::Char('h' | 'w'))
    {
        return Vec::new();
    }
    if let Some(Overlay::Palette(p)) = &mut app.overlay {
        if p.input.input(key) {
            p.selected = 0;
        }
        return Vec::new();
    }
    if matches!(app.screen(), Screen::Wizard(_)) {
        return super::wizard_keys::type_key(app, key);
    }
    if let Screen::Search(s) = app.screen()
        && s.focus == SearchFocus::Query
        && s.input.text().is_empty()
    {
        // k9s habits: `:` and `?` on an empty query open the palette and
        // help; anywhere else in the query they are typed (`kind:api`).
        match key.code {
            KeyCode::Char(':') => return apply(app, Action::CommandPalette),
            KeyCode::Char('?') => return apply(app, Action::Help),
            _ => {}
        }
    }
    if let Some(input) = super::docs::actions::search_input(app) {
        input.input(key);
        return Vec::new();
    }
    let changed = match app.screen_mut() {
        Screen::Search(s) if s.focus == SearchFocus::Query => s.input.input(key),
        Screen::List(l) if l.filtering => l.filter.input(key),
        Screen::Problems(p) if p.filtering => p.filter.input(key),
        _ => false,
    };
    if changed { commands::research_top(app) } else { Vec::new() }
}

/// Runs one action.
pub fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ForceQuit => {
            app.quit = true;
            return Vec::new();
        }
        Action::Suspend => return vec![Effect::Suspend],
        _ => {}
    }
    match app.overlay {
        Some(Overlay::Help(_)) => return help_action(app, action),
        Some(Overlay::Palette(_)) => return commands::palette_action(app, action),
        None => {}
    }
    if matches!(app.screen(), Screen::Wizard(_))
        && let Some(effects) = super::wizard_keys::handle(app, action)
    {
        return effects;
    }
    if let Some(effects) = super::docs::actions::handle(app, action) {
        return effects;
    }
    match action {
        Action::Help => {
            app.overlay = Some(Overlay::Help(0));
            Vec::new()
        }
        Action::CommandPalette => {
            commands::open_palette(app);
            Vec::new()
        }
        Action::Sync => commands::start_sync(app, None),
        Action::Back => back(app),
        Action::Quit => {
            if app.stack.len() > 1 {
                back(app)
            } else {
                app.quit = true;
                Vec::new()
            }
        }
        Action::Forward => {
            navigation::forward(app);
            Vec::new()
        }
        Action::ToggleStar => commands::toggle_star(app),
        Action::CopyRef => commands::copy_ref(app),
        Action::OpenLink => commands::open_link(app),
        Action::Refresh => {
            if let Some(effect) = commands::refresh_remote(app) {
                return vec![effect];
            }
            app.flash(
                "refresh re-fetches from a remote catalog; this entity comes from a local source (use :sync)",
                Level::Info,
            );
            Vec::new()
        }
        _ => screen_action(app, action),
    }
}

fn help_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Overlay::Help(scroll)) = &mut app.overlay else { return Vec::new() };
    match action {
        Action::MoveDown => *scroll += 1,
        Action::MoveUp => *scroll = scroll.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => *scroll += 10,
        Action::PageUp | Action::HalfPageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        Action::Back | Action::Quit | Action::Help | Action::Select => app.overlay = None,
        _ => {}
    }
    Vec::new()
}

/// Leaves the current screen (or, on the search home, clears the query).
pub fn back(app: &mut App) -> Vec<Effect> {
    if let Screen::Search(s) = app.screen_mut() {
        if s.focus == SearchFocus::Results {
            s.focus = SearchFocus::Query;
            return Vec::new();
        }
        if s.input.clear() {
            return commands::research_top(app);
        }
        return Vec::new();
    }
    let leave_filter = match app.screen_mut() {
        Screen::List(l) if l.filtering => {
            l.filtering = false;
            true
        }
        Screen::Problems(p) if p.filtering => {
            p.filtering = false;
            true
        }
        _ => false,
    };
    if leave_filter {
        return Vec::new();
    }
    navigation::back(app);
    Vec::new()
}

fn screen_action(app: &mut App, action: Action) -> Vec<Effect> {
    let page = app.page() as isize;
    let half = (page / 2).max(1);
    let delta = match action {
        Action::MoveUp => Some(-1),
        Action::MoveDown => Some(1),
        Action::PageUp => Some(-page),
        Action::PageDown => Some(page),
        Action::HalfPageUp => Some(-half),
        Action::HalfPageDown => Some(half),
        Action::Top => Some(isize::MIN / 2),
        Action::Bottom => Some(isize::MAX / 2),
        _ => None,
    };
    if matches!(app.screen(), Screen::Entity(_))
        && let Some(effects) = entity_actions::handle(app, action, delta)
    {
        return effects;
    }
    if let Some(d) = delta {
        let app_sources = app.index().sources.len();
        let relations = match app.screen() {
            Screen::Entity(e) => app.index().links(e.entity).len(),
            _ => 0,
        };
        match app.screen_mut() {
            Screen::Search(s) => s.sel.move_by(d, s.results.len()),
            Screen::List(l) => l.sel.move_by(d, l.shown.len()),
            Screen::Problems(p) => p.sel.move_by(d, p.shown.len()),
            Screen::Health(h) => h.sel.move_by(d, h.issues.len()),
            Screen::DocsSearch(_) => {}
            Screen::Sources(sel) => sel.move_by(d, app_sources),
            Screen::Entity(e) if e.current() == Tab::Relations => e.relations.move_by(d, relations),
            Screen::Entity(e) => {
                e.scroll = e.scroll.saturating_add_signed(d).min(e.max_scroll.get());
            }
            Screen::Wizard(_) => {}
        }
        return Vec::new();
    }
    match action {
        Action::Select => select(app),
        Action::NextPane | Action::PrevPane => {
            if let Screen::Search(s) = app.screen_mut() {
                s.focus = match s.focus {
                    SearchFocus::Query => SearchFocus::Results,
                    SearchFocus::Results => SearchFocus::Query,
                };
            } else if let Screen::Entity(e) = app.screen_mut() {
                step_tab(e, if action == Action::NextPane { 1 } else { -1 });
            }
            Vec::new()
        }
        Action::NextTab | Action::PrevTab => {
            if let Screen::Entity(e) = app.screen_mut() {
                step_tab(e, if action == Action::NextTab { 1 } else { -1 });
            }
            Vec::new()
        }
        Action::Filter => {
            match app.screen_mut() {
                Screen::Search(s) => s.focus = SearchFocus::Query,
                Screen::List(l) => l.filtering = true,
                Screen::Problems(p) => p.filtering = true,
                Screen::Entity(_)
                | Screen::Health(_)
                | Screen::Wizard(_)
                | Screen::DocsSearch(_)
                | Screen::Sources(_) => {}
            }
            Vec::new()
        }
        Action::ClearQuery => {
            let cleared = match app.screen_mut() {
                Screen::Search(s) => s.input.clear(),
                Screen::List(l) => l.filter.clear(),
                Screen::Problems(p) => p.filter.clear(),
                Screen::Entity(_)
                | Screen::Health(_)
                | Screen::Wizard(_)
                | Screen::DocsSearch(_)
                | Screen::Sources(_) => false,
            };
            if cleared { commands::research_top(app) } else { Vec::new() }
        }
        Action::SortNext | Action::SortReverse => {
            commands::sort(app, action == Action::SortReverse);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn step_tab(e: &mut EntityScreen, by: isize) {
    let n = e.tabs.len() as isize;
    e.tab = ((e.tab as isize + by).rem_euclid(n)) as usize;
    e.scroll = 0;
}

fn select(app: &mut App) -> Vec<Effect> {
    let target = match app.screen() {
        Screen::Sources(sel) => {
            let name = app.index().sources.get(sel.selected).map(|s| s.name.clone());
            return name.map(|n| commands::start_sync(app, Some(n))).unwrap_or_default();
        }
        Screen::Search(s) => s.selected(),
        Screen::Health(h) => h.issues.get(h.sel.selected).map(|i| i.entity),
        Screen::DocsSearch(_) => None,
        Screen::List(l) => {
            if l.filtering {
                if let Screen::List(l) = app.screen_mut() {
                    l.filtering = false;
                }
                return Vec::new();
            }
            if let super::screens::ListSource::Kind(k) = &l.source
                && k.eq_ignore_ascii_case("template")
                && let Some(i) = l.selected()
            {
                return super::wizard_keys::open(app, i);
            }
            l.selected()
        }
        Screen::Problems(p) => {
            if p.filtering {
                if let Screen::Problems(p) = app.screen_mut() {
                    p.filtering = false;
                }
                return Vec::new();
            }
            let problem = p.shown.get(p.sel.selected).and_then(|&i| app.index().problems.get(i));
            match problem.and_then(|p| p.entity.clone()) {
                Some(r) => match app.index().find(&r) {
                    Some(i) => Some(i),
                    None => {
                        app.flash(
                            format!("{r} was not indexed (it failed validation or was a duplicate)"),
                            Level::Warning,
                        );
                        return Vec::new();
                    }
                },
                None => None,
            }
        }
        Screen::Entity(e) if e.current() == Tab::Relations => {
            let rels = app.index().relations(e.entity);
            match rels.get(e.relations.selected) {
                Some(r) if r.entity.is_some() => r.entity,
                Some(r) => {
                    let text = format!("{} is not in the catalog (dangling {} reference)", r.target, r.kind);
                    app.flash(text, Level::Warning);
                    return Vec::new();
                }
                None => None,
            }
        }
        Screen::Entity(_) | Screen::Wizard(_) => None,
    };
    match target {
        Some(i) => open_entity(app, i),
        None => Vec::new(),
    }
}

/// Re-runs the home search for a new query text (used by tests and the palette).
pub fn set_query(app: &mut App, text: &str) -> Vec<Effect> {
    if let Screen::Search(s) = app.screen_mut() {
        s.input.set(text);
    }
    commands::research_top(app)
}

/// Whether a new query can narrow the previous results.
pub fn can_narrow(before: &Query, after: &Query) -> bool {
    narrows(before, after) && !before.text.is_empty()
}
