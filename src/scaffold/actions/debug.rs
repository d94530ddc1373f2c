//! `debug:log` and `debug:wait`.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::{ActionCtx, Output};
use crate::scaffold::safe_fs::{read_regular, walk};

/// Longest `debug:wait` honoured.
pub const MAX_WAIT: Duration = Duration::from_secs(600);

/// `debug:log`: `message`, `listWorkspace` (true, `with-filenames`, `with-contents`).
pub fn log(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    if let Some(message) = input.get("message") {
        let text = match message {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        for line in text.trim_end_matches('\n').lines() {
            (ctx.log)(line.to_string());
        }
    }
    let list = input.get("listWorkspace");
    if list.is_some_and(|l| l != &Json::Bool(false) && !l.is_null()) {
        let with_contents = list.and_then(Json::as_str) == Some("with-contents");
        (ctx.log)("Workspace:".into());
        for (path, meta) in walk(ctx.root.path()).map_err(|e| e.to_string())? {
            if meta.is_dir() {
                continue;
            }
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(ctx.root.path().join(&path)).unwrap_or_default();
                (ctx.log)(format!("  - {path} -> {}", target.display()));
                continue;
            }
            (ctx.log)(format!("  - {path}"));
            // Never through a link: a listed file is read only when it is
            // a regular file reached without one.
            if with_contents && let Ok(Some(bytes)) = read_regular(ctx.root, &path) {
                for line in String::from_utf8_lossy(&bytes).lines() {
                    (ctx.log)(format!("      {line}"));
                }
            }
        }
    }
    Ok(Output::new())
}

/// `debug:wait`: `minutes`, `seconds`, `milliseconds` (at most ten minutes;
/// cancellable).
pub fn wait(input: &Json, ctx: &mut ActionCtx<'_>) -> Result<Output, String> {
    let n = |k: &str| input.get(k).and_then(Json::as_f64).unwrap_or(0.0).max(0.0);
    let ms = n("minutes") * 60_000.0 + n("seconds") * 1000.0 + n("milliseconds");
    let wanted = Duration::from_millis(ms.min(MAX_WAIT.as_millis() as f64) as u64);
    (ctx.log)(format!("Waiting {} ms", wanted.as_millis()));
    let end = Instant::now() + wanted;
    while Instant::now() < end {
        ctx.check_cancel()?;
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(50)));
    }
    Ok(Output::new())
}
