//! `o` on an entity with several links: a picker of them (enter opens the
//! selected one with `$BROWSER`, esc closes), keys and drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::draw::centered;
use crate::tui::effects::Effect;
use crate::tui::plugins::actions::{open_docs, open_url};
use crate::tui::plugins::hyperlink;
use crate::tui::theme::Slot;

use super::{LinkPicker, Overlay};

/// Runs `action` while the picker is open.
pub fn handle(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Overlay::Links(picker)) = &mut app.overlay else { return Vec::new() };
    let last = (picker.links.len() + usize::from(picker.docs.is_some())).saturating_sub(1);
    match action {
        Action::MoveDown => picker.selected = (picker.selected + 1).min(last),
        Action::MoveUp => picker.selected = picker.selected.saturating_sub(1),
        Action::Top => picker.selected = 0,
        Action::Bottom => picker.selected = last,
        Action::Select | Action::OpenLink => {
            let url = picker.links.get(picker.selected).map(|(_, u)| u.clone());
            let docs = picker.docs.filter(|_| url.is_none());
            app.overlay = None;
            if let Some(url) = url {
                return open_url(app, &url);
            }
            if let Some(entity) = docs {
                return open_docs(app, entity);
            }
        }
        Action::Back | Action::Quit => app.overlay = None,
        _ => {} // nothing else works in the picker
    }
    Vec::new()
}

/// Draws the picker in the middle of `area`.
pub fn render(app: &App, picker: &LinkPicker, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let rows = picker.links.len() + usize::from(picker.docs.is_some());
    let height = (rows as u16 + 2).min(area.height);
    let popup = centered(area, 90.min(area.width), height);
    let label_width = picker.links.iter().map(|(l, _)| crate::model::layout::width(l)).max().unwrap_or(0).clamp(8, 28);
    let lines: Vec<Line> = picker
        .links
        .iter()
        .enumerate()
        .map(|(i, (label, url))| {
            let style = if i == picker.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            let label = crate::model::layout::truncate(label, label_width);
            let pad = label_width.saturating_sub(crate::model::layout::width(&label));
            Line::from(vec![
                Span::styled(format!(" {label}{} ", " ".repeat(pad)), style),
                Span::styled(format!(" {url}"), if i == picker.selected { style } else { theme.style(Slot::Dim) }),
            ])
        })
        .collect();
    let mut lines = lines;
    if picker.docs.is_some() {
        let style =
            if picker.selected == picker.links.len() { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<label_width$} ", "TechDocs"), style),
            Span::styled(
                " the Docs tab, here",
                if style == theme.style(Slot::Base) { theme.style(Slot::Dim) } else { style },
            ),
        ]));
    }
    let block = Block::bordered()
        .title(format!(" links of {} · enter opens · esc closes ", crate::model::sanitize::line(&picker.title)))
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus))
        .style(theme.style(Slot::Popup));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    if app.external.hyperlinks {
        for (i, (_, url)) in picker.links.iter().enumerate().take(inner.height as usize) {
            let end = inner.x + (label_width + 3 + crate::model::layout::width(url)) as u16;
            hyperlink::linkify(frame.buffer_mut(), inner.y + i as u16, inner.x + 1, end, url);
        }
    }
}
