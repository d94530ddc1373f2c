//! The portal screens in the headless harness against a small fake
//! backend (actions registry, scaffolder tasks with an event stream, the
//! search backend): `:actions` lists and filters actions, a form built from
//! an input schema runs a read-only action at once and shows its output,
//! a destructive one asks with Cancel as the default; the form is the
//! wizard's (choice lists, toggles, masked secrets, lists of forms, the
//! same problems); `:tasks all` lists
//! tasks, shows a task's steps and log (a running one followed over its
//! event stream) and cancels after asking; `:search-remote` shows
//! highlighted results and opens a catalog result's entity page, and a
//! TechDocs result's docs page with its heading at the top.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::Screen;
use stagehand::workspace::Workspace;

use crate::common_tui::*;
use crate::snap;

/// Requests the fake saw: request line and body.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

fn actions(plugin: &str) -> Value {
    let action = |id: &str, title: &str, attrs: Value, input: Value| {
        json!({"id": id, "title": title, "description": format!("{title}, as the fake says."), "pluginId": plugin,
               "attributes": attrs, "schema": {"input": input, "output": {"type": "object"}}})
    };
    let read_only = json!({"readOnly": true, "idempotent": true, "destructive": false});
    let list = match plugin {
        "catalog" => vec![
            action(
                "catalog:get-catalog-entity",
                "Get Catalog Entity",
                read_only.clone(),
                json!({"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
                    "kind": {"type": "string", "description": "The kind of the entity"},
                    "namespace": {"type": "string"},
                    "name": {"type": "string", "description": "The name of the entity"}}}),
            ),
            action(
                "catalog:get-catalog-model-description",
                "Get a Catalog Model Description",
                json!({"readOnly": true, "idempotent": true, "destructive": false}),
                json!({"type": "object", "properties": {}, "additionalProperties": false}),
            ),
            action(
                "catalog:unregister-entity",
                "Unregister entity",
                json!({"readOnly": false, "idempotent": true, "destructive": true}),
                json!({"type": "object", "required": ["locationId"], "properties": {"locationId": {"type": "string"}}}),
            ),
        ],
        _ => vec![
            action(
                "search:query",
                "Query Search Engine",
                read_only.clone(),
                json!({"type": "object", "required": ["term"], "properties": {"term": {"type": "string"}}}),
            ),
            action(
                "search:query-documents",
                "Query documents",
                read_only,
                json!({"type": "object", "required": ["term"], "properties": {
                    "term": {"type": "string", "minLength": 2, "description": "What to look for"},
                    "types": {"type": "array", "items": {"type": "string", "enum": ["software-catalog", "techdocs"]}},
                    "pageLimit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
                    "highlights": {"type": "boolean", "default": true},
                    "token": {"type": "string", "ui:widget": "password"},
                    "filters": {"type": "array", "title": "Filters", "items": {"type": "object", "required": ["field"],
                        "properties": {"field": {"type": "string"}, "value": {"type": "string"}}}}}}),
            ),
        ],
    };
    json!({"actions": list})
}

fn rfc3339(ago: Duration) -> String {
    humantime::format_rfc3339_seconds(SystemTime::now() - ago).to_string()
}

fn task(id: &str, status: &str, created: &str) -> Value {
    json!({"id": id, "status": status, "createdAt": created, "createdBy": "user:default/ada",
        "spec": {"steps": [{"id": "hello", "name": "Hello", "action": "debug:log"}, {"id": "wait", "name": "Wait", "action": "debug:wait"}],
                 "templateInfo": {"entityRef": "template:default/slow-wait", "entity": {"metadata": {"title": "Slow wait"}}}}})
}

const EVENTS: &str = concat!(
    "event: log\ndata: {\"id\":1,\"type\":\"log\",\"body\":{\"message\":\"Beginning step Hello\",\"stepId\":\"hello\",\"status\":\"processing\"}}\n\n",
    "event: log\ndata: {\"id\":2,\"type\":\"log\",\"body\":{\"message\":\"\\u001b[32minfo\\u001b[39m: hello ada\",\"stepId\":\"hello\"}}\n\n",
    "event: log\ndata: {\"id\":3,\"type\":\"log\",\"body\":{\"message\":\"Finished step Hello\",\"stepId\":\"hello\",\"status\":\"completed\"}}\n\n",
    "event: log\ndata: {\"id\":4,\"type\":\"log\",\"body\":{\"message\":\"Beginning step Wait\",\"stepId\":\"wait\",\"status\":\"processing\"}}\n\n",
    "event: completion\ndata: {\"id\":5,\"type\":\"completion\",\"body\":{\"message\":\"Run completed with status: completed\"}}\n\n",
);

