//! What a Backstage backend answers: a JSON page of entities turned into
//! source output and an index (server relations on), a scaffolder event
//! stream fed in chunks. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::index::build::{Record, SourceInput, build};
use stagehand::scaffold::sse::SseParser;
use stagehand::sources::remote::output;

fuzz_target!(|data: &[u8]| {
    if data.first().is_some_and(|b| *b == b'e') {
        let mut parser = SseParser::default();
        for chunk in data[1..].chunks(7) {
            if parser.feed(chunk).is_err() {
                break;
            }
        }
        return;
    }
    let Ok(page) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Some(items) = page["items"].as_array() else { return };
    let out = output(items.clone(), Vec::new()).compacted(&Record::server);
    let index = build(
        vec![SourceInput {
            name: "remote".into(),
            kind: "backstage".into(),
            target: "https://example.com".into(),
            read: Some(Ok(out)),
            server_relations: true,
        }],
        None,
        1,
    );
    for i in 0..index.len() as u32 {
        let _ = index.entity(i);
    }
});
