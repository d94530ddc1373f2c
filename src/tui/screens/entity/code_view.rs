//! The YAML and API tabs: text wrapped to the page (as before), with
//! syntax highlighting in colour themes. Only the lines on screen (and
//! those before them) are highlighted, once: the page keeps them.

use std::cell::RefCell;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::docs::render::find_in;
use crate::docs::render::highlight::{Lazy, restyle};
use crate::model::sanitize;
use crate::tui::draw::ViewCx;
use crate::tui::theme::Slot;

use super::{EntityScreen, Tab};
use crate::tui::draw::wrap;
use crate::tui::syntax_colors::syntax_styles;

/// Lines highlighted beyond what is done before a jump starts afresh
/// near the view instead (highlighting is sequential: reaching the end of
/// a 40,000-line definition from the top would take seconds).
const MAX_AHEAD: usize = 2000;

/// Lines above the view a fresh start begins at, so the highlighter's
/// state has settled (in all but very long block scalars) by the view.
const LEAD: usize = 200;

/// Highlighted lines of one tab, kept across frames.
#[derive(Debug)]
pub struct TabHighlight {
    /// The tab.
    tab: Tab,
    /// Where the code starts among the tab's lines.
    offset: usize,
    /// The highlighter, holding what it did.
    lazy: Lazy,
}

/// The page's highlighting cache (one tab at a time; emptied when the
/// body is (re)loaded). It holds categories, not colours, so it survives
/// a theme switch.
pub type HighlightCache = RefCell<Option<TabHighlight>>;

/// The language of the tab's code: YAML, or the API definition's.
fn language(e: &EntityScreen, tab: Tab) -> &'static str {
    if tab == Tab::Yaml {
        return "yaml";
    }
    let spec_type = match &e.body {
        Some(Ok(entity)) => entity.spec_type().unwrap_or("").to_ascii_lowercase(),
        _ => String::new(),
    };
    let code = e.api.iter().position(|l| l == "── definition ──").map_or(0, |i| i + 1);
    let json =
        e.api[code..].iter().find(|l| !l.trim().is_empty()).is_some_and(|l| l.trim_start().starts_with(['{', '[']));
    match spec_type.as_str() {
        "graphql" => "graphql",
        "grpc" => "proto",
        "openapi" | "asyncapi" if json => "json",
        _ => "yaml",
    }
}

/// The tab's source lines, sanitized.
fn clean_lines(e: &EntityScreen, tab: Tab) -> Vec<String> {
    let source: Vec<&str> = match tab {
        Tab::Api => e.api.iter().map(String::as_str).collect(),
        _ => e.yaml.lines().collect(),
    };
    source.iter().map(|l| sanitize::text(l).replace('\t', "    ")).collect()
}

/// Every row of `clean` wrapped to `width`: (source line, its text as
/// shown, its extra indent).
fn wrapped(clean: &[String], width: u16) -> Vec<(usize, String, usize)> {
    let mut rows = Vec::new();
    for (n, line) in clean.iter().enumerate() {
        let indent = line.chars().take_while(|c| *c == ' ').count() + 2;
        for (k, piece) in wrap(line, usize::from(width)).into_iter().enumerate() {
            rows.push((n, piece, if k == 0 { 0 } else { indent }));
        }
    }
    rows
}

/// The rows of the YAML or API tab as last drawn, for `/` to search (a
/// match cut by a wrap is not found).
pub fn rows_shown(e: &EntityScreen, tab: Tab) -> Vec<String> {
    wrapped(&clean_lines(e, tab), e.text_width.get()).into_iter().map(|(_, text, _)| text).collect()
}

/// Draws the YAML or API tab of `e`, scrolled, with the find line or what
/// it found on the last row.
pub fn render(cx: &ViewCx<'_>, e: &EntityScreen, tab: Tab, frame: &mut Frame, area: Rect) {
    e.text_width.set(area.width);
    let clean = clean_lines(e, tab);
    let rows = wrapped(&clean, area.width);
    // Rows wrapped at another width than the find saw: find them again.
    let refound = (e.find_width != area.width && !e.find.term.is_empty())
        .then(|| find_in(&rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), &e.find.term));
    let matches = refound.as_deref().unwrap_or(&e.find.matches);
    let height = area.height as usize;
    let max = rows.len().saturating_sub(height);
    e.max_scroll.set(max);
    let scroll = e.scroll.min(max);
    let shown = &rows[scroll..(scroll + height).min(rows.len())];
    let styles = syntax_styles(cx.theme);
    let mut cache = e.highlight.borrow_mut();
    if styles.is_some()
        && let (Some(first), Some(last)) = (shown.first().map(|r| r.0), shown.last().map(|r| r.0))
    {
        let code_start = if tab == Tab::Api {
            clean.iter().position(|l| l == "── definition ──").map_or(0, |i| i + 1)
        } else {
            0
        };
        let stale = cache.as_ref().is_none_or(|c| {
            c.tab != tab
                || (first < c.offset && c.offset > code_start)
                || last >= c.offset + c.lazy.highlighted() + MAX_AHEAD
        });
        if stale {
            let offset =
                if last < code_start + MAX_AHEAD { code_start } else { first.saturating_sub(LEAD).max(code_start) };
            *cache =
                Lazy::new(language(e, tab), clean[offset..].to_vec()).map(|lazy| TabHighlight { tab, offset, lazy });
        }
        if let Some(h) = cache.as_mut() {
            h.lazy.ensure((last + 1).saturating_sub(h.offset));
        }
    }
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .map(|(k, (n, piece, indent))| {
            let pieces = styles.zip(cache.as_ref()).and_then(|(styles, h)| {
                let line = h.lazy.line(n.checked_sub(h.offset)?)?;
                // Where this row starts in its line: after the rows before it.
                let mut cursor = 0;
                let mut first_row = scroll + k;
                while first_row > 0 && rows[first_row - 1].0 == *n {
                    first_row -= 1;
                }
                for (_, before, before_indent) in &rows[first_row..scroll + k] {
                    restyle(line, before, *before_indent, &mut cursor, &styles);
                }
                Some(restyle(line, piece, *indent, &mut cursor, &styles))
            });
            let line = match pieces {
                Some(spans) => Line::from(spans.into_iter().map(|(s, t)| Span::styled(t, s)).collect::<Vec<_>>()),
                None => Line::raw(piece.clone()),
            };
            e.find.highlight_among(matches, scroll + k, line, cx.theme.style(Slot::Match))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).style(cx.theme.style(Slot::Base)), area);
}
