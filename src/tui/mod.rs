//! The terminal UI: the [`action::Action`] list, the keymap that maps keys to
//! actions, and the themes views draw with.

pub mod action;
pub mod keymap;
pub mod theme;

/// Opens the TUI (being wired).
pub fn run(_ws: crate::workspace::Workspace) -> std::process::ExitCode {
    eprintln!("the TUI is not wired yet");
    std::process::ExitCode::from(2)
}
