//! Syntax highlighting colours taken from the theme's slots, so user
//! themes colour code too (shared by the entity page's code tabs and the
//! docs renderer).

use ratatui::style::Style;

use crate::docs::render::highlight::SyntaxStyles;
use crate::tui::theme::{Slot, Theme};

/// Syntax colours from the theme's slots; `None` for the mono theme
/// (and so under `NO_COLOR`), which shows code plain.
pub fn syntax_styles(theme: &Theme) -> Option<SyntaxStyles> {
    if theme.name() == crate::tui::theme::MONO_THEME {
        return None;
    }
    let fg = |slot: Slot| theme.style(slot).fg.map_or(Style::new(), |c| Style::new().fg(c));
    Some(SyntaxStyles {
        comment: theme.style(Slot::Dim),
        string: fg(Slot::Ok),
        constant: fg(Slot::Warning),
        keyword: fg(Slot::KindApi),
        key: fg(Slot::KeyHint),
        name: fg(Slot::KindSystem),
    })
}