fn answer(head: &str, created: &str) -> (&'static str, &'static str, String) {
    let ok = |v: Value| ("200 OK", "application/json", v.to_string());
    let group = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
        "metadata": {"name": "team-lighthouse", "namespace": "default", "uid": "u-1", "etag": "e1", "description": "The lighthouse keepers"},
        "spec": {"type": "team", "children": []}});
    let path = head.split_whitespace().nth(1).unwrap_or_default();
    match (head.split_whitespace().next().unwrap_or_default(), path.split('?').next().unwrap_or_default()) {
        ("GET", "/api/catalog/entities/by-query") => ok(json!({"items": [group], "totalItems": 1, "pageInfo": {}})),
        ("GET", "/api/catalog/.backstage/actions/v1/actions") => ok(actions("catalog")),
        ("GET", "/api/search/.backstage/actions/v1/actions") => ok(actions("search")),
        ("POST", "/api/catalog/.backstage/actions/v1/actions/catalog:get-catalog-entity/invoke") => {
            ok(json!({"output": {"kind": "Group", "metadata": {"name": "team-lighthouse"}, "spec": {"type": "team"}}}))
        }
        ("POST", "/api/catalog/.backstage/actions/v1/actions/catalog:get-catalog-model-description/invoke") => ok(
            json!({"output": {"description": "# Catalog Model\n\nThe catalog holds **entities** of several kinds.\n"}}),
        ),
        ("POST", "/api/search/.backstage/actions/v1/actions/search:query-documents/invoke") => {
            ok(json!({"output": {"results": []}}))
        }
        ("GET", "/api/scaffolder/v2/tasks") => ok(
            json!({"tasks": [task("t-run", "processing", created), task("t-done", "completed", created)], "totalTasks": 2}),
        ),
        ("GET", "/api/scaffolder/v2/tasks/t-run") => ok(task("t-run", "processing", created)),
        ("GET", "/api/scaffolder/v2/tasks/t-run/eventstream") => ("200 OK", "text/event-stream", EVENTS.to_string()),
        ("POST", "/api/scaffolder/v2/tasks/t-run/cancel") => ok(json!({"status": "cancelled"})),
        ("GET", "/api/search/query") => ok(json!({"numberOfResults": 1, "results": [{"type": "software-catalog",
            "document": {"title": "team-lighthouse", "text": "The lighthouse keepers", "kind": "Group", "namespace": "default",
                         "location": "/catalog/default/group/team-lighthouse"},
            "highlight": {"preTag": "<x1>", "postTag": "</x1>", "fields": {"text": "The <x1>lighthouse</x1> keepers"}}}]})),
        _ => ("404 Not Found", "application/json", json!({"error": {"message": "not here"}}).to_string()),
    }
}

/// Starts the fake backend; returns its URL and the requests it saw.
fn fake_backend() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let created = rfc3339(Duration::from_secs(2 * 3600 + 60));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(200) {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut head, mut line, mut length) = (String::new(), String::new(), 0usize);
            let _ = reader.read_line(&mut head);
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let head = head.trim().to_string();
            log.lock().unwrap().push((head.clone(), String::from_utf8_lossy(&body).into_owned()));
            let (status, kind, text) = answer(&head, &created);
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (url, seen)
}

/// A workspace whose one source is the fake backend.
fn workspace(tmp: &Path, url: &str) -> Workspace {
    let config = tmp.join("config.yaml");
    std::fs::write(&config, format!("sources:\n  - name: fake\n    backstage:\n      url: {url}\n")).unwrap();
    let mut ws = Workspace::open(Some(config), false, false).expect("workspace");
    ws.paths.cache_dir = tmp.join("cache");
    ws.paths.data_dir = tmp.join("data");
    ws.paths.config_dir = tmp.join("config");
    ws.paths.fallback_warning = None;
    ws
}

fn harness() -> (Harness, Seen) {
    let (url, seen) = fake_backend();
    let tmp = tmp_dir();
    let ws = workspace(tmp.path(), &url);
    let h = Harness::with(ws, tmp, settings(Keymap::default()));
    (h, seen)
}

