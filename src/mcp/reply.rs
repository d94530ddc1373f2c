//! What a tool sends back: text for the model and structured content for
//! programs, both sanitized like terminal output, both bounded in size.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::Value;

use crate::model::sanitize;

/// Most bytes of text one reply carries; longer text continues at `offset`.
pub const MAX_TEXT_BYTES: usize = 24 * 1024;
/// Most items one list reply carries, whatever `limit` asks.
pub const MAX_ITEMS: usize = 200;
/// Items a list reply carries when no `limit` is given.
pub const DEFAULT_ITEMS: usize = 20;

/// A tool's answer: the text a model reads and the same facts as data.
#[derive(Debug)]
pub struct Reply {
    /// Human-readable text (what the CLI prints, give or take a hint).
    pub text: String,
    /// The structured content, matching the tool's output schema.
    pub data: Value,
}

impl Reply {
    /// A reply of `text` and `data` (serialized).
    pub fn new(text: String, data: &impl Serialize) -> anyhow::Result<Reply> {
        Ok(Reply { text, data: serde_json::to_value(data)? })
    }
}

/// The MCP result of a tool run: its reply, sanitized, or its error as a
/// tool error (`isError`), with the message the CLI prints after `error:`.
pub fn into_result(result: anyhow::Result<Reply>) -> CallToolResult {
    match result {
        Ok(reply) => {
            let mut r = CallToolResult::structured(clean(reply.data));
            r.content = vec![ContentBlock::text(sanitize::text(&reply.text).into_owned())];
            r
        }
        Err(e) => CallToolResult::error(vec![ContentBlock::text(sanitize::text(&format!("{e:#}")).into_owned())]),
    }
}

/// Sanitizes every string (and key) of a JSON value: no control, escape,
/// bidi or zero-width character reaches the agent.
pub fn clean(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(sanitize::text(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(clean).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (sanitize::line(&k).into_owned(), clean(v))).collect())
        }
        other => other,
    }
}

/// One page of a list: which items, and where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first item (0-based).
    pub offset: usize,
    /// How many items at most.
    pub limit: usize,
}

impl Window {
    /// The window asked for: `limit` defaults to [`DEFAULT_ITEMS`] and is
    /// capped at [`MAX_ITEMS`] (at least 1).
    pub fn new(offset: Option<usize>, limit: Option<usize>) -> Window {
        Window { offset: offset.unwrap_or(0), limit: limit.unwrap_or(DEFAULT_ITEMS).clamp(1, MAX_ITEMS) }
    }

    /// How many items to compute to know whether there is a next page.
    pub fn probe(&self) -> usize {
        self.offset.saturating_add(self.limit).saturating_add(1)
    }

    /// This window of `items`, and the offset of the next page if any.
    pub fn take<T>(&self, items: Vec<T>) -> (Vec<T>, Option<usize>) {
        let total = items.len();
        let page: Vec<T> = items.into_iter().skip(self.offset).take(self.limit).collect();
        let end = self.offset + page.len();
        (page, (end < total).then_some(end))
    }
}

/// The continuation hint ending a text that has more.
pub fn more_hint(next: Option<usize>, what: &str) -> String {
    match next {
        Some(n) => format!("\n(more {what}: call again with offset={n})\n"),
        None => String::new(),
    }
}

/// A part of `text` from byte `offset`, at most [`MAX_TEXT_BYTES`] long,
/// cut after a newline when one is in reach (else at a character boundary);
/// with the offset where the rest starts.
pub fn chunk(text: &str, offset: usize) -> anyhow::Result<(&str, Option<usize>)> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        anyhow::bail!("offset {offset} is not a place in this text of {} bytes; use a nextOffset given", text.len());
    }
    let rest = &text[offset..];
    if rest.len() <= MAX_TEXT_BYTES {
        return Ok((rest, None));
    }
    let mut end = MAX_TEXT_BYTES;
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(nl) = rest[..end].rfind('\n') {
        end = nl + 1;
    }
    Ok((&rest[..end], Some(offset + end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_keys_are_sanitized_at_every_depth() {
        let v = serde_json::json!({"a\u{1b}": ["x\u{9b}31m", {"t": "ok\u{202e}\nnext"}], "n": 3});
        let c = clean(v);
        let text = c.to_string();
        assert!(text.chars().all(|ch| sanitize::is_clean_char(ch) || ch == '\n'), "{text}");
        assert_eq!(c["a␛"][1]["t"], "ok\nnext");
        assert_eq!(c["n"], 3);
    }

    #[test]
    fn windows_page_through_a_list() {
        let w = Window::new(Some(2), Some(2));
        assert_eq!(w.take(vec![0, 1, 2, 3, 4]), (vec![2, 3], Some(4)));
        assert_eq!(Window::new(Some(4), Some(2)).take(vec![0, 1, 2, 3, 4]), (vec![4], None));
        assert_eq!(Window::new(None, Some(10_000)).limit, MAX_ITEMS);
        assert_eq!(Window::new(None, Some(0)).limit, 1);
    }

    #[test]
    fn long_text_is_cut_at_a_line_and_continues() {
        let line = "é".repeat(99) + "\n";
        let text = line.repeat(400);
        let (first, next) = chunk(&text, 0).unwrap();
        assert!(first.len() <= MAX_TEXT_BYTES && first.ends_with('\n'));
        let next = next.unwrap();
        let (second, _) = chunk(&text, next).unwrap();
        assert!(text[next..].starts_with(second));
        assert!(chunk(&text, 1).is_err(), "inside a character");
        assert!(chunk(&text, text.len() + 1).is_err());
        assert_eq!(chunk("short", 0).unwrap(), ("short", None));
    }

    #[test]
    fn errors_become_tool_errors_with_the_message() {
        let r = into_result(Err(anyhow::anyhow!("no entity `x\u{1b}`")));
        assert_eq!(r.is_error, Some(true));
        assert_eq!(r.content[0].as_text().map(|t| t.text.as_str()), Some("no entity `x␛`"));
    }
}
