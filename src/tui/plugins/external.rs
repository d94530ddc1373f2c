//! An external program to run: a plugin, the editor, a browser. Never
//! through a shell; foreground ones get the terminal (the runtime suspends
//! the TUI around them), background ones get none.

use std::process::{Command, Stdio};

use crate::model::sanitize;
use crate::tui::app::Msg;

/// A program and its arguments, and what to do once it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    /// The program (a name on PATH or a path).
    pub program: String,
    /// Its arguments, passed as they are.
    pub args: Vec<String>,
    /// What the user knows it as (`plugin pods`, `editor`, `browser`).
    pub label: String,
    /// Re-sync this source once it exits (after editing a catalog file).
    pub resync: Option<String>,
}

impl External {
    /// The command line, for messages: one line, control characters removed.
    pub fn line(&self) -> String {
        let words: Vec<&str> =
            std::iter::once(self.program.as_str()).chain(self.args.iter().map(String::as_str)).collect();
        sanitize::line(&words.join(" ")).into_owned()
    }

    /// Runs it with the terminal and waits (the TUI is suspended meanwhile).
    pub fn run_foreground(&self) -> Msg {
        let outcome = Command::new(&self.program).args(&self.args).status().map_err(|e| self.cannot_start(&e));
        let outcome = outcome.and_then(|status| self.check(status));
        Msg::Ran { label: self.label.clone(), outcome, resync: self.resync.clone() }
    }

    /// Runs it without the terminal (no input, output kept for errors) and
    /// waits, off the UI thread.
    pub fn run_background(&self) -> Msg {
        let output = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let outcome = match output {
            Err(e) => Err(self.cannot_start(&e)),
            Ok(out) => self.check(out.status).map_err(|e| {
                let stderr = String::from_utf8_lossy(&out.stderr);
                let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                let last: String = sanitize::line(last).chars().take(160).collect();
                if last.is_empty() { e } else { format!("{e}: {last}") }
            }),
        };
        Msg::Ran { label: self.label.clone(), outcome, resync: self.resync.clone() }
    }

    fn cannot_start(&self, e: &std::io::Error) -> String {
        format!("{}: cannot start `{}`: {e}", self.label, sanitize::line(&self.program))
    }

    fn check(&self, status: std::process::ExitStatus) -> Result<(), String> {
        if status.success() { Ok(()) } else { Err(format!("{}: `{}` exited with {status}", self.label, self.line())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(program: &str, args: &[&str]) -> External {
        External {
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            label: "plugin t".into(),
            resync: None,
        }
    }

    #[test]
    fn background_runs_report_failures_with_the_last_error_line() {
        let Msg::Ran { outcome, .. } = ext("sh", &["-c", "echo nope >&2; exit 3"]).run_background() else {
            panic!("not Ran")
        };
        let e = outcome.unwrap_err();
        assert!(e.contains("exited with") && e.ends_with(": nope"), "{e}");
        let Msg::Ran { outcome, .. } = ext("true", &[]).run_background() else { panic!("not Ran") };
        assert_eq!(outcome, Ok(()));
        let Msg::Ran { outcome, .. } = ext("/nonexistent/prog", &[]).run_background() else { panic!("not Ran") };
        assert!(outcome.unwrap_err().contains("cannot start"));
    }

    #[test]
    fn the_shown_line_has_no_control_characters() {
        let line = ext("echo", &["a\x1b]0;x\x07", "b\nc"]).line();
        assert!(!line.contains('\x1b') && !line.contains('\n') && line.ends_with(" b c"), "{line}");
    }
}
