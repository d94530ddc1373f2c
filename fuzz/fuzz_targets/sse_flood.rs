//! The scaffolder's server-sent events parser against a server that sends
//! the input (after its first byte) for ever (say endless `data:` lines
//! and never a blank line, or one line that never ends), in chunks of 1 to
//! 128 KiB (the first byte's low bits), until past the 16 MiB cap: the
//! parser never holds more than the cap for one event (the unfinished line
//! and the gathered data each), stops with an error when the stream has no
//! line end at all, and stays linear (a rescan of the buffer per chunk or
//! per line shows as a timeout). Each run streams 18 MiB: slow, so apart
//! from `sse_parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::scaffold::sse::{MAX_EVENT, SseParser};

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
    let Some((&first, unit)) = data.split_first() else { return };
    if !unit.is_empty() {
        flood(unit, 1024 << (first & 7));
    }
});
