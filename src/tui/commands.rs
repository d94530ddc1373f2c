//! The command palette, searches, sync, stars, copy and open: the parts of
//! `update` that span screens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::index::search::{Hit, Query};
use crate::model::sanitize;
use crate::workspace::SyncEvent;

use super::action::Action;
use super::app::{App, Level, Loaded, Overlay, Palette, SyncStatus};
use super::effects::{Effect, SearchScope};
use super::input::LineInput;
use super::navigation::{self, Nav};
use super::screens::{Column, EntityScreen, HealthScreen, ListScreen, ListSource, ProblemsScreen, Screen, Selection};
use super::theme::Theme;
use super::update::can_narrow;

/// A palette command: its name, what it takes, and what it does.
pub struct Command {
    /// The word typed after `:`.
    pub name: &'static str,
    /// Shown as `:name ARG`.
    pub arg: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
}

/// Kind lists reachable from the palette: command, kind, title.
pub const KIND_LISTS: [(&str, &str, &str); 9] = [
    ("components", "Component", "components"),
    ("apis", "API", "APIs"),
    ("systems", "System", "systems"),
    ("domains", "Domain", "domains"),
    ("groups", "Group", "groups"),
    ("users", "User", "users"),
    ("resources", "Resource", "resources"),
    ("templates", "Template", "templates"),
    ("locations", "Location", "locations"),
];

/// Every palette command, in the order suggested.
pub fn commands() -> Vec<Command> {
    let mut list: Vec<Command> =
        KIND_LISTS.iter().map(|(name, _, title)| Command { name, arg: None, help: title_help(title) }).collect();
    list.extend([
        Command { name: "kind", arg: Some("KIND"), help: "list every entity of any kind (Runbook, Environment...)" },
        Command { name: "problems", arg: None, help: "what the last sync and validation found" },
        Command { name: "mine", arg: None, help: "what you own, directly and through your groups" },
        Command { name: "my-groups", arg: None, help: "your groups, direct and inherited" },
        Command { name: "health", arg: None, help: "orphans, dangling refs, group mismatches, cycles" },
        Command { name: "starred", arg: None, help: "your starred entities" },
        Command { name: "docs", arg: Some("[REF]"), help: "TechDocs of REF, or of the entity shown or selected" },
        Command {
            name: "docs-search",
            arg: Some("TERM"),
            help: "find docs pages across every entity by title and text",
        },
        Command { name: "search", arg: Some("QUERY"), help: "back to search, with a query" },
        Command { name: "sync", arg: Some("[NAME]"), help: "re-read every source (or one) in the background" },
        Command { name: "sources", arg: None, help: "sources, their entity counts and last sync" },
        Command { name: "register", arg: Some("URL"), help: "preview registering a location on the remote catalog" },
        Command { name: "register!", arg: Some("URL"), help: "register a location on the remote catalog" },
        Command { name: "theme", arg: Some("NAME"), help: "switch theme: dark, light, high-contrast, mono" },
        Command { name: "help", arg: None, help: "every key, by view" },
        Command { name: "quit", arg: None, help: "leave stagehand (also :q)" },
    ]);
    list
}

fn title_help(title: &str) -> &'static str {
    match title {
        "components" => "list components",
        "APIs" => "list APIs",
        "systems" => "list systems",
        "domains" => "list domains",
        "groups" => "list groups",
        "users" => "list users",
        "resources" => "list resources",
        "templates" => "list templates (enter starts the wizard)",
        _ => "list locations",
    }
}

/// Palette suggestions for what was typed.
pub fn suggestions(typed: &str) -> Vec<Command> {
    let word = typed.split_whitespace().next().unwrap_or("").to_lowercase();
    commands().into_iter().filter(|c| c.name.starts_with(&word)).collect()
}

/// Opens the palette.
pub fn open_palette(app: &mut App) {
    app.overlay =
        Some(Overlay::Palette(Box::new(Palette { input: LineInput::new("command (tab completes)"), selected: 0 })));
}

/// Keys bound in the palette.
pub fn palette_action(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Overlay::Palette(p)) = &mut app.overlay else { return Vec::new() };
    let found = suggestions(p.input.text());
    match action {
        Action::MoveDown => p.selected = (p.selected + 1).min(found.len().saturating_sub(1)),
        Action::MoveUp => p.selected = p.selected.saturating_sub(1),
        Action::ClearQuery => {
            p.input.clear();
        }
        Action::Complete => {
            if let Some(c) = found.get(p.selected) {
                p.input.set(&format!("{}{}", c.name, if c.arg.is_some() { " " } else { "" }));
            }
        }
        Action::Back | Action::Quit => app.overlay = None,
        Action::Select => {
            let typed = p.input.text().trim().to_string();
            let line = match (typed.split_whitespace().count(), found.get(p.selected)) {
                (0, Some(c)) => c.name.to_string(),
                (1, Some(c)) if c.arg.is_none() && !is_known(&typed) => c.name.to_string(),
                _ => typed,
            };
            app.overlay = None;
            return run(app, &line);
        }
        _ => {}
    }
    Vec::new()
}

