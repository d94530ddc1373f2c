//! stagehand: a terminal client for Backstage-style developer portals.
//!
//! Layers, each depending only on those above it:
//! `model` -> `sources` -> `index` -> `scaffold` -> `cli` and `tui`.

// Panics: no unwrap or expect outside tests; the few audited exceptions
// (constant regexes, embedded assets) carry an `allow` with the reason.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod demo;
pub mod docs;
pub mod index;
pub mod mcp;
pub mod model;
pub mod paths;
pub mod scaffold;
pub mod sources;
pub mod tui;
pub mod workspace;
