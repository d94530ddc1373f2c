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
    /// The last line ended with `\r` at the end of a chunk: a `\n` first
    /// in the next chunk belongs to it.
    after_cr: bool,
    /// The first `scanned` bytes of `buf` hold no line end.
    scanned: usize,
}

/// Largest event kept (a longer one is an error of the server): both the
/// unfinished line and the `data:` lines gathered for one event count.
pub const MAX_EVENT: usize = 16 * 1024 * 1024;

fn too_large() -> String {
    "event stream: an event is larger than 16 MiB".into()
}

impl SseParser {
    /// Feeds bytes; returns the events they completed. Linear in the bytes
    /// fed: a long unfinished line is scanned once, and the lines of a chunk
    /// are cut from the buffer in one go.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        let skip = self.after_cr && bytes.first() == Some(&b'\n');
        if !bytes.is_empty() {
            self.after_cr = false;
        }
        self.buf.extend_from_slice(&bytes[usize::from(skip)..]);
        let mut out = Vec::new();
        let mut start = 0;
        let mut scan = self.scanned;
        let mut result = Ok(());
        // Taken out so that each line is read in place, without a copy.
        let buf = std::mem::take(&mut self.buf);
        while let Some(found) = buf[scan..].iter().position(|&b| b == b'\n' || b == b'\r') {
            let end = scan + found;
            let mut next = end + 1;
            if buf[end] == b'\r' {
                match buf.get(next) {
                    Some(b'\n') => next += 1,
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            let line = String::from_utf8_lossy(&buf[start..end]);
            start = next;
            scan = next;
            match self.line(&line) {
                Ok(Some(e)) => out.push(e),
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.buf = buf;
        self.buf.drain(..start);
        self.scanned = self.buf.len();
        result?;
        if self.buf.len() > MAX_EVENT {
            return Err(too_large());
        }
        Ok(out)
    }

    /// Bytes held for the event not yet complete (its unfinished line and
    /// its gathered `data:`): never more than twice [`MAX_EVENT`].
    pub fn held(&self) -> usize {
        self.buf.len() + self.current.data.len()
    }

    fn line(&mut self, line: &str) -> Result<Option<SseEvent>, String> {
        if line.is_empty() {
            if !self.has_data {
                self.current = SseEvent::default();
                return Ok(None);
            }
            let mut e = std::mem::take(&mut self.current);
            self.has_data = false;
            if e.event.is_empty() {
                e.event = "message".into();
            }
            return Ok(Some(e));
        }
        if line.starts_with(':') {
            return Ok(None);
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.current.event = value.to_string(),
            "data" => {
                if self.current.data.len() + value.len() + 1 > MAX_EVENT {
                    return Err(too_large());
                }
                if self.has_data {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(value);
                self.has_data = true;
            }
            "id" => self.current.id = Some(value.to_string()),
            _ => {}
        }
        Ok(None)
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

    #[test]
    fn a_crlf_split_between_chunks_is_one_line_end() {
        let mut p = SseParser::default();
        assert!(p.feed(b"data: x\r").unwrap().is_empty());
        assert!(p.feed(b"\n").unwrap().is_empty(), "the \\n ends the same line");
        assert_eq!(p.feed(b"\r\n").unwrap().len(), 1);
    }

    #[test]
    fn chunking_never_changes_the_events() {
        // The fuzz target's property, on a fixed pseudo-random sample.
        let alphabet = b"data:evnt i\r\n\r\nx:";
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 60) as usize;
            let input: Vec<u8> = (0..len).map(|_| alphabet[(next() as usize) % alphabet.len()]).collect();
            let whole = SseParser::default().feed(&input).unwrap();
            for size in 1..5 {
                let mut p = SseParser::default();
                let got: Vec<SseEvent> = input.chunks(size).flat_map(|c| p.feed(c).unwrap()).collect();
                assert_eq!(got, whole, "{:?} in chunks of {size}", String::from_utf8_lossy(&input));
            }
        }
    }

    #[test]
    fn data_lines_without_an_end_are_capped() {
        // Issue 23 #7: endless `data:` lines, never a blank line. Each line
        // is short, so only the gathered data can hit the cap.
        let mut p = SseParser::default();
        let chunk = format!("data: {}\n", "x".repeat(64 * 1024)).repeat(16);
        let mut fed = 0;
        let err = loop {
            match p.feed(chunk.as_bytes()) {
                Ok(events) => assert!(events.is_empty()),
                Err(e) => break e,
            }
            fed += chunk.len();
            assert!(fed <= 2 * MAX_EVENT, "no cap after {fed} bytes");
        };
        assert!(err.contains("16 MiB"), "{err}");
        assert!(fed >= MAX_EVENT - chunk.len(), "stopped early, at {fed}");
    }
}
