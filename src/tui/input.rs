//! A one-line text input (query, filter, palette) on ratatui-textarea.

use crossterm::event::KeyEvent;
use ratatui::style::Style;
use ratatui_textarea::TextArea;

/// A single-line input field.
#[derive(Clone)]
pub struct LineInput {
    area: TextArea<'static>,
}

impl LineInput {
    /// An empty input with a placeholder.
    pub fn new(placeholder: &str) -> LineInput {
        let mut area = TextArea::default();
        area.set_placeholder_text(placeholder);
        area.set_cursor_line_style(Style::default());
        LineInput { area }
    }

    /// The text typed.
    pub fn text(&self) -> &str {
        self.area.lines().first().map_or("", String::as_str)
    }

    /// Feeds a key; returns whether the text changed. Newlines never enter.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let before = self.text().to_string();
        self.area.input(key);
        if self.area.lines().len() > 1 {
            let joined = self.area.lines().join(" ");
            self.set(&joined);
        }
        self.text() != before
    }

    /// Replaces the text, cursor at the end.
    pub fn set(&mut self, text: &str) {
        let placeholder = self.area.placeholder_text().to_string();
        self.area = TextArea::new(vec![text.replace(['\n', '\r'], " ")]);
        self.area.set_placeholder_text(placeholder);
        self.area.set_cursor_line_style(Style::default());
        self.area.move_cursor(ratatui_textarea::CursorMove::End);
    }

    /// Empties the input; returns whether it had text.
    pub fn clear(&mut self) -> bool {
        let had = !self.text().is_empty();
        self.set("");
        had
    }

    /// The textarea, styled for drawing; `focused` shows the cursor.
    pub fn widget(&self, style: Style, placeholder: Style, focused: bool) -> TextArea<'static> {
        let mut area = self.area.clone();
        area.set_style(style);
        area.set_placeholder_style(placeholder);
        let cursor = if focused { style.add_modifier(ratatui::style::Modifier::REVERSED) } else { style };
        area.set_cursor_style(cursor);
        area
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn types_edits_and_never_takes_newlines() {
        let mut input = LineInput::new("search");
        assert!(input.input(key(KeyCode::Char('a'))));
        input.input(key(KeyCode::Char('b')));
        assert_eq!(input.text(), "ab");
        input.input(key(KeyCode::Backspace));
        assert_eq!(input.text(), "a");
        input.input(key(KeyCode::Enter));
        assert_eq!(input.text(), "a ");
        assert!(input.clear());
        assert_eq!(input.text(), "");
        input.set("kind:api");
        input.input(key(KeyCode::Char('x')));
        assert_eq!(input.text(), "kind:apix");
    }
}