#[test]
fn actions_list_filter_run_and_confirm() {
    let (mut h, seen) = harness();
    h.command("actions");
    let screen = h.screen(120, 40);
    assert!(screen.contains("catalog:get-catalog-entity") && screen.contains("search:query"), "{screen}");
    assert!(screen.contains("destructive"), "{screen}");
    snap(&mut h, "portal_actions");

    h.keys("/");
    h.type_text("entity");
    h.keys("enter");
    let screen = h.screen(120, 40);
    assert!(!screen.contains("search:query"), "filtered: {screen}");
    h.keys("enter");
    h.keys("j j enter");
    h.type_text("team-lighthouse");
    h.keys("enter");
    snap(&mut h, "portal_action_form");
    h.keys("G enter");
    let invoked = seen.lock().unwrap().iter().find(|(head, _)| head.contains("/invoke")).cloned();
    let (_, body) = invoked.expect("a read-only action runs at once");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({"name": "team-lighthouse"}));
    let screen = h.screen(120, 40);
    assert!(screen.contains("\"kind\": \"Group\""), "pretty JSON output: {screen}");
    snap(&mut h, "portal_action_output");

    // A destructive action asks, and Enter (the default) cancels.
    h.keys("esc");
    h.keys("/ ctrl-u");
    h.type_text("unregister");
    h.keys("enter enter enter");
    h.type_text("loc-1");
    h.keys("enter G enter");
    assert!(h.screen(120, 40).contains("[y/N]"), "{}", h.screen(120, 40));
    snap(&mut h, "portal_action_confirm");
    h.keys("enter");
    assert!(h.flash().contains("not run"), "{}", h.flash());
    assert!(!seen.lock().unwrap().iter().any(|(head, _)| head.contains("unregister-entity/invoke")), "nothing sent");

    // Text output is Markdown, rendered as docs pages are.
    h.keys("esc / ctrl-u");
    h.type_text("model");
    h.keys("enter enter enter");
    let screen = h.screen(120, 40);
    assert!(screen.contains("Catalog Model") && screen.contains("The catalog holds entities"), "{screen}");
    assert!(!screen.contains("**") && !screen.contains("# Catalog"), "rendered, not raw Markdown: {screen}");
}

#[test]
fn the_action_form_is_the_wizards_form() {
    let (mut h, seen) = harness();
    h.command("actions");
    h.keys("/");
    h.type_text("documents");
    h.keys("enter enter");
    let screen = h.screen(120, 40);
    assert!(screen.contains("25") && screen.contains("[x]") && screen.contains("(1–100)"), "defaults: {screen}");
    // A number out of range, a toggle, a secret, an item of a list of forms.
    h.keys("j j enter ctrl-u");
    h.type_text("0");
    h.keys("enter j enter j enter");
    h.type_text("s3cret");
    h.keys("enter j + enter");
    h.type_text("kind");
    h.keys("enter G enter");
    let screen = h.screen(120, 40);
    assert!(screen.contains("required") && screen.contains("must be at least 1"), "{screen}");
    assert!(screen.contains("••••••") && !screen.contains("s3cret"), "the secret is masked: {screen}");
    assert!(screen.contains("Filters 1") && screen.contains("[ ]"), "{screen}");
    assert!(h.flash().contains("term: required"), "{}", h.flash());
    snap(&mut h, "portal_action_form_problems");
    assert!(!seen.lock().unwrap().iter().any(|(head, _)| head.contains("query-documents/invoke")), "nothing sent");

    // Checkboxes for an array of enums; then every problem fixed, it runs.
    h.keys("g g enter");
    h.type_text("lighthouse");
    h.keys("enter j enter");
    snap(&mut h, "portal_action_form_chooser");
    h.keys("j enter esc j enter ctrl-u");
    h.type_text("5");
    h.keys("enter G enter");
    let invoked = seen.lock().unwrap().iter().find(|(head, _)| head.contains("query-documents/invoke")).cloned();
    let (_, body) = invoked.unwrap_or_else(|| panic!("runs at once: {}", h.screen(120, 40)));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"term": "lighthouse", "types": ["techdocs"], "pageLimit": 5, "highlights": false, "token": "s3cret",
               "filters": [{"field": "kind"}]})
    );
}

