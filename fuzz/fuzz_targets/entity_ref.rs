//! Entity refs: parsing with and without defaults; a parsed ref's canonical
//! form parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::model::EntityRef;
use stagehand::model::entity_ref::{canonicalize, split_ref};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = split_ref(text);
    let _ = canonicalize(text, Some("Component"), "default");
    let _ = EntityRef::parse(text);
    if let Ok(r) = EntityRef::parse_with(text, Some("Component"), "default") {
        let canonical = r.canonical();
        let again = EntityRef::parse(&canonical).expect("a canonical ref parses");
        assert_eq!(again.canonical(), canonical);
    }
});
