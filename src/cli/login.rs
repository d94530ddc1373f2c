//! `stagehand login` and `logout`: Backstage's CLI sign-in, over SSH too.

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::output::Out;
use crate::config::TokenSource;
use crate::sources::login::callback::{self, Arrival};
use crate::sources::login::flow::{self, Callback};
use crate::sources::login::store;
use crate::sources::remote::client::Client;
use crate::workspace::Workspace;

/// How long `login` waits for the browser's answer.
const WAIT: Duration = Duration::from_secs(600);

/// `stagehand login [--source NAME] [--no-browser]`.
pub fn login(ws: &Workspace, source: Option<&str>, no_browser: bool) -> anyhow::Result<u8> {
    let (name, mut config) = ws.remote_source(source)?;
    config.token = TokenSource::None;
    let client = Client::new(&config).map_err(anyhow::Error::msg)?;
    let pending = flow::begin(&client).map_err(anyhow::Error::msg)?;
    let listener = match callback::bind(&pending.redirect_uri) {
        Ok(listener) => Some(listener),
        Err(why) => {
            eprintln!("note: {why}; paste the address instead");
            None
        }
    };
    eprintln!("Sign in to `{name}` ({}): open this address in a browser:\n", pending.base);
    eprintln!("{}\n", pending.authorize_url);
    if !no_browser {
        open_browser(&pending.authorize_url);
    }
    if listener.is_some() {
        eprintln!(
            "Waiting for the browser to come back to {} (a browser on this machine, or over SSH with \
             `ssh -L 8055:127.0.0.1:8055 HOST`).",
            pending.redirect_uri
        );
    }
    eprintln!("Or paste here the address the browser ended on ({}?code=…):", pending.redirect_uri);
    let has_listener = listener.is_some();
    let arrivals = callback::arrivals(listener, std::io::BufReader::new(std::io::stdin()));
    let deadline = Instant::now() + WAIT;
    let code = loop {
        match arrivals.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Arrival::Address(address)) => match pending.read_callback(&address).map_err(anyhow::Error::msg)? {
                Callback::Code(code) => break code,
                Callback::NotACallback => {
                    eprintln!(
                        "That is not the address the browser ended on (it starts with {}?code=); paste it again:",
                        pending.redirect_uri
                    )
                }
            },
            Ok(Arrival::InputClosed) if has_listener => {}
            Ok(Arrival::InputClosed) | Err(RecvTimeoutError::Disconnected) => {
                bail!("no sign-in address was pasted; run `stagehand login --source {name}` again")
            }
            Err(RecvTimeoutError::Timeout) => {
                bail!("gave up waiting for the sign-in after {} minutes", WAIT.as_secs() / 60)
            }
        }
    };
    let session = pending.complete(&client, &code).map_err(anyhow::Error::msg)?;
    store::save(&store::file(&ws.paths.profile_data_dir(), &name), &session).map_err(anyhow::Error::msg)?;
    let mut out = Out::default();
    out.line(&format!(
        "signed in to `{name}` as {} until {}",
        session.user.as_deref().unwrap_or("an unknown user"),
        store::rfc3339(session.expires_at)
    ));
    out.flush()?;
    Ok(0)
}

/// `stagehand logout [--source NAME]`: forgets the stored session (and
/// revokes its refresh token when the backend allows).
pub fn logout(ws: &Workspace, source: Option<&str>) -> anyhow::Result<u8> {
    let (name, mut config) = ws.remote_source(source)?;
    let file = store::file(&ws.paths.profile_data_dir(), &name);
    let mut out = Out::default();
    match store::load(&file).map_err(anyhow::Error::msg)? {
        Some(session) => {
            config.token = TokenSource::None;
            if let Err(why) = Client::new(&config).and_then(|c| flow::revoke(&c, &session)) {
                eprintln!("note: the backend did not revoke the session: {why}");
            }
            store::remove(&file).map_err(anyhow::Error::msg)?;
            out.line(&format!("signed out of `{name}`"));
        }
        None => out.line(&format!("not signed in to `{name}`")),
    }
    out.flush()?;
    Ok(0)
}

/// The session line `whoami` adds for a signed-in source.
pub fn session_note(token: &TokenSource) -> Option<String> {
    let TokenSource::Login { file, .. } = token else { return None };
    let session = store::load(file).ok().flatten()?;
    Some(format!("signed in with `stagehand login`, session until {}", store::rfc3339(session.expires_at)))
}

/// Starts `$BROWSER` on `url` when it is set (the URL is printed anyway).
fn open_browser(url: &str) {
    let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) else { return };
    let started = std::process::Command::new(&browser)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = started {
        eprintln!("note: cannot start $BROWSER ({}): {e}", browser.to_string_lossy());
    }
}
