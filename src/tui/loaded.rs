//! A loaded index with its search haystacks, and the empty index shown
//! before one is loaded: data every layer of the TUI reads (a leaf module,
//! so views and screens need not depend on the app).

use std::sync::Arc;

use crate::index::Index;
use crate::index::search::Haystacks;

/// An index with its haystacks, ready to search.
#[derive(Clone)]
pub struct Loaded {
    /// The index.
    pub index: Arc<Index>,
    /// Its precomputed search haystacks.
    pub hay: Arc<Haystacks>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Loaded({} entities)", self.index.len())
    }
}

/// The index shown while none is loaded.
pub fn empty_index() -> &'static Index {
    static EMPTY: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Index::empty)
}
