//! The `:messages` overlay: every status message of the session, newest
//! last, each in full and wrapped (the status bar cuts them to fit).
//! Scrolled and closed with the help overlay's keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::{App, Level};
use crate::tui::draw::{centered, clean};
use crate::tui::theme::Slot;

/// Runs `action` on the log scrolled `up` lines from its end; true closes it.
pub fn handle(up: &mut usize, action: Action) -> bool {
    match action {
        Action::MoveUp => *up += 1,
        Action::MoveDown => *up = up.saturating_sub(1),
        Action::PageUp | Action::HalfPageUp => *up += 10,
        Action::PageDown | Action::HalfPageDown => *up = up.saturating_sub(10),
        Action::Top => *up = usize::MAX,
        Action::Bottom => *up = 0,
        Action::Back | Action::Quit | Action::Help | Action::Select => return true,
        _ => {} // nothing else works under the log
    }
    false
}

/// The log as lines wrapped to `width`, each message under its level.
fn lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    if app.messages.is_empty() {
        return vec![Line::styled("no messages yet", theme.style(Slot::Dim))];
    }
    let mut out = Vec::new();
    for (level, text) in &app.messages {
        let (label, slot) = match level {
            Level::Info => ("info ", Slot::Dim),
            Level::Warning => ("warn ", Slot::Warning),
            Level::Error => ("error", Slot::Error),
        };
        let text = clean(text);
        for (n, part) in textwrap::wrap(&text, width.saturating_sub(7).max(16)).into_iter().enumerate() {
            let label = if n == 0 { label } else { "     " };
            out.push(Line::from(vec![
                Span::styled(format!("{label}  "), theme.style(slot)),
                Span::styled(part.into_owned(), theme.style(Slot::Base)),
            ]));
        }
    }
    out
}

/// Draws the log scrolled `scroll` lines up from its end.
pub fn render(app: &App, scroll: usize, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 76, area.height.saturating_sub(2).max(8));
    let lines = lines(app, popup.width.saturating_sub(2) as usize);
    let max = lines.len().saturating_sub(popup.height.saturating_sub(2) as usize);
    let top = max.saturating_sub(scroll);
    let block = Block::bordered()
        .title(format!(" messages ({}) · esc closes · j/k scroll ", app.messages.len()))
        .title_style(app.theme.style(Slot::Title))
        .border_style(app.theme.style(Slot::BorderFocus))
        .style(app.theme.style(Slot::Popup));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top as u16, 0)), popup);
}
