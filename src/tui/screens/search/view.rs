//! The search home: query line, ranked results, and a preview when wide.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::index::search::match_positions;
use crate::index::{Index, Rejected, SummaryRef};
use crate::model::layout::{fit, truncate, width};

use crate::tui::draw::ViewCx;

use super::super::rejected::view::header as rejected_header;
use super::{SearchFocus, SearchScreen};
use crate::tui::draw::{clean, highlighted};
use crate::tui::theme::Slot;

/// Terminals at least this wide show the preview pane.
pub const PREVIEW_MIN_WIDTH: u16 = 110;

/// Draws the search screen.
pub fn render(cx: &ViewCx<'_>, s: &SearchScreen, frame: &mut Frame, area: Rect) {
    let (list_area, preview) = if area.width >= PREVIEW_MIN_WIDTH {
        let [l, p] = Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(area);
        (l, Some(p))
    } else {
        (area, None)
    };
    let [query, results] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(list_area);
    query_line(cx, s, frame, query);
    result_rows(cx, s, frame, results);
    if let Some(p) = preview {
        preview_pane(cx, s, frame, p);
    }
}

fn query_line(cx: &ViewCx<'_>, s: &SearchScreen, frame: &mut Frame, area: Rect) {
    let index = cx.index();
    // While only the first screen is in, the rest is still being ranked.
    let more = if s.first_screen_only { "+…" } else { "" };
    let count = match cx.loaded {
        Some(_) if s.query.rejected => format!(" {} rejected ", s.rejected.len()),
        Some(_) => format!(" {}{more}/{} ", s.results.len(), index.len()),
        None => String::new(),
    };
    let [prompt, input, counter] =
        Layout::horizontal([Constraint::Length(2), Constraint::Min(1), Constraint::Length(width(&count) as u16)])
            .areas(area);
    let focused = s.focus == SearchFocus::Query && !cx.overlay_open;
    let prompt_style = if focused { cx.theme.style(Slot::BorderFocus) } else { cx.theme.style(Slot::Dim) };
    frame.render_widget(Paragraph::new("❯ ").style(prompt_style), prompt);
    let widget = s.input.widget(cx.theme.style(Slot::Input), cx.theme.style(Slot::Dim), focused);
    frame.render_widget(&widget, input);
    frame.render_widget(Paragraph::new(count).style(cx.theme.style(Slot::Dim)), counter);
}

