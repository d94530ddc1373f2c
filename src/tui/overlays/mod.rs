//! Overlays drawn above the current screen: the help and the `:` command
//! palette. Each has its keys ([`help`], [`palette`]) and its drawing
//! ([`help_view`], [`palette_view`]); palette commands run in [`commands`].

pub mod commands;
pub mod help;
pub mod help_view;
pub mod links;
pub mod palette;
pub mod palette_view;

use super::input::LineInput;

/// Overlays drawn above the current screen.
pub enum Overlay {
    /// The help overlay, with its scroll offset.
    Help(usize),
    /// The `:` command palette.
    Palette(Box<Palette>),
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
