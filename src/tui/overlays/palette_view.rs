//! The `:` command palette: an input line and matching commands.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::theme::Slot;

use super::Palette;
use super::commands::suggestions;

/// The most suggestions shown at once; the list scrolls to the rest.
const VISIBLE: usize = 8;

/// Draws the palette at the bottom of `area`: the input line, then the
/// suggestions scrolled so the selected one is always in view.
pub fn render(app: &App, p: &Palette, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let found = suggestions(&app.external.plugins, p.input.text());
    let height = (found.len().min(VISIBLE) as u16 + 3).min(area.height);
    let popup = Rect { x: area.x, y: area.y + area.height - height, width: area.width, height };
    frame.render_widget(Clear, popup);
    let mut block = Block::bordered().title(" command ");
    if found.len() > VISIBLE {
        let position = format!(" {}/{} ", (p.selected + 1).min(found.len()), found.len());
        block = block.title(Line::from(position).right_aligned());
    }
    let block = block
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
    let rows = usize::from(list.height);
    let first = scroll_offset(p.selected, rows);
    let lines: Vec<Line> = found
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
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

/// The first suggestion shown in `rows` lines so `selected` is in view.
fn scroll_offset(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows.max(1))
}

#[cfg(test)]
mod tests {
    use super::scroll_offset;

    #[test]
    fn the_selected_suggestion_stays_in_view() {
        assert_eq!(scroll_offset(0, 8), 0);
        assert_eq!(scroll_offset(7, 8), 0);
        assert_eq!(scroll_offset(8, 8), 1);
        assert_eq!(scroll_offset(34, 8), 27);
        assert_eq!(scroll_offset(3, 0), 3, "no room: the selected one is first");
    }
}
