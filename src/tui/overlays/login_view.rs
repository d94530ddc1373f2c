//! Draws the `:login` overlay: the address to open (whole, wrapped, so it
//! can be read off or selected), how the answer comes back, the paste line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::draw::clean;
use crate::tui::keymap::Context;
use crate::tui::theme::Slot;

use super::login_state::LoginOverlay;

/// Draws the overlay over the bottom of `area`.
pub fn render(app: &App, login: &LoginOverlay, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let key = |action| app.keymap.keys_for(Context::Login, action).first().cloned().unwrap_or_else(|| "-".into());
    let mut lines = vec![Line::styled(
        format!(
            "Open this address in a browser ({} copies it, {} opens $BROWSER):",
            key(Action::CopyRef),
            key(Action::OpenLink)
        ),
        theme.style(Slot::Base),
    )];
    match &login.url {
        Some(url) => lines.push(Line::styled(clean(url).into_owned(), theme.style(Slot::Title))),
        None => lines.push(Line::styled("…", theme.style(Slot::Dim))),
    }
    lines.push(Line::raw(""));
    if let Some(listening) = &login.listening {
        lines.push(Line::styled(
            format!("Waiting for the browser at {listening} (over SSH: ssh -L 8055:127.0.0.1:8055 HOST)."),
            theme.style(Slot::Dim),
        ));
    }
    lines.push(Line::styled(
        "Or paste the address the browser ended on, then enter (esc cancels):",
        theme.style(Slot::Dim),
    ));
    if let Some(note) = &login.note {
        lines.push(Line::from(Span::styled(clean(note).into_owned(), theme.style(Slot::StatusWarning))));
    }
    let inner_width = area.width.saturating_sub(2).max(1);
    let text_height: u16 = lines.iter().map(|l| (l.width() as u16).div_ceil(inner_width).max(1)).sum();
    let height = (text_height + 3).min(area.height);
    let popup = Rect { x: area.x, y: area.y + area.height - height, width: area.width, height };
    frame.render_widget(Clear, popup);
    let title = if login.source.is_empty() {
        " sign in ".to_string()
    } else {
        format!(" sign in to {} ", clean(&login.source))
    };
    let block = Block::bordered()
        .title(title)
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus))
        .style(theme.style(Slot::Popup));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [text, input_line] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    let [prompt, input] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(input_line);
    frame.render_widget(Paragraph::new("❯ ").style(theme.style(Slot::KeyHint)), prompt);
    let widget = login.input.widget(theme.style(Slot::Input), theme.style(Slot::Dim), true);
    frame.render_widget(&widget, input);
}
