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

#[test]
fn template_expr_regressions_end_within_their_bounds() {
    use stagehand::scaffold::actions::normalize_rel;
    use stagehand::scaffold::expr::{Engine, Syntax};
    use stagehand::scaffold::safe_fs::SafeRoot;

    let inputs = regressions("template_expr");
    assert!(!inputs.is_empty(), "no template_expr regressions committed");
    let dir = tempfile::tempdir().expect("temp dir");
    let root = SafeRoot::create(&dir.path().join("out")).expect("root");
    let ctx = serde_json::json!({
        "parameters": {"name": "svc", "owner": "group:default/a", "list": [1, 2], "nested": {"x": "../.."}},
        "values": {"name": "svc"},
        "steps": {"a": {"output": {"path": "x/y"}}},
    });
    for (name, data) in inputs {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        for syntax in [Syntax::Backstage, Syntax::Cookiecutter] {
            let engine = Engine::new(syntax);
            let _ = engine.eval(text, &ctx);
            if let Ok(rendered) = engine.render_str(text, &ctx) {
                let rel = normalize_rel(&rendered);
                if let Ok(path) = root.resolve(&rel) {
                    assert!(path.starts_with(root.path()), "{name}: {rel:?} resolved outside: {}", path.display());
                }
            }
        }
    }
}

/// Runs `f` on its own thread; fails when it never finishes (a generous
/// hang guard, no speed assertion).
fn guarded(what: &str, f: impl FnOnce() + Send + 'static) {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = send.send(());
    });
    match receive.recv_timeout(std::time::Duration::from_secs(300)) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
        Err(e) => panic!("{what}: did not finish within the hang guard ({e})"),
    }
}

#[test]
fn sse_flood_regressions_stay_linear_and_capped() {
    use stagehand::scaffold::sse::{MAX_EVENT, SseParser};

    let inputs = regressions("sse_flood");
    assert!(!inputs.is_empty(), "no sse_flood regressions committed");
    for (name, data) in inputs {
        // The first byte picks the fuzz target's chunk size; here the
        // stream goes in at once.
        let Some((_, unit)) = data.split_first() else { continue };
        assert!(!unit.is_empty(), "{name}: no unit to repeat");
        // Just under the cap of repeats of the unit, fed at once: the old
        // parser cut each line from the front of its buffer, quadratic in
        // the lines of one feed (hours for 16 MiB of blank lines).
        let stream: Vec<u8> = unit.iter().copied().cycle().take(MAX_EVENT - unit.len()).collect();
        guarded(&name, move || {
            let mut parser = SseParser::default();
            for e in parser.feed(&stream).expect("under the cap") {
                assert!(e.data.len() <= MAX_EVENT);
            }
            assert!(parser.held() <= MAX_EVENT, "{} bytes held", parser.held());
        });
    }
}