#[test]
fn tasks_list_follow_and_cancel() {
    let (mut h, seen) = harness();
    h.command("tasks all");
    let screen = h.screen(120, 40);
    assert!(screen.contains("processing") && screen.contains("Slow wait") && screen.contains("2h ago"), "{screen}");
    snap(&mut h, "portal_tasks");

    // The running task is followed over its event stream.
    h.keys("enter");
    let screen = h.screen(120, 40);
    assert!(screen.contains("info: hello ada") && screen.contains("completed"), "colour codes gone: {screen}");
    assert!(seen.lock().unwrap().iter().any(|(head, _)| head.contains("/t-run/eventstream")));
    snap(&mut h, "portal_task");

    h.type_text("c");
    assert!(h.screen(120, 40).contains("cancel task t-run of Slow wait? [Y/n]"), "{}", h.screen(120, 40));
    h.type_text("y");
    assert!(
        seen.lock().unwrap().iter().any(|(head, _)| head.starts_with("POST /api/scaffolder/v2/tasks/t-run/cancel"))
    );
    assert!(h.flash().contains("asked the backend to cancel task t-run"), "{}", h.flash());
}

#[test]
fn search_remote_shows_highlights_and_opens_the_entity() {
    let (mut h, _) = harness();
    h.command("search-remote lighthouse");
    let screen = h.screen(120, 40);
    assert!(screen.contains("The lighthouse keepers") && !screen.contains("<x1>"), "{screen}");
    snap(&mut h, "portal_search");
    h.keys("enter");
    assert!(matches!(h.app.screen(), Screen::Entity(_)), "{}", h.screen(120, 40));
    assert_eq!(h.top_entity().as_deref(), Some("group:default/team-lighthouse"));
}

/// The harness on the demo, with `:search-remote` showing TechDocs results
/// of shipment-tracker's docs at `locations` (as the search backend sends them).
fn techdocs_results(locations: &[&str]) -> Harness {
    use stagehand::portal::search::{Found, Hit};
    use stagehand::tui::screens::portal::{PortalScreen, SearchRemoteScreen};
    let mut h = Harness::demo();
    h.draw(120, 40);
    let hits = locations
        .iter()
        .map(|location| {
            Hit::from_json(&json!({"type": "techdocs", "document": {"title": "Consumer lag", "text": "Lag grows",
                "kind": "component", "namespace": "default", "name": "shipment-tracker", "location": location}}))
        })
        .collect();
    let found = Found { hits, total: None, more: false };
    h.app.stack.push(Screen::Portal(Box::new(PortalScreen::Search(SearchRemoteScreen {
        source: None,
        term: "lag".into(),
        generation: 0,
        found: Some(Ok(found)),
        sel: Default::default(),
    }))));
    h.draw(120, 40);
    h
}

fn docs_view(h: &Harness) -> &stagehand::tui::screens::docs::DocsView {
    match h.app.screen() {
        Screen::Entity(e) if e.current() == stagehand::tui::screens::entity::Tab::Docs => e.docs.as_deref().unwrap(),
        _ => panic!("not on a Docs tab"),
    }
}

#[test]
fn a_techdocs_result_opens_its_page_with_the_heading_at_the_top() {
    let mut h = techdocs_results(&[
        "/docs/default/component/shipment-tracker/operations/runbook/#redis-is-unavailable",
        // An anchor written as the heading's text finds it through the renderer's slugs.
        "/docs/default/component/shipment-tracker/operations/runbook#Redis%20is%20unavailable",
    ]);
    for keys in ["enter", "esc j enter"] {
        h.keys(keys);
        h.draw(120, 40);
        h.draw(120, 40);
        let view = docs_view(&h);
        assert_eq!(view.docs().unwrap().site.pages[view.page].path, "operations/runbook.md");
        let buf = h.draw(120, 40);
        let (x, y) = find(&buf, "Redis is unavailable").unwrap_or_else(|| panic!("{}", h.screen(120, 40)));
        assert_eq!((y, x > 30), (4, true), "the heading on the first line of the page: {}", h.screen(120, 40));
        assert_eq!(h.flash(), "");
    }
}

#[test]
fn a_techdocs_result_off_the_docs_opens_the_first_page_and_says_so() {
    let mut h = techdocs_results(&[
        "/docs/default/component/shipment-tracker/no-such-page/#x",
        "/docs/default/component/shipment-tracker/architecture/#no-such-heading",
    ]);
    h.keys("enter");
    h.draw(120, 40);
    h.draw(120, 40);
    assert_eq!(docs_view(&h).page, 0, "the first page");
    assert_eq!(
        h.flash(),
        "the page `no-such-page` is not in the docs of component:default/shipment-tracker: showing the first page"
    );
    h.keys("esc j enter");
    h.draw(120, 40);
    h.draw(120, 40);
    let view = docs_view(&h);
    assert_eq!((view.docs().unwrap().site.pages[view.page].path.as_str(), view.scroll), ("architecture.md", 0));
    assert_eq!(h.flash(), "no heading `#no-such-heading` on this page: showing its top");
}
