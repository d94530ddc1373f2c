//! What the wizard asks of draft files and what comes back: data only (the
//! app's messages and the effects hold it).

use crate::scaffold::drafts::Draft;

/// Draft file work, done off the update loop.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftEffect {
    /// Read the draft of this template ref.
    Load(String),
    /// Write this draft (secrets already left out).
    Save(Draft),
    /// Delete the draft of this template ref.
    Remove(String),
}

/// A draft read for a template (or why it could not be).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftLoaded {
    /// The template ref asked for.
    pub template: String,
    /// The draft, if one was saved.
    pub draft: Result<Option<Draft>, String>,
}
