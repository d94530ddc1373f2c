//! The Docs tab (nav tree, page, TOC, search line, status) and the
//! `:docs-search` results. Pages arrive rendered (and sanitized) from
//! effects; this only slices, highlights and draws them.

use crate::tui::plugins::hyperlink;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::draw::ViewCx;
use crate::tui::page_find::{mark_matches, patch_columns};
use crate::tui::screens::entity::EntityScreen;

use super::{DocsSearchScreen, DocsView, Focus, NavRowKind, Status, content_width, doc_theme, nav_width};
use crate::tui::draw::clean;
use crate::tui::theme::Slot;

/// Draws the Docs tab inside the entity page's frame.
pub fn render(cx: &ViewCx<'_>, e: &EntityScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let Some(view) = e.docs.as_deref() else {
        frame.render_widget(Paragraph::new("loading…").style(theme.style(Slot::Dim)), area);
        return;
    };
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let side_width = nav_width(cx.size.0, view.show_nav);
    let (side, content) = if view.focus != Focus::Content && side_width == 0 {
        // Narrow screens: the nav or TOC takes the whole page area.
        (Some(main), None)
    } else if side_width > 0 {
        let [s, c] = Layout::horizontal([Constraint::Length(side_width), Constraint::Min(1)]).areas(main);
        (Some(s), Some(c))
    } else {
        (None, Some(main))
    };
    if let Some(side) = side {
        let block = Block::new().borders(Borders::RIGHT).border_style(theme.style(Slot::Border));
        let inner = if content.is_some() { block.inner(side) } else { side };
        if content.is_some() {
            frame.render_widget(block, side);
        }
        if view.focus == Focus::Toc {
            toc(cx, view, frame, inner);
        } else {
            nav(cx, view, frame, inner);
        }
    }
    if let Some(content) = content {
        let page_area = Rect { x: content.x + 1, width: content.width.saturating_sub(1), ..content };
        page(cx, view, frame, page_area);
    }
    status_line(cx, view, frame, status);
}

