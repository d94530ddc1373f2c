//! Writing to stdout: text is sanitized (catalog text never drives the
//! terminal), JSON is escaped by serde. A closed pipe ends quietly.

use std::io::{self, Write};

use crate::model::sanitize;

/// Collects output lines and writes them in one go.
#[derive(Default)]
pub struct Out {
    buf: String,
}

impl Out {
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

    /// A JSON document, pretty-printed.
    pub fn json(&mut self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        self.buf.push_str(&serde_json::to_string_pretty(value)?);
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
    fn text_is_sanitized_but_json_is_escaped() {
        let mut out = Out::default();
        out.line("x\u{1b}]0;t\u{7}");
        out.json(&serde_json::json!({"t": "\u{1b}"})).unwrap();
        assert!(!out.buf.contains('\u{1b}'));
        assert!(out.buf.contains("\\u001b"));
    }
}
