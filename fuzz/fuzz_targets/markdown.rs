//! The Markdown renderer (and the HTML-to-Markdown reader of built sites):
//! any text at any width lays out, and nothing it draws is unsafe for a
//! terminal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagehand::docs::html::read_built_page;
use stagehand::docs::render::{render, theme::DocTheme};
use stagehand::model::sanitize;

fuzz_target!(|data: &[u8]| {
    let Some((&w, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let width = 20 + u16::from(w % 200);
    let rendered = render(text, width, &DocTheme::default());
    for line in &rendered.lines {
        for span in &line.spans {
            for c in span.content.chars() {
                // The renderer's own markers are zero-width format
                // characters it strips before drawing; anything else must be
                // printable.
                assert!(
                    sanitize::is_clean_char(c) || ('\u{2060}'..='\u{2064}').contains(&c),
                    "U+{:04X} in a rendered line",
                    c as u32
                );
            }
        }
    }
    if w & 1 == 1 {
        let _ = read_built_page(text);
    }
});
