//! The search home: a query line and ranked results. Its keys are in
//! [`keys`], its drawing in [`view`].

pub mod keys;
pub mod view;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::index::Rejected;
use crate::index::search::{FacetHint, Hit, Query};

use super::super::input::LineInput;
use super::selection::Selection;

/// Which part of the search screen has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFocus {
    /// Typing goes into the query.
    Query,
    /// Keys move through the results.
    Results,
}

/// The search home.
pub struct SearchScreen {
    /// The query line.
    pub input: LineInput,
    /// Where the keyboard is.
    pub focus: SearchFocus,
    /// The query the results are for.
    pub query: Query,
    /// Ranked results.
    pub results: Arc<Vec<Hit>>,
    /// The selection.
    pub sel: Selection,
    /// The generation of the search in flight.
    pub waiting: u64,
    /// `results` hold only the first screen of the search in flight.
    pub first_screen_only: bool,
    /// The newest complete results and their query: a search started while
    /// another runs narrows from these when it can.
    pub settled: Option<(Query, Arc<Vec<Hit>>)>,
    /// Set to abandon the search in flight.
    pub cancel: Arc<AtomicBool>,
    /// After a sync: the ref to select again when results arrive.
    pub reselect: Option<String>,
    /// Did-you-mean for the query's unknown facet keys and values, shown
    /// above the results.
    pub hints: Vec<FacetHint>,
    /// Enter came while the search for the query as typed was in flight:
    /// the top row of its results opens when they are known.
    pub open_when_done: bool,
    /// For an `is:rejected` query: the rejected entities it admits, shown
    /// as the rows (no stored entity is ever among its results).
    pub rejected: Vec<Rejected>,
}

impl SearchScreen {
    /// An empty search.
    pub fn new() -> SearchScreen {
        SearchScreen {
            input: LineInput::new("type to search · kind:api owner:team-a tag:go !lifecycle:deprecated"),
            focus: SearchFocus::Query,
            query: Query::default(),
            results: Arc::new(Vec::new()),
            sel: Selection::default(),
            waiting: 0,
            first_screen_only: false,
            settled: None,
            cancel: Arc::new(AtomicBool::new(false)),
            reselect: None,
            open_when_done: false,
            hints: Vec::new(),
            rejected: Vec::new(),
        }
    }

    /// The selected entity.
    pub fn selected(&self) -> Option<u32> {
        self.results.get(self.sel.selected).map(|h| h.entity)
    }

    /// The selected rejected entity, for an `is:rejected` query.
    pub fn selected_rejected(&self) -> Option<&Rejected> {
        self.rejected.get(self.sel.selected)
    }

    /// How many rows there are: rejected entities for an `is:rejected`
    /// query, else results.
    pub fn row_count(&self) -> usize {
        if self.query.rejected { self.rejected.len() } else { self.results.len() }
    }
}

impl Default for SearchScreen {
    fn default() -> Self {
        Self::new()
    }
}
