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
            let (screen, mut cx) = Ctx::top(app);
            if let Screen::Search(s) = screen {
                search::keys::set_query(s, &arg, &mut cx);
            }
            cx.out.effects
        }
        "sync" => global::start_sync(app, (!arg.is_empty()).then_some(arg)),
        "docs" => open_docs(app, &arg),
        "docs-search" => search_docs(app, &arg),
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
