//! `:login [NAME]`: Backstage's CLI sign-in inside the TUI. The overlay
//! shows the address to open and takes the address the browser ended on
//! (pasted), while the loopback listener waits for the browser too; the
//! [`Effect::Login`] task owns the exchange and answers with messages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::KeyEvent;

use crate::tui::action::Action;
use crate::tui::app::{App, Level};
use crate::tui::effects::Effect;
use crate::tui::input::LineInput;

use super::Overlay;
pub use super::login_state::{LoginMsg, LoginOverlay};

/// Opens the overlay and starts the sign-in for `source` (or the only one).
pub fn open(app: &mut App, source: &str) -> Vec<Effect> {
    let cancel = Arc::new(AtomicBool::new(false));
    app.overlay = Some(Overlay::Login(Box::new(LoginOverlay {
        source: source.to_string(),
        url: None,
        listening: None,
        input: LineInput::new("paste the address the browser ended on, then enter"),
        note: Some("asking the backend…".into()),
        paste: None,
        cancel: cancel.clone(),
    })));
    vec![Effect::Login { source: (!source.is_empty()).then(|| source.to_string()), cancel }]
}

/// Runs `action` while the overlay is open.
pub fn handle(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(Overlay::Login(login)) = &mut app.overlay else { return Vec::new() };
    match action {
        Action::Back | Action::Quit => {
            login.cancel.store(true, Ordering::Relaxed);
            app.overlay = None;
            app.flash("sign-in cancelled".to_string(), Level::Info);
        }
        Action::Select => {
            let address = login.input.text().trim().to_string();
            if let (Some(to), false) = (login.paste.clone(), address.is_empty()) {
                login.input.clear();
                login.note = Some("checking the address…".into());
                return vec![Effect::LoginPaste { to, address }];
            }
        }
        Action::CopyRef => {
            if let Some(url) = login.url.clone() {
                app.flash("address copied".to_string(), Level::Info);
                return vec![Effect::CopyOsc52(url)];
            }
        }
        Action::OpenLink => {
            if let Some(url) = login.url.clone() {
                return vec![Effect::OpenUrl(url)];
            }
        }
        Action::ClearQuery => {
            login.input.clear();
        }
        _ => {}
    }
    Vec::new()
}

/// A key no binding took: text for the paste line.
pub fn typed(login: &mut LoginOverlay, key: KeyEvent) {
    login.input.input(key);
}

/// Delivers what the login task reports.
pub fn deliver(app: &mut App, msg: LoginMsg) {
    let Some(Overlay::Login(login)) = &mut app.overlay else { return };
    match msg {
        LoginMsg::Ready { url, listening, paste } => {
            login.url = Some(url);
            login.listening = listening;
            login.paste = Some(paste);
            login.note = None;
        }
        LoginMsg::Note(note) => login.note = Some(note),
        LoginMsg::Done(Ok(who)) => {
            app.overlay = None;
            app.flash(format!("{who}; ctrl-r syncs with the new session"), Level::Info);
        }
        LoginMsg::Done(Err(e)) => {
            app.overlay = None;
            app.flash(format!("sign-in failed: {e}"), Level::Error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::login::callback::Arrival;
    use crate::tui::app::Settings;
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    fn app() -> App {
        App::new(Settings {
            theme: Theme::default(),
            keymap: Keymap::default(),
            setup_problems: Vec::new(),
            origin: String::new(),
            notice: None,
            osc52: true,
            browser: false,
            identity: None,
            external: Default::default(),
        })
    }

    fn overlay(app: &App) -> &LoginOverlay {
        match &app.overlay {
            Some(Overlay::Login(l)) => l,
            _ => panic!("the login overlay is not open"),
        }
    }

    #[test]
    fn enter_hands_the_pasted_address_to_the_task_once_it_is_ready() {
        let mut app = app();
        let effects = open(&mut app, "prod");
        assert!(matches!(effects.as_slice(), [Effect::Login { source: Some(s), .. }] if s == "prod"));
        if let Some(Overlay::Login(l)) = &mut app.overlay {
            l.input.set("http://127.0.0.1:8055/callback?code=c&state=s");
        }
        assert!(handle(&mut app, Action::Select).is_empty(), "nothing to send to before the task is ready");
        let (tx, rx) = std::sync::mpsc::channel();
        deliver(&mut app, LoginMsg::Ready { url: "http://b/authorize".into(), listening: None, paste: tx });
        assert_eq!(overlay(&app).url.as_deref(), Some("http://b/authorize"));
        let effects = handle(&mut app, Action::Select);
        let [Effect::LoginPaste { to, address }] = effects.as_slice() else { panic!("expected a paste") };
        to.send(Arrival::Address(address.clone())).unwrap();
        assert_eq!(rx.recv().unwrap(), Arrival::Address("http://127.0.0.1:8055/callback?code=c&state=s".into()));
        assert_eq!(overlay(&app).input.text(), "", "the paste line is cleared");
        assert!(
            matches!(handle(&mut app, Action::CopyRef).as_slice(), [Effect::CopyOsc52(u)] if u == "http://b/authorize")
        );
        assert!(
            matches!(handle(&mut app, Action::OpenLink).as_slice(), [Effect::OpenUrl(u)] if u == "http://b/authorize")
        );
    }

    #[test]
    fn esc_cancels_the_task_and_a_failure_closes_with_the_reason() {
        let mut app = app();
        let effects = open(&mut app, "");
        let [Effect::Login { source: None, cancel }] = effects.as_slice() else { panic!("expected a sign-in") };
        handle(&mut app, Action::Back);
        assert!(app.overlay.is_none());
        assert!(cancel.load(Ordering::Relaxed), "the task is told to stop");

        open(&mut app, "prod");
        deliver(&mut app, LoginMsg::Done(Err("the sign-in was denied in the browser".into())));
        assert!(app.overlay.is_none());
        assert_eq!(
            app.flash.as_ref().map(|f| f.text.as_str()),
            Some("sign-in failed: the sign-in was denied in the browser")
        );
    }
}
