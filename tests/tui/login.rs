//! `:login` in the headless harness against a small fake auth backend
//! (client document, token and userinfo endpoints): the overlay shows the
//! address, a wrong paste is explained, the browser's return to the
//! loopback listener signs in, and the session lands in the token store.
//! (The real backend's flow is tested through the CLI in tests/login_backend.rs.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::json;
use stagehand::config::{RemoteConfig, SourceConfig, SourceKind, TokenSource};
use stagehand::sources::login::store;
use stagehand::tui::app::Msg;
use stagehand::tui::effects::{self, Effect};
use stagehand::tui::overlays::Overlay;
use stagehand::tui::overlays::login::LoginMsg;

use crate::common_tui::*;

/// Serves the auth endpoints; the redirect address is `callback`.
fn fake_auth(callback: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let client_id = format!("{base}/api/auth/.well-known/oauth-client/cli.json");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = vec![0u8; 16 * 1024];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = request.split(' ').nth(1).unwrap_or("").to_string();
            let body = if path.ends_with("/oauth-client/cli.json") {
                json!({"client_id": client_id, "redirect_uris": [callback], "scope": "openid"})
            } else if path == "/api/auth/v1/token" && request.contains("\"code\":\"good-code\"") {
                json!({"access_token": "fake-access-token", "token_type": "Bearer", "expires_in": 3600})
            } else if path == "/api/auth/v1/userinfo" && request.contains("Bearer fake-access-token") {
                json!({"claims": {"sub": "user:default/fake"}})
            } else {
                json!({"error": "invalid_request"})
            };
            let text = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    base
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port")
}

/// Waits for the running login task to report, and delivers what it said.
fn next_report(h: &mut Harness) -> LoginMsg {
    let start = Instant::now();
    loop {
        let found = h.progress.lock().unwrap().pop();
        if let Some(Msg::Login(msg)) = found {
            return msg;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the login task said nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn login_overlay_signs_in_through_the_loopback_listener() {
    let tmp = tmp_dir();
    let mut ws = demo_workspace(tmp.path());
    let port = free_port();
    let base = fake_auth(format!("http://127.0.0.1:{port}/callback"));
    let file = store::file(&ws.paths.profile_data_dir(), "fake");
    let mut remote = RemoteConfig::new(&base);
    remote.token = TokenSource::Login { source: "fake".into(), file: file.clone() };
    ws.config.sources.push(SourceConfig { name: "fake".into(), kind: SourceKind::Backstage(remote) });
    let mut h = Harness::with(ws, tmp, settings(Default::default()));

    h.keys("tab :");
    h.type_text("login fake");
    let held = h.keys_held("enter");
    let [Effect::Login { .. }] = held.as_slice() else { panic!("`:login fake` should start the sign-in") };
    let ctx = h.ctx.clone();
    let task =
        std::thread::spawn(move || held.into_iter().filter_map(|e| effects::perform(e, &ctx)).collect::<Vec<_>>());

    let ready = next_report(&mut h);
    let LoginMsg::Ready { url, .. } = &ready else { panic!("expected the address first, got {ready:?}") };
    let state = url::Url::parse(url).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    assert!(url.starts_with(&format!("{base}/api/auth/v1/authorize?")), "{url}");
    h.send(Msg::Login(ready));
    let screen = h.screen(120, 40);
    assert!(screen.contains("sign in to fake") && screen.contains("/api/auth/v1/authorize?"), "{screen}");
    assert!(screen.contains(&format!("Waiting for the browser at http://127.0.0.1:{port}/callback")), "{screen}");

    // A wrong paste is explained, and the sign-in goes on.
    h.type_text("nope");
    let held = h.keys_held("enter");
    h.finish(held);
    let note = next_report(&mut h);
    h.send(Msg::Login(note));
    assert!(h.screen(120, 40).contains("that is not the address the browser ended on"));

    // The browser comes back to the loopback listener.
    let page = reqwest::blocking::get(format!("http://127.0.0.1:{port}/callback?code=good-code&state={state}"))
        .and_then(|r| r.text())
        .expect("the listener answers");
    assert!(page.contains("go back to your terminal"), "{page}");
    for msg in task.join().expect("the task ends") {
        h.send(msg);
    }
    assert!(h.app.overlay.is_none(), "the overlay closes when signed in");
    assert!(h.flash().starts_with("signed in to `fake` as user:default/fake until"), "{}", h.flash());
    let session = store::load(&file).unwrap().expect("a stored session");
    assert_eq!(session.access_token, "fake-access-token");
}

#[test]
fn login_in_the_demo_says_there_is_no_remote_source_and_esc_cancels() {
    let mut h = Harness::demo();
    h.command("login");
    assert!(h.app.overlay.is_none());
    assert!(h.flash().contains("sign-in failed") && h.flash().contains("no `backstage:` source"), "{}", h.flash());

    h.keys("tab :");
    h.type_text("login");
    let held = h.keys_held("enter");
    assert!(matches!(h.app.overlay, Some(Overlay::Login(_))));
    h.keys("esc");
    assert!(h.app.overlay.is_none());
    assert_eq!(h.flash(), "sign-in cancelled");
    drop(held);
}
