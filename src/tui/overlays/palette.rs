//! The `:` command palette: the commands it offers, and its keys (enter
//! runs the chosen command through [`super::commands`]).

use crossterm::event::KeyEvent;

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::effects::Effect;
use crate::tui::input::LineInput;

use super::commands::{self, is_known, suggestions};
use super::complete::complete_arg;
use super::{Overlay, Palette};

/// Opens the palette.
pub fn open(app: &mut App) {
    app.overlay =
        Some(Overlay::Palette(Box::new(Palette { input: LineInput::new("command (tab completes)"), selected: 0 })));
}

/// Runs `action` while the palette is open; enter runs the command.
pub fn handle(app: &mut App, action: Action) -> Vec<Effect> {
    // Tab on a command with its argument typed keeps the argument, and
    // completes it when it is a ref, a kind, a theme or a source.
    let completed = match (&app.overlay, action) {
        (Some(Overlay::Palette(p)), Action::Complete) => {
            let typed = p.input.text().to_string();
            match typed.trim_start().split_once(' ') {
                Some((word, arg)) if is_known(&app.external.plugins, word) && !arg.trim().is_empty() => {
                    Some(complete_arg(app, word, arg.trim()).map_or(typed.clone(), |done| format!("{word} {done}")))
                }
                _ => None,
            }
        }
        _ => None,
    };
    let Some(Overlay::Palette(p)) = &mut app.overlay else { return Vec::new() };
    if let Some(line) = completed {
        p.input.set(&line);
        return Vec::new();
    }
    let found = suggestions(&app.external.plugins, p.input.text());
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
                (1, Some(c)) if c.arg.is_none() && !is_known(&app.external.plugins, &typed) => c.name.to_string(),
                _ => typed,
            };
            app.overlay = None;
            return commands::run(app, &line);
        }
        _ => {}
    }
    Vec::new()
}

/// A key no binding took: text for the command line.
pub fn typed(p: &mut Palette, key: KeyEvent) {
    if p.input.input(key) {
        p.selected = 0;
    }
}
