//! Asking before doing something on a backend: read-only work runs at
//! once, writes ask on a terminal, destructive work asks with Cancel as the
//! default and, away from a terminal, needs `--yes`.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;

use crate::model::sanitize;
use crate::portal::actions::Ask;

/// What to do before running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Run without asking.
    Run,
    /// Ask; the answer defaults to running when true.
    Ask(bool),
    /// Do not run: it is destructive and nobody can confirm.
    Refuse,
}

/// The decision for work of kind `ask`, with `--yes` given or not, on a
/// terminal (`interactive`) or not.
pub fn decide(ask: Ask, yes: bool, interactive: bool) -> Decision {
    match (ask, yes, interactive) {
        (Ask::Never, ..) | (_, true, _) => Decision::Run,
        (Ask::DefaultRun, false, true) => Decision::Ask(true),
        (Ask::DefaultCancel, false, true) => Decision::Ask(false),
        (Ask::DefaultRun, false, false) => Decision::Run,
        (Ask::DefaultCancel, false, false) => Decision::Refuse,
    }
}

/// Whether a person can answer: stdin and stderr are terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on stderr; Enter takes the default.
pub fn ask(question: &str, default_yes: bool) -> anyhow::Result<bool> {
    let choices = if default_yes { "[Y/n]" } else { "[y/N]" };
    eprint!("{} {choices} ", sanitize::line(question));
    std::io::stderr().flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(false);
    }
    Ok(match line.trim().to_lowercase().as_str() {
        "" => default_yes,
        answer => matches!(answer, "y" | "yes"),
    })
}

/// Applies the decision for `what` (e.g. `run catalog:unregister-entity`):
/// an error (exit 2) when refused or declined.
pub fn confirm(what: &str, ask_kind: Ask, yes: bool) -> anyhow::Result<()> {
    match decide(ask_kind, yes, interactive()) {
        Decision::Run => Ok(()),
        Decision::Ask(default_yes) => {
            if self::ask(&format!("{what}?"), default_yes)? {
                Ok(())
            } else {
                bail!("not confirmed: did not {what}")
            }
        }
        Decision::Refuse => {
            bail!("refused to {what} without confirmation: it is destructive; confirm on a terminal or pass --yes")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destructive_work_needs_a_yes_away_from_a_terminal() {
        assert_eq!(decide(Ask::Never, false, false), Decision::Run);
        assert_eq!(decide(Ask::DefaultRun, false, false), Decision::Run);
        assert_eq!(decide(Ask::DefaultRun, false, true), Decision::Ask(true));
        assert_eq!(decide(Ask::DefaultCancel, false, true), Decision::Ask(false));
        assert_eq!(decide(Ask::DefaultCancel, false, false), Decision::Refuse);
        assert_eq!(decide(Ask::DefaultCancel, true, false), Decision::Run);
    }
}
