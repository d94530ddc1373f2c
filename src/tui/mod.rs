//! The terminal UI, Elm-shaped: `update(&mut App, Msg) -> Vec<Effect>`
//! changes the state, effects run off the UI thread and answer with
//! messages, views draw the state and nothing else.
//!
//! The path of a key, from the terminal to behaviour:
//! 1. [`runtime`] reads a crossterm event and sends `Msg::Key` to [`update::update`].
//! 2. [`update`] asks [`app::App::keymap_context`] where the keyboard is (the
//!    overlay's context, else the top screen's `Screen::keymap_context`).
//! 3. [`keymap::resolve`] turns the key (or a chord) into an [`action::Action`],
//!    or says it is unbound: then it is text for the focused input.
//! 4. [`update::apply`] routes the action: the open overlay ([`overlays`]),
//!    else the top screen's `screens/<screen>/keys.rs` `handle`, which gets a
//!    [`context::Ctx`] (never the app) and answers `Handled::Yes` or `No`.
//! 5. What the screen asked for (effects, a flash, a [`context::Nav`]) is
//!    settled: moves go through [`navigation`], the only writer of the stack.
//! 6. Actions no screen took go to [`global::apply`] (help, back, quit...).
//! 7. Effects run in [`effects`]; their answers come back through
//!    [`messages`]; [`views`] then draw each screen's `view.rs`.

pub mod action;
pub mod app;
pub mod colors;
pub mod context;
pub mod crash;
pub mod draw;
pub mod effects;
pub mod global;
pub mod input;
pub mod key;
pub mod keymap;
pub mod loaded;
pub mod messages;
pub mod navigation;
pub mod overlays;
pub mod page_find;
pub mod plugins;
pub mod runtime;
pub mod screens;
pub mod stars;
pub mod syntax_colors;
pub mod theme;
pub mod update;
pub mod views;

pub use runtime::run;