fn nav(cx: &ViewCx<'_>, view: &DocsView, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let Some(docs) = view.docs() else { return };
    let rows = view.nav_rows();
    let focused = view.focus == Focus::Nav;
    let mut lines = vec![Line::styled(clean(&docs.site.title).into_owned(), theme.style(Slot::Title))];
    let height = area.height.saturating_sub(1) as usize;
    for i in view.nav.window(height, rows.len()) {
        let row = &rows[i];
        let indent = "  ".repeat(row.depth);
        let (mark, style) = match &row.kind {
            NavRowKind::Page(p) if *p == view.page => ("• ", theme.style(Slot::Title)),
            NavRowKind::Page(_) => ("  ", theme.style(Slot::Base)),
            NavRowKind::Section(true) => ("▸ ", theme.style(Slot::Header)),
            NavRowKind::Section(false) => ("▾ ", theme.style(Slot::Header)),
            NavRowKind::External(_) => ("↗ ", theme.style(Slot::Link)),
        };
        let style = if focused && i == view.nav.selected { theme.style(Slot::Selected) } else { style };
        lines.push(Line::styled(format!("{indent}{mark}{}", clean(&row.title)), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn toc(cx: &ViewCx<'_>, view: &DocsView, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let cw = content_width(cx.size.0, view.show_nav);
    let Some(rendered) = view.any_rendering(cw) else { return };
    let mut lines = vec![Line::styled("Contents", theme.style(Slot::Title))];
    let height = area.height.saturating_sub(1) as usize;
    for i in view.toc.window(height, rendered.headings.len()) {
        let h = &rendered.headings[i];
        let indent = "  ".repeat(usize::from(h.level.saturating_sub(1)));
        let style = if i == view.toc.selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        lines.push(Line::styled(format!("{indent}{}", clean(&h.text)), style));
    }
    if rendered.headings.is_empty() {
        lines.push(Line::styled("(no headings)", theme.style(Slot::Dim)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn page(cx: &ViewCx<'_>, view: &DocsView, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let message = |text: String, slot: Slot| Paragraph::new(text).style(theme.style(slot)).wrap(Wrap { trim: true });
    match &view.status {
        Status::Idle | Status::Loading => {
            frame.render_widget(message("opening docs…".into(), Slot::Dim), area);
            return;
        }
        Status::Failed(e) => {
            frame.render_widget(message(clean(e).into_owned(), Slot::Error), area);
            return;
        }
        Status::Ready(_) => {}
    }
    if let Some(e) = &view.page_error {
        frame.render_widget(message(clean(e).into_owned(), Slot::Error), area);
        return;
    }
    let cw = content_width(cx.size.0, view.show_nav);
    let Some(rendered) = view.any_rendering(cw) else {
        frame.render_widget(message("rendering…".into(), Slot::Dim), area);
        return;
    };
    let height = area.height as usize;
    view.height.set(height);
    let max = rendered.lines.len().saturating_sub(height);
    view.max_scroll.set(max);
    let scroll = view.scroll.min(max);
    let styles = doc_theme(theme);
    let end = (scroll + height).min(rendered.lines.len());
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(height);
    for row in scroll..end {
        let mut line =
            mark_matches(rendered.lines[row].clone(), row, &view.matches, view.match_at, &view.term, styles.mark);
        if let Some(k) = view.link
            && let Some(link) = rendered.links.get(k)
        {
            for (l, start, stop) in &link.spots {
                if *l == row {
                    line = patch_columns(&line, usize::from(*start), usize::from(*stop), styles.link_selected);
                }
            }
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines).style(theme.style(Slot::Base)), area);
    if cx.hyperlinks
        && let Some(docs) = view.docs()
    {
        for link in &rendered.links {
            let crate::docs::site::LinkTarget::External(url) = docs.site.resolve_link(view.page, &link.target) else {
                continue;
            };
            for &(row, start, stop) in link.spots.iter().filter(|(row, _, _)| (scroll..end).contains(row)) {
                let y = area.y + (row - scroll) as u16;
                hyperlink::linkify(frame.buffer_mut(), y, area.x + start, area.x + stop, &url);
            }
        }
    }
}

fn status_line(cx: &ViewCx<'_>, view: &DocsView, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    if let Some(input) = &view.search_input {
        let [prompt, text] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(area);
        frame.render_widget(Paragraph::new("/ ").style(theme.style(Slot::KeyHint)), prompt);
        let widget = input.widget(theme.style(Slot::Input), theme.style(Slot::Dim), true);
        frame.render_widget(&widget, text);
        return;
    }
    let Some(docs) = view.docs() else { return };
    let pages = docs.site.pages.len();
    let title = docs.site.pages.get(view.page).map_or("", |p| p.title.as_str());
    let max = view.max_scroll.get();
    let pct = if max == 0 || max == usize::MAX { 100 } else { (view.scroll.min(max) * 100 / max).min(100) };
    let mut spans = vec![
        Span::styled(format!(" {}/{pages} ", view.page + 1), theme.style(Slot::TabActive)),
        Span::styled(format!(" {} ", clean(title)), theme.style(Slot::Title)),
        Span::styled(format!("{pct}% "), theme.style(Slot::Dim)),
    ];
    if !view.term.is_empty() {
        let found = if view.matches.is_empty() {
            "no match".to_string()
        } else {
            format!("{}/{}", view.match_at + 1, view.matches.len())
        };
        spans.push(Span::styled(format!(" /{} {found} ", clean(&view.term)), theme.style(Slot::Match)));
    }
    let hints = match view.focus {
        Focus::Content => " tab link · } { page · / search · T contents · m nav",
        Focus::Nav => " enter open · space fold · m back to page",
        Focus::Toc => " enter jump · T back to page",
    };
    spans.push(Span::styled(hints, theme.style(Slot::Dim)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Draws the `:docs-search` results.
pub fn render_search(cx: &ViewCx<'_>, s: &DocsSearchScreen, frame: &mut Frame, area: Rect) {
    let theme = &cx.theme;
    let index = cx.index();
    let title = match &s.hits {
        None => format!(" docs matching `{}`: searching… ", clean(&s.term)),
        Some(h) => format!(" docs matching `{}` ({} pages) ", clean(&s.term), h.len()),
    };
    let block =
        Block::bordered().title(title).title_style(theme.style(Slot::Title)).border_style(theme.style(Slot::Border));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(hits) = &s.hits else { return };
    if hits.is_empty() {
        frame.render_widget(Paragraph::new("no page matches").style(theme.style(Slot::Dim)), inner);
        return;
    }
    let per = 2usize;
    let shown = (inner.height as usize / per).max(1);
    let mut lines = Vec::new();
    for i in s.sel.window(shown, hits.len()) {
        let h = &hits[i];
        let selected = i == s.sel.selected;
        let base = if selected { theme.style(Slot::Selected) } else { theme.style(Slot::Base) };
        let entity = index.try_summary(h.entity).map_or_else(String::new, |s| s.name.to_string());
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<24} ", clean(&entity)),
                if selected { base } else { theme.style(Slot::KindComponent) },
            ),
            Span::styled(
                clean(&h.title).into_owned(),
                base.patch(Style::new().add_modifier(ratatui::style::Modifier::BOLD)),
            ),
            Span::styled(format!("  {}", clean(&h.path)), if selected { base } else { theme.style(Slot::Dim) }),
        ]));
        lines.push(Line::styled(format!("    {}", clean(&h.snippet)), theme.style(Slot::Dim)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
