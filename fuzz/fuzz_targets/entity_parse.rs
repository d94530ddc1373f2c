//! Catalog file bytes: decode (size, binary and UTF-8 checks), YAML with
//! limits, validation of every document, entity construction. Never panics;
//! every problem has a message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::model::Entity;
use stagehand::model::sanitize;
use stagehand::model::validation::{is_fatal, validate_entity};
use stagehand::model::yaml::{Limits, load_stream};
use stagehand::sources::read::decode;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data.to_vec()) else { return };
    let stream = load_stream(&text, Limits { max_depth: 64, max_nodes: 200_000, max_bytes: 16 * 1024 * 1024 });
    for doc in stream.documents {
        let Some(root) = doc.root else { continue };
        for p in validate_entity(&root, "fuzz.yaml") {
            assert!(!p.message.is_empty());
            let shown = p.to_string();
            assert!(sanitize::is_clean(&sanitize::line(&shown)));
        }
        if !is_fatal(&root)
            && let Ok(entity) = Entity::from_json(root.into_json())
        {
            let _ = serde_json::to_string(&entity);
        }
    }
});
