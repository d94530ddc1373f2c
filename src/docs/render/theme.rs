//! How rendered docs look: a small set of ratatui styles (built from the
//! TUI theme, or the defaults for the CLI) and the termimad skin made from
//! them, with ANSI/indexed colours only, so 16-colour terminals and
//! `NO_COLOR` (mono: attributes only) work.

use ratatui::style::{Color, Modifier, Style};
use termimad::crossterm::style::{Attribute, Color as CtColor, ContentStyle};
use termimad::{CompoundStyle, LineStyle, MadSkin, StyledChar};

/// Styles of rendered docs.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTheme {
    /// No colours: attributes only (`NO_COLOR`, the mono theme, `--plain`).
    pub mono: bool,
    /// Body text.
    pub text: Style,
    /// Headings: level 1, level 2, level 3 and deeper.
    pub headings: [Style; 3],
    /// Code spans and blocks.
    pub code: Style,
    /// The label above a code block.
    pub code_label: Style,
    /// Link text.
    pub link: Style,
    /// The selected link.
    pub link_selected: Style,
    /// `[n]` after a link, rules, table borders, bullets.
    pub dim: Style,
    /// `==marked==` text and search matches.
    pub mark: Style,
    /// Notes, info.
    pub info: Style,
    /// Tips, success.
    pub good: Style,
    /// Warnings.
    pub warn: Style,
    /// Danger, errors, bugs.
    pub bad: Style,
    /// Tabs, examples, questions.
    pub accent: Style,
    /// Syntax colours of code blocks; `None` shows code plain.
    pub syntax: Option<super::highlight::SyntaxStyles>,
    /// Interactive: a closed `???` block shows only its title (the CLI
    /// prints every block open).
    pub fold: bool,
}

impl Default for DocTheme {
    /// The dark theme's colours (16 ANSI colours).
    fn default() -> Self {
        DocTheme {
            mono: false,
            text: Style::new(),
            headings: [
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                Style::new().fg(Color::LightBlue).add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            ],
            code: Style::new().fg(Color::LightYellow),
            code_label: Style::new().fg(Color::Black).bg(Color::Gray),
            link: Style::new().fg(Color::LightBlue).add_modifier(Modifier::UNDERLINED),
            link_selected: Style::new().fg(Color::White).bg(Color::Blue).add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            mark: Style::new().fg(Color::Black).bg(Color::Yellow),
            info: Style::new().fg(Color::LightBlue).add_modifier(Modifier::BOLD),
            good: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            bad: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            accent: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            syntax: Some(super::highlight::SyntaxStyles {
                comment: Style::new().fg(Color::DarkGray),
                string: Style::new().fg(Color::Green),
                constant: Style::new().fg(Color::Yellow),
                keyword: Style::new().fg(Color::Magenta),
                key: Style::new().fg(Color::Cyan),
                name: Style::new().fg(Color::LightBlue),
            }),
            fold: false,
        }
    }
}

impl DocTheme {
    /// Attributes only: no colour anywhere.
    pub fn mono() -> DocTheme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        DocTheme {
            mono: true,
            text: Style::new(),
            headings: [bold.add_modifier(Modifier::UNDERLINED), bold, bold],
            code: Style::new(),
            code_label: Style::new().add_modifier(Modifier::REVERSED),
            link: Style::new().add_modifier(Modifier::UNDERLINED),
            link_selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            dim: Style::new(),
            mark: Style::new().add_modifier(Modifier::REVERSED),
            info: bold,
            good: bold,
            warn: bold,
            bad: bold,
            accent: bold,
            syntax: None,
            fold: false,
        }
    }

    /// The style of a callout of `kind` (MkDocs admonition types and aliases).
    pub fn callout(&self, kind: &str) -> Style {
        match kind {
            "tip" | "hint" | "success" | "check" | "done" => self.good,
            "warning" | "warn" | "caution" | "attention" | "important" => self.warn,
            "danger" | "error" | "bug" | "failure" | "fail" | "missing" => self.bad,
            "example" | "question" | "help" | "faq" | "tab" | "quote" | "cite" => self.accent,
            _ => self.info,
        }
    }

    /// The termimad skin for this theme.
    pub fn skin(&self) -> MadSkin {
        let mut skin = if self.mono { MadSkin::no_style() } else { MadSkin::default() };
        skin.paragraph = LineStyle::new(compound(self.text), Default::default());
        skin.bold = compound(Style::new().add_modifier(Modifier::BOLD));
        skin.italic = compound(Style::new().add_modifier(Modifier::ITALIC));
        skin.strikeout = compound(Style::new().add_modifier(Modifier::CROSSED_OUT));
        skin.inline_code = compound(self.code);
        skin.code_block = LineStyle::new(compound(self.code), Default::default());
        for (i, header) in skin.headers.iter_mut().enumerate() {
            *header = LineStyle::new(compound(self.headings[i.min(2)]), Default::default());
        }
        skin.table = LineStyle::new(compound(self.dim), Default::default());
        skin.bullet = StyledChar::new(compound(self.dim), '•');
        skin.quote_mark = StyledChar::new(compound(self.dim), '│');
        skin.horizontal_rule = StyledChar::new(compound(self.dim), '─');
        skin.ellipsis = compound(self.dim);
        skin
    }
}

/// A ratatui style as a termimad compound style.
fn compound(style: Style) -> CompoundStyle {
    CompoundStyle::from(content_style(style))
}

/// A ratatui style as a crossterm content style (colours and attributes).
pub fn content_style(style: Style) -> ContentStyle {
    let mut c = ContentStyle {
        foreground_color: style.fg.map(crossterm_color),
        background_color: style.bg.map(crossterm_color),
        ..ContentStyle::default()
    };
    for (m, a) in [
        (Modifier::BOLD, Attribute::Bold),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::DIM, Attribute::Dim),
    ] {
        if style.add_modifier.contains(m) {
            c.attributes.set(a);
        }
    }
    c
}

/// ratatui's colour names mean the same ANSI slots as crossterm's `Dark*`.
pub fn crossterm_color(color: Color) -> CtColor {
    match color {
        Color::Reset => CtColor::Reset,
        Color::Black => CtColor::Black,
        Color::Red => CtColor::DarkRed,
        Color::Green => CtColor::DarkGreen,
        Color::Yellow => CtColor::DarkYellow,
        Color::Blue => CtColor::DarkBlue,
        Color::Magenta => CtColor::DarkMagenta,
        Color::Cyan => CtColor::DarkCyan,
        Color::Gray => CtColor::Grey,
        Color::DarkGray => CtColor::DarkGrey,
        Color::LightRed => CtColor::Red,
        Color::LightGreen => CtColor::Green,
        Color::LightYellow => CtColor::Yellow,
        Color::LightBlue => CtColor::Blue,
        Color::LightMagenta => CtColor::Magenta,
        Color::LightCyan => CtColor::Cyan,
        Color::White => CtColor::White,
        Color::Indexed(n) => CtColor::AnsiValue(n),
        Color::Rgb(r, g, b) => CtColor::Rgb { r, g, b },
    }
}

/// ANSI indexes 0-15 back to ratatui's named colours (ansi-to-tui reads
/// `38;5;n` as `Indexed(n)`).
pub fn named_color(color: Color) -> Color {
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match color {
        Color::Indexed(n) if n < 16 => NAMED[n as usize],
        other => other,
    }
}
