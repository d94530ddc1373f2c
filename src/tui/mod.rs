//! The terminal UI, Elm-shaped: a key goes through the [`keymap`] to an
//! [`action::Action`]; [`update::update`] changes the [`app::App`] state and
//! returns effects; [`effects`] run them off the UI thread and answer with
//! messages; [`views`] draw the state and nothing else.

pub mod action;
pub mod app;
pub mod colors;
pub mod commands;
pub mod crash;
pub mod docs;
pub mod effects;
pub mod entity_actions;
pub mod entity_page;
pub mod input;
pub mod keymap;
pub mod outline;
pub mod runtime;
pub mod screens;
pub mod stars;
pub mod theme;
pub mod update;
pub mod views;
pub mod wizard;
pub mod wizard_chooser;
pub mod wizard_keys;

pub use runtime::run;
