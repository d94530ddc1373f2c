//! Remote TechDocs under faults, against a small HTTP server the test
//! controls (loopback only, bounded requests): a 503 is retried, a 401 says
//! where the token comes from without showing it, a missing site is "no
//! docs", a slow backend is a timeout, and the source's `ca_file` is used.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use stagehand::config::{RemoteConfig, TokenSource};
use stagehand::docs::ErrorKind;
use stagehand::docs::remote::{RemoteRequest, fetch_site};

const TOKEN: &str = "tok-docs-0123456789";
const INDEX: &str = "/api/techdocs/static/docs/default/component/svc/index.html";
const PAGE: &str = r#"<html><head><title>Home</title></head><body><article class="md-content__inner">
<h1>Svc</h1><p>Hello.</p></article></body></html>"#;

/// How the fake answers.
#[derive(Clone, Copy)]
enum Mode {
    /// Every first request of a path fails with 503, the retry works.
    FlakyThenGood,
    /// 401, echoing the token it was sent.
    Unauthorized,
    /// No site (404 everywhere).
    Missing,
    /// Answers after the client's timeout.
    Slow,
}

/// Starts the fake; returns its URL and the number of requests it saw.
fn fake(mode: Mode) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(40) {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut head = String::new();
                let _ = reader.read_line(&mut head);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = match mode {
                    Mode::FlakyThenGood if n.is_multiple_of(2) => ("503 Unavailable", "busy".to_string()),
                    Mode::FlakyThenGood if path == INDEX => ("200 OK", PAGE.to_string()),
                    Mode::FlakyThenGood => ("200 OK", r#"{"site_name":"Svc docs"}"#.to_string()),
                    Mode::Unauthorized => {
                        ("401 Unauthorized", format!(r#"{{"error":{{"message":"invalid token {TOKEN}"}}}}"#))
                    }
                    Mode::Missing => ("404 Not Found", "nothing".to_string()),
                    Mode::Slow => {
                        std::thread::sleep(Duration::from_millis(1500));
                        ("200 OK", PAGE.to_string())
                    }
                };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    (url, requests)
}

fn config(url: &str) -> RemoteConfig {
    RemoteConfig {
        token: TokenSource::Command(format!("echo {TOKEN}")),
        timeout: Duration::from_secs(1),
        ..RemoteConfig::new(url)
    }
}

fn fetch(config: &RemoteConfig) -> Result<stagehand::docs::Site, stagehand::docs::DocsError> {
    let cache = tempfile::tempdir().expect("cache");
    fetch_site(&RemoteRequest { config, namespace: "default", kind: "Component", name: "svc", cache_dir: cache.path() })
}

#[test]
fn a_503_is_retried_and_the_docs_arrive() {
    let (url, requests) = fake(Mode::FlakyThenGood);
    let site = fetch(&config(&url)).expect("fetched after retries");
    assert_eq!(site.title, "Svc docs");
    assert_eq!(requests.load(Ordering::SeqCst), 4, "metadata and index each failed once and were retried once");
}

#[test]
fn a_401_names_the_token_setting_and_never_the_token() {
    let (url, _) = fake(Mode::Unauthorized);
    let err = fetch(&config(&url)).expect_err("refused");
    assert_eq!(err.kind, ErrorKind::Failed);
    assert!(err.message.contains("401") && err.message.contains("token_command"), "{err}");
    assert!(!err.message.contains(TOKEN) && err.message.contains("[token]"), "{err}");
}

#[test]
fn a_missing_site_is_no_docs_with_what_to_do() {
    let (url, _) = fake(Mode::Missing);
    let err = fetch(&config(&url)).expect_err("no site");
    assert_eq!(err.kind, ErrorKind::NoDocs, "{err}");
    assert!(err.message.contains("component:default/svc") && err.message.contains("build and publish"), "{err}");
}

#[test]
fn a_slow_backend_is_a_timeout_after_retries() {
    let (url, _) = fake(Mode::Slow);
    let err = fetch(&config(&url)).expect_err("too slow");
    assert!(err.message.contains("timeout") && err.message.contains("after 4 attempts"), "{err}");
}

#[test]
fn the_sources_ca_file_is_used_for_docs() {
    let config =
        RemoteConfig { ca_file: Some("/nonexistent/stagehand-ca.pem".into()), ..config("https://127.0.0.1:9") };
    let err = fetch(&config).expect_err("unreadable CA");
    assert!(err.message.contains("ca_file") && err.message.contains("stagehand-ca.pem"), "{err}");
}
