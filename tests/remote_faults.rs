//! Remote sync under faults, against a small HTTP server the test controls:
//! a 500 then success (retried), a connection dropped mid-page, answers
//! slower than the timeout. After each failure the previous index survives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use stagehand::workspace::Workspace;

/// How the fake catalog answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Two good pages.
    Good,
    /// The first request of each page fails with 500, the retry works.
    FlakyThenGood,
    /// Page 2 drops the connection half-way through the body, every time.
    DropPageTwo,
    /// Every answer takes longer than the client's timeout.
    Slow,
}

const MODES: [Mode; 4] = [Mode::Good, Mode::FlakyThenGood, Mode::DropPageTwo, Mode::Slow];

struct Fake {
    url: String,
    mode: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

fn entity(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "etag": "e1"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
    })
}

fn page(cursor: bool) -> String {
    let (items, info) = if cursor {
        (vec![entity("a"), entity("b")], json!({"nextCursor": "page-2"}))
    } else {
        (vec![entity("c")], json!({}))
    };
    json!({"items": items, "totalItems": 3, "pageInfo": info}).to_string()
}

fn respond(mut stream: TcpStream, mode: Mode, attempt: usize) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let second_page = request_line.contains("cursor=page-2");
    if mode == Mode::Slow {
        std::thread::sleep(Duration::from_millis(1500));
    }
    if mode == Mode::FlakyThenGood && attempt.is_multiple_of(2) {
        let body = r#"{"error":{"name":"Error","message":"database is restarting"}}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    let body = page(!second_page);
    if mode == Mode::DropPageTwo && second_page {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            &body[..body.len() / 2]
        );
        let _ = stream.flush();
        return;
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

fn fake() -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let mode = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (m, r) = (mode.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mode = MODES[m.load(Ordering::SeqCst)];
            let attempt = r.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || respond(stream, mode, attempt));
        }
    });
    Fake { url, mode, requests }
}

fn workspace(dir: &Path, url: &str) -> Workspace {
    let config = dir.join("config.yaml");
    let text =
        format!("sources:\n  - name: fake\n    backstage:\n      url: {url}\n      timeout: 1s\n      page_size: 2\n");
    std::fs::write(&config, text).expect("config");
    let mut ws = Workspace::open(Some(config), false, false).expect("workspace");
    ws.paths.cache_dir = dir.join("cache");
    ws.paths.data_dir = dir.join("data");
    ws
}

fn set(fake: &Fake, mode: Mode) {
    let i = MODES.iter().position(|m| *m == mode).expect("mode");
    fake.mode.store(i, Ordering::SeqCst);
}

/// Syncs in `mode` after a good sync; returns the failure message.
fn fails_and_keeps_the_index(mode: Mode) -> String {
    let fake = fake();
    let dir = tempfile::tempdir().expect("dir");
    let ws = workspace(dir.path(), &fake.url);
    let first = ws.sync(None, true, &|_| {}).expect("good sync");
    assert_eq!(first.index.len(), 3);
    set(&fake, mode);
    let report = ws.sync(None, true, &|_| {}).expect("a failing source is not a failing sync");
    let error = report.sources[0].1.clone().expect_err("the source fails");
    assert_eq!(report.index.len(), 3, "the previous entities survive");
    let reloaded = ws.load_index().expect("the index on disk loads");
    assert_eq!(reloaded.len(), 3);
    assert_eq!(reloaded.sources[0].last_error.as_deref(), Some(error.as_str()));
    error
}

#[test]
fn a_500_is_retried_and_the_sync_succeeds() {
    let fake = fake();
    set(&fake, Mode::FlakyThenGood);
    let dir = tempfile::tempdir().expect("dir");
    let report = workspace(dir.path(), &fake.url).sync(None, true, &|_| {}).expect("sync");
    assert!(report.sources[0].1.is_ok(), "{:?}", report.sources);
    assert_eq!(report.index.len(), 3);
    assert_eq!(fake.requests.load(Ordering::SeqCst), 4, "each page failed once and was retried once");
}

#[test]
fn a_connection_dropped_mid_page_keeps_the_old_index() {
    let error = fails_and_keeps_the_index(Mode::DropPageTwo);
    assert!(error.contains("after 4 attempts"), "{error}");
}

#[test]
fn answers_slower_than_the_timeout_keep_the_old_index() {
    let error = fails_and_keeps_the_index(Mode::Slow);
    assert!(error.contains("timeout"), "{error}");
}
