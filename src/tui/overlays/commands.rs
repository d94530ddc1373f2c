//! Palette commands: `:components`, `:problems`, `:docs REF`, `:theme`...
//! Each opens a screen (through `navigation.rs`), starts work, or changes
//! a setting.

use crate::tui::app::{App, Level};
use crate::tui::context::{Ctx, Nav};
use crate::tui::effects::Effect;
use crate::tui::effects::docs::DocsEffect;
use crate::tui::global;
use crate::tui::navigation;
use crate::tui::screens::docs::{DocsSearchScreen, DocsTarget};
use crate::tui::screens::entity::Tab;
use crate::tui::screens::list::health::HealthScreen;
use crate::tui::screens::list::keys::{identity_rows, starred_rows};
use crate::tui::screens::list::problems::ProblemsScreen;
use crate::tui::screens::list::{Column, ListScreen, ListSource};
use crate::tui::screens::selection::Selection;
use crate::tui::screens::{Screen, search};
use crate::tui::theme::Theme;

use super::Overlay;
use crate::tui::plugins::Plugins;

/// A palette command: its name, what it takes, and what it does.
pub struct Command<'a> {
    /// The word typed after `:`.
    pub name: &'a str,
    /// Shown as `:name ARG`.
    pub arg: Option<&'a str>,
    /// One line of help.
    pub help: &'a str,
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

/// Every palette command, in the order suggested; the user's plugins last.
pub fn commands(plugins: &Plugins) -> Vec<Command<'_>> {
    let mut list: Vec<Command> =
        KIND_LISTS.iter().map(|(name, _, title)| Command { name, arg: None, help: title_help(title) }).collect();
    list.extend([
        Command { name: "kind", arg: Some("KIND"), help: "list every entity of any kind (Runbook, Environment...)" },
        Command { name: "problems", arg: None, help: "what the last sync and validation found" },
        Command { name: "mine", arg: None, help: "what you own, directly and through your groups" },
        Command { name: "my-groups", arg: None, help: "your groups, direct and inherited" },
        Command { name: "health", arg: None, help: "orphans, dangling refs, group mismatches, cycles" },
        Command { name: "starred", arg: None, help: "your starred entities" },
        Command { name: "open", arg: Some("REF"), help: "open an entity by ref, name, title or URL (tab completes)" },
        Command { name: "docs", arg: Some("[REF]"), help: "TechDocs of REF, or of the entity shown or selected" },
        Command {
            name: "docs-search",
            arg: Some("TERM"),
            help: "find docs pages across every entity by title and text",
        },
        Command { name: "search", arg: Some("QUERY"), help: "back to search, with a query" },
        Command { name: "sync", arg: Some("[NAME]"), help: "re-read every source (or one) in the background" },
        Command { name: "sources", arg: None, help: "sources, their entity counts and last sync" },
        Command { name: "login", arg: Some("[NAME]"), help: "sign in to a remote source (works over SSH)" },
        Command { name: "register", arg: Some("URL"), help: "preview registering a location on the remote catalog" },
        Command { name: "register!", arg: Some("URL"), help: "register a location on the remote catalog" },
        Command {
            name: "actions",
            arg: Some("[SOURCE]"),
            help: "the actions registry of a backstage source's plugins",
        },
        Command { name: "tasks", arg: Some("[all]"), help: "your scaffolder tasks on the backend (all: everyone's)" },
        Command { name: "search-remote", arg: Some("QUERY"), help: "the portal's own search backend (TechDocs too)" },
        Command { name: "theme", arg: Some("NAME"), help: "switch theme: the built-ins or yours (no name: list them)" },
        Command { name: "help", arg: None, help: "every key, by view" },
        Command { name: "messages", arg: None, help: "every status message so far, in full" },
        Command { name: "quit", arg: None, help: "leave stagehand (also :q)" },
    ]);
    list.extend(plugins.list.iter().map(|p| Command { name: &p.config.name, arg: None, help: &p.help }));
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
pub fn suggestions<'a>(plugins: &'a Plugins, typed: &str) -> Vec<Command<'a>> {
    let word = typed.split_whitespace().next().unwrap_or("").to_lowercase();
    commands(plugins).into_iter().filter(|c| c.name.starts_with(&word)).collect()
}

