//! The `:` command palette: an input line and matching commands.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::theme::Slot;

use super::Palette;
use super::commands::suggestions;

/// Draws the palette at the bottom of `area`.
pub fn render(app: &App, p: &Palette, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let found = suggestions(&app.external.plugins, p.input.text());
    let height = (found.len().min(8) as u16 + 3).min(area.height);
    let popup = Rect { x: area.x, y: area.y + area.height - height, width: area.width, height };
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(" command ")
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus))
        .style(theme.style(Slot::Popup));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [input_line, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let [prompt, input] = Layout::horizontal([Constraint::Length(1), Constraint::Min(0)]).areas(input_line);
    frame.render_widget(Paragraph::new(":").style(theme.style(Slot::KeyHint)), prompt);
    let widget = p.input.widget(theme.style(Slot::Input), theme.style(Slot::Dim), true);
    frame.render_widget(&widget, input);
    let lines: Vec<Line> = found
        .iter()
        .take(list.height as usize)
        .enumerate()
        .map(|(i, c)| {
            let style = if i == p.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            let name = match c.arg {
                Some(arg) => format!("{} {arg}", c.name),
                None => c.name.to_string(),
            };
            Line::from(vec![Span::styled(format!(" {name:<20}"), style), Span::styled(format!(" {}", c.help), style)])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
