//! Writing to stdout: text is sanitized (catalog text never drives the
//! terminal), JSON is escaped by serde. A closed pipe ends quietly. Tables
//! are aligned (and cut to width) on a terminal, tab-separated and never
//! cut into a pipe or file.

use std::io::{self, IsTerminal, Write};

use crate::model::sanitize;

/// Collects output lines and writes them in one go.
pub struct Out {
    buf: String,
    /// Table rows as tab-separated columns (stdout is not a terminal).
    tabs: bool,
}

impl Default for Out {
    /// Tables are tab-separated unless stdout is a terminal.
    fn default() -> Out {
        Out { buf: String::new(), tabs: !io::stdout().is_terminal() }
    }
}

impl Out {
    /// One table row: `(text, columns)` cells, a cell of 0 columns being
    /// shown whole. On a terminal cells are padded or cut to their columns
    /// and joined by a space; otherwise joined by tabs, whole (tabs and
    /// newlines inside a cell become spaces).
    pub fn row(&mut self, cells: &[(&str, usize)]) {
        let clean = cells.iter().map(|(text, w)| (sanitize::line(text), *w));
        let text = if self.tabs {
            clean.map(|(text, _)| text).collect::<Vec<_>>().join("\t")
        } else {
            let fitted: Vec<String> =
                clean.map(|(text, w)| if w == 0 { text.into_owned() } else { fit(&text, w) }).collect();
            fitted.join(" ").trim_end().to_string()
        };
        self.buf.push_str(&text);
        self.buf.push('\n');
    }

    /// A line of text built from untrusted parts: sanitized.
    pub fn line(&mut self, text: &str) {
        self.buf.push_str(&sanitize::line(text));
        self.buf.push('\n');
    }

    /// A block of text that keeps its newlines: sanitized.
    pub fn block(&mut self, text: &str) {
        self.buf.push_str(&sanitize::text(text));
        if !text.ends_with('\n') {
            self.buf.push('\n');
        }
    }

    /// Text its producer already made safe (rendered docs: sanitized before
    /// layout, with only SGR colour codes added), written as it is.
    pub fn raw(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    /// Everything collected so far.
    pub fn into_string(self) -> String {
        self.buf
    }

    /// A JSON document, pretty-printed. serde escapes C0 controls; C1
    /// controls (an 8-bit CSI is U+009B), bidi overrides and zero-width
    /// characters are legal raw in JSON strings, so they are escaped here as
    /// `\uXXXX` too (the same string for a parser, harmless on a terminal).
    pub fn json(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        for c in text.chars() {
            if c == '\n' || sanitize::is_clean_char(c) {
                self.buf.push(c);
            } else {
                // Outside strings serde writes only ASCII and newlines, so
                // every such character is inside a string, where an escape
                // is valid.
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    self.buf.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        self.buf.push('\n');
        Ok(())
    }

    /// Writes everything to stdout.
    pub fn flush(self) -> anyhow::Result<()> {
        let mut stdout = io::stdout().lock();
        match stdout.write_all(self.buf.as_bytes()).and_then(|_| stdout.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => Ok(other?),
        }
    }
}

pub use crate::model::layout::fit;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_cut_on_a_terminal_and_whole_in_a_pipe() {
        let long = "group:backstage/techdocs-core-maintainers";
        let mut tty = Out { buf: String::new(), tabs: false };
        tty.row(&[(long, 20), ("team\tx", 6), ("title", 0)]);
        assert_eq!(tty.buf, "group:backstage/tec… team x title\n");
        let mut pipe = Out { buf: String::new(), tabs: true };
        pipe.row(&[(long, 20), ("team\tx", 6), ("", 0)]);
        assert_eq!(pipe.buf, format!("{long}\tteam x\t\n"));
    }

    #[test]
    fn text_is_sanitized_but_json_is_escaped() {
        let mut out = Out::default();
        out.line("x\u{1b}]0;t\u{7}");
        out.json(&serde_json::json!({"t": "\u{1b}"})).unwrap();
        assert!(!out.buf.contains('\u{1b}'));
        assert!(out.buf.contains("\\u001b"));
    }

    #[test]
    fn json_escapes_c1_bidi_and_zero_width() {
        let mut out = Out::default();
        let original = serde_json::json!({"t": "a\u{9b}31m\u{202E}b\u{200B}c\u{1F600}"});
        out.json(&original).unwrap();
        assert!(out.buf.chars().all(|c| c == '\n' || sanitize::is_clean_char(c)));
        assert!(out.buf.contains("\\u009b") && out.buf.contains("\\u202e"));
        let back: serde_json::Value = serde_json::from_str(&out.buf).unwrap();
        assert_eq!(back, original);
    }
}
