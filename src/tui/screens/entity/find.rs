//! `/` within an entity page's tabs (Overview, YAML, API, Relations, the
//! outline, Graph): the rows searched, exactly as drawn, and the keys. The matcher
//! and the highlighting are the Docs tab's ([`crate::docs::render::find_in`],
//! [`crate::tui::page_find`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use crate::docs::render::find_in;
use crate::index::Index;
use crate::index::graph_tree::render_text;
use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::{Ctx, Handled};
use crate::tui::draw::{ViewCx, clean};
use crate::tui::theme::{Slot, Theme};

use super::derive::{graph_lines, outline_lines};
use super::overview_view::overview_lines;
use super::structure_view::{outline_line, relation_line};
use super::{EntityScreen, Tab, code_view};

/// Whether `/` finds within `tab` (the Docs tab has its own page search).
pub fn findable(tab: Tab) -> bool {
    matches!(tab, Tab::Overview | Tab::Yaml | Tab::Api | Tab::Relations | Tab::Outline | Tab::Graph)
}

/// The text of each row of the current tab, as drawn: wrapped lines in
/// YAML and API, one row per selectable item elsewhere.
pub fn rows(index: &Index, page: &EntityScreen) -> Vec<String> {
    let theme = Theme::default();
    let text = |line: ratatui::text::Line<'_>| line.spans.iter().map(|s| s.content.as_ref()).collect::<String>();
    match page.current() {
        tab @ (Tab::Yaml | Tab::Api) => code_view::rows_shown(page, tab),
        Tab::Overview => match &page.body {
            Some(Ok(entity)) => {
                overview_lines(&theme, index, page, entity, page.text_width.get()).into_iter().map(text).collect()
            }
            _ => Vec::new(),
        },
        Tab::Relations => {
            index.relations(page.entity).iter().map(|r| text(relation_line(&theme, index, r, false))).collect()
        }
        Tab::Outline => outline_lines(index, page).iter().map(|l| text(outline_line(&theme, l, false))).collect(),
        Tab::Graph => render_text(index, &graph_lines(index, page)).iter().map(|t| clean(t).into_owned()).collect(),
        _ => Vec::new(),
    }
}

/// `/` and n/N in a findable tab: while the find line is open every action
/// is its own (enter finds, esc closes, arrows step); after, n/N step
/// through the matches and esc forgets them.
pub fn handle(page: &mut EntityScreen, action: Action, cx: &mut Ctx) -> Handled {
    let step = match action {
        Action::Filter if page.find.input.is_none() => {
            page.find.open();
            return Handled::Yes;
        }
        Action::Select if page.find.input.is_some() => {
            let term = page.find.input.as_ref().map(|i| i.text().to_string()).unwrap_or_default();
            let matches = find_in(&rows(cx.index(), page), &term);
            let from = match page.current() {
                Tab::Relations => page.relations.selected,
                Tab::Outline => page.outline.selected,
                Tab::Graph => page.graph.sel.selected,
                _ => page.scroll,
            };
            page.find.settle(matches, from);
            page.find_width = page.text_width.get();
            0
        }
        Action::Back if page.find.input.is_some() => {
            page.find.input = None;
            return Handled::Yes;
        }
        Action::ClearQuery if let Some(input) = page.find.input.as_mut() => {
            input.clear();
            return Handled::Yes;
        }
        Action::MoveDown if page.find.input.is_some() => 1,
        Action::MoveUp if page.find.input.is_some() => -1,
        _ if page.find.input.is_some() => return Handled::Yes,
        Action::SearchNext if !page.find.term.is_empty() => 1,
        Action::SearchPrev if !page.find.term.is_empty() => -1,
        Action::SearchNext | Action::SearchPrev => {
            cx.flash("/ finds in this tab, then n/N step", Level::Info);
            return Handled::Yes;
        }
        Action::Back if !page.find.term.is_empty() => {
            page.find.clear();
            return Handled::Yes;
        }
        _ => return Handled::No,
    };
    page.find.step(step);
    if let Some(row) = page.find.row() {
        let index = cx.index();
        match page.current() {
            Tab::Relations => page.relations.set(row, index.relations(page.entity).len()),
            Tab::Outline => page.outline.set(row, outline_lines(index, page).len()),
            Tab::Graph => page.graph.sel.set(row, graph_lines(index, page).len()),
            _ => page.scroll = row.saturating_sub(2),
        }
    }
    let level = if page.find.matches.is_empty() { Level::Warning } else { Level::Info };
    cx.flash(page.find.summary(), level);
    Handled::Yes
}

/// Draws the find line (while typing) or its result on the last row of
/// `area`; returns the rest.
pub fn status(cx: &ViewCx<'_>, e: &EntityScreen, frame: &mut Frame, area: Rect) -> Rect {
    if e.find.input.is_none() && e.find.term.is_empty() {
        return area;
    }
    let [rest, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let theme = &cx.theme;
    if let Some(input) = &e.find.input {
        let [prompt, text] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(status);
        frame.render_widget(Paragraph::new("/ ").style(theme.style(Slot::KeyHint)), prompt);
        frame.render_widget(&input.widget(theme.style(Slot::Input), theme.style(Slot::Dim), true), text);
    } else {
        let found = if e.find.matches.is_empty() {
            "no match".to_string()
        } else {
            format!("{}/{}", e.find.at + 1, e.find.matches.len())
        };
        let text = format!(" /{} {found} · n/N next/previous · esc clears", clean(&e.find.term));
        frame.render_widget(Paragraph::new(text).style(theme.style(Slot::Match)), status);
    }
    rest
}
