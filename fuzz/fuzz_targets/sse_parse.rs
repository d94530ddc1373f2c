//! The scaffolder's server-sent events parser. Unless the first byte's
//! top five bits are set: any bytes, in any chunking, give the same events
//! as one whole feed, no event is larger than the cap, and nothing panics.
//! With them set (one input in 32: one flood costs thousands of ordinary
//! runs): a server that sends the rest for ever (say endless
//! `data:` lines and never a blank line, or one line that never ends), in
//! chunks of 1 to 128 KiB, until past the cap: the parser never holds more
//! than the cap for one event (the unfinished line and the gathered data
//! each), stops with an error when the stream has no line end at all, and
//! stays linear (a rescan of the buffer per chunk or per line is a timeout
//! here).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::scaffold::sse::{MAX_EVENT, SseEvent, SseParser};

fn feed_all(data: &[u8], chunk: usize) -> Result<Vec<SseEvent>, String> {
    let mut parser = SseParser::default();
    let mut events = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        events.extend(parser.feed(piece)?);
    }
    Ok(events)
}

/// Feeds `unit` repeated until a little past the cap, `chunk` bytes a feed.
fn flood(unit: &[u8], chunk: usize) {
    let mut parser = SseParser::default();
    let mut piece = Vec::with_capacity(chunk);
    let mut at = 0;
    let mut fed = 0;
    let limit = MAX_EVENT + MAX_EVENT / 8 + chunk;
    let endless_line = !unit.iter().any(|&b| b == b'\n' || b == b'\r');
    while fed < limit {
        piece.clear();
        while piece.len() < chunk {
            let take = (unit.len() - at).min(chunk - piece.len());
            piece.extend_from_slice(&unit[at..at + take]);
            at = (at + take) % unit.len();
        }
        fed += piece.len();
        match parser.feed(&piece) {
            Ok(events) => {
                for e in events {
                    assert!(e.data.len() <= MAX_EVENT, "an event of {} bytes", e.data.len());
                }
                // The data gathered is capped; the unfinished line of a
                // repeating stream with line ends is shorter than two units
                // and a chunk.
                let bound = MAX_EVENT + 2 * unit.len() + chunk;
                assert!(parser.held() <= bound, "{} bytes held for one event", parser.held());
            }
            Err(e) => {
                assert!(e.contains("16 MiB"), "{e}");
                return;
            }
        }
    }
    assert!(!endless_line, "a line of {fed} bytes without an end was not stopped");
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    if first & 0xF8 == 0xF8 {
        if !rest.is_empty() {
            flood(rest, 1024 << (first & 7));
        }
        return;
    }
    let whole = feed_all(rest, rest.len());
    let chunked = feed_all(rest, usize::from(first % 16) + 1);
    if let Ok(events) = &chunked {
        for e in events {
            assert!(e.data.len() <= MAX_EVENT, "an event of {} bytes", e.data.len());
        }
    }
    if let (Ok(a), Ok(b)) = (&whole, &chunked) {
        assert_eq!(a, b, "chunking changed the events");
    }
});
