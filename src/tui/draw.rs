//! What a screen's view may read ([`ViewCx`]: never the app itself), and
//! drawing helpers shared by the views.

use std::borrow::Cow;
use std::collections::BTreeSet;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;

use crate::index::Index;
use crate::model::sanitize;

use super::keymap::Keymap;
use super::loaded::{Loaded, empty_index};
use super::theme::Theme;

/// The part of the app a screen's view reads.
pub struct ViewCx<'a> {
    /// The theme.
    pub theme: &'a Theme,
    /// The keymap (for key hints).
    pub keymap: &'a Keymap,
    /// The index with its haystacks, once loaded.
    pub loaded: Option<&'a Loaded>,
    /// Why loading failed, if it did.
    pub load_error: Option<&'a str>,
    /// Whether an overlay covers the screen (inputs show no cursor).
    pub overlay_open: bool,
    /// Starred entity refs.
    pub starred: &'a BTreeSet<String>,
    /// Unix seconds, for "synced 3m ago".
    pub now: u64,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Write URLs as OSC 8 hyperlinks.
    pub hyperlinks: bool,
}

impl ViewCx<'_> {
    /// The index, or an empty one while loading.
    pub fn index(&self) -> &Index {
        match self.loaded {
            Some(l) => &l.index,
            None => empty_index(),
        }
    }
}

/// Untrusted text made safe for one line.
pub fn clean(text: &str) -> Cow<'_, str> {
    sanitize::line(text)
}

/// Spans of `text` with the characters at `positions` (char indices) in `hl`.
pub fn highlighted(text: &str, positions: &[u32], base: Style, hl: Style) -> Vec<Span<'static>> {
    if positions.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut spans = Vec::new();
    let mut current = String::new();
    let mut current_hl = false;
    for (i, c) in text.chars().enumerate() {
        let is_hl = positions.binary_search(&(i as u32)).is_ok();
        if is_hl != current_hl && !current.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut current), if current_hl { hl } else { base }));
        }
        current_hl = is_hl;
        current.push(c);
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, if current_hl { hl } else { base }));
    }
    spans
}

/// A rectangle of `w` x `h` centred in `area` (clamped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// Wraps `text` to `width` columns; continuation lines keep the first
/// line's indentation plus two spaces. Never returns an empty list.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent: String = text.chars().take_while(|c| *c == ' ').collect();
    let subsequent = format!("{indent}  ");
    let options = textwrap::Options::new(width.max(8)).subsequent_indent(&subsequent).break_words(true);
    let lines: Vec<String> = textwrap::wrap(text, options).into_iter().map(|l| l.into_owned()).collect();
    if lines.is_empty() { vec![String::new()] } else { lines }
}

/// The end of `text` in `columns` columns (`…` first when cut, at a `/`
/// when there is one): a path's file name and line outlast its folders.
pub fn tail(text: &str, columns: usize) -> String {
    if crate::model::layout::width(text) <= columns {
        return text.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > columns {
            break;
        }
        used += w;
        kept.push(c);
    }
    let kept: String = kept.into_iter().rev().collect();
    // Whole folders only, when there is a folder boundary to cut at.
    let kept = kept.find('/').map_or(kept.as_str(), |at| &kept[at..]);
    format!("…{kept}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn wraps_with_hanging_indent() {
        assert_eq!(wrap("    key: one two three four", 16), vec!["    key: one two", "      three four"]);
        assert_eq!(wrap("", 10), vec![""]);
    }
    use super::*;

    #[test]
    fn highlights_runs_of_matched_characters() {
        let base = Style::new();
        let hl = Style::new().bold();
        let spans = highlighted("petstore", &[0, 1, 4], base, hl);
        let parts: Vec<(&str, bool)> = spans.iter().map(|s| (s.content.as_ref(), s.style == hl)).collect();
        assert_eq!(parts, vec![("pe", true), ("ts", false), ("t", true), ("ore", false)]);
    }
}
