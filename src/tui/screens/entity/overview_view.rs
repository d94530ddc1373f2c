//! The overview tab's lines: the entity's fields in a label column, then
//! its annotations, wrapped to the tab's width. `/` finds in the same text.

use ratatui::text::{Line, Span};

use crate::index::Index;
use crate::model::Entity;
use crate::model::layout::width as text_width;
use crate::tui::draw::{clean, wrap};
use crate::tui::theme::{Slot, Theme};

use super::EntityScreen;
use super::derive::overview;

/// Widest label that shares the label column on the overview.
const LABEL_COLUMN: usize = 14;

/// The overview of `entity` (shown on page `e`), wrapped to `width`.
pub fn overview_lines(
    theme: &Theme,
    index: &Index,
    e: &EntityScreen,
    entity: &Entity,
    width: u16,
) -> Vec<Line<'static>> {
    let summary = index.try_summary(e.entity);
    let owner = summary.and_then(|s| s.owner);
    let system = summary.and_then(|s| s.system);
    let rows = overview(entity, owner, system);
    // Labels up to LABEL_COLUMN wide share a column; longer ones
    // (labels with prefixes) get a line of their own.
    let label_width = rows.fields.iter().map(|(k, _)| text_width(k)).filter(|w| *w <= LABEL_COLUMN).max().unwrap_or(8);
    let value_width = usize::from(width).saturating_sub(label_width + 2).max(10);
    let mut lines: Vec<Line> = Vec::new();
    for (k, v) in &rows.fields {
        let label = clean(k);
        let own_line = text_width(&label) > label_width;
        if own_line {
            lines.push(Line::styled(label.clone().into_owned(), theme.style(Slot::Dim)));
        }
        let value = clean(v);
        for (n, part) in textwrap::wrap(&value, value_width).into_iter().enumerate() {
            let shown = if n == 0 && !own_line { label.as_ref() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{shown:<label_width$}  "), theme.style(Slot::Dim)),
                Span::styled(part.into_owned(), theme.style(Slot::Base)),
            ]));
        }
    }
    if !rows.annotations.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Annotations", theme.style(Slot::Header)));
    }
    for (k, v) in &rows.annotations {
        lines.push(Line::styled(clean(k).into_owned(), theme.style(Slot::Dim)));
        for part in wrap(&format!("  {}", clean(v)), usize::from(width)) {
            lines.push(Line::styled(part, theme.style(Slot::Base)));
        }
    }
    lines
}
