//! The scaffolder's server-sent events parser: any bytes, in any chunking,
//! give the same events as one whole feed, no event is larger than the
//! cap, and nothing panics. (`sse_flood` streams past the cap.)
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

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
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
