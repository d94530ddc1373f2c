//! Code blocks of docs pages: the label, then the code highlighted (in
//! colour themes) and wrapped only at whitespace where it can be, each
//! continuation row marked with `↪`, so no token is cut without a sign.

use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::highlight::{Lazy, restyle};
use super::theme::DocTheme;

/// Marks a row that continues the line above.
pub const CONTINUATION: &str = "↪ ";

/// Code blocks longer than this are highlighted only this far.
const MAX_HIGHLIGHTED_LINES: usize = 5000;

/// A code block: its label, then the code (indentation kept) wrapped to
/// `width`, highlighted as `lang` when the theme has colours.
pub fn code_lines(
    label: Option<&str>,
    lang: &str,
    code: &[String],
    width: usize,
    theme: &DocTheme,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(label) = label {
        out.push(Line::from(Span::styled(format!(" {label} "), theme.code_label)));
    }
    let inner = width.saturating_sub(2).max(8);
    let block_width = code.iter().map(|l| l.width()).max().unwrap_or(0).min(inner);
    let mut lazy = theme.syntax.and_then(|_| Lazy::new(lang, code.to_vec()));
    if let Some(lazy) = lazy.as_mut() {
        lazy.ensure(MAX_HIGHLIGHTED_LINES);
    }
    for (n, line) in code.iter().enumerate() {
        let mut cursor = 0;
        for (k, piece) in soft_wrap(line, inner).into_iter().enumerate() {
            let marker = if k == 0 { "" } else { CONTINUATION };
            let used = marker.width() + piece.width();
            let pad = if theme.mono { 0 } else { block_width.saturating_sub(used) };
            let mut spans = vec![Span::raw("  ")];
            if k > 0 {
                spans.push(Span::styled(marker, theme.dim));
            }
            match (theme.syntax, lazy.as_ref().and_then(|l| l.line(n))) {
                (Some(styles), Some(pieces)) => {
                    let styled = restyle(pieces, &piece, 0, &mut cursor, &styles);
                    spans.extend(styled.into_iter().map(|(s, t)| Span::styled(t, theme.code.patch(s))));
                }
                _ => spans.push(Span::styled(piece, theme.code)),
            }
            if pad > 0 {
                spans.push(Span::styled(" ".repeat(pad), theme.code));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// Splits `text` into rows at most `width` columns wide: the first row
/// full width, the others leaving room for [`CONTINUATION`]. A row ends
/// after the last whitespace that fits; a token wider than a row is cut.
pub fn soft_wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    loop {
        let room = if rows.is_empty() { width } else { width.saturating_sub(CONTINUATION.width()).max(4) };
        let mut used = 0;
        let mut fit = 0;
        while fit < rest.len() && used + rest[fit].width().unwrap_or(0) <= room {
            used += rest[fit].width().unwrap_or(0);
            fit += 1;
        }
        if fit == rest.len() {
            rows.push(rest.iter().collect());
            return rows;
        }
        let fit = fit.max(1);
        let cut = rest[..fit].iter().rposition(|c| c.is_whitespace()).map_or(fit, |i| i + 1);
        let cut = if rest[..cut].iter().all(|c| c.is_whitespace()) { fit } else { cut };
        rows.push(rest[..cut].iter().collect());
        rest.drain(..cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_whitespace_with_a_marker_and_long_tokens_are_cut() {
        assert_eq!(soft_wrap("let total = price * quantity;", 16), ["let total = ", "price * ", "quantity;"]);
        assert_eq!(soft_wrap("short", 16), ["short"]);
        assert_eq!(soft_wrap("", 16), [""]);
        let token = "x".repeat(30);
        let rows = soft_wrap(&token, 12);
        assert_eq!(rows.iter().map(String::len).collect::<Vec<_>>(), [12, 10, 8]);
        let lines = code_lines(None, "rust", &["let total = price * quantity;".into()], 18, &DocTheme::mono());
        let text: Vec<String> = lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect();
        assert_eq!(text, ["  let total = ", "  ↪ price * ", "  ↪ quantity;"]);
    }

    #[test]
    fn code_is_highlighted_in_colour_and_plain_in_mono() {
        let code = vec!["# comment".to_string(), "def f(): return 1".to_string()];
        let theme = DocTheme::default();
        let styles = theme.syntax.unwrap();
        let lines = code_lines(Some("python"), "python", &code, 40, &theme);
        let comment = &lines[1].spans[1];
        assert_eq!(comment.style, theme.code.patch(styles.comment), "{lines:?}");
        let keyword = lines[2].spans.iter().find(|s| s.content == "def").unwrap();
        assert_eq!(keyword.style, theme.code.patch(styles.keyword));
        let mono = code_lines(Some("python"), "python", &code, 40, &DocTheme::mono());
        assert!(mono.iter().skip(1).all(|l| l.spans.iter().all(|s| s.style.fg.is_none())), "{mono:?}");
        let unknown = code_lines(None, "no-such-lang", &code, 40, &theme);
        assert_eq!(unknown[0].spans[1].style, theme.code);
    }
}
