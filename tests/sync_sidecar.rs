//! A remote sync that changes nothing leaves the index file as it is and
//! records its time in the sidecar beside it; the loaded index shows that
//! time. A damaged sidecar is reported, not fatal; a real change rewrites
//! the index and supersedes the sidecar. Against a small catalog server
//! the test controls.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use stagehand::index::{now, sidecar};
use stagehand::workspace::Workspace;

/// A catalog of components `a`, `b`, `c` served from memory.
struct Catalog {
    url: String,
    items: Arc<Mutex<Vec<Value>>>,
}

fn entity(name: &str, etag: &str, description: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "etag": etag,
            "description": description},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
    })
}

/// The `metadata.uid=` filters of a request line (none: every entity).
fn uid_filters(request_line: &str) -> Vec<String> {
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("filter="))
        .filter_map(|f| f.strip_prefix("metadata.uid%3D").or_else(|| f.strip_prefix("metadata.uid=")))
        .map(String::from)
        .collect()
}

fn respond(mut stream: TcpStream, items: &Mutex<Vec<Value>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let uids = uid_filters(&request_line);
    let items = items.lock().expect("catalog");
    let page: Vec<&Value> = items
        .iter()
        .filter(|i| uids.is_empty() || uids.iter().any(|u| i["metadata"]["uid"].as_str() == Some(u.as_str())))
        .collect();
    let body = json!({"items": page, "totalItems": page.len(), "pageInfo": {}}).to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn catalog() -> Catalog {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let items = Arc::new(Mutex::new(vec![entity("a", "1", "A"), entity("b", "1", "B"), entity("c", "1", "C")]));
    let served = items.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let items = served.clone();
            std::thread::spawn(move || respond(stream, &items));
        }
    });
    Catalog { url, items }
}

fn workspace(dir: &Path, url: &str) -> Workspace {
    let config = dir.join("config.yaml");
    std::fs::write(&config, format!("sources:\n  - name: fake\n    backstage:\n      url: {url}\n")).expect("config");
    let mut ws = Workspace::open(Some(config), false, false).expect("workspace");
    ws.paths.cache_dir = dir.join("cache");
    ws.paths.data_dir = dir.join("data");
    ws
}

/// The index file's bytes and modification time.
fn file_state(path: &Path) -> (Vec<u8>, SystemTime) {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).expect("index mtime");
    (std::fs::read(path).expect("index bytes"), modified)
}

/// Waits until the clock (whole seconds, as sync times are) passes `t`.
fn wait_past(t: u64) {
    while now() <= t {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A workspace synced once (full), its index file and that sync's time.
fn synced(dir: &Path, catalog: &Catalog) -> (Workspace, PathBuf, u64) {
    let ws = workspace(dir, &catalog.url);
    let first = ws.sync(None, false, &|_| {}).expect("first sync");
    assert_eq!(first.index.len(), 3);
    let time = first.index.sources[0].last_success.expect("synced");
    let index_file = ws.paths.index_file();
    (ws, index_file, time)
}

#[test]
fn a_no_change_sync_keeps_the_index_file_and_shows_the_new_time() {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("dir");
    let (ws, index_file, first) = synced(dir.path(), &catalog);
    let before = file_state(&index_file);
    wait_past(first);
    let report = ws.sync(None, false, &|_| {}).expect("no-change sync");
    assert_eq!(report.sources[0].1, Ok(3));
    assert_eq!(file_state(&index_file), before, "the index file is neither rewritten nor touched");
    assert!(sidecar::path_for(&index_file).is_file());
    let loaded = ws.load_index().expect("load");
    let state = &loaded.sources[0];
    assert!(state.last_success.is_some_and(|t| t > first), "{state:?}");
    assert_eq!((state.last_attempt, state.entities), (state.last_success.unwrap_or(0), 3));
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.len(), 3);
    let a = loaded.find("component:default/a").expect("a");
    assert_eq!(loaded.summary(a).description, Some("A"));
}

#[test]
fn a_damaged_sidecar_is_reported_then_replaced_by_the_next_sync() {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("dir");
    let (ws, index_file, first) = synced(dir.path(), &catalog);
    wait_past(first);
    ws.sync(None, false, &|_| {}).expect("no-change sync");
    let state_file = sidecar::path_for(&index_file);
    std::fs::write(&state_file, b"{\"format\":1,\"ind").expect("damage the sidecar");
    let loaded = ws.load_index().expect("a damaged sidecar is not fatal");
    assert_eq!(loaded.len(), 3);
    assert_eq!(loaded.sources[0].last_success, Some(first), "the index's own time");
    let warning = loaded.problems.iter().find(|p| p.message.contains("is damaged")).expect("reported");
    assert!(warning.message.contains(&state_file.display().to_string()), "{}", warning.message);

    let before = file_state(&index_file);
    ws.sync(None, false, &|_| {}).expect("sync after the damage");
    assert_ne!(file_state(&index_file).0, before.0, "the index is rewritten without the warning");
    assert!(!state_file.exists(), "the damaged sidecar is gone");
    let loaded = ws.load_index().expect("load");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
}

#[test]
fn a_real_change_rewrites_the_index_and_supersedes_the_sidecar() {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("dir");
    let (ws, index_file, first) = synced(dir.path(), &catalog);
    wait_past(first);
    ws.sync(None, false, &|_| {}).expect("no-change sync");
    let state_file = sidecar::path_for(&index_file);
    assert!(state_file.is_file());
    let before = file_state(&index_file);

    catalog.items.lock().expect("catalog")[1] = entity("b", "2", "B, changed");
    let report = ws.sync(None, false, &|_| {}).expect("sync with a change");
    assert_eq!(report.sources[0].1, Ok(3));
    assert_ne!(file_state(&index_file).0, before.0, "the index is rewritten");
    assert!(!state_file.exists(), "the sidecar is superseded");
    let loaded = ws.load_index().expect("load");
    let b = loaded.find("component:default/b").expect("b");
    assert_eq!(loaded.summary(b).description, Some("B, changed"));
    assert_eq!(loaded.sources[0].last_success, report.index.sources[0].last_success);
}
