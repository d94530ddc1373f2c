//! The portal beyond the catalog: what a Backstage backend's plugins offer
//! besides entities.
//!
//! - [`actions`]: the actions registry (list, invoke, confirmation rules);
//!   [`action_input`]: an action's input through the scaffolder's form
//!   engine.
//! - [`search`]: the server's search backend, paged, highlights in pieces;
//!   [`docs_place`]: where a TechDocs result points (page and anchor).
//! - [`tasks`]: scaffolder tasks as a history (summaries, steps, logs);
//!   the API calls are in [`crate::scaffold::remote`].
//!
//! Sits above `scaffold` (it reuses its form engine and task client); used
//! by `cli` and `tui`.

pub mod action_input;
pub mod actions;
pub mod docs_place;
pub mod search;
pub mod tasks;
