//! A remote sync that changes nothing leaves the index file as it is and
//! records its time in the sidecar beside it; the loaded index shows that
//! time. A damaged sidecar is reported, not fatal; a real change rewrites
//! the index and supersedes the sidecar. The uid/etag listing is asked for
//! conditionally, right after a full sync too: unchanged, the server
//! answers 304 and the sync keeps every entity. Against a small catalog
//! server the test controls, which writes light pages and ETags the way a
//! Backstage backend (express) does.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use stagehand::index::{now, sidecar};
use stagehand::workspace::Workspace;

/// A catalog of components `a`, `b`, `c` served from memory.
struct Catalog {
    url: String,
    items: Arc<Mutex<Vec<Value>>>,
    /// When set, what requests by uid answer instead of `items` (an entity
    /// that changed again between the two passes of a sync).
    by_uid: Arc<Mutex<Option<Vec<Value>>>>,
    /// Requests answered 304.
    not_modified: Arc<AtomicUsize>,
}

/// The catalog's state, shared with the server thread.
#[derive(Clone)]
struct Served {
    items: Arc<Mutex<Vec<Value>>>,
    by_uid: Arc<Mutex<Option<Vec<Value>>>>,
    not_modified: Arc<AtomicUsize>,
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

/// The ETag express gives `body`: `W/"<length in hex>-<27 characters of
/// the base64 SHA-1>"`.
fn etag_of(body: &str) -> String {
    use base64::Engine as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha1_smol::Sha1::from(body).digest().bytes());
    format!("W/\"{:x}-{}\"", body.len(), &hash[..27])
}

/// An item as a page with `fields=metadata.uid,metadata.etag` lists it.
fn light(item: &Value) -> Value {
    json!({"metadata": {"uid": item["metadata"]["uid"], "etag": item["metadata"]["etag"]}})
}

fn respond(mut stream: TcpStream, served: &Served) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut line = String::new();
    let mut if_none_match = None;
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_string());
        }
        line.clear();
    }
    let uids = uid_filters(&request_line);
    let by_uid = served.by_uid.lock().expect("catalog").clone().filter(|_| !uids.is_empty());
    let items = by_uid.unwrap_or_else(|| served.items.lock().expect("catalog").clone());
    let fields = request_line.contains("fields=");
    let page: Vec<Value> = items
        .iter()
        .filter(|i| uids.is_empty() || uids.iter().any(|u| i["metadata"]["uid"].as_str() == Some(u.as_str())))
        .map(|i| if fields { light(i) } else { i.clone() })
        .collect();
    let body = json!({"items": page, "totalItems": page.len(), "pageInfo": {}}).to_string();
    let etag = etag_of(&body);
    if if_none_match.as_deref() == Some(etag.as_str()) {
        served.not_modified.fetch_add(1, Ordering::SeqCst);
        let _ = write!(stream, "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n");
        return;
    }
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: {etag}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn catalog() -> Catalog {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let served = Served {
        items: Arc::new(Mutex::new(vec![entity("a", "1", "A"), entity("b", "1", "B"), entity("c", "1", "C")])),
        by_uid: Arc::new(Mutex::new(None)),
        not_modified: Arc::new(AtomicUsize::new(0)),
    };
    let catalog = Catalog {
        url,
        items: served.items.clone(),
        by_uid: served.by_uid.clone(),
        not_modified: served.not_modified.clone(),
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let served = served.clone();
            std::thread::spawn(move || respond(stream, &served));
        }
    });
    catalog
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

/// [`synced`], then a second sync (in a later second) that changes
/// nothing, so it writes the sidecar; also the sidecar's path.
fn synced_twice(dir: &Path, catalog: &Catalog) -> (Workspace, PathBuf, u64, PathBuf) {
    let (ws, index_file, first) = synced(dir, catalog);
    wait_past(first);
    ws.sync(None, false, &|_| {}).expect("no-change sync");
    let state_file = sidecar::path_for(&index_file);
    (ws, index_file, first, state_file)
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
    let (ws, index_file, first, state_file) = synced_twice(dir.path(), &catalog);
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
    let (ws, index_file, _, state_file) = synced_twice(dir.path(), &catalog);
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

#[test]
fn an_unchanged_listing_is_answered_304_and_every_entity_kept() {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("dir");
    let (ws, index_file, _) = synced(dir.path(), &catalog);
    assert!(ws.load_index().expect("load").sources[0].listing.is_some(), "the full sync works out the validator");
    let before = file_state(&index_file);
    let report = ws.sync(None, false, &|_| {}).expect("first incremental sync");
    assert_eq!(catalog.not_modified.load(Ordering::SeqCst), 1, "the listing was asked for conditionally");
    assert_eq!((report.sources[0].1.clone(), report.index.len()), (Ok(3), 3));
    assert_eq!(file_state(&index_file), before);

    catalog.items.lock().expect("catalog")[2] = entity("c", "2", "C, changed");
    let report = ws.sync(None, false, &|_| {}).expect("sync with a change");
    assert_eq!(catalog.not_modified.load(Ordering::SeqCst), 1, "a changed listing is sent again");
    let c = report.index.find("component:default/c").expect("c");
    assert_eq!(report.index.summary(c).description, Some("C, changed"));
    ws.sync(None, false, &|_| {}).expect("no change since");
    assert_eq!(catalog.not_modified.load(Ordering::SeqCst), 2);
    let loaded = ws.load_index().expect("load");
    let c = loaded.find("component:default/c").expect("c");
    assert_eq!((loaded.len(), loaded.summary(c).description), (3, Some("C, changed")));
}

#[test]
fn an_entity_that_changes_between_the_passes_drops_the_validator() {
    let catalog = catalog();
    let dir = tempfile::tempdir().expect("dir");
    let (ws, _, _) = synced(dir.path(), &catalog);
    catalog.items.lock().expect("catalog")[0] = entity("a", "2", "A2");
    *catalog.by_uid.lock().expect("catalog") = Some(vec![entity("a", "3", "A3")]);
    ws.sync(None, false, &|_| {}).expect("sync while `a` changes");
    let loaded = ws.load_index().expect("load");
    let a = loaded.find("component:default/a").expect("a");
    assert_eq!(loaded.summary(a).etag, Some("3"));
    assert_eq!(loaded.sources[0].listing, None, "the index does not match the listing it read");

    *catalog.by_uid.lock().expect("catalog") = None;
    ws.sync(None, false, &|_| {}).expect("next sync");
    assert_eq!(catalog.not_modified.load(Ordering::SeqCst), 0, "the listing is read whole again");
    let loaded = ws.load_index().expect("load");
    let a = loaded.find("component:default/a").expect("a");
    assert_eq!((loaded.summary(a).etag, loaded.summary(a).description), (Some("2"), Some("A2")));
    assert!(loaded.sources[0].listing.is_some());
}