/// Whether `word` is a command's whole name.
pub fn is_known(plugins: &Plugins, word: &str) -> bool {
    word == "q" || commands(plugins).iter().any(|c| c.name == word)
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
            match unknown_kind(app, &arg) {
                Some(why) => app.flash(why, Level::Error),
                None => open_kind_list(app, &arg, &arg.to_lowercase()),
            }
            Vec::new()
        }
        "problems" => {
            let screen = ProblemsScreen::new(app.setup_problems.clone(), app.index());
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
            let (screen, mut cx) = Ctx::top(app);
            if let Screen::Search(s) = screen {
                search::keys::set_query(s, &arg, &mut cx);
            }
            cx.out.effects
        }
        "sync" => global::start_sync(app, (!arg.is_empty()).then_some(arg)),
        "open" => open_ref(app, &arg),
        "docs" => open_docs(app, &arg),
        "docs-search" => search_docs(app, &arg),
        "sources" => {
            push(app, Screen::Sources(Selection::default()));
            Vec::new()
        }
        "login" => super::login::open(app, &arg),
        "register" | "register!" if !arg.is_empty() => {
            app.flash(format!("asking the catalog about {arg}…"), Level::Info);
            vec![Effect::Register { target: arg, dry_run: command == "register" }]
        }
        "actions" | "tasks" | "search-remote" => open_portal(app, command, &arg),
        "theme" => {
            switch_theme(app, &arg);
            Vec::new()
        }
        "help" => {
            app.overlay = Some(Overlay::Help(0));
            Vec::new()
        }
        "messages" => {
            app.overlay = Some(Overlay::Messages(0));
            Vec::new()
        }
        "quit" | "q" => {
            app.quit = true;
            Vec::new()
        }
        other if let Some(n) = app.external.plugins.by_name(other) => crate::tui::plugins::actions::run(app, n, true),
        other => {
            let hint = suggestions(&app.external.plugins, other)
                .first()
                .map(|c| format!("; did you mean :{}?", c.name))
                .unwrap_or_default();
            app.flash(format!("unknown command :{other}{hint}"), Level::Error);
            Vec::new()
        }
    }
}

/// `:actions [SOURCE]`, `:tasks [all]`, `:search-remote QUERY`: a portal
/// screen on the only `backstage:` source (or SOURCE), and its first effect.
fn open_portal(app: &mut App, command: &str, arg: &str) -> Vec<Effect> {
    use crate::tui::effects::portal::PortalEffect;
    use crate::tui::screens::portal::{ActionsScreen, PortalScreen, SearchRemoteScreen, TasksScreen};
    app.generation += 1;
    let generation = app.generation;
    let (screen, effect) = match command {
        "actions" => {
            let source = (!arg.is_empty()).then(|| arg.to_string());
            let effect = PortalEffect::ListActions { source: source.clone(), generation };
            (PortalScreen::Actions(Box::new(ActionsScreen::new(source, generation))), effect)
        }
        "tasks" => {
            let created_by = if arg == "all" { None } else { app.identity.clone() };
            let effect = PortalEffect::ListTasks { source: None, created_by: created_by.clone(), generation };
            (PortalScreen::Tasks(Box::new(TasksScreen::new(None, created_by, generation))), effect)
        }
        _ if arg.is_empty() => {
            app.flash(":search-remote needs a query", Level::Error);
            return Vec::new();
        }
        _ => {
            let screen = SearchRemoteScreen {
                source: None,
                term: arg.to_string(),
                generation,
                found: None,
                sel: Selection::default(),
            };
            (PortalScreen::Search(screen), PortalEffect::Search { source: None, term: arg.to_string(), generation })
        }
    };
    push(app, Screen::Portal(Box::new(screen)));
    vec![Effect::Portal(effect)]
}

