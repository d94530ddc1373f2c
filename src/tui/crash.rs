//! What happens when the TUI panics. Every panic writes a short report
//! (version, where, what; no environment, no arguments, no config, secrets
//! redacted) to a 0600 file under the cache dir. A panic inside an effect
//! (see [`guarded`]) stops only that effect: the UI says it failed and goes
//! on. Any other panic restores the terminal (ratatui's hook, installed
//! before this one), prints one line saying where the report is, and exits
//! with 101.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use crate::config::{Config, SourceKind, TokenSource};
use crate::model::sanitize;

/// Exit status after a panic (Rust's own).
pub const PANIC_EXIT: i32 = 101;

thread_local! {
    /// Set while an effect runs on this thread (see [`guarded`]).
    static IN_EFFECT: Cell<bool> = const { Cell::new(false) };
}

/// Runs one effect; a panic inside it becomes an error message instead of
/// ending the program (its report is written all the same).
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    IN_EFFECT.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_EFFECT.with(|c| c.set(false));
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        format!(
            "an internal error stopped this task ({}); a report is in the cache's crash folder",
            sanitize::line(&what)
        )
    })
}

/// What a report needs: where reports go and what to redact.
pub struct Reporter {
    dir: PathBuf,
    secrets: Vec<String>,
}

impl Reporter {
    /// Writes the report of a panic; returns what panicked and where the
    /// report is.
    fn write_report(&self, info: &std::panic::PanicHookInfo<'_>) -> (String, std::io::Result<PathBuf>) {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        let what = redact(&what, &self.secrets);
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let written = write(&self.dir, &report(&what, &location));
        (what, written)
    }
}

/// Installs the crash reporter BEFORE `ratatui::init` (whose hook restores
/// the terminal and then calls this one); reports go to `cache_dir/crash`.
pub fn install(cache_dir: &Path, config: &Config) -> std::sync::Arc<Reporter> {
    let reporter = std::sync::Arc::new(Reporter { dir: cache_dir.join("crash"), secrets: secrets(config) });
    let hook_reporter = reporter.clone();
    std::panic::set_hook(Box::new(move |info| {
        // ratatui's hook left raw mode and the alternate screen; the cursor
        // it leaves hidden (the terminal is never dropped: we exit below).
        let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
        match hook_reporter.write_report(info) {
            (what, Ok(path)) => eprintln!(
                "stagehand crashed: {}\na short report (no secrets) is in {}",
                sanitize::line(&what),
                path.display()
            ),
            (what, Err(e)) => eprintln!("stagehand crashed: {} (no report: {e})", sanitize::line(&what)),
        }
        std::process::exit(PANIC_EXIT);
    }));
    reporter
}

/// Installs, AFTER `ratatui::init`, the outermost hook: a panic inside an
/// effect (see [`guarded`]) only writes its report and lets the effect fail;
/// any other goes on to ratatui's hook (restore) and then the reporter (exit).
pub fn guard_effects(reporter: std::sync::Arc<Reporter>) {
    let next = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if IN_EFFECT.with(Cell::get) {
            let _ = reporter.write_report(info);
            return;
        }
        next(info);
    }));
}

fn report(what: &str, location: &str) -> String {
    let when = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!(
        "stagehand {} crashed\nwhen:  {when} (unix time)\nwhere: {location}\nwhat:  {}\nos:    {} {}\n",
        env!("CARGO_PKG_VERSION"),
        sanitize::text(what),
        std::env::consts::OS,
        std::env::consts::ARCH,
    )
}

fn write(dir: &Path, report: &str) -> std::io::Result<PathBuf> {
    crate::index::store::create_private_dir(dir)?;
    let when = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let path = dir.join(format!("crash-{when}-{}.txt", std::process::id()));
    crate::index::store::write_private(&path, report.as_bytes())?;
    Ok(path)
}

/// Values a report must never hold: the configured tokens (from env and
/// files) and every environment variable whose name says it is a secret.
fn secrets(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    for source in &config.sources {
        if let SourceKind::Backstage(remote) = &source.kind {
            match &remote.token {
                TokenSource::Env(var) => out.extend(std::env::var(var).ok()),
                TokenSource::File(path) => out.extend(std::fs::read_to_string(path).ok()),
                TokenSource::Login { file, .. } => out.extend(
                    crate::sources::login::store::load(file)
                        .ok()
                        .flatten()
                        .into_iter()
                        .flat_map(|s| [Some(s.access_token), s.refresh_token])
                        .flatten(),
                ),
                TokenSource::Command(_) | TokenSource::None => {}
            }
        }
    }
    for (name, value) in std::env::vars() {
        let upper = name.to_ascii_uppercase();
        if ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "PRIVATE_KEY"]
            .iter()
            .any(|w| upper.contains(w))
        {
            out.push(value);
        }
    }
    let mut out: Vec<String> = out.into_iter().map(|s| s.trim().to_string()).filter(|s| s.len() >= 4).collect();
    // Longest first, so a secret containing another is removed whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn redact(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for s in secrets {
        if text.contains(s.as_str()) {
            text = text.replace(s.as_str(), "[redacted]");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_an_effect_becomes_a_message() {
        assert_eq!(guarded(|| 7).unwrap(), 7);
        let err = guarded(|| -> u8 { panic!("boom\u{1b}]0;x\u{7}") }).unwrap_err();
        assert!(err.contains("boom") && !err.contains('\u{1b}'), "{err}");
        assert!(!IN_EFFECT.with(Cell::get), "the flag is cleared after a panic");
    }

    #[test]
    fn reports_are_short_private_and_redacted() {
        let secrets = vec!["tok-123456".to_string()];
        let what = redact("index 3 out of range for tok-123456\u{1b}]0;x\u{7}", &secrets);
        assert_eq!(what, "index 3 out of range for [redacted]\u{1b}]0;x\u{7}");
        let text = report(&what, "src/x.rs:1");
        assert!(!text.contains('\u{1b}') && text.lines().count() == 5, "{text}");
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir.path().join("crash"), &text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }
}
