//! The outline tab (team, groups, structure), the graph tab, and the
//! rows of the relations tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::index::graph_tree::{TreeItem, render_text};
use crate::index::{Index, RelationView};

use crate::tui::draw::ViewCx;

use super::derive::{graph_lines, outline_lines};
use super::outline::{LineKind, OutlineLine};
use super::{EntityScreen, KIND_SETS, RELATION_SETS};
use crate::tui::draw::clean;
use crate::tui::theme::{Slot, Theme};

/// Draws the outline tab with its cursor.
pub fn outline(cx: &ViewCx<'_>, index: &Index, e: &EntityScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let lines = outline_lines(index, e);
    let window = e.outline.window(area.height as usize, lines.len());
    let rendered: Vec<Line> = window
        .map(|row| {
            let line = outline_line(theme, &lines[row], row == e.outline.selected);
            e.find.highlight(row, line, theme.style(Slot::Match))
        })
        .collect();
    frame.render_widget(Paragraph::new(rendered), area);
}

/// One outline row: indent, fold marker, kind and name (or the header or
/// note). `/` finds in the same text.
pub fn outline_line(theme: &Theme, line: &OutlineLine, selected: bool) -> Line<'static> {
    let base = match line.kind {
        LineKind::Header => theme.style(Slot::Header),
        LineKind::Missing => theme.style(Slot::Warning),
        LineKind::Note => theme.style(Slot::Dim),
        LineKind::Entity(_) => theme.style(Slot::Base),
    };
    let style = if selected { theme.style(Slot::Selected) } else { base };
    let marker = match line.fold {
        Some(true) => "▾ ",
        Some(false) => "▸ ",
        None => "",
    };
    let indent = "  ".repeat(line.depth as usize);
    let mut spans = vec![Span::styled(format!("{indent}{marker}"), style)];
    match (&line.kind, line.text.split_once(' ')) {
        (LineKind::Entity(_), Some((kind, rest))) => {
            let kind_style = if selected { style } else { theme.kind_style(kind) };
            spans.push(Span::styled(format!("{kind} "), kind_style));
            spans.push(Span::styled(clean(rest).into_owned(), style));
        }
        _ => spans.push(Span::styled(clean(&line.text).into_owned(), style)),
    }
    Line::from(spans)
}

/// One relation's row: its kind, the target and its title (or that it is
/// missing). `/` finds in the same text.
pub fn relation_line(theme: &Theme, index: &Index, r: &RelationView<'_>, selected: bool) -> Line<'static> {
    let base = if selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
    let (kind, rest) = r.target.split_once(':').unwrap_or(("", r.target));
    let mut spans = vec![
        Span::styled("  → ", base),
        Span::styled(format!("{kind:<10}"), if selected { base } else { theme.kind_style(kind) }),
        Span::styled(clean(rest).into_owned(), base),
    ];
    match r.entity {
        Some(t) => {
            if let Some(title) = index.summary(t).title {
                spans.push(Span::styled(
                    format!("  {}", clean(title)),
                    if selected { base } else { theme.style(Slot::Dim) },
                ));
            }
        }
        None => spans.push(Span::styled("  (missing: not in the catalog)", base.patch(theme.style(Slot::Warning)))),
    }
    Line::from(spans)
}

/// Draws the graph tab: a header with depth and filters, then the tree.
pub fn graph(cx: &ViewCx<'_>, index: &Index, e: &EntityScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let g = &e.graph;
    let header = Line::from(vec![
        Span::styled(
            format!("depth {} · {} · {}", g.depth, RELATION_SETS[g.relations].0, KIND_SETS[g.kinds].0),
            theme.style(Slot::Title),
        ),
        Span::styled("   +/- depth  f relations  F kinds  space expands  enter opens", theme.style(Slot::Dim)),
    ]);
    frame.render_widget(Paragraph::new(header), head);
    let lines = graph_lines(index, e);
    let texts = render_text(index, &lines);
    let window = g.sel.window(body.height as usize, lines.len());
    let rendered: Vec<Line> = window
        .map(|row| {
            let style = if row == g.sel.selected {
                theme.style(Slot::Selected)
            } else {
                match &lines[row].item {
                    TreeItem::More { .. } => theme.style(Slot::KeyHint),
                    TreeItem::Node { exists: false, .. } => theme.style(Slot::Warning),
                    TreeItem::Node { repeat: true, .. } => theme.style(Slot::Dim),
                    TreeItem::Node { .. } if lines[row].depth == 0 => theme.style(Slot::Title),
                    TreeItem::Node { .. } => theme.style(Slot::Base),
                }
            };
            e.find.highlight(row, Line::styled(clean(&texts[row]).into_owned(), style), theme.style(Slot::Match))
        })
        .collect();
    frame.render_widget(Paragraph::new(rendered), body);
}
