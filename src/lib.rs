//! stagehand: a terminal client for Backstage-style developer portals.
//!
//! Layers, each depending only on those above it:
//! `model` -> `sources` -> `index` -> `cli` and `tui`.

pub mod config;
pub mod index;
pub mod model;
pub mod sources;