fn is_known(word: &str) -> bool {
    word == "q" || commands().iter().any(|c| c.name == word)
}

/// Runs a palette command line (without the `:`).
pub fn run(app: &mut App, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let Some(command) = words.next() else { return Vec::new() };
    let rest: Vec<&str> = words.collect();
    let arg = rest.join(" ");
    if let Some((_, kind, title)) = KIND_LISTS.iter().find(|(name, _, _)| *name == command) {
        open_kind_list(app, kind, title);
        return Vec::new();
    }
    match command {
        "kind" if !arg.is_empty() => {
            let title = arg.to_lowercase();
            open_kind_list(app, &arg, &title);
            Vec::new()
        }
        "problems" => {
            let screen = ProblemsScreen::new(app.index());
            push(app, Screen::Problems(screen));
            Vec::new()
        }
        "starred" => {
            open_starred(app);
            Vec::new()
        }
        "mine" | "my-groups" => {
            open_identity_list(app, command == "mine");
            Vec::new()
        }
        "health" => {
            let issues = crate::index::health::health(app.index());
            let count = issues.len();
            push(app, Screen::Health(HealthScreen { issues, sel: Selection::default() }));
            if count == 0 {
                app.flash("healthy: no issues found", Level::Info);
            }
            Vec::new()
        }
        "search" => {
            navigation::home(app);
            if let Screen::Search(s) = app.screen_mut() {
                s.input.set(&arg);
                s.focus = super::screens::SearchFocus::Query;
            }
            research_top(app)
        }
        "sync" => start_sync(app, (!arg.is_empty()).then_some(arg)),
        "docs" => super::docs::lifecycle::open_docs(app, &arg),
        "docs-search" => super::docs::lifecycle::search_docs(app, &arg),
        "sources" => {
            push(app, Screen::Sources(Selection::default()));
            Vec::new()
        }
        "register" | "register!" if !arg.is_empty() => {
            app.flash(format!("asking the catalog about {arg}…"), Level::Info);
            vec![Effect::Register { target: arg, dry_run: command == "register" }]
        }
        "theme" => {
            switch_theme(app, &arg);
            Vec::new()
        }
        "help" => {
            app.overlay = Some(Overlay::Help(0));
            Vec::new()
        }
        "quit" | "q" => {
            app.quit = true;
            Vec::new()
        }
        other => {
            let hint = suggestions(other).first().map(|c| format!("; did you mean :{}?", c.name)).unwrap_or_default();
            app.flash(format!("unknown command :{other}{hint}"), Level::Error);
            Vec::new()
        }
    }
}

fn push(app: &mut App, screen: Screen) {
    navigation::go(app, Nav::Push(Box::new(screen)));
}

fn columns_for(kind: &str) -> Vec<Column> {
    match kind.to_lowercase().as_str() {
        "group" => vec![Column::Name, Column::Namespace, Column::Type, Column::Title],
        "user" | "location" => vec![Column::Name, Column::Namespace, Column::Title],
        "domain" | "system" => vec![Column::Name, Column::Namespace, Column::Owner, Column::Title],
        _ => vec![Column::Name, Column::Namespace, Column::Owner, Column::Type, Column::Lifecycle, Column::Title],
    }
}

fn open_kind_list(app: &mut App, kind: &str, title: &str) {
    let rows: Vec<u32> = {
        let index = app.index();
        (0..index.len() as u32).filter(|&i| index.summary(i).kind.eq_ignore_ascii_case(kind)).collect()
    };
    let mut list = ListScreen::new(title.to_string(), ListSource::Kind(kind.to_string()), rows, columns_for(kind));
    list.sort_rows(app.index());
    push(app, Screen::List(list));
}

fn starred_rows(app: &App) -> Vec<u32> {
    app.starred.iter().filter_map(|r| app.index().find(r)).collect()
}

/// The rows of an identity list: what the user owns (transitively), or
/// their groups (direct and inherited). `None` when the user is unknown.
pub fn identity_rows(index: &crate::index::Index, source: &ListSource) -> Option<Vec<u32>> {
    match source {
        ListSource::Mine(user) => Some(crate::index::graph::owned_by(index, index.find(user)?, true)),
        ListSource::MyGroups(user) => Some(crate::index::graph::groups_of(index, index.find(user)?, true)),
        _ => None,
    }
}

