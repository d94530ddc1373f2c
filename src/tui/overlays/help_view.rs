//! The help overlay, generated from the live keymap (user bindings
//! included) and the palette's commands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::draw::centered;
use crate::tui::keymap::Context;
use crate::tui::theme::Slot;

use super::commands::commands;

/// The help text, one line per binding, grouped by view.
fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let plugins = &app.external.plugins.list;
    if !plugins.is_empty() {
        lines.push(Line::styled("Plugins (config.yaml; also :NAME)", theme.style(Slot::Header)));
        for p in plugins {
            key_line(&mut lines, app, &p.key.to_string(), &format!("{}: {}", p.config.name, p.help), width);
        }
        lines.push(Line::default());
    }
    for &ctx in Context::ALL.iter() {
        let mut bindings: Vec<(Action, String)> = app
            .keymap
            .bindings()
            .filter(|(c, _, _)| *c == ctx)
            .map(|(_, keys, action)| (action, keys.to_string()))
            .collect();
        if bindings.is_empty() {
            continue;
        }
        // Actions in their declared order (grouped: move, navigate, find,
        // entity, general), every key of one action on one line.
        bindings.sort();
        let mut merged: Vec<(String, Action)> = Vec::new();
        for (action, keys) in bindings {
            match merged.last_mut() {
                Some((k, a)) if *a == action => {
                    k.push_str(", ");
                    k.push_str(&keys);
                }
                _ => merged.push((keys, action)),
            }
        }
        lines.push(Line::styled(context_title(ctx), theme.style(Slot::Header)));
        for (keys, action) in merged {
            key_line(&mut lines, app, &keys, action.description(), width);
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled("Commands (press :)", theme.style(Slot::Header)));
    for c in commands(&app.external.plugins) {
        let name = match c.arg {
            Some(arg) => format!(":{} {arg}", c.name),
            None => format!(":{}", c.name),
        };
        key_line(&mut lines, app, &name, c.help, width);
    }
    lines
}

/// Width of the key column; longer key lists get a line of their own.
const KEY_COLUMN: usize = 18;

/// One binding: keys in their column (or on a line of their own when
/// long), the description wrapped to the overlay's `width`.
fn key_line(lines: &mut Vec<Line<'static>>, app: &App, keys: &str, description: &str, width: usize) {
    let theme = &app.theme;
    let own_line = crate::model::layout::width(keys) > KEY_COLUMN;
    if own_line {
        lines.push(Line::styled(format!("  {keys}"), theme.style(Slot::KeyHint)));
    }
    let text_width = width.saturating_sub(KEY_COLUMN + 5).max(16);
    for (n, part) in textwrap::wrap(description, text_width).into_iter().enumerate() {
        let shown = if n == 0 && !own_line { keys } else { "" };
        lines.push(Line::from(vec![
            Span::styled(format!("  {shown:<KEY_COLUMN$} "), theme.style(Slot::KeyHint)),
            Span::styled(format!("  {part}"), theme.style(Slot::Base)),
        ]));
    }
}

fn context_title(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::Search => "Search (typing in the query line)",
        Context::List => "Lists and results",
        Context::Entity => "Entity page",
        Context::Docs => "Docs tab (entity page keys work too)",
        Context::Wizard => "Template wizard",
        Context::Help => "This help",
        Context::Palette => "Command palette",
        Context::Login => "Sign-in (:login)",
    }
}

/// Draws the help overlay.
pub fn render(app: &App, scroll: usize, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 76, area.height.saturating_sub(2).max(8));
    let lines = help_lines(app, popup.width.saturating_sub(2) as usize);
    let max = lines.len().saturating_sub(popup.height.saturating_sub(2) as usize);
    let block = Block::bordered()
        .title(" help · esc closes · j/k scroll ")
        .title_style(app.theme.style(Slot::Title))
        .border_style(app.theme.style(Slot::BorderFocus))
        .style(app.theme.style(Slot::Popup));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll.min(max) as u16, 0)), popup);
}
