//! Overlays drawn above the current screen: the help, the `:` command
//! palette and the `:login` sign-in. Each has its keys ([`help`], [`palette`]) and its drawing
//! ([`help_view`], [`palette_view`]); palette commands run in [`commands`].

pub mod commands;
pub mod complete;
pub mod help;
pub mod help_view;
pub mod links;
pub mod login;
pub mod login_state;
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
    Login(Box<login_state::LoginOverlay>),
    /// The `:messages` log, scrolled this many lines up from its end.
    Messages(usize),
    /// The entity's links, to pick one to open.
    Links(Box<LinkPicker>),
}

/// The command palette's input and selection.
pub struct Palette {
    /// What was typed.
    pub input: LineInput,
    /// The highlighted suggestion.
    pub selected: usize,
}

/// The links of one entity, labelled and sanitized, and the one selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPicker {
    /// The entity's ref, for the title.
    pub title: String,
    /// (label, URL), in the order shown.
    pub links: Vec<(String, String)>,
    /// The entity, when it has TechDocs: a last row opens its Docs tab.
    pub docs: Option<u32>,
    /// The selected row.
    pub selected: usize,
}
