//! A server-sent events parser (the WHATWG event-stream format): bytes in,
//! complete events out, for the scaffolder's task event stream.

/// One event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` (`message` when absent).
    pub event: String,
    /// `data:` lines joined with newlines.
    pub data: String,
    /// `id:`, if any.
    pub id: Option<String>,
}

/// Accumulates bytes and yields events as they complete.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    current: SseEvent,
    has_data: bool,
}

/// Largest event kept (a longer one is an error of the server).
pub const MAX_EVENT: usize = 16 * 1024 * 1024;

impl SseParser {
    /// Feeds bytes; returns the events they completed.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() > MAX_EVENT {
            return Err("event stream: an event is larger than 16 MiB".into());
        }
        let mut out = Vec::new();
        while let Some(pos) = self.buf.iter().position(|&b| b == b'\n' || b == b'\r') {
            let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
            let end = line.pop();
            if end == Some(b'\r') && self.buf.first() == Some(&b'\n') {
                self.buf.remove(0);
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if let Some(e) = self.line(&line) {
                out.push(e);
            }
        }
        Ok(out)
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            if !self.has_data {
                self.current = SseEvent::default();
                return None;
            }
            let mut e = std::mem::take(&mut self.current);
            self.has_data = false;
            if e.event.is_empty() {
                e.event = "message".into();
            }
            return Some(e);
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.current.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(value);
                self.has_data = true;
            }
            "id" => self.current.id = Some(value.to_string()),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: log\ndata: {\"a\"").unwrap().is_empty());
        let got = p.feed(b":1}\r\n\r\n: comment\n\ndata: x\ndata: y\nid: 7\n\n").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], SseEvent { event: "log".into(), data: "{\"a\":1}".into(), id: None });
        assert_eq!(got[1], SseEvent { event: "message".into(), data: "x\ny".into(), id: Some("7".into()) });
    }
}
