//! Views: pure functions from [`App`] to a frame. Every string from the
//! catalog goes through [`clean`] before it is drawn.

mod docs;
mod entity;
mod help;
mod list;
mod palette;
mod search;
mod status;
mod structure;
mod wizard;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::model::sanitize;

use super::app::{App, Overlay};
use super::screens::Screen;
use super::theme::Slot;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::new().style(app.theme.style(Slot::Base)), area);
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    breadcrumbs(app, frame, header);
    match app.screen() {
        Screen::Search(s) => search::render(app, s, frame, body),
        Screen::Entity(e) => entity::render(app, e, frame, body),
        Screen::List(l) => list::render(app, l, frame, body),
        Screen::Problems(p) => list::render_problems(app, p, frame, body),
        Screen::Health(h) => list::render_health(app, h, frame, body),
        Screen::Wizard(w) => wizard::render(app, w, frame, body),
        Screen::DocsSearch(s) => docs::render_search(app, s, frame, body),
        Screen::Sources(sel) => list::render_sources(app, sel, frame, body),
    }
    status::render(app, frame, status);
    match &app.overlay {
        Some(Overlay::Help(scroll)) => help::render(app, *scroll, frame, body),
        Some(Overlay::Palette(p)) => palette::render(app, p, frame, body),
        None => {}
    }
}

fn breadcrumbs(app: &App, frame: &mut Frame, area: Rect) {
    let index = app.index();
    let mut spans = vec![Span::styled(" stagehand", app.theme.style(Slot::Title))];
    let labels: Vec<String> = app.stack.iter().map(|s| s.label(index)).collect();
    let skip = labels.len().saturating_sub(4);
    if skip > 0 {
        spans.push(Span::styled(" › …", app.theme.style(Slot::Breadcrumb)));
    }
    for (i, label) in labels.iter().enumerate().skip(skip) {
        let style =
            if i + 1 == labels.len() { app.theme.style(Slot::Title) } else { app.theme.style(Slot::Breadcrumb) };
        spans.push(Span::styled(" › ", app.theme.style(Slot::Breadcrumb)));
        spans.push(Span::styled(clean(label).into_owned(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(app.theme.style(Slot::Breadcrumb)), area);
}

/// Untrusted text made safe for one line.
pub fn clean(text: &str) -> Cow<'_, str> {
    sanitize::line(text)
}

/// Spans of `text` with the characters at `positions` (char indices) in `hl`.
pub fn highlighted(text: &str, positions: &[u32], base: Style, hl: Style) -> Vec<Span<'static>> {
    if positions.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut spans = Vec::new();
    let mut current = String::new();
    let mut current_hl = false;
    for (i, c) in text.chars().enumerate() {
        let is_hl = positions.binary_search(&(i as u32)).is_ok();
        if is_hl != current_hl && !current.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut current), if current_hl { hl } else { base }));
        }
        current_hl = is_hl;
        current.push(c);
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, if current_hl { hl } else { base }));
    }
    spans
}

/// A rectangle of `w` x `h` centred in `area` (clamped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_runs_of_matched_characters() {
        let base = Style::new();
        let hl = Style::new().bold();
        let spans = highlighted("petstore", &[0, 1, 4], base, hl);
        let parts: Vec<(&str, bool)> = spans.iter().map(|s| (s.content.as_ref(), s.style == hl)).collect();
        assert_eq!(parts, vec![("pe", true), ("ts", false), ("t", true), ("ore", false)]);
    }
}
