//! stagehand: a terminal client for Backstage-style developer portals.
//!
//! Layers, each depending only on those above it:
//! `model` -> `sources` -> `index` -> `scaffold` -> `cli` and `tui`.

pub mod cli;
pub mod config;
pub mod demo;
pub mod docs;
pub mod index;
pub mod model;
pub mod paths;
pub mod scaffold;
pub mod sources;
pub mod tui;
pub mod workspace;
