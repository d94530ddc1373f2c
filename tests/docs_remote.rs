//! Remote TechDocs against a local HTTP server the test starts (loopback
//! only, a bounded number of requests): the built site is fetched with the
//! bearer token, its nav and pages read, the HTML rendered as text, the
//! result cached, and the cache read when the server is gone.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stagehand::config::{RemoteConfig, TokenSource};
use stagehand::docs::remote::{RemoteRequest, fetch_site};
use stagehand::docs::render::{DocTheme, render};
use stagehand::docs::{ErrorKind, page_text};

const BASE: &str = "/api/techdocs/static/docs/default/component/svc/";

fn page(title: &str, body: &str) -> String {
    format!(
        r##"<!doctype html><html><head><title>{title} - Svc docs</title><script>var x = "<b>no</b>";</script></head><body>
<header class="md-header"><a href="./">Svc docs</a></header>
<div class="md-sidebar"><nav class="md-nav md-nav--primary"><ul class="md-nav__list">
<li class="md-nav__item"><a class="md-nav__link" href="{root}">Home</a></li>
<li class="md-nav__item md-nav__item--nested"><label class="md-nav__link">Operations</label>
<nav class="md-nav"><ul class="md-nav__list"><li class="md-nav__item"><a class="md-nav__link" href="{root}ops/runbook/">Runbook</a></li></ul></nav></li>
<li class="md-nav__item"><a class="md-nav__link" href="https://status.example.com">Status</a></li>
</ul></nav></div>
<div class="md-content"><article class="md-content__inner md-typeset">{body}</article></div>
<footer>footer text</footer></body></html>"##,
        root = if title == "Home" { "./" } else { "../../" }
    )
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving `routes`; it records the
/// Authorization headers it saw and stops when dropped (or after 200 requests).
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    auth: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(routes: HashMap<String, (u16, String)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let auth = Arc::new(Mutex::new(Vec::new()));
        let (stop2, auth2) = (stop.clone(), auth.clone());
        std::thread::spawn(move || {
            let mut served = 0;
            while !stop2.load(Ordering::SeqCst) && served < 200 {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                served += 1;
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        auth2.lock().unwrap().push(line.trim().to_string());
                    }
                    line.clear();
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, body) = routes.get(&path).cloned().unwrap_or((404, "not found".into()));
                let kind = if path.ends_with(".html") { "text/html; charset=utf-8" } else { "application/json" };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Server { port, stop, auth }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn routes() -> HashMap<String, (u16, String)> {
    let mut r = HashMap::new();
    r.insert(
        "/api/techdocs/metadata/techdocs/default/component/svc".to_string(),
        (
            200,
            r#"{"site_name":"Svc docs","site_description":"All about svc","build_timestamp":1700000000}"#.to_string(),
        ),
    );
    r.insert(
        format!("{BASE}index.html"),
        (
            200,
            page(
                "Home",
                r##"<h1 id="welcome">Welcome<a class="headerlink" href="#welcome">¶</a></h1>
<p>Read the <a href="ops/runbook/">runbook</a> first.</p>
<div class="admonition note"><p class="admonition-title">Note</p><p>Be <em>careful</em>.</p></div>
<table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody><tr><td>tier</td><td>1</td></tr></tbody></table>
<pre><code class="language-bash">make run
</code></pre>"##,
            ),
        ),
    );
    r.insert(
        format!("{BASE}ops/runbook/index.html"),
        (200, page("Runbook", r#"<h1 id="runbook">Runbook</h1><p>Restart the <code>svc</code> pods.</p>"#)),
    );
    r
}

fn config(base: &str) -> RemoteConfig {
    RemoteConfig { token: TokenSource::Command("echo s3cret".into()), ..RemoteConfig::new(base) }
}

fn request<'a>(config: &'a RemoteConfig, cache: &'a std::path::Path, name: &'a str) -> RemoteRequest<'a> {
    RemoteRequest { config, namespace: "default", kind: "Component", name, cache_dir: cache }
}

#[test]
fn a_built_site_is_fetched_rendered_and_cached() {
    let server = Server::start(routes());
    let base = server.base();
    let cache = tempfile::tempdir().unwrap();
    let site = fetch_site(&request(&config(&base), cache.path(), "svc")).unwrap();
    assert_eq!(site.title, "Svc docs");
    assert_eq!(site.description.as_deref(), Some("All about svc"));
    let pages: Vec<(&str, &str)> = site.pages.iter().map(|p| (p.title.as_str(), p.path.as_str())).collect();
    assert_eq!(pages, vec![("Home", "index.md"), ("Runbook", "ops/runbook/index.md")]);
    assert_eq!(site.nav.len(), 3, "{:?}", site.nav);
    assert!(
        server
            .auth
            .lock()
            .unwrap()
            .iter()
            .all(|a| a == "authorization: Bearer s3cret" || a == "Authorization: Bearer s3cret")
    );

    let home = page_text(&site, 0).unwrap();
    let rendered = render(&home, 80, &DocTheme::mono());
    let text = rendered.plain.join("\n");
    assert!(text.contains("Welcome") && text.contains("runbook[1]"), "{text}");
    assert!(!text.contains('<') && !text.contains("footer text") && !text.contains('¶'), "{text}");
    assert!(text.contains("│Key │Value│") || text.contains("Key"), "{text}");
    assert!(text.contains("make run"), "{text}");
    // The link in the built page leads to the other page.
    assert_eq!(
        site.resolve_link(0, &rendered.links[0].target),
        stagehand::docs::site::LinkTarget::Internal(stagehand::docs::site::Target { page: 1, anchor: None })
    );
    assert!(page_text(&site, 1).unwrap().contains("Restart the `svc` pods."));

    // Offline: the cached copy is read, with a note.
    drop(server);
    std::thread::sleep(Duration::from_millis(50));
    let offline = fetch_site(&request(&config("http://127.0.0.1:9"), cache.path(), "svc"));
    // A different base URL is a different cache; the same one reads the cache.
    assert!(offline.is_err());
    let cached = fetch_site(&request(&config(&base), cache.path(), "svc")).unwrap();
    assert_eq!(cached.pages.len(), 2);
    assert!(cached.notes.first().is_some_and(|n| n.starts_with("offline")), "{:?}", cached.notes);
    assert!(page_text(&cached, 1).unwrap().contains("Runbook"));
}

#[test]
fn an_entity_without_built_docs_is_a_clear_no_docs() {
    let server = Server::start(routes());
    let cache = tempfile::tempdir().unwrap();
    let err = fetch_site(&request(&config(&server.base()), cache.path(), "other")).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoDocs, "{err}");
    assert!(err.message.contains("404"), "{err}");
}

#[test]
fn entities_of_a_remote_catalog_read_their_backend_docs() {
    use stagehand::docs::{Located, OpenContext, open};
    use stagehand::index::build::{SourceInput, build};
    use stagehand::model::Entity;
    use stagehand::sources::{ReadEntity, SourceOutput};

    let server = Server::start(routes());
    let entity = Entity::from_json(serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "svc", "annotations": {"backstage.io/techdocs-ref": "dir:."}},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
    }))
    .unwrap();
    let output = SourceOutput {
        entities: vec![ReadEntity { entity, file: std::path::PathBuf::new(), line: 1 }],
        ..SourceOutput::default()
    };
    let input = SourceInput {
        name: "portal".into(),
        kind: "backstage".into(),
        target: server.base(),
        read: Some(Ok(output.compacted(&stagehand::index::build::Record::server))),
        server_relations: true,
    };
    let index = build(vec![input], None, 1);
    let cache = tempfile::tempdir().unwrap();
    let base = server.base();
    let remote = |source: &str| (source == "portal").then(|| config(&base));
    let opened = open(&index, 0, OpenContext { cache_dir: cache.path(), remote: &remote }).unwrap();
    assert!(matches!(&opened.located, Located::Remote(r) if r.source == "portal"));
    assert_eq!(opened.site.pages.len(), 2);
    assert!(server.auth.lock().unwrap().iter().any(|a| a.ends_with("Bearer s3cret")));
}
