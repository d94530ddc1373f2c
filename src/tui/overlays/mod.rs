//! Overlays drawn above the current screen: the help, the `:` command
//! palette and the `:login` sign-in. Each has its keys ([`help`], [`palette`]) and its drawing
//! ([`help_view`], [`palette_view`]); palette commands run in [`commands`].

pub mod commands;
pub mod help;
pub mod help_view;
pub mod links;
pub mod login;
pub mod login_view;
pub mod messages_view;
pub mod palette;
pub mod palette_view;

use super::input::LineInput;

/// Overlays drawn above the current screen.
pub enum Overlay {
    /// The help overlay, with its scroll offset.
    Help(usize),
    /// The `:` command palette.
    Palette(Box<Palette>),
    /// `:login`: signing in to a remote source.
    Login(Box<login::LoginOverlay>),
    /// The `:messages` log, scrolled this many lines up from its end.
    Messages(usize),
    /// The entity's links, to pick one to open.
    Links(Box<links::LinkPicker>),
}

/// The command palette's input and selection.
pub struct Palette {
    /// What was typed.
    pub input: LineInput,
    /// The highlighted suggestion.
    pub selected: usize,
}
