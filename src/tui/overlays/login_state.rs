//! The `:login` overlay's state and the messages its task sends: data
//! only (the app holds it; keys and delivery are in the `login` module).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crate::sources::login::callback::Arrival;
use crate::tui::input::LineInput;

/// The sign-in in progress.
pub struct LoginOverlay {
    /// The source signed in to (empty: the only remote source).
    pub source: String,
    /// The address to open, once the backend answered.
    pub url: Option<String>,
    /// Where the loopback listener waits, when it could bind.
    pub listening: Option<String>,
    /// The pasted address.
    pub input: LineInput,
    /// The last thing worth saying (a wrong paste, say).
    pub note: Option<String>,
    pub(super) paste: Option<Sender<Arrival>>,
    pub(super) cancel: Arc<AtomicBool>,
}

/// What the login task reports.
#[derive(Debug)]
pub enum LoginMsg {
    /// The address to open is known; pasted addresses go to `paste`.
    Ready {
        /// The authorize URL.
        url: String,
        /// The loopback address listened on, if any.
        listening: Option<String>,
        /// Where pasted addresses go.
        paste: Sender<Arrival>,
    },
    /// Something to tell the user while waiting.
    Note(String),
    /// The sign-in ended: who, until when; or why not.
    Done(Result<String, String>),
}

impl Drop for LoginOverlay {
    fn drop(&mut self) {
        // However the overlay goes away, the task and its listener stop.
        self.cancel.store(true, Ordering::Relaxed);
    }
}
