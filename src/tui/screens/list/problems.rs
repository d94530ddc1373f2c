//! The problems table's state.

use crate::index::Index;

use super::super::super::input::LineInput;
use super::super::selection::Selection;

/// The problems table.
pub struct ProblemsScreen {
    /// Indexes into the index's problems, after the filter.
    pub shown: Vec<usize>,
    /// The `/` filter (substring, case-insensitive).
    pub filter: LineInput,
    /// Whether the filter has the keyboard.
    pub filtering: bool,
    /// The selection.
    pub sel: Selection,
}

impl ProblemsScreen {
    /// Every problem of the index.
    pub fn new(index: &Index) -> ProblemsScreen {
        ProblemsScreen {
            shown: (0..index.problems.len()).collect(),
            filter: LineInput::new("filter"),
            filtering: false,
            sel: Selection::default(),
        }
    }

    /// Re-applies the filter.
    pub fn refilter(&mut self, index: &Index) {
        let needle = self.filter.text().to_lowercase();
        self.shown = index
            .problems
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                needle.is_empty()
                    || p.message.to_lowercase().contains(&needle)
                    || p.location().to_lowercase().contains(&needle)
                    || p.entity.as_deref().is_some_and(|e| e.contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
        self.sel.set(self.sel.selected, self.shown.len());
    }
}
