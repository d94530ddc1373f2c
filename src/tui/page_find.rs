//! Finding text within a page: the entity page's `/` on its text tabs
//! (YAML, API) and the highlighting the Docs tab's page search shares.
//! The matcher is [`crate::docs::render::find_in`].

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::tui::input::LineInput;

/// A find in one page: the line being typed, the term in effect and its
/// matches (row, display column).
#[derive(Default)]
pub struct PageFind {
    /// The find line, while typing.
    pub input: Option<LineInput>,
    /// The term in effect.
    pub term: String,
    /// Where it was found: row and display column.
    pub matches: Vec<(usize, usize)>,
    /// The current match.
    pub at: usize,
}

impl PageFind {
    /// Opens the find line.
    pub fn open(&mut self) {
        self.input = Some(LineInput::new("find in this tab (enter, n/N)"));
    }

    /// Takes the typed term and its `matches`; the current one is the
    /// first at or after row `from`.
    pub fn settle(&mut self, matches: Vec<(usize, usize)>, from: usize) {
        self.term = self.input.take().map(|i| i.text().to_string()).unwrap_or_default();
        self.at = matches.iter().position(|(row, _)| *row >= from).unwrap_or(0);
        self.matches = matches;
    }

    /// Moves to the next (`by` 1) or previous (-1) match, wrapping.
    pub fn step(&mut self, by: isize) {
        let n = self.matches.len();
        if n > 0 {
            self.at = (self.at as isize + by).rem_euclid(n as isize) as usize;
        }
    }

    /// The row of the current match.
    pub fn row(&self) -> Option<usize> {
        self.matches.get(self.at).map(|(row, _)| *row)
    }

    /// Forgets the term and its matches.
    pub fn clear(&mut self) {
        *self = PageFind::default();
    }

    /// What the find found, for the status line.
    pub fn summary(&self) -> String {
        if self.matches.is_empty() {
            format!("`{}` is not in this tab", self.term)
        } else {
            format!("`{}`: match {} of {} (n/N)", self.term, self.at + 1, self.matches.len())
        }
    }

    /// `line` (row `row`) with the matches on it marked in `mark`, the
    /// current one bold as well.
    pub fn highlight(&self, row: usize, line: Line<'static>, mark: Style) -> Line<'static> {
        self.highlight_among(&self.matches, row, line, mark)
    }

    /// As [`Self::highlight`], with `matches` found again for rows that
    /// wrapped differently since (the terminal was resized).
    pub fn highlight_among(
        &self,
        matches: &[(usize, usize)],
        row: usize,
        line: Line<'static>,
        mark: Style,
    ) -> Line<'static> {
        mark_matches(line, row, matches, self.at, &self.term, mark)
    }
}

/// `line` (row `row`) with the `matches` of `term` on it marked in `mark`,
/// match `at` bold as well (the Docs tab's page search and [`PageFind`]).
pub fn mark_matches(
    line: Line<'static>,
    row: usize,
    matches: &[(usize, usize)],
    at: usize,
    term: &str,
    mark: Style,
) -> Line<'static> {
    let width = term.to_lowercase().width();
    let mut line = line;
    for (i, (r, col)) in matches.iter().enumerate() {
        if *r == row {
            let style = if i == at { mark.add_modifier(Modifier::BOLD) } else { mark };
            line = patch_columns(&line, *col, col + width, style);
        }
    }
    line
}

/// `line` with `style` patched onto display columns `start..end`.
pub fn patch_columns(line: &Line<'static>, start: usize, end: usize, style: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut col = 0;
    for span in &line.spans {
        let mut current = String::new();
        let mut current_hit = None;
        for c in span.content.chars() {
            let hit = col >= start && col < end;
            if current_hit.is_some_and(|h| h != hit) {
                let s = if current_hit == Some(true) { span.style.patch(style) } else { span.style };
                spans.push(Span::styled(std::mem::take(&mut current), s));
            }
            current_hit = Some(hit);
            current.push(c);
            col += c.width().unwrap_or(0);
        }
        if !current.is_empty() {
            let s = if current_hit == Some(true) { span.style.patch(style) } else { span.style };
            spans.push(Span::styled(current, s));
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::render::find_in;

    #[test]
    fn settle_step_and_highlight() {
        let rows = ["name: tracking", "owner: team", "  tracking-api: TRACKING"];
        let mut f = PageFind::default();
        f.open();
        f.input.as_mut().unwrap().set("track");
        f.settle(find_in(&rows, "track"), 1);
        assert_eq!(f.matches, vec![(0, 6), (2, 2), (2, 16)]);
        assert_eq!((f.at, f.row()), (1, Some(2)), "the first match from row 1");
        f.step(1);
        f.step(1);
        assert_eq!(f.row(), Some(0), "wraps");
        f.step(-1);
        assert_eq!(f.summary(), "`track`: match 3 of 3 (n/N)");
        let mark = Style::new().fg(ratatui::style::Color::Red);
        let line = f.highlight(0, Line::raw(rows[0]), mark);
        let marked: String = line.spans.iter().filter(|s| s.style.fg.is_some()).map(|s| s.content.as_ref()).collect();
        assert_eq!(marked, "track");
        f.clear();
        assert!(f.matches.is_empty() && f.term.is_empty());
    }
}