/// `:open REF`: the entity REF names (a ref, a unique name, an entity URL),
/// else the best completion of it; else a did-you-mean.
fn open_ref(app: &mut App, typed: &str) -> Vec<Effect> {
    if app.loaded.is_none() {
        app.flash("the index is still loading", Level::Info);
        return Vec::new();
    }
    let exact = app.index().resolve(typed);
    let target = exact.or_else(|| super::complete::complete_ref(app, typed).and_then(|r| app.index().find(&r)));
    match target {
        Some(i) => navigation::go(app, Nav::Open(i)),
        None => {
            let near = app.index().suggest(typed, 3);
            let hint = if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) };
            let typed = crate::model::sanitize::line(typed);
            app.flash(format!("no entity `{typed}`{hint}"), Level::Warning);
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

/// Why `:kind KIND` would list nothing (no entity has that kind), with
/// the closest kind and every kind there is; `None` when some entity has it.
fn unknown_kind(app: &App, kind: &str) -> Option<String> {
    let kinds = super::complete::kinds(app);
    if kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return None;
    }
    let lower = kind.to_lowercase();
    let closest = kinds
        .iter()
        .map(|k| (strsim::levenshtein(&lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default();
    let all = kinds.into_iter().collect::<Vec<_>>().join(", ");
    Some(format!("no entity of kind `{kind}`{closest} (kinds: {all})"))
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
    let mut list =
        ListScreen::new("starred".into(), ListSource::Starred, starred_rows(app.index(), &app.starred), columns);
    list.sort_rows(app.index());
    push(app, Screen::List(list));
}

/// `:theme [NAME]`: lists the built-in and user themes, or switches to
/// one; a broken or unknown one keeps the current theme and its problems
/// (file:line) go to `:problems`.
fn switch_theme(app: &mut App, name: &str) {
    let dir = app.themes_dir.clone();
    let available = Theme::available(dir.as_deref()).join(", ");
    if name.is_empty() {
        app.flash(format!("themes: {available}"), Level::Info);
        return;
    }
    let (theme, problems) = crate::tui::theme::resolve_theme(Some(name), false, dir.as_deref());
    match problems.first() {
        None => {
            app.theme = theme;
            app.flash(format!("theme: {name}"), Level::Info);
        }
        Some(first) => {
            let more = if problems.len() > 1 { format!(" (+{} more)", problems.len() - 1) } else { String::new() };
            app.flash(format!("{first}{more}; see :problems"), Level::Error);
            app.setup_problems.retain(|p| !problems.contains(p));
            app.setup_problems.extend(problems);
        }
    }
}

/// `:docs [REF]`: the Docs tab of REF, of the current entity, or of the selected one.
pub fn open_docs(app: &mut App, reference: &str) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    let index = &loaded.index;
    let target = if reference.is_empty() {
        match app.stack.last_mut() {
            Some(Screen::Entity(e)) => {
                if e.tabs.contains(&Tab::Docs) {
                    e.show(Tab::Docs);
                } else if e.body.is_none() {
                    e.want_docs = Some(DocsTarget::default());
                } else {
                    let text = format!("{} has no TechDocs", e.canonical);
                    app.flash(text, Level::Warning);
                }
                return Vec::new();
            }
            _ => global::selected_entity(app),
        }
    } else {
        index.resolve(reference)
    };
    let Some(entity) = target else {
        let hint = index.suggest(reference, 1).first().map(|r| format!("; did you mean {r}?")).unwrap_or_default();
        let text = if reference.is_empty() {
            "usage: :docs REF (or select an entity first)".to_string()
        } else {
            format!("no entity `{reference}`{hint}")
        };
        app.flash(text, Level::Error);
        return Vec::new();
    };
    navigation::go(app, Nav::OpenDocs(entity, DocsTarget::default()))
}

/// `:docs-search TERM`.
pub fn search_docs(app: &mut App, term: &str) -> Vec<Effect> {
    let Some(loaded) = app.loaded.clone() else { return Vec::new() };
    if term.trim().is_empty() {
        app.flash("usage: :docs-search TERM", Level::Error);
        return Vec::new();
    }
    let generation = app.next_generation();
    let screen = DocsSearchScreen { term: term.trim().to_string(), hits: None, sel: Default::default(), generation };
    navigation::go(app, Nav::Push(Box::new(Screen::DocsSearch(Box::new(screen)))));
    vec![Effect::Docs(DocsEffect::Search { index: loaded.index.clone(), term: term.trim().to_string(), generation })]
}
