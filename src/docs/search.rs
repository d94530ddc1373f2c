//! Search across docs.
