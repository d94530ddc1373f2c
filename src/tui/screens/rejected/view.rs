//! A rejected entity's page: the REJECTED marker, the reason, where it
//! was read, then its YAML as read.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::index::Rejected;
use crate::tui::draw::{ViewCx, clean, tail, wrap};
use crate::tui::theme::{Slot, Theme};

use super::RejectedScreen;

/// Draws a rejected entity's page.
pub fn render(cx: &ViewCx<'_>, r: &RejectedScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let block = Block::bordered()
        .title(Line::from(vec![
            Span::styled(" REJECTED ", theme.style(Slot::Error).add_modifier(Modifier::BOLD)),
            Span::styled(format!("{} ", clean(&r.rejected.entity_ref)), theme.style(Slot::Title)),
        ]))
        .border_style(theme.style(Slot::BorderFocus));
    let mut lines = header(theme, &r.rejected, area.width.saturating_sub(2));
    lines.push(Line::default());
    // YAML lines wrap with a hanging indent, as on the entity page's YAML tab.
    let columns = usize::from(area.width.saturating_sub(2));
    let yaml = r.yaml.lines().skip(r.scroll).flat_map(|l| wrap(&clean(l), columns));
    lines.extend(yaml.map(|l| Line::styled(l, theme.style(Slot::Base))));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}

/// The marker, reason, file:line and source of a rejected entity: the
/// head of its page and of its search preview, `columns` wide (a long
/// path keeps its end).
pub fn header(theme: &Theme, r: &Rejected, columns: u16) -> Vec<Line<'static>> {
    let place = tail(&clean(&r.location()), usize::from(columns).saturating_sub(8).max(12));
    let label = |text: &str| Span::styled(format!("{text:<8}"), theme.style(Slot::Dim));
    vec![
        Line::from(vec![
            Span::styled("REJECTED", theme.style(Slot::Error).add_modifier(Modifier::BOLD)),
            Span::styled("  the catalog would not store this entity", theme.style(Slot::Dim)),
        ]),
        Line::from(vec![label("reason"), Span::styled(clean(&r.reason).into_owned(), theme.style(Slot::Error))]),
        Line::from(vec![label("at"), Span::styled(place, theme.style(Slot::Link))]),
        Line::from(vec![label("source"), Span::raw(clean(&r.source).into_owned())]),
    ]
}
