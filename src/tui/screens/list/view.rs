//! Tables: entity lists (by kind, starred) and the problems view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::model::Severity;
use crate::model::layout::{truncate, width};

use crate::tui::draw::{ViewCx, tail};
use crate::tui::input::LineInput;
use crate::tui::screens::selection::Selection;

use super::health::HealthScreen;
use super::problems::ProblemsScreen;
use super::{Column, ListScreen};
use crate::tui::draw::clean;
use crate::tui::theme::Slot;

/// Rows looked at to size columns (enough for a screen, cheap at any size).
const SIZE_SAMPLE: usize = 2000;

/// Column widths from their content: each column as wide as its longest
/// value (within a cap), the title taking what is left.
fn widths(l: &ListScreen, index: &crate::index::Index, total: u16) -> Vec<u16> {
    let mut widths: Vec<u16> = l
        .columns
        .iter()
        .map(|c| {
            let cap = match c {
                Column::Name => 40,
                Column::Owner => 24,
                Column::Title => 0,
                _ => 16,
            };
            let longest =
                l.shown.iter().take(SIZE_SAMPLE).map(|&e| width(c.value(index.summary(e)))).max().unwrap_or(0);
            (longest + usize::from(*c == Column::Name) * 2).max(c.label().len() + 2).min(cap) as u16
        })
        .collect();
    let used: u16 = widths.iter().sum::<u16>() + widths.len() as u16;
    let rest = total.saturating_sub(used);
    if let Some(p) = l.columns.iter().position(|c| *c == Column::Title) {
        widths[p] = rest.max(10);
    }
    // Too narrow: shrink the widest columns until everything fits.
    while widths.iter().sum::<u16>() + widths.len() as u16 > total && widths.iter().any(|w| *w > 8) {
        if let Some(max) = widths.iter_mut().max() {
            *max -= 1;
        }
    }
    widths
}

fn with_filter(cx: &ViewCx<'_>, area: Rect, filter: &LineInput, filtering: bool, frame: &mut Frame) -> Rect {
    if !filtering && filter.text().is_empty() {
        return area;
    }
    let [table, line] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let [prompt, input] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(line);
    frame.render_widget(Paragraph::new("/ ").style(cx.theme.style(Slot::KeyHint)), prompt);
    let widget = filter.widget(cx.theme.style(Slot::Input), cx.theme.style(Slot::Dim), filtering);
    frame.render_widget(&widget, input);
    table
}

/// Draws an entity table.
pub fn render(cx: &ViewCx<'_>, l: &ListScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let index = cx.index();
    let block = Block::bordered()
        .title(format!(" {} ({}) ", clean(&l.title), l.shown.len()))
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let table_area = with_filter(cx, inner, &l.filter, l.filtering, frame);
    let header = Row::new(l.columns.iter().enumerate().map(|(i, c)| {
        let arrow = if i == l.sort.0 { if l.sort.1 { " ▼" } else { " ▲" } } else { "" };
        Cell::from(format!("{}{arrow}", c.label()))
    }))
    .style(theme.style(Slot::Header));
    let height = table_area.height.saturating_sub(1) as usize;
    let window = l.sel.window(height, l.shown.len());
    let column_widths = widths(l, index, table_area.width);
    let rows: Vec<Row> = window
        .map(|row| {
            let s = index.summary(l.shown[row]);
            let star = cx.starred.contains(index.ref_of(l.shown[row]));
            let style = if row == l.sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            Row::new(l.columns.iter().zip(&column_widths).map(|(c, w)| {
                let mut text = clean(c.value(s)).into_owned();
                if *c == Column::Name && star {
                    text = format!("★ {text}");
                }
                let text = truncate(&text, *w as usize);
                match c {
                    Column::Kind if row != l.sel.selected => Cell::from(text).style(theme.kind_style(s.kind)),
                    _ => Cell::from(text),
                }
            }))
            .style(style)
        })
        .collect();
    if l.shown.is_empty() {
        let text = if l.filter.text().is_empty() { "nothing here" } else { "no matches" };
        frame.render_widget(Paragraph::new(text).style(theme.style(Slot::Dim)), table_area);
        return;
    }
    let constraints: Vec<Constraint> = column_widths.iter().map(|w| Constraint::Length(*w)).collect();
    frame.render_widget(Table::new(rows, constraints).header(header).column_spacing(1), table_area);
}