fn open_identity_list(app: &mut App, owned: bool) {
    let Some(user) = app.identity.clone() else {
        app.flash(
            "no identity: set `identity: user:default/you` in the config, or start with --as REF",
            Level::Warning,
        );
        return;
    };
    let (source, title, columns) = if owned {
        (
            ListSource::Mine(user.clone()),
            "mine",
            vec![Column::Name, Column::Kind, Column::Owner, Column::Type, Column::Title],
        )
    } else {
        (ListSource::MyGroups(user.clone()), "my groups", vec![Column::Name, Column::Type, Column::Title])
    };
    let Some(rows) = identity_rows(app.index(), &source) else {
        app.flash(format!("{user} is not in the catalog"), Level::Warning);
        return;
    };
    let mut list = ListScreen::new(title.into(), source, rows, columns);
    list.sort_rows(app.index());
    push(app, Screen::List(list));
}

fn open_starred(app: &mut App) {
    let columns = vec![Column::Name, Column::Kind, Column::Namespace, Column::Owner, Column::Title];
    let mut list = ListScreen::new("starred".into(), ListSource::Starred, starred_rows(app), columns);
    list.sort_rows(app.index());
    push(app, Screen::List(list));
}

fn switch_theme(app: &mut App, name: &str) {
    if name.is_empty() {
        app.flash(format!("themes: {}", Theme::names().join(", ")), Level::Info);
        return;
    }
    match Theme::builtin(name) {
        Some(theme) => {
            app.theme = theme;
            app.flash(format!("theme: {name}"), Level::Info);
        }
        None => app.flash(format!("no theme `{name}`; available: {}", Theme::names().join(", ")), Level::Error),
    }
}

/// Starts a background sync unless one runs.
pub fn start_sync(app: &mut App, only: Option<String>) -> Vec<Effect> {
    if app.sync.is_some() {
        app.flash("a sync is already running", Level::Warning);
        return Vec::new();
    }
    app.sync = Some(SyncStatus { source: only.clone().unwrap_or_default(), done: 0, total: None, unit: "files" });
    vec![Effect::Sync(only)]
}

/// Records sync progress for the status bar.
pub fn sync_progress(app: &mut App, event: SyncEvent) {
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
        SyncEvent::SourceDone(name, Err(e)) => app.flash(format!("{name}: {e}"), Level::Error),
        SyncEvent::SourceDone(..) => {}
    }
}

/// The entity under the cursor (or shown) on the top screen.
pub fn selected_entity(app: &App) -> Option<u32> {
    match app.screen() {
        Screen::Search(s) => s.selected(),
        Screen::List(l) => l.selected(),
        Screen::Entity(e) => Some(e.entity),
        Screen::Problems(p) => {
            let problem = p.shown.get(p.sel.selected).and_then(|&i| app.index().problems.get(i))?;
            app.index().find(problem.entity.as_deref()?)
        }
        Screen::Health(h) => h.issues.get(h.sel.selected).map(|i| i.entity),
        Screen::Wizard(_) | Screen::Sources(_) => None,
        Screen::DocsSearch(s) => s.hits.as_ref().and_then(|h| h.get(s.sel.selected)).map(|h| h.entity),
    }
}

/// `R` on an entity from a remote catalog: the effect that refreshes it.
pub fn refresh_remote(app: &App) -> Option<Effect> {
    let i = selected_entity(app)?;
    let index = app.index();
    let source = index.sources.get(index.summary(i).source as usize)?;
    if source.kind != "backstage" {
        return None;
    }
    let s = index.summary(i);
    let entity = crate::model::EntityRef::new(s.kind, s.namespace, s.name);
    Some(Effect::RefreshRemote { source: source.name.clone(), entity })
}

/// `s`: star or unstar the selected entity.
pub fn toggle_star(app: &mut App) -> Vec<Effect> {
    let Some(i) = selected_entity(app) else { return Vec::new() };
    let r = app.index().ref_of(i).to_string();
    if app.starred.remove(&r) {
        app.flash(format!("unstarred {r}"), Level::Info);
    } else {
        app.flash(format!("starred {r}"), Level::Info);
        app.starred.insert(r);
    }
    if let Screen::List(l) = app.screen()
        && l.source == ListSource::Starred
    {
        let rows = starred_rows(app);
        if let Some(loaded) = app.loaded.clone()
            && let Screen::List(l) = app.screen_mut()
        {
            *l = rebuilt(l, rows, &loaded);
        }
    }
    vec![Effect::SaveStars(app.starred.iter().cloned().collect())]
}

