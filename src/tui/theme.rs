//! Themes: a palette of named colours plus named style slots (k9s-skin
//! style), loaded from `themes/*.yaml`.
//!
//! Built-ins: `dark` (the default, 16 ANSI colours only), `light`,
//! `high-contrast` and `mono` (no colours, only modifiers; forced by
//! `NO_COLOR`). User themes live in the config dir's `themes/` and may
//! `inherits:` another theme; the child's palette entries recolour the
//! parent's slots, and each slot the child defines replaces the parent's.
//!
//! Views draw the `base` slot first (background) and patch other slots over
//! it, so a slot without `bg` keeps the background beneath it.

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Style};

use crate::model::Problem;
use crate::model::yaml::Pos;

mod def;

use def::{ColorRef, Inherits, ThemeDef, parse_def};

/// The theme used when none is configured.
pub const DEFAULT_THEME: &str = "dark";

/// The theme forced by `NO_COLOR`.
pub const MONO_THEME: &str = "mono";

/// The built-in themes: name and embedded file.
const BUILTINS: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.yaml")),
    ("light", include_str!("../../themes/light.yaml")),
    ("high-contrast", include_str!("../../themes/high-contrast.yaml")),
    ("mono", include_str!("../../themes/mono.yaml")),
];

/// The names of the built-in themes.
const BUILTIN_NAMES: &[&str] = &["dark", "light", "high-contrast", "mono"];

/// How deep `inherits:` chains may go.
const MAX_INHERIT_DEPTH: usize = 8;

/// Declares [`Slot`] with its file name and description in one table.
macro_rules! slots {
    ($($variant:ident = $name:literal, $desc:literal;)*) => {
        /// A named style the UI draws with.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slot {
            $(#[doc = $desc] $variant,)*
        }

        impl Slot {
            /// Every slot, in file order.
            pub const ALL: &'static [Slot] = &[$(Slot::$variant),*];

            /// The name used in theme files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Slot::$variant => $name,)*
                }
            }

            /// What the slot styles.
            pub fn description(self) -> &'static str {
                match self {
                    $(Slot::$variant => $desc,)*
                }
            }
        }
    };
}

slots! {
    Base = "base", "Default text and background of every view";
    Border = "border", "Borders of unfocused panes";
    BorderFocus = "border_focus", "Border of the focused pane";
    Title = "title", "Pane titles";
    Selected = "selected", "The selected row of the focused list";
    SelectedInactive = "selected_inactive", "The selected row of an unfocused list";
    Match = "match", "Characters that matched the search or filter";
    Header = "header", "Table column headers";
    Input = "input", "Text typed in the query line and the palette";
    Popup = "popup", "Overlays: help, command palette, confirmations";
    KindComponent = "kind_component", "Entity kind: Component";
    KindApi = "kind_api", "Entity kind: API";
    KindResource = "kind_resource", "Entity kind: Resource";
    KindSystem = "kind_system", "Entity kind: System";
    KindDomain = "kind_domain", "Entity kind: Domain";
    KindGroup = "kind_group", "Entity kind: Group";
    KindUser = "kind_user", "Entity kind: User";
    KindTemplate = "kind_template", "Entity kind: Template";
    KindLocation = "kind_location", "Entity kind: Location";
    KindOther = "kind_other", "Any other entity kind";
    StatusBar = "status_bar", "The status bar";
    StatusError = "status_error", "An error in the status bar";
    StatusWarning = "status_warning", "A warning in the status bar";
    Flash = "flash", "Short confirmations (copied, starred, synced)";
    Dim = "dim", "Secondary text";
    Link = "link", "Links and URLs";
    TabActive = "tab_active", "The shown tab";
    TabInactive = "tab_inactive", "The other tabs";
    Error = "error", "Errors in lists and pages";
    Warning = "warning", "Warnings in lists and pages";
    Ok = "ok", "Success and healthy states";
    Breadcrumb = "breadcrumb", "The view path at the top";
    KeyHint = "key_hint", "Key names in hints and help";
}

