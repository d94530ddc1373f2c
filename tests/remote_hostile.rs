//! A hostile backend on loopback (issue 23): pages that repeat their cursor
//! for ever, a gzip bomb, a body trickled a byte at a time, a 401 that
//! echoes the token past where messages are cut, and a password written in
//! the source's URL. Each sync ends (under a hang guard, no speed
//! assertion) with a clear error, the previous index kept, and no secret in
//! any message or in the index.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use stagehand::workspace::{SyncReport, Workspace};

/// The hang guard: far above what any case needs on a slow machine.
const GUARD: Duration = Duration::from_secs(120);

/// One request as the fake server saw it.
struct Request {
    line: String,
    headers: Vec<String>,
}

/// Serves every connection with `answer`; returns the base URL.
fn serve(answer: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let mut headers = Vec::new();
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    headers.push(header.trim().to_string());
                    header.clear();
                }
                let mut stream = stream;
                answer(&Request { line, headers }, &mut stream);
                let _ = stream.flush();
                let mut rest = Vec::new();
                let _ = reader.read_to_end(&mut rest);
            });
        }
    });
    url
}

fn entity(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "etag": "e1"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    })
}

fn json_answer(stream: &mut TcpStream, status: &str, extra: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn good_page(stream: &mut TcpStream) {
    let body = json!({"items": [entity("a"), entity("b")], "totalItems": 2, "pageInfo": {}}).to_string();
    json_answer(stream, "200 OK", "", body.as_bytes());
}

fn workspace(dir: &Path, url: &str, timeout: &str, extra: &str) -> Workspace {
    let config = dir.join("config.yaml");
    let text = format!(
        "sources:\n  - name: fake\n    backstage:\n      url: {url}\n      timeout: {timeout}\n      page_size: 2\n{extra}"
    );
    std::fs::write(&config, text).expect("config");
    let mut ws = Workspace::open(Some(config), false, false).expect("workspace");
    ws.paths.cache_dir = dir.join("cache");
    ws.paths.data_dir = dir.join("data");
    ws
}

/// Syncs under the hang guard.
fn sync(ws: Workspace) -> (Workspace, SyncReport) {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let report = ws.sync(None, true, &|_| {}).expect("a failing source is not a failing sync");
        let _ = send.send((ws, report));
    });
    receive.recv_timeout(GUARD).expect("the sync did not end within the hang guard")
}

/// A good sync, then one against the hostile answers (the good server
/// switched to `hostile`); returns the failure after checking the
/// previous entities survive, on disk too.
fn fails_and_keeps_the_index(
    timeout: &str,
    hostile: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static,
) -> String {
    let bad = Arc::new(Mutex::new(false));
    let switch = bad.clone();
    let url = serve(move |req, stream| if *switch.lock().unwrap() { hostile(req, stream) } else { good_page(stream) });
    let dir = tempfile::tempdir().expect("dir");
    let (ws, first) = sync(workspace(dir.path(), &url, timeout, ""));
    assert_eq!(first.index.len(), 2, "{:?}", first.sources);
    *bad.lock().unwrap() = true;
    let (ws, report) = sync(ws);
    let error = report.sources[0].1.clone().expect_err("the source fails");
    assert_eq!(report.index.len(), 2, "the previous entities survive");
    assert_eq!(ws.load_index().expect("the index on disk loads").len(), 2);
    error
}

#[test]
fn a_cursor_that_repeats_for_ever_stops_the_sync() {
    let error = fails_and_keeps_the_index("1s", |_, stream| {
        // The same page, always pointing at itself.
        let body = json!({"items": [entity("a"), entity("b")], "pageInfo": {"nextCursor": "again"}}).to_string();
        json_answer(stream, "200 OK", "", body.as_bytes());
    });
    assert!(error.contains("sent a cursor it had sent before"), "{error}");
}