fn rebuilt(old: &ListScreen, rows: Vec<u32>, loaded: &Loaded) -> ListScreen {
    let mut list = ListScreen::new(old.title.clone(), old.source.clone(), rows, old.columns.clone());
    list.sort = old.sort;
    list.sort_rows(&loaded.index);
    list.sel.set(old.sel.selected, list.shown.len());
    list
}

/// `y`: copy the selected ref (OSC 52 when enabled), else show it.
pub fn copy_ref(app: &mut App) -> Vec<Effect> {
    let Some(i) = selected_entity(app) else { return Vec::new() };
    let r = app.index().ref_of(i).to_string();
    if app.osc52 {
        app.flash(format!("copied {r}"), Level::Info);
        vec![Effect::CopyOsc52(r)]
    } else {
        app.flash(format!("{r}  (set `osc52: true` in config to copy to the clipboard)"), Level::Info);
        Vec::new()
    }
}

/// `o`: open the entity's first link (or view-url) with `$BROWSER`, or show it.
pub fn open_link(app: &mut App) -> Vec<Effect> {
    let Some(i) = selected_entity(app) else { return Vec::new() };
    let url = match app.screen() {
        Screen::Entity(e) if e.entity == i => match &e.body {
            Some(Ok(entity)) => first_url(entity),
            _ => None,
        },
        _ => match app.index().entity(i) {
            Ok(entity) => first_url(&entity),
            Err(_) => None,
        },
    };
    match url {
        None => {
            app.flash("this entity has no links", Level::Warning);
            Vec::new()
        }
        Some(url) if app.browser => {
            app.flash(format!("opening {url}"), Level::Info);
            vec![Effect::OpenUrl(url)]
        }
        Some(url) => {
            app.flash(format!("{url}  (set $BROWSER to open links)"), Level::Info);
            Vec::new()
        }
    }
}

/// The first `metadata.links` URL, else the view-url annotation.
pub fn first_url(entity: &crate::model::Entity) -> Option<String> {
    entity
        .links()
        .first()
        .map(|(u, _)| u.to_string())
        .or_else(|| entity.annotation(crate::model::entity::VIEW_URL).map(String::from))
        .map(|u| sanitize::line(&u).into_owned())
}

/// `S` / `R`: next sort column, or reverse.
pub fn sort(app: &mut App, reverse: bool) {
    let Some(loaded) = app.loaded.clone() else { return };
    if let Screen::List(l) = app.screen_mut() {
        if reverse {
            l.sort.1 = !l.sort.1;
        } else {
            l.sort = ((l.sort.0 + 1) % l.columns.len().max(1), false);
        }
        let keep = l.selected();
        l.sort_rows(&loaded.index);
        if let Some(k) = keep {
            let row = l.shown.iter().position(|&e| e == k).unwrap_or(0);
            l.sel.set(row, l.shown.len());
        }
    }
}

/// Starts the search the top screen needs after its query or filter changed.
pub fn research_top(app: &mut App) -> Vec<Effect> {
    let top = app.stack.len() - 1;
    research(app, top)
}

/// Re-runs every screen's search (after a new index).
pub fn research_all(app: &mut App) -> Vec<Effect> {
    (0..app.stack.len()).flat_map(|i| research(app, i)).collect()
}

fn research(app: &mut App, at: usize) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    let generation = app.next_generation();
    match &mut app.stack[at] {
        Screen::Search(s) => {
            let query = Query::parse(s.input.text());
            // Narrow from the newest complete results (those shown, or older
            // ones while a search runs) when the new query only grew from theirs.
            let scope = match &s.settled {
                Some((before, hits)) if can_narrow(before, &query) => {
                    SearchScope::Narrowing { before: before.clone(), hits: hits.clone() }
                }
                _ => SearchScope::All,
            };
            s.query = query.clone();
            s.waiting = generation;
            s.first_screen_only = false;
            s.cancel.store(true, Ordering::Relaxed);
            s.cancel = Arc::new(AtomicBool::new(false));
            let window = usize::from(app.size.1.max(1));
            vec![Effect::Search { generation, loaded, query, scope, window, cancel: s.cancel.clone() }]
        }
        Screen::List(l) => {
            let query = Query::parse(l.filter.text());
            if query.text.is_empty() && query.facets.is_empty() {
                l.waiting = 0; // a filter search still running is stale now
                l.shown = l.rows.iter().map(|h| h.entity).collect();
                l.sort_rows(&loaded.index);
                l.sel.set(l.sel.selected, l.shown.len());
                return Vec::new();
            }
            l.waiting = generation;
            // Rows are sorted by column, not rank: no early first screen.
            let (scope, cancel) = (SearchScope::Rows(l.rows.clone()), Arc::new(AtomicBool::new(false)));
            vec![Effect::Search { generation, loaded, query, scope, window: 0, cancel }]
        }
        Screen::Problems(p) => {
            p.refilter(&loaded.index);
            Vec::new()
        }
        Screen::Entity(_) | Screen::Health(_) | Screen::Wizard(_) | Screen::DocsSearch(_) | Screen::Sources(_) => {
            Vec::new()
        }
    }
}

