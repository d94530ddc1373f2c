//! A remote sync holds one page of entities at a time: each page is made
//! compact before the next one is asked for (a fake server on loopback
//! counts the pages it served).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::read_into;
use crate::config::{RemoteConfig, TokenSource};

const PAGE: usize = 4;
const PAGES: usize = 5;

/// Serves `PAGES` pages of `PAGE` entities (cursor `pN` asks for page N),
/// the last uid of each page repeated at the start of the next one; a
/// light page (`fields`) lists every stamp at once, and `filter`s by uid
/// select those entities, paged the same way. Returns the base URL and the
/// number of pages of whole entities served so far (counted before each
/// is written).
fn serve_pages() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let body = answer(&line, &count).to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let mut stream = stream;
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
            let _ = reader.read_to_end(&mut Vec::new());
        }
    });
    (url, served)
}

/// The page the request `line` asks for.
fn answer(line: &str, served: &AtomicUsize) -> serde_json::Value {
    let all = PAGE * PAGES;
    if line.contains("fields=") {
        let stamps: Vec<_> = (0..all).map(|n| json!({"metadata": {"uid": format!("uid-{n}"), "etag": "e1"}})).collect();
        return json!({"items": stamps, "totalItems": all, "pageInfo": {}});
    }
    // A cursor is `p<page>` then `s<n>` for each uid chosen by the first
    // page's filters (a cursor stands for its query, as the backend's do).
    let cursor = line.split("cursor=").nth(1).and_then(|rest| rest.split(['&', ' ']).next()).unwrap_or("");
    let number = |part: &str| part.parse::<usize>().ok();
    let page = cursor.strip_prefix('p').and_then(|c| c.split('s').next()).and_then(number).unwrap_or(0);
    let mut chosen: Vec<usize> = cursor.split('s').skip(1).filter_map(number).collect();
    let filters = line.split("metadata.uid%3Duid-").skip(1);
    chosen.extend(filters.filter_map(|rest| number(rest.split(['&', ' ']).next()?)));
    let (selection, repeat) = if chosen.is_empty() { ((0..all).collect(), true) } else { (chosen, false) };
    let mut items: Vec<_> = selection.iter().skip(page * PAGE).take(PAGE).map(|&n| entity(n)).collect();
    if repeat && page > 0 {
        items.insert(0, entity(page * PAGE - 1));
    }
    let query: String = if repeat { String::new() } else { selection.iter().map(|n| format!("s{n}")).collect() };
    let next = ((page + 1) * PAGE < selection.len()).then(|| format!("p{}{query}", page + 1));
    served.fetch_add(1, Ordering::SeqCst);
    json!({"items": items, "totalItems": selection.len(), "pageInfo": {"nextCursor": next}})
}

fn entity(n: usize) -> serde_json::Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": format!("c{n}"), "namespace": "default", "uid": format!("uid-{n}"), "etag": "e1"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    })
}

/// Reads the fake catalog (incrementally when `known`); checks that at
/// most one page of entities waited to be made compact at any time and
/// that every entity was read once.
fn reads_a_page_at_a_time(known: Option<&super::Known>) {
    let (url, served) = serve_pages();
    let config = RemoteConfig {
        url,
        token: TokenSource::None,
        filters: Vec::new(),
        ca_file: None,
        timeout: std::time::Duration::from_secs(10),
        page_size: PAGE,
    };
    // Entities the server has sent that are not compact yet, at each call
    // of `compact` (the one being made compact included).
    let compacted = AtomicUsize::new(0);
    let waiting = Mutex::new(Vec::new());
    let compact = |read: super::ReadEntity| {
        let sent = served.load(Ordering::SeqCst) * PAGE;
        let done = compacted.fetch_add(1, Ordering::SeqCst);
        waiting.lock().unwrap().push(sent - done);
        read
    };
    let out = read_into(&config, known, None, known.is_none(), &|_| {}, &compact).expect("read");

    let waiting = waiting.into_inner().unwrap();
    assert_eq!(waiting.len(), PAGE * PAGES, "every entity once, repeats dropped");
    let most = waiting.iter().max().copied();
    assert!(most <= Some(PAGE), "at most one page waits to be made compact: {waiting:?}");
    let mut names: Vec<_> = out.entities.iter().map(|read| read.entity.name().to_string()).collect();
    names.sort_by_key(|n| n[1..].parse::<usize>().unwrap());
    assert_eq!(names, (0..PAGE * PAGES).map(|n| format!("c{n}")).collect::<Vec<_>>());
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}

#[test]
fn a_full_sync_makes_each_page_compact_before_asking_for_the_next() {
    reads_a_page_at_a_time(None);
}

#[test]
fn an_incremental_sync_makes_each_page_of_changed_entities_compact_before_the_next() {
    let uids: Vec<String> = (0..PAGE * PAGES).map(|n| format!("uid-{n}")).collect();
    // Every etag changed since the previous index: every entity is fetched.
    let known: super::Known = uids.iter().map(|uid| (uid.as_str(), "e0")).collect();
    reads_a_page_at_a_time(Some(&known));
}