/// Draws the problems table: the file's tail with its line always shown,
/// and the selected problem's place and whole message, wrapped, below.
pub fn render_problems(cx: &ViewCx<'_>, p: &ProblemsScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let index = cx.index();
    let block = Block::bordered()
        .title(format!(" problems ({}) ", p.shown.len()))
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let table_area = with_filter(cx, inner, &p.filter, p.filtering, frame);
    if p.shown.is_empty() {
        let text = if p.total(index) == 0 { "no problems: the catalog is clean" } else { "no matches" };
        frame.render_widget(Paragraph::new(text).style(theme.style(Slot::Dim)), table_area);
        return;
    }
    let selected = p.selected(index);
    let detail_lines = selected.map_or(Vec::new(), |problem| {
        detail(cx, table_area.width, &problem.location(), problem.entity.as_deref(), &problem.message)
    });
    let detail_height = detail_height(&detail_lines, table_area);
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_height)]).areas(table_area);
    let place_width = (table_area.width / 3).clamp(12, 40);
    let height = table_area.height.saturating_sub(1) as usize;
    let window = p.sel.window(height, p.shown.len());
    let rows: Vec<Row> = window
        .filter_map(|row| Some((row, p.get(index, p.shown[row])?)))
        .map(|(row, problem)| {
            let (slot, label) = match problem.severity {
                Severity::Error => (Slot::Error, "error"),
                Severity::Warning => (Slot::Warning, "warn"),
            };
            let place = tail(&clean(&problem.location()), usize::from(place_width));
            let style = if row == p.sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            Row::new([
                Cell::from(label).style(if row == p.sel.selected { style } else { theme.style(slot) }),
                Cell::from(place),
                Cell::from(clean(problem.entity.as_deref().unwrap_or("")).into_owned()),
                Cell::from(clean(&problem.message).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(["SEV", "FILE:LINE", "ENTITY", "MESSAGE"]).style(theme.style(Slot::Header));
    let widths = [Constraint::Length(5), Constraint::Length(place_width), Constraint::Fill(1), Constraint::Fill(2)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table_area);
    frame.render_widget(Paragraph::new(detail_lines).wrap(Wrap { trim: false }), detail_area);
}

/// The detail of a selected row: its place (cut from the left, so the
/// file name and line stay) and entity, dim, then its whole message.
fn detail(cx: &ViewCx<'_>, columns: u16, place: &str, entity: Option<&str>, message: &str) -> Vec<Line<'static>> {
    let theme = &cx.theme;
    let mut lines = Vec::new();
    for part in [place, entity.unwrap_or("")].into_iter().filter(|p| !p.is_empty()) {
        lines.push(Line::styled(tail(&clean(part), usize::from(columns)), theme.style(Slot::Dim)));
    }
    lines.push(Line::styled(clean(message).into_owned(), theme.style(Slot::Base)));
    lines
}

/// Rows the wrapped detail needs, at most half of `area`.
fn detail_height(lines: &[Line<'_>], area: Rect) -> u16 {
    let columns = usize::from(area.width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(columns)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX).min(area.height / 2)
}

/// Draws the health findings table, and the selected finding's entity
/// place and whole message, wrapped, below.
pub fn render_health(cx: &ViewCx<'_>, h: &HealthScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let block = Block::bordered()
        .title(format!(" health ({} issues) ", h.issues.len()))
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if h.issues.is_empty() {
        frame.render_widget(
            Paragraph::new("healthy: no orphans, dangling refs, mismatches or cycles").style(theme.style(Slot::Ok)),
            inner,
        );
        return;
    }
    let index = cx.index();
    let detail_lines = h.issues.get(h.sel.selected).map_or(Vec::new(), |issue| {
        let place = index
            .try_summary(issue.entity)
            .and_then(|_| index.origin(issue.entity))
            .map_or_else(String::new, |(file, line)| format!("{file}:{line}"));
        detail(cx, inner.width, &place, Some(&issue.entity_ref), &issue.message)
    });
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_height(&detail_lines, inner))]).areas(inner);
    let height = table_area.height.saturating_sub(1) as usize;
    let window = h.sel.window(height, h.issues.len());
    let rows: Vec<Row> = window
        .map(|row| {
            let issue = &h.issues[row];
            let style = if row == h.sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            let label_style = if row == h.sel.selected { style } else { theme.style(Slot::Warning) };
            Row::new([
                Cell::from(issue.kind.label()).style(label_style),
                Cell::from(clean(&issue.entity_ref).into_owned()),
                Cell::from(clean(&issue.message).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(["ISSUE", "ENTITY", "DETAIL"]).style(theme.style(Slot::Header));
    let widths = [Constraint::Length(17), Constraint::Fill(2), Constraint::Fill(3)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table_area);
    frame.render_widget(Paragraph::new(detail_lines).wrap(Wrap { trim: false }), detail_area);
}

/// Draws the sources table: name, kind, target, entities, last sync, result.
pub fn render_sources(cx: &ViewCx<'_>, sel: &Selection, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let sources = &cx.index().sources;
    let block = Block::bordered()
        .title(format!(" sources ({}) · enter syncs one ", sources.len()))
        .title_style(theme.style(Slot::Title))
        .border_style(theme.style(Slot::BorderFocus));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let window = sel.window(inner.height.saturating_sub(1) as usize, sources.len());
    let rows: Vec<Row> = window
        .map(|row| {
            let s = &sources[row];
            let style = if row == sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            let synced = s.last_success.map_or_else(|| "never".to_string(), |t| crate::index::age(t, cx.now));
            let (result, slot) = match &s.last_error {
                Some(e) => (format!("failed {}: {e}", crate::index::age(s.last_attempt, cx.now)), Slot::Error),
                None => ("ok".to_string(), Slot::Ok),
            };
            let result_style = if row == sel.selected { style } else { theme.style(slot) };
            Row::new([
                Cell::from(clean(&s.name).into_owned()),
                Cell::from(s.kind.clone()),
                Cell::from(clean(&s.target).into_owned()),
                Cell::from(s.entities.to_string()),
                Cell::from(synced),
                Cell::from(clean(&result).into_owned()).style(result_style),
            ])
            .style(style)
        })
        .collect();
    let header =
        Row::new(["NAME", "KIND", "TARGET", "ENTITIES", "SYNCED", "LAST RESULT"]).style(theme.style(Slot::Header));
    let widths = [
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Fill(2),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Fill(2),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
}
