//! Replays every crasher the fuzzers found (`fuzz/regressions/<target>/`)
//! through the same code the fuzz target drives, in a debug build (overflow
//! checks on), so a fixed crash stays fixed without a nightly toolchain.

use std::path::PathBuf;

use stagehand::docs::html::read_built_page;
use stagehand::docs::render::{render, theme::DocTheme};
use stagehand::model::sanitize;

/// The committed inputs of one fuzz target, name and bytes.
fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("dir entry").path();
            let name = path.file_name().expect("file name").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("read regression input"))
        })
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn markdown_regressions_render_cleanly() {
    let inputs = regressions("markdown");
    assert!(!inputs.is_empty(), "no markdown regressions committed");
    for (name, data) in inputs {
        let Some((&w, rest)) = data.split_first() else { continue };
        let Ok(text) = std::str::from_utf8(rest) else { continue };
        // The fuzz target's width, and the narrowest widths around it.
        for width in [20 + u16::from(w % 200), 20, 21, 24, 30, 40] {
            let rendered = render(text, width, &DocTheme::default());
            for line in &rendered.lines {
                for c in line.spans.iter().flat_map(|s| s.content.chars()) {
                    assert!(
                        sanitize::is_clean_char(c) || ('\u{2060}'..='\u{2064}').contains(&c),
                        "{name} at width {width}: U+{:04X} in a rendered line",
                        c as u32
                    );
                }
            }
        }
        let _ = read_built_page(text);
    }
}
