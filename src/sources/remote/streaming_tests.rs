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
/// the last uid of each page repeated at the start of the next one;
/// returns the base URL and the number of pages served so far (counted
/// before each page is written).
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
            let page = line.split("cursor=p").nth(1).and_then(|rest| rest.split(['&', ' ']).next());
            let page: usize = page.and_then(|p| p.parse().ok()).unwrap_or(0);
            let mut items: Vec<_> = (page * PAGE..(page + 1) * PAGE).map(entity).collect();
            if page > 0 {
                items.insert(0, entity(page * PAGE - 1));
            }
            let next = (page + 1 < PAGES).then(|| format!("p{}", page + 1));
            let body = json!({"items": items, "totalItems": PAGE * PAGES, "pageInfo": {"nextCursor": next}});
            let body = body.to_string();
            count.fetch_add(1, Ordering::SeqCst);
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

fn entity(n: usize) -> serde_json::Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": format!("c{n}"), "namespace": "default", "uid": format!("uid-{n}"), "etag": "e1"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    })
}

#[test]
fn a_full_sync_makes_each_page_compact_before_asking_for_the_next() {
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
    let out = read_into(&config, None, None, true, &|_| {}, &compact).expect("read");

    let waiting = waiting.into_inner().unwrap();
    assert_eq!(waiting.len(), PAGE * PAGES, "every entity once, repeats dropped");
    let most = waiting.iter().max().copied();
    assert!(most <= Some(PAGE), "at most one page waits to be made compact: {waiting:?}");
    let mut names: Vec<_> = out.entities.iter().map(|read| read.entity.name().to_string()).collect();
    names.sort_by_key(|n| n[1..].parse::<usize>().unwrap());
    assert_eq!(names, (0..PAGE * PAGES).map(|n| format!("c{n}")).collect::<Vec<_>>());
    assert!(out.problems.is_empty(), "{:?}", out.problems);
}