/// Shows a search's first screen while the rest is still being ranked.
pub fn apply_first_screen(app: &mut App, generation: u64, hits: Arc<Vec<Hit>>) {
    for screen in app.stack.iter_mut() {
        if let Screen::Search(s) = screen
            && s.waiting == generation
        {
            s.results = hits;
            s.first_screen_only = true;
            s.sel.set(0, s.results.len());
            return;
        }
    }
}

/// Delivers search results to the screen that asked.
pub fn apply_search(app: &mut App, generation: u64, hits: Arc<Vec<Hit>>) {
    let Some(loaded) = app.loaded.clone() else { return };
    for screen in app.stack.iter_mut() {
        match screen {
            Screen::Search(s) if s.waiting == generation => {
                let row_before = s.first_screen_only.then_some(s.sel.selected);
                s.waiting = 0;
                s.first_screen_only = false;
                s.settled = Some((s.query.clone(), hits.clone()));
                s.results = hits;
                let keep = s.reselect.take().and_then(|r| loaded.index.find(&r));
                let row = keep.and_then(|k| s.results.iter().position(|h| h.entity == k));
                // The first screen shown early was final: a move made on it stays.
                s.sel.set(row.or(row_before).unwrap_or(0), s.results.len());
                return;
            }
            Screen::List(l) if l.waiting == generation => {
                let keep = l.selected();
                l.shown = hits.iter().map(|h| h.entity).collect();
                l.sort_rows(&loaded.index);
                let row = keep.and_then(|k| l.shown.iter().position(|&e| e == k));
                l.sel.set(row.unwrap_or(0), l.shown.len());
                return;
            }
            _ => {}
        }
    }
}

/// Moves a screen onto a new index, keeping it on the same entity by ref.
/// Screens whose entity disappeared are dropped.
pub fn carry_over(
    screen: Screen,
    loaded: &Loaded,
    id: usize,
    starred: &std::collections::BTreeSet<String>,
    selected_ref: Option<String>,
) -> Option<Screen> {
    let index = &loaded.index;
    Some(match screen {
        Screen::Search(mut s) => {
            s.reselect = selected_ref;
            s.query = Query::default();
            s.results = Arc::new(Vec::new());
            s.settled = None; // its hits are ids in the old index
            Screen::Search(s)
        }
        Screen::Entity(e) => {
            let entity = index.find(&e.canonical)?;
            let mut page = EntityScreen::new(index, entity, id);
            if e.current() == super::screens::Tab::Docs {
                let docs_page = e.docs.as_ref().map_or(0, |d| d.page);
                page.want_docs = Some(super::docs::DocsTarget { page: docs_page, ..Default::default() });
            } else {
                page.tab = e.tab.min(page.tabs.len() - 1);
            }
            Screen::Entity(Box::new(page))
        }
        Screen::List(l) => {
            let rows: Vec<u32> = match &l.source {
                ListSource::Kind(k) => {
                    (0..index.len() as u32).filter(|&i| index.summary(i).kind.eq_ignore_ascii_case(k)).collect()
                }
                ListSource::Starred => starred.iter().filter_map(|r| index.find(r)).collect(),
                other => identity_rows(index, other).unwrap_or_default(),
            };
            let mut list = rebuilt(&l, rows, loaded);
            list.filter = l.filter.clone();
            list.filtering = l.filtering;
            Screen::List(list)
        }
        Screen::Problems(p) => {
            let mut fresh = ProblemsScreen::new(index);
            fresh.filter = p.filter.clone();
            fresh.refilter(index);
            Screen::Problems(fresh)
        }
        Screen::DocsSearch(s) => Screen::DocsSearch(s),
        Screen::Sources(sel) => Screen::Sources(sel),
        Screen::Health(h) => {
            let issues = crate::index::health::health(index);
            let mut fresh = HealthScreen { issues, sel: Selection::default() };
            fresh.sel.set(h.sel.selected, fresh.issues.len());
            Screen::Health(fresh)
        }
        Screen::Wizard(w) => Screen::Wizard(w),
    })
}
