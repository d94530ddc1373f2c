//! The entity page: tabs for overview, relations, API, YAML and problems.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Tabs, Wrap};

use crate::index::Index;

use crate::tui::draw::ViewCx;
use crate::tui::screens::docs;

use super::derive::outline_title;
use super::overview_view::overview_lines;
use super::structure_view::relation_line;
use super::{EntityScreen, Tab};
use crate::tui::draw::clean;
use crate::tui::theme::Slot;

/// Draws an entity page.
pub fn render(cx: &ViewCx<'_>, e: &EntityScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let index = cx.index();
    let [head, tabs_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let summary = index.try_summary(e.entity);
    let title = summary.map_or_else(String::new, |s| {
        let t = s.title.map(|t| format!("  {}", clean(t))).unwrap_or_default();
        format!("{}{t}", clean(&s.display_ref()))
    });
    let kind = summary.map_or("", |s| s.kind);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {kind} "), theme.kind_style(kind).patch(theme.style(Slot::TabActive))),
            Span::styled(format!(" {title}"), theme.style(Slot::Title)),
        ])),
        head,
    );
    let titles: Vec<String> = e.tabs.iter().map(|t| tab_title(index, e, *t)).collect();
    frame.render_widget(
        Tabs::new(titles)
            .select(e.tab)
            .style(theme.style(Slot::TabInactive))
            .highlight_style(theme.style(Slot::TabActive))
            .divider("│"),
        tabs_area,
    );
    let block = Block::bordered().border_style(theme.style(Slot::Border));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    // The find line, or what it found, under a findable tab.
    let inner = if super::find::findable(e.current()) { super::find::status(cx, e, frame, inner) } else { inner };
    match &e.body {
        None => frame.render_widget(Paragraph::new("loading…").style(theme.style(Slot::Dim)), inner),
        Some(Err(err)) => frame.render_widget(
            Paragraph::new(clean(err).into_owned()).style(theme.style(Slot::Error)).wrap(Wrap { trim: true }),
            inner,
        ),
        Some(Ok(entity)) => match e.current() {
            Tab::Overview => {
                e.text_width.set(inner.width);
                let lines = overview_lines(theme, index, e, entity, inner.width)
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| e.find.highlight(i, line, theme.style(Slot::Match)))
                    .collect();
                scrolled(cx, e, frame, inner, lines, true);
            }
            Tab::Relations => relations(cx, index, e, frame, inner),
            Tab::Docs => docs::view::render(cx, e, frame, inner),
            Tab::Outline => super::structure_view::outline(cx, index, e, frame, inner),
            Tab::Graph => super::structure_view::graph(cx, index, e, frame, inner),
            tab @ (Tab::Api | Tab::Yaml) => super::code_view::render(cx, e, tab, frame, inner),
            Tab::Problems => {
                let lines = index
                    .problems_of(e.entity)
                    .iter()
                    .map(|p| {
                        let slot =
                            if p.severity == crate::model::Severity::Error { Slot::Error } else { Slot::Warning };
                        Line::styled(clean(&p.to_string()).into_owned(), theme.style(slot))
                    })
                    .collect();
                scrolled(cx, e, frame, inner, lines, true);
            }
        },
    }
}

fn tab_title(index: &Index, e: &EntityScreen, tab: Tab) -> String {
    match tab {
        Tab::Relations => format!("Relations ({})", index.links(e.entity).len()),
        Tab::Problems => format!("Problems ({})", index.problems_of(e.entity).len()),
        Tab::Outline => outline_title(index.try_summary(e.entity).map_or("", |s| s.kind)).to_string(),
        other => other.title().to_string(),
    }
}

fn scrolled(cx: &ViewCx<'_>, e: &EntityScreen, frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>, wrap: bool) {
    let max = lines.len().saturating_sub(area.height as usize);
    e.max_scroll.set(max);
    let scroll = e.scroll.min(max) as u16;
    let mut p = Paragraph::new(lines).scroll((scroll, 0)).style(cx.theme.style(Slot::Base));
    if wrap {
        p = p.wrap(Wrap { trim: false });
    }
    frame.render_widget(p, area);
}

fn relations(cx: &ViewCx<'_>, index: &Index, e: &EntityScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let rels = index.relations(e.entity);
    if rels.is_empty() {
        frame.render_widget(Paragraph::new("no relations").style(theme.style(Slot::Dim)), area);
        return;
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let mut last_kind = "";
    for (i, r) in rels.iter().enumerate() {
        if r.kind != last_kind {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::styled(r.kind.to_string(), theme.style(Slot::Header)));
            last_kind = r.kind;
        }
        let selected = i == e.relations.selected;
        if selected {
            selected_line = lines.len();
        }
        let line = relation_line(theme, index, r, selected);
        lines.push(e.find.highlight(i, line, theme.style(Slot::Match)));
    }
    let height = area.height as usize;
    let offset = selected_line.saturating_sub(height.saturating_sub(2));
    frame.render_widget(Paragraph::new(lines).scroll((offset as u16, 0)), area);
}
