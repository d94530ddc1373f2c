//! The `:login` task: the same sign-in as `stagehand login`, reporting to
//! the overlay; pasted addresses arrive on the channel it hands out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::config::TokenSource;
use crate::sources::login::callback::{self, Arrival};
use crate::sources::login::flow::{self, Callback};
use crate::sources::login::store;
use crate::sources::remote::client::Client;
use crate::tui::app::Msg;
use crate::tui::overlays::login_state::LoginMsg;

use super::EffectContext;

/// How long the task waits for the browser's answer.
const WAIT: Duration = Duration::from_secs(600);

/// Signs in to `source` (or the only remote source); the answer for the overlay.
pub fn run(ctx: &EffectContext, source: Option<&str>, cancel: &Arc<AtomicBool>) -> LoginMsg {
    LoginMsg::Done(sign_in(ctx, source, cancel))
}

fn sign_in(ctx: &EffectContext, source: Option<&str>, cancel: &Arc<AtomicBool>) -> Result<String, String> {
    let (name, mut config) = ctx.ws.remote_source(source).map_err(|e| format!("{e:#}"))?;
    config.token = TokenSource::None;
    let client = Client::new(&config)?;
    let pending = flow::begin(&client)?;
    let (tx, rx) = mpsc::channel();
    let listening = callback::bind(&pending.redirect_uri).ok().map(|listener| {
        callback::listen(listener, tx.clone(), cancel.clone());
        pending.redirect_uri.clone()
    });
    (ctx.progress)(Msg::Login(LoginMsg::Ready { url: pending.authorize_url.clone(), listening, paste: tx }));
    let deadline = Instant::now() + WAIT;
    let code = loop {
        if cancel.load(Ordering::Relaxed) {
            return Err("cancelled".into());
        }
        if Instant::now() > deadline {
            return Err(format!("gave up waiting for the sign-in after {} minutes", WAIT.as_secs() / 60));
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(Arrival::Address(address)) => match pending.read_callback(&address)? {
                Callback::Code(code) => break code,
                Callback::NotACallback => (ctx.progress)(Msg::Login(LoginMsg::Note(format!(
                    "that is not the address the browser ended on (it starts with {}?code=)",
                    pending.redirect_uri
                )))),
            },
            Ok(Arrival::InputClosed) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Err("cancelled".into()),
        }
    };
    let session = pending.complete(&client, &code)?;
    store::save(&store::file(&ctx.ws.paths.profile_data_dir(), &name), &session)?;
    Ok(format!(
        "signed in to `{name}` as {} until {}",
        session.user.as_deref().unwrap_or("an unknown user"),
        store::rfc3339(session.expires_at)
    ))
}