fn result_rows(cx: &ViewCx<'_>, s: &SearchScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    // The query's unknown facets head the results, each with its
    // did-you-mean.
    let hints = (s.hints.len() as u16).min(area.height / 2);
    let [header, area] = Layout::vertical([Constraint::Length(hints), Constraint::Min(0)]).areas(area);
    if hints > 0 {
        let lines: Vec<Line> = s.hints.iter().map(|h| Line::raw(clean(&h.to_string()).into_owned())).collect();
        frame.render_widget(Paragraph::new(lines).style(theme.style(Slot::Warning)), header);
    }
    let message = if let Some(e) = cx.load_error {
        Some(format!("cannot load the index: {e}"))
    } else if cx.loaded.is_none() {
        Some("loading the index…".to_string())
    } else if s.query.rejected && s.rejected.is_empty() {
        Some("no rejected entities: the catalog would store every entity read".to_string())
    } else if s.query.rejected {
        None
    } else if s.results.is_empty() && !s.query.text.is_empty() || s.results.is_empty() && !s.query.facets.is_empty() {
        Some("no matches".to_string())
    } else if s.results.is_empty() {
        Some("the index is empty: run :sync".to_string())
    } else {
        None
    };
    if let Some(m) = message {
        frame.render_widget(
            Paragraph::new(clean(&m).into_owned()).style(theme.style(Slot::Dim)).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let index = cx.index();
    let height = area.height as usize;
    let window = s.sel.window(height, s.row_count());
    let focused = s.focus == SearchFocus::Results && !cx.overlay_open;
    let lines: Vec<Line> = window
        .map(|row| {
            let selected = row == s.sel.selected;
            let base = if selected {
                theme.style(if focused { Slot::Selected } else { Slot::SelectedInactive })
            } else {
                theme.style(Slot::Base)
            };
            if s.query.rejected {
                return rejected_line(cx, &s.rejected[row], area.width as usize, base, selected);
            }
            let hit = s.results[row];
            result_line(cx, index, &index.summary(hit.entity), &s.query.text, area.width as usize, base, selected)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// `ns/name`, or just `name` in the default namespace.
pub fn short_name(s: &SummaryRef<'_>) -> String {
    if s.namespace.eq_ignore_ascii_case("default") { s.name.to_string() } else { format!("{}/{}", s.namespace, s.name) }
}

fn result_line(
    cx: &ViewCx<'_>,
    _index: &Index,
    s: &SummaryRef<'_>,
    query: &str,
    width_total: usize,
    base: Style,
    selected: bool,
) -> Line<'static> {
    let theme = &cx.theme;
    let star = if cx.starred.contains(&crate::model::EntityRef::new(s.kind, s.namespace, s.name).canonical()) {
        "★"
    } else {
        " "
    };
    let kind_style = if selected { base } else { theme.kind_style(s.kind) };
    let match_style = base.patch(theme.style(Slot::Match));
    let dim = if selected { base } else { theme.style(Slot::Dim) };
    let name = truncate(&clean(&short_name(s)), (width_total / 3).max(12));
    let title = truncate(&clean(s.title.unwrap_or("")), (width_total / 4).max(8));
    let owner = s.owner.map(|o| o.split_once(':').map_or(o, |(_, r)| r)).unwrap_or("");
    let owner = owner.strip_prefix("default/").unwrap_or(owner);
    let mut spans = vec![
        Span::styled(star.to_string(), base.patch(theme.style(Slot::Warning))),
        Span::styled(fit(&s.kind.to_lowercase(), 10), kind_style),
        Span::styled(" ", base),
    ];
    spans.extend(highlighted(&name, &match_positions(query, &name), base, match_style));
    if !title.is_empty() {
        spans.push(Span::styled("  ", base));
        spans.extend(highlighted(&title, &match_positions(query, &title), base, match_style));
    }
    if !owner.is_empty() {
        spans.push(Span::styled(format!("  · {}", clean(owner)), dim));
    }
    let used: usize = spans.iter().map(|sp| width(&sp.content)).sum();
    let rest = width_total.saturating_sub(used + 2);
    if let Some(d) = s.description
        && rest > 8
    {
        spans.push(Span::styled(format!("  {}", truncate(&clean(d), rest)), dim));
    }
    let used: usize = spans.iter().map(|sp| width(&sp.content)).sum();
    spans.push(Span::styled(" ".repeat(width_total.saturating_sub(used)), base));
    Line::from(spans)
}

/// A rejected entity's row: a red `REJECTED` in the kind column, its
/// ref, then its reason.
fn rejected_line(cx: &ViewCx<'_>, r: &Rejected, width_total: usize, base: Style, selected: bool) -> Line<'static> {
    let theme = &cx.theme;
    let marker = if selected { base } else { theme.style(Slot::Error) };
    let dim = if selected { base } else { theme.style(Slot::Dim) };
    let name = truncate(&clean(&r.entity_ref), (width_total / 2).max(12));
    let mut spans = vec![
        Span::styled(" ", base),
        Span::styled(fit("REJECTED", 10), marker.add_modifier(Modifier::BOLD)),
        Span::styled(" ", base),
        Span::styled(name, base),
    ];
    let used: usize = spans.iter().map(|sp| width(&sp.content)).sum();
    let rest = width_total.saturating_sub(used + 2);
    if rest > 8 {
        spans.push(Span::styled(format!("  {}", truncate(&clean(&r.reason), rest)), dim));
    }
    let used: usize = spans.iter().map(|sp| width(&sp.content)).sum();
    spans.push(Span::styled(" ".repeat(width_total.saturating_sub(used)), base));
    Line::from(spans)
}

fn preview_pane(cx: &ViewCx<'_>, s: &SearchScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let block = Block::bordered()
        .title(" preview ")
        .border_style(theme.style(Slot::Border))
        .title_style(theme.style(Slot::Title));
    if s.query.rejected {
        let lines = s.selected_rejected().map(|r| {
            let mut lines = vec![Line::styled(clean(&r.entity_ref).into_owned(), theme.style(Slot::Title))];
            lines.extend(rejected_header(theme, r, area.width.saturating_sub(2)));
            lines
        });
        frame.render_widget(Paragraph::new(lines.unwrap_or_default()).block(block).wrap(Wrap { trim: false }), area);
        return;
    }
    let Some(i) = s.selected() else {
        frame.render_widget(block, area);
        return;
    };
    let index = cx.index();
    let e = index.summary(i);
    let mut lines = vec![
        Line::styled(clean(index.ref_of(i)).into_owned(), theme.style(Slot::Title)),
        Line::from(vec![
            Span::styled(e.kind.to_string(), theme.kind_style(e.kind)),
            Span::styled(
                [e.spec_type, e.lifecycle].iter().flatten().map(|v| format!(" · {}", clean(v))).collect::<String>(),
                theme.style(Slot::Dim),
            ),
        ]),
    ];
    if let Some(t) = e.title {
        lines.push(Line::styled(clean(t).into_owned(), theme.style(Slot::Base)));
    }
    lines.push(Line::default());
    for (label, value) in [("owner", e.owner), ("system", e.system)] {
        if let Some(v) = value {
            let exists = index.find(v).is_some();
            let style = if exists { theme.style(Slot::Link) } else { theme.style(Slot::Warning) };
            let note = if exists { "" } else { "  (missing)" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<8}"), theme.style(Slot::Dim)),
                Span::styled(format!("{}{note}", clean(v)), style),
            ]));
        }
    }
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| format!("#{}", clean(t))).collect();
        lines.push(Line::from(vec![Span::styled("tags    ", theme.style(Slot::Dim)), Span::raw(tags.join(" "))]));
    }
    if let Some(d) = e.description {
        lines.push(Line::default());
        lines.push(Line::styled(clean(d).into_owned(), theme.style(Slot::Base)));
    }
    let rels = index.relations(i);
    if !rels.is_empty() {
        lines.push(Line::default());
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for r in &rels {
            match counts.iter_mut().find(|(k, _)| *k == r.kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((r.kind, 1)),
            }
        }
        for (kind, n) in counts {
            lines.push(Line::from(vec![
                Span::styled(format!("{kind:<14}"), theme.style(Slot::Dim)),
                Span::raw(n.to_string()),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}
