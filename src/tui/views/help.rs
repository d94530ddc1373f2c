//! The help overlay, generated from the live keymap (user bindings
//! included) and the palette's commands.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::app::App;
use super::super::commands::commands;
use super::super::keymap::Context;
use super::super::theme::Slot;
use super::centered;

/// The help text, one line per binding, grouped by view.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for &ctx in Context::ALL.iter() {
        let mut bindings: Vec<(String, &'static str)> = app
            .keymap
            .bindings()
            .filter(|(c, _, _)| *c == ctx)
            .map(|(_, keys, action)| (keys.to_string(), action.description()))
            .collect();
        if bindings.is_empty() {
            continue;
        }
        bindings.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
        let mut merged: Vec<(String, &str)> = Vec::new();
        for (keys, description) in bindings {
            match merged.last_mut() {
                Some((k, d)) if *d == description => {
                    k.push_str(", ");
                    k.push_str(&keys);
                }
                _ => merged.push((keys, description)),
            }
        }
        lines.push(Line::styled(context_title(ctx), theme.style(Slot::Header)));
        for (keys, description) in merged {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22} "), theme.style(Slot::KeyHint)),
                Span::styled(description.to_string(), theme.style(Slot::Base)),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled("Commands (press :)", theme.style(Slot::Header)));
    for c in commands() {
        let name = match c.arg {
            Some(arg) => format!(":{} {arg}", c.name),
            None => format!(":{}", c.name),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {name:<22} "), theme.style(Slot::KeyHint)),
            Span::styled(c.help.to_string(), theme.style(Slot::Base)),
        ]));
    }
    lines
}

fn context_title(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::Search => "Search (typing in the query line)",
        Context::List => "Lists and results",
        Context::Entity => "Entity page",
        Context::Help => "This help",
        Context::Palette => "Command palette",
    }
}

/// Draws the help overlay.
pub fn render(app: &App, scroll: usize, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 76, area.height.saturating_sub(2).max(8));
    let lines = help_lines(app);
    let max = lines.len().saturating_sub(popup.height.saturating_sub(2) as usize);
    let block = Block::bordered()
        .title(" help · esc closes · j/k scroll ")
        .title_style(app.theme.style(Slot::Title))
        .border_style(app.theme.style(Slot::BorderFocus))
        .style(app.theme.style(Slot::Popup));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll.min(max) as u16, 0)), popup);
}