#[test]
fn a_gzip_bomb_page_is_refused_by_its_decoded_size() {
    // 72 MiB of tiny entities, about 100 KB on the wire.
    let mut json = String::from("{\"items\":[");
    let tiny = "{\"kind\":\"x\"},";
    json.push_str(&tiny.repeat(72 * 1024 * 1024 / tiny.len()));
    json.push_str("{}],\"pageInfo\":{}}");
    let mut gzip = std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    let mut stdin = gzip.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(json.as_bytes()));
    let packed = gzip.wait_with_output().expect("gzip ran").stdout;
    writer.join().unwrap().unwrap();
    assert!(packed.len() < 1024 * 1024, "the bomb is small on the wire");
    let packed = Arc::new(packed);
    // Time enough to inflate it all in a debug build.
    let error = fails_and_keeps_the_index("60s", move |_, stream| {
        json_answer(stream, "200 OK", "Content-Encoding: gzip\r\n", &packed);
    });
    assert!(error.contains("answered with more than 67108864 bytes"), "{error}");
}

#[test]
fn a_trickled_body_fails_at_the_timeout_and_frees_the_sync() {
    let error = fails_and_keeps_the_index("1s", |_, stream| {
        let body = json!({"items": [entity("a")], "pageInfo": {}}).to_string();
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        // One byte every 300 ms: each read is quick, the whole is not.
        for b in body.bytes() {
            if stream.write_all(&[b]).and_then(|_| stream.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    assert!(error.contains("did not finish its answer within the timeout"), "{error}");
}

#[test]
fn a_token_echoed_past_the_cut_is_redacted_first() {
    const TOKEN: &str = "tok-0123456789-abcdefghij";
    // A non-JSON 401 whose echo of the token straddles character 200.
    let url = serve(|_, stream| {
        let body = format!("{}{TOKEN} is not valid", "x".repeat(190));
        let head =
            format!("HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body.as_bytes());
    });
    let dir = tempfile::tempdir().expect("dir");
    let (ws, report) = sync(workspace(dir.path(), &url, "1s", &format!("      token_command: echo {TOKEN}\n")));
    let error = report.sources[0].1.clone().expect_err("a 401 fails");
    assert!(error.contains("401"), "{error}");
    // The cut at 200 characters keeps the token's first 10: a leak shows
    // its first 8.
    let half = &TOKEN[..8];
    assert!(!error.contains(half), "part of the token in the message: {error}");
    let stored = std::fs::read(ws.paths.index_file()).unwrap_or_default();
    let needle = half.as_bytes();
    assert!(!stored.windows(needle.len()).any(|w| w == needle), "part of the token in the index");
}

#[test]
fn a_password_in_the_url_is_sent_but_never_shown_or_stored() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let url = serve(move |req, stream| {
        record
            .lock()
            .unwrap()
            .extend(req.headers.iter().filter(|h| h.to_lowercase().starts_with("authorization")).cloned());
        let _ = req.line.len();
        json_answer(stream, "404 Not Found", "", br#"{"error":{"name":"NotFoundError","message":"nope"}}"#);
    });
    let with_password = url.replace("http://", "http://alice:s3cret-pw@");
    let dir = tempfile::tempdir().expect("dir");
    let (ws, report) = sync(workspace(dir.path(), &with_password, "1s", ""));
    let error = report.sources[0].1.clone().expect_err("a 404 fails");
    assert!(error.contains("404") && error.contains(&url), "{error}");
    assert!(!error.contains("s3cret-pw") && !error.contains("alice"), "{error}");
    let stored = std::fs::read(ws.paths.index_file()).unwrap_or_default();
    assert!(!stored.windows(9).any(|w| w == b"s3cret-pw"), "the password is in the index");
    // Basic auth: base64("alice:s3cret-pw").
    let sent = seen.lock().unwrap().clone();
    assert!(sent.iter().any(|h| h.ends_with("Basic YWxpY2U6czNjcmV0LXB3")), "{sent:?}");
}
