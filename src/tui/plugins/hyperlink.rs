//! OSC 8 hyperlinks: URLs drawn on screen that the terminal lets you
//! click. Each cell of a link carries its own open and close sequence and
//! keeps its width (ratatui's `ForcedWidth`), so the screen diff stays
//! exact and a partly redrawn link never leaks into other text. Only
//! http(s) URLs of plain printable ASCII are linked; anything else stays
//! text.

use std::num::NonZeroU16;

use ratatui::buffer::{Buffer, CellDiffOption};
use unicode_width::UnicodeWidthStr;

/// Longest URL linked (browsers' common limit).
pub const MAX_URL_BYTES: usize = 2048;

/// Whether to write hyperlinks: config `hyperlinks` when set, else on
/// except where `TERM` names a terminal known to print them (`dumb`, the
/// Linux console, old VTs).
pub fn enabled(config: Option<bool>, term: Option<&str>) -> bool {
    config.unwrap_or_else(|| !matches!(term, Some(t) if t == "dumb" || t == "linux" || t.starts_with("vt")))
}

/// `url` if it may go inside an OSC 8 sequence: http(s), printable ASCII
/// without spaces, bounded.
pub fn linkable(url: &str) -> Option<&str> {
    let web = url.starts_with("https://") || url.starts_with("http://");
    let clean = url.bytes().all(|b| b.is_ascii_graphic());
    (web && clean && url.len() <= MAX_URL_BYTES).then_some(url)
}

/// Makes the cells of row `y`, columns `x0..x1` of `buf`, a link to `url`
/// (when [`linkable`]). Continuation cells of wide characters are left.
pub fn linkify(buf: &mut Buffer, y: u16, x0: u16, x1: u16, url: &str) {
    let Some(url) = linkable(url) else { return };
    let area = buf.area;
    if y < area.y || y >= area.bottom() {
        return;
    }
    for x in x0.max(area.x)..x1.min(area.right()) {
        let cell = &mut buf[(x, y)];
        let symbol = cell.symbol().to_string();
        let Some(width) = NonZeroU16::new(symbol.width() as u16) else { continue };
        if symbol.contains('\x1b') {
            continue; // already a link
        }
        cell.set_symbol(&format!("\x1b]8;;{url}\x1b\\{symbol}\x1b]8;;\x1b\\"));
        cell.set_diff_option(CellDiffOption::ForcedWidth(width));
    }
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;

    use super::*;

    #[test]
    fn each_cell_of_a_link_is_self_contained_and_keeps_its_width() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        buf.set_string(0, 0, "go 界x", ratatui::style::Style::new());
        linkify(&mut buf, 0, 3, 6, "https://x.example/a");
        assert_eq!(buf[(3, 0)].symbol(), "\x1b]8;;https://x.example/a\x1b\\界\x1b]8;;\x1b\\");
        assert_eq!(buf[(3, 0)].diff_option, CellDiffOption::ForcedWidth(NonZeroU16::new(2).unwrap()));
        assert_eq!(buf[(5, 0)].symbol(), "\x1b]8;;https://x.example/a\x1b\\x\x1b]8;;\x1b\\");
        assert_eq!(buf[(2, 0)].symbol(), " ", "outside the range");
    }

    #[test]
    fn only_clean_web_urls_are_linked_and_terminals_can_opt_out() {
        for bad in ["javascript:alert(1)", "https://x/\x1b]0;pwned\x07", "https://x/a b", "file:///etc/passwd"] {
            assert!(linkable(bad).is_none(), "{bad:?}");
            let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
            buf.set_string(0, 0, "link", ratatui::style::Style::new());
            linkify(&mut buf, 0, 0, 4, bad);
            assert_eq!(buf[(0, 0)].symbol(), "l");
        }
        assert!(linkable(&format!("https://x/{}", "a".repeat(MAX_URL_BYTES))).is_none());
        assert!(enabled(None, Some("xterm-256color")));
        assert!(!enabled(None, Some("linux")) && !enabled(None, Some("dumb")));
        assert!(!enabled(Some(false), Some("xterm-kitty")));
        assert!(enabled(Some(true), Some("dumb")));
    }
}
