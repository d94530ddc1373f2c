//! The problems table's state: the setup's problems (keymap and theme
//! files) first, then the index's.

use crate::index::Index;
use crate::model::Problem;

use super::super::super::input::LineInput;
use super::super::selection::Selection;

/// The problems table.
pub struct ProblemsScreen {
    /// Problems of the keymap and theme files, read at start.
    pub setup: Vec<Problem>,
    /// Positions in `setup` followed by the index's problems, after the filter.
    pub shown: Vec<usize>,
    /// The `/` filter (substring, case-insensitive).
    pub filter: LineInput,
    /// Whether the filter has the keyboard.
    pub filtering: bool,
    /// The selection.
    pub sel: Selection,
}

impl ProblemsScreen {
    /// Every problem: the setup's, then the index's.
    pub fn new(setup: Vec<Problem>, index: &Index) -> ProblemsScreen {
        ProblemsScreen {
            shown: (0..setup.len() + index.problems.len()).collect(),
            setup,
            filter: LineInput::new("filter"),
            filtering: false,
            sel: Selection::default(),
        }
    }

    /// The problem at position `at` of the whole list.
    pub fn get<'a>(&'a self, index: &'a Index, at: usize) -> Option<&'a Problem> {
        match at.checked_sub(self.setup.len()) {
            None => self.setup.get(at),
            Some(i) => index.problems.get(i),
        }
    }

    /// The selected problem.
    pub fn selected<'a>(&'a self, index: &'a Index) -> Option<&'a Problem> {
        self.shown.get(self.sel.selected).and_then(|&at| self.get(index, at))
    }

    /// How many problems there are, unfiltered.
    pub fn total(&self, index: &Index) -> usize {
        self.setup.len() + index.problems.len()
    }

    /// Re-applies the filter.
    pub fn refilter(&mut self, index: &Index) {
        let needle = self.filter.text().to_lowercase();
        let all = self.setup.iter().chain(index.problems.iter());
        self.shown = all
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
