//! Template expressions and rendered paths: `${{ }}` templates render under
//! the fuel budget; a rendered path resolved against the output folder never
//! leaves it.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stagehand::scaffold::actions::normalize_rel;
use stagehand::scaffold::expr::{Engine, Syntax};
use stagehand::scaffold::safe_fs::SafeRoot;

static ROOT: OnceLock<(tempfile::TempDir, SafeRoot)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (root_dir, root) = ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = SafeRoot::create(&dir.path().join("out")).expect("root");
        (dir, root)
    });
    let ctx = serde_json::json!({
        "parameters": {"name": "svc", "owner": "group:default/a", "list": [1, 2], "nested": {"x": "../.."}},
        "values": {"name": "svc"},
        "steps": {"a": {"output": {"path": "x/y"}}},
    });
    let syntax = if data.first().is_some_and(|b| b & 1 == 1) { Syntax::Cookiecutter } else { Syntax::Backstage };
    let engine = Engine::new(syntax);
    let _ = engine.eval(text, &ctx);
    if let Ok(rendered) = engine.render_str(text, &ctx) {
        let rel = normalize_rel(&rendered);
        if let Ok(path) = root.resolve(&rel) {
            assert!(path.starts_with(root.path()), "{rel:?} resolved outside: {}", path.display());
        }
    }
    let _ = root_dir;
});