impl Slot {
    /// The slot with this file name.
    pub fn from_name(name: &str) -> Option<Slot> {
        Slot::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The slot for an entity kind (case-insensitive), `kind_other` when
    /// the kind is not one of Backstage's built-in kinds.
    pub fn for_kind(kind: &str) -> Slot {
        match kind.to_ascii_lowercase().as_str() {
            "component" => Slot::KindComponent,
            "api" => Slot::KindApi,
            "resource" => Slot::KindResource,
            "system" => Slot::KindSystem,
            "domain" => Slot::KindDomain,
            "group" => Slot::KindGroup,
            "user" => Slot::KindUser,
            "template" => Slot::KindTemplate,
            "location" => Slot::KindLocation,
            _ => Slot::KindOther,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A resolved theme: one [`Style`] per [`Slot`].
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    name: String,
    styles: Vec<Style>,
}

impl Default for Theme {
    /// The `dark` theme.
    #[allow(clippy::expect_used, reason = "audited: the embedded dark theme, loaded by the tests")]
    fn default() -> Theme {
        Theme::builtin(DEFAULT_THEME).expect("the built-in dark theme exists")
    }
}

impl Theme {
    /// A built-in theme by name (see [`Theme::names`]).
    #[allow(clippy::expect_used, reason = "audited: embedded themes, each parsed and resolved by the tests")]
    pub fn builtin(name: &str) -> Option<Theme> {
        let text = builtin_text(name)?;
        let def = parse_def(text, true).expect("built-in themes parse (tested)");
        Some(build(name, def).expect("built-in themes resolve (tested)"))
    }

    /// The names of the built-in themes, default first.
    pub fn names() -> &'static [&'static str] {
        BUILTIN_NAMES
    }

    /// Built-in names plus the themes (`*.yaml`) in `user_dir`, sorted and
    /// without duplicates (for `:theme` completion).
    pub fn available(user_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_NAMES.iter().map(|n| n.to_string()).collect();
        let entries = user_dir.and_then(|dir| std::fs::read_dir(dir).ok());
        for entry in entries.into_iter().flatten().flatten() {
            let path = entry.path();
            let is_yaml = path.extension().is_some_and(|e| e == "yaml");
            if let (true, Some(stem)) = (is_yaml, path.file_stem().and_then(|s| s.to_str())) {
                names.push(stem.to_string());
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Loads a theme from YAML text; `inherits:` names a theme in `user_dir`
    /// (as `<name>.yaml`) or a built-in. Problems carry line and column; those
    /// from `text` itself carry no file name (add it with
    /// [`Problem::in_file`]).
    pub fn load(text: &str, user_dir: Option<&Path>) -> Result<Theme, Vec<Problem>> {
        let mut loader = Loader { user_dir, chain: Vec::new() };
        let def = loader.load_chain(text, None)?;
        let name = def.name.clone().unwrap_or_else(|| "custom".into());
        build(&name, def)
    }

    /// Loads a theme file; its name is its `name:` or its file stem.
    pub fn load_file(path: &Path, user_dir: Option<&Path>) -> Result<Theme, Vec<Problem>> {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("custom").to_string();
        let mut loader = Loader { user_dir, chain: vec![stem.clone()] };
        let def = loader.load_file(path)?;
        let name = def.name.clone().unwrap_or(stem);
        build(&name, def).map_err(|problems| in_file(problems, path))
    }

    /// The theme's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The style of a slot.
    pub fn style(&self, slot: Slot) -> Style {
        self.styles.get(slot.index()).copied().unwrap_or_default()
    }

    /// The style for an entity kind (`Component`, `API`, ...).
    pub fn kind_style(&self, kind: &str) -> Style {
        self.style(Slot::for_kind(kind))
    }
}

/// Picks the theme to run with: `mono` when `no_color`, else `requested`
/// (a user theme in `user_theme_dir`, a built-in, or a path to a `.yaml`
/// file), else `dark`. A bad or unknown theme yields problems and a
/// fallback (the built-in of that name, else `dark`): never an error.
pub fn resolve_theme(requested: Option<&str>, no_color: bool, user_theme_dir: Option<&Path>) -> (Theme, Vec<Problem>) {
    if no_color {
        return (builtin_or_default(MONO_THEME), Vec::new());
    }
    let name = requested.unwrap_or(DEFAULT_THEME);
    let loaded = match find_theme_file(name, user_theme_dir) {
        Some(path) => Theme::load_file(&path, user_theme_dir),
        None => Theme::builtin(name).ok_or_else(|| vec![unknown_theme(name, user_theme_dir)]),
    };
    match loaded {
        Ok(theme) => (theme, Vec::new()),
        Err(problems) => (builtin_or_default(name), problems),
    }
}

/// True when the `NO_COLOR` environment variable is set and not empty
/// (<https://no-color.org>).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Parses a colour: an ANSI name (`red`, `darkgray`, `lightcyan`, `reset`,
/// ...), `#rrggbb`, or an xterm-256 index (`208`). Palette names are not
/// resolved here.
pub fn parse_color(text: &str) -> Option<Color> {
    let name: String = text.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ')).collect::<String>();
    let name = name.to_ascii_lowercase().replace("grey", "gray");
    let named = match name.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" => Color::Gray,
        "darkgray" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        _ => return parse_hex(&name).or_else(|| name.parse::<u8>().ok().map(Color::Indexed)),
    };
    Some(named)
}

fn parse_hex(text: &str) -> Option<Color> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some(Color::Rgb(channel(0)?, channel(2)?, channel(4)?))
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

fn builtin_or_default(name: &str) -> Theme {
    Theme::builtin(name).unwrap_or_default()
}

fn find_theme_file(name: &str, user_dir: Option<&Path>) -> Option<PathBuf> {
    let is_path = name.ends_with(".yaml") || name.ends_with(".yml") || name.contains('/');
    if is_path {
        return Some(PathBuf::from(name));
    }
    let path = user_dir?.join(format!("{name}.yaml"));
    path.is_file().then_some(path)
}

fn unknown_theme(name: &str, user_dir: Option<&Path>) -> Problem {
    let names = Theme::available(user_dir).join(", ");
    Problem::error(format!("unknown theme `{name}`; available: {names}"))
}

fn in_file(problems: Vec<Problem>, path: &Path) -> Vec<Problem> {
    let file = path.display().to_string();
    problems.into_iter().map(|p| if p.file.is_none() { p.in_file(&file) } else { p }).collect()
}

/// Follows `inherits:` chains.
struct Loader<'a> {
    user_dir: Option<&'a Path>,
    /// Names of the themes being loaded, outermost first (cycle detection).
    chain: Vec<String>,
}

impl Loader<'_> {
    fn load_chain(&mut self, text: &str, file: Option<&Path>) -> Result<ThemeDef, Vec<Problem>> {
        let attach = |problems: Vec<Problem>| match file {
            Some(path) => in_file(problems, path),
            None => problems,
        };
        let mut def = parse_def(text, false).map_err(attach)?;
        if let Some(path) = file {
            def.set_file(&path.display().to_string());
        }
        let parent = match &def.inherits {
            Inherits::Nothing => return Ok(def),
            Inherits::Default => self.parent(DEFAULT_THEME, Pos::default()),
            Inherits::Named(name, pos) => self.parent(name, *pos),
        };
        Ok(def.over(parent.map_err(attach)?))
    }

    fn load_file(&mut self, path: &Path) -> Result<ThemeDef, Vec<Problem>> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let problem = Problem::error(format!("cannot read the theme: {e}"));
            vec![problem.in_file(path.display().to_string())]
        })?;
        self.load_chain(&text, Some(path))
    }

    /// The definition of the theme named `name`, inherited at `pos`.
    fn parent(&mut self, name: &str, pos: Pos) -> Result<ThemeDef, Vec<Problem>> {
        let at = |message: String| {
            let problem = Problem::error(message);
            vec![if pos.line > 0 { problem.at(pos) } else { problem }]
        };
        if self.chain.len() >= MAX_INHERIT_DEPTH {
            return Err(at(format!("`inherits:` chains deeper than {MAX_INHERIT_DEPTH} themes")));
        }
        // A user theme may shadow a built-in and inherit from it by its own name.
        let user_file = self
            .user_dir
            .map(|dir| dir.join(format!("{name}.yaml")))
            .filter(|path| path.is_file() && !self.chain.iter().any(|n| n == name));
        if let Some(path) = user_file {
            self.chain.push(name.to_string());
            return self.load_file(&path);
        }
        if let Some(text) = builtin_text(name) {
            return parse_def(text, true);
        }
        if self.chain.iter().any(|n| n == name) {
            let cycle = [self.chain.as_slice(), &[name.to_string()]].concat().join(" -> ");
            return Err(at(format!("`inherits:` goes round in a circle: {cycle}")));
        }
        let available = Theme::available(self.user_dir).join(", ");
        Err(at(format!("cannot inherit unknown theme `{name}`; available: {available}")))
    }
}

/// Resolves every slot's colours against the merged palette.
fn build(name: &str, def: ThemeDef) -> Result<Theme, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut resolve = |color: &Option<ColorRef>| {
        let color = color.as_ref()?;
        let found = def.palette.get(&color.text).copied().or_else(|| parse_color(&color.text));
        if found.is_none() {
            let problem = Problem::error(format!(
                "unknown colour `{}`; use a palette name, an ANSI name (red, lightblue, ...), \
                 #rrggbb or 0-255",
                color.text
            ))
            .at(color.pos);
            problems.push(match &color.file {
                Some(file) => problem.in_file(file),
                None => problem,
            });
        }
        found
    };
    let mut styles = Vec::with_capacity(Slot::ALL.len());
    for slot in def.slots.iter() {
        let slot = slot.clone().unwrap_or_default();
        let mut style = Style::new().add_modifier(slot.modifiers);
        style.fg = resolve(&slot.fg);
        style.bg = resolve(&slot.bg);
        styles.push(style);
    }
    if problems.is_empty() { Ok(Theme { name: name.to_string(), styles }) } else { Err(problems) }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
