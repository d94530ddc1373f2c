//! Rendered lines back to text for stdout: plain, or with SGR colour codes.
//! The text was sanitized before layout, so the only escape sequences in
//! the output are the SGR codes written here.

use std::fmt::Write;

use ratatui::style::Style;
use ratatui::text::Line;
use termimad::crossterm::style::StyledContent;

use super::theme::content_style;

/// The lines as text: with colours (`color`) or plain; trailing spaces trimmed.
pub fn to_text(lines: &[Line<'_>], color: bool) -> String {
    let mut out = String::new();
    for line in lines {
        let mut row = String::new();
        for span in &line.spans {
            if color && span.style != Style::default() {
                let _ = write!(row, "{}", StyledContent::new(content_style(span.style), span.content.as_ref()));
            } else {
                row.push_str(&span.content);
            }
        }
        out.push_str(if color { row.as_str() } else { row.trim_end() });
        out.push('\n');
    }
    out
}
