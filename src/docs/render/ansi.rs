//! Rendered lines back to text for stdout: plain, or with SGR colour codes.
//! The text was sanitized before layout, so the only escape sequences in
//! the output are the SGR codes written here.

use std::fmt::Write;

use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use termimad::crossterm::style::{Attribute, ContentStyle, StyledContent};

use super::theme::crossterm_color;

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

fn content_style(style: Style) -> ContentStyle {
    let mut c = ContentStyle {
        foreground_color: style.fg.map(crossterm_color),
        background_color: style.bg.map(crossterm_color),
        ..ContentStyle::default()
    };
    for (m, a) in [
        (Modifier::BOLD, Attribute::Bold),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::DIM, Attribute::Dim),
    ] {
        if style.add_modifier.contains(m) {
            c.attributes.set(a);
        }
    }
    c
}
