//! The `:health` table's state.

use super::super::selection::Selection;

/// The `:health` table.
pub struct HealthScreen {
    /// Findings, sorted by kind then ref.
    pub issues: Vec<crate::index::health::HealthIssue>,
    /// The selection.
    pub sel: Selection,
}
