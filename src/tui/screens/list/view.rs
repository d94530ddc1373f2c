//! Tables: entity lists (by kind, starred) and the problems view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::model::Severity;
use crate::model::layout::{truncate, width};

use crate::tui::draw::ViewCx;
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

/// Draws the problems table.
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
        let text = if index.problems.is_empty() { "no problems: the catalog is clean" } else { "no matches" };
        frame.render_widget(Paragraph::new(text).style(theme.style(Slot::Dim)), table_area);
        return;
    }
    let [table_area, detail] = Layout::vertical([Constraint::Min(0), Constraint::Length(2)]).areas(table_area);
    let height = table_area.height.saturating_sub(1) as usize;
    let window = p.sel.window(height, p.shown.len());
    let rows: Vec<Row> = window
        .map(|row| {
            let problem = &index.problems[p.shown[row]];
            let (slot, label) = match problem.severity {
                Severity::Error => (Slot::Error, "error"),
                Severity::Warning => (Slot::Warning, "warn"),
            };
            let location = problem.location();
            let file = location.rsplit('/').next().unwrap_or(&location).to_string();
            let style = if row == p.sel.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
            Row::new([
                Cell::from(label).style(if row == p.sel.selected { style } else { theme.style(slot) }),
                Cell::from(clean(&file).into_owned()),
                Cell::from(clean(problem.entity.as_deref().unwrap_or("")).into_owned()),
                Cell::from(clean(&problem.message).into_owned()),
            ])
            .style(style)
        })
        .collect();
    let header = Row::new(["SEV", "FILE:LINE", "ENTITY", "MESSAGE"]).style(theme.style(Slot::Header));
    let widths = [Constraint::Length(5), Constraint::Fill(1), Constraint::Fill(1), Constraint::Fill(3)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), table_area);
    if let Some(problem) = p.shown.get(p.sel.selected).map(|&i| &index.problems[i]) {
        let lines = vec![
            Line::from(Span::styled(clean(&problem.location()).into_owned(), theme.style(Slot::Dim))),
            Line::from(Span::styled(clean(&problem.message).into_owned(), theme.style(Slot::Base))),
        ];
        frame.render_widget(Paragraph::new(lines), detail);
    }
}

/// Draws the health findings table.
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
    let height = inner.height.saturating_sub(1) as usize;
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
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
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
