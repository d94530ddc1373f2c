//! The wizard with a `backstage:` source, in the headless harness, against
//! a small fake backend (catalog `by-query`, `POST /api/scaffolder/v2/tasks`
//! and an SSE event stream): a template from the remote catalog runs as a
//! task on that backend, its events filling the step view and its output
//! links shown; a local template with an action stagehand cannot run
//! locally is named on the review page and goes to the backend instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::json;
use stagehand::tui::keymap::Keymap;
use stagehand::tui::screens::Screen;
use stagehand::tui::screens::wizard::Stage;
use stagehand::workspace::Workspace;

use crate::common_tui::*;

/// Requests the fake saw: request line, authorization header, body.
type Seen = Arc<Mutex<Vec<(String, String, String)>>>;

const TOKEN: &str = "fake-token-0123456789";

fn remote_template() -> serde_json::Value {
    json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
        "metadata": {"name": "remote-hello", "namespace": "default", "uid": "uid-t", "etag": "e1", "title": "Remote hello"},
        "spec": {
            "owner": "group:default/team-a", "type": "service",
            "parameters": [{"title": "Hello", "properties": {"who": {"type": "string", "default": "world"}}}],
            "steps": [{"id": "greet", "name": "Greet", "action": "debug:log", "input": {"message": "hi"}}],
            "output": {"links": [{"title": "Repository", "url": "https://git.example/remote-hello"}]}
        }
    })
}

const EVENTS: &str = concat!(
    "event: log\ndata: {\"type\":\"log\",\"body\":{\"message\":\"Beginning step Greet\",\"stepId\":\"greet\",\"status\":\"processing\"}}\n\n",
    "event: log\ndata: {\"type\":\"log\",\"body\":{\"message\":\"hello from the backend\",\"stepId\":\"greet\",\"status\":\"processing\"}}\n\n",
    "event: log\ndata: {\"type\":\"log\",\"body\":{\"message\":\"Finished step Greet\",\"stepId\":\"greet\",\"status\":\"completed\"}}\n\n",
    "event: completion\ndata: {\"type\":\"completion\",\"body\":{\"message\":\"Run completed with status: completed\",",
    "\"output\":{\"links\":[{\"title\":\"Repository\",\"url\":\"https://git.example/remote-hello\"}]}}}\n\n",
);

/// Starts the fake backend; returns its URL and the requests it saw
/// (request line, authorization header, body).
fn fake_backend() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(50) {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut head, mut line, mut auth, mut length) = (String::new(), String::new(), String::new(), 0usize);
            let _ = reader.read_line(&mut head);
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("authorization:") {
                    auth = line.trim().to_string();
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let head = head.trim().to_string();
            log.lock().unwrap().push((head.clone(), auth, String::from_utf8_lossy(&body).into_owned()));
            let (status, kind, answer) = if head.starts_with("GET /api/catalog/entities/by-query") {
                let page = json!({"items": [remote_template()], "totalItems": 1, "pageInfo": {}});
                ("200 OK", "application/json", page.to_string())
            } else if head.starts_with("POST /api/scaffolder/v2/tasks ") {
                ("201 Created", "application/json", json!({"id": "task-1"}).to_string())
            } else if head.starts_with("GET /api/scaffolder/v2/tasks/task-1/eventstream") {
                ("200 OK", "text/event-stream", EVENTS.to_string())
            } else {
                ("404 Not Found", "application/json", json!({"error": {"message": "not here"}}).to_string())
            };
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, seen)
}

/// A workspace with the fake backend as source `fake` and a local folder
/// holding a template that uses an action stagehand cannot run locally.
fn workspace(tmp: &Path, url: &str) -> Workspace {
    let catalog = tmp.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("catalog-info.yaml"),
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: local-dispatch}\n\
         spec:\n  owner: team-a\n  type: service\n  parameters: []\n  steps:\n    - {id: dispatch, name: Dispatch, action: 'github:actions:dispatch', input: {}}\n",
    )
    .unwrap();
    let token = tmp.join("token");
    std::fs::write(&token, TOKEN).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = tmp.join("config.yaml");
    let text = format!(
        "sources:\n  - name: local\n    dir: {}\n  - name: fake\n    backstage:\n      url: {url}\n      token_file: {}\n",
        catalog.display(),
        token.display()
    );
    std::fs::write(&config, text).unwrap();
    let mut ws = Workspace::open(Some(config.clone()), false, false).expect("workspace");
    ws.paths.cache_dir = tmp.join("cache");
    ws.paths.data_dir = tmp.join("data");
    ws.paths.config_dir = tmp.join("config");
    ws.paths.fallback_warning = None;
    ws
}

fn open_template(h: &mut Harness, name: &str) {
    h.command("templates");
    for _ in 0..10 {
        if let Screen::List(l) = h.app.screen()
            && l.selected().is_some_and(|i| h.app.index().summary(i).name == name)
        {
            break;
        }
        h.keys("j");
    }
    h.keys("enter");
    assert!(matches!(h.app.screen(), Screen::Wizard(_)), "{}", h.screen(120, 40));
}

fn stage(h: &Harness) -> Option<Stage> {
    match h.app.screen() {
        Screen::Wizard(w) => Some(w.stage),
        _ => None,
    }
}

fn harness() -> (Harness, Seen) {
    let (url, seen) = fake_backend();
    let tmp = tmp_dir();
    let ws = workspace(tmp.path(), &url);
    (Harness::with(ws, tmp, settings(Keymap::default())), seen)
}

fn tasks(seen: &Mutex<Vec<(String, String, String)>>) -> Vec<(String, String, String)> {
    seen.lock().unwrap().iter().filter(|(h, _, _)| h.starts_with("POST /api/scaffolder/v2/tasks")).cloned().collect()
}

#[test]
fn a_remote_template_runs_as_a_task_on_its_backend() {
    let (mut h, seen) = harness();
    open_template(&mut h, "remote-hello");
    h.keys("tab");
    assert_eq!(stage(&h), Some(Stage::Review), "{}", h.screen(120, 40));
    let screen = h.screen(120, 40);
    assert!(screen.contains("Run on: the backend of `fake`"), "{screen}");
    assert!(!screen.contains("Output folder"), "a remote run writes nothing here: {screen}");
    h.keys("G enter");
    assert_eq!(stage(&h), Some(Stage::Finished), "{}", h.screen(120, 40));

    let posted = tasks(&seen);
    assert_eq!(posted.len(), 1, "{posted:?}");
    let body: serde_json::Value = serde_json::from_str(&posted[0].2).unwrap();
    assert_eq!(body["templateRef"], "template:default/remote-hello");
    assert_eq!(body["values"], json!({"who": "world"}));
    assert_eq!(posted[0].1.to_ascii_lowercase(), format!("authorization: bearer {TOKEN}"));

    let Screen::Wizard(w) = h.app.screen() else { unreachable!() };
    let result = w.result.as_ref().unwrap().as_ref().unwrap_or_else(|e| panic!("{}", e.message));
    assert!(result.task.as_deref().is_some_and(|t| t.contains("task-1") && t.contains("`fake`")), "{:?}", result.task);
    assert_eq!(w.steps[0], stagehand::scaffold::StepStatus::Done);
    let screen = h.screen(120, 40);
    assert!(screen.contains("Finished task task-1"), "{screen}");
    assert!(screen.contains("hello from the backend"), "{screen}");
    assert!(screen.contains("Repository") && screen.contains("https://git.example/remote-hello"), "{screen}");
    assert!(!screen.contains(TOKEN), "the token is never shown");
}

#[test]
fn a_local_template_that_cannot_run_here_goes_to_the_backend() {
    let (mut h, seen) = harness();
    open_template(&mut h, "local-dispatch");
    let screen = h.screen(120, 40);
    assert!(screen.contains("github:actions:dispatch, which stagehand cannot run locally"), "{screen}");
    assert!(screen.contains("it runs on the backend of `fake`"), "{screen}");
    h.keys("tab");
    assert_eq!(stage(&h), Some(Stage::Review), "{}", h.screen(120, 40));
    // The choice: this machine (refused, saying why) or the backend.
    h.keys("g g enter");
    assert!(h.screen(120, 40).contains("Run on: this machine"), "{}", h.screen(120, 40));
    h.keys("G enter");
    assert_eq!(stage(&h), Some(Stage::Review), "nothing runs locally");
    assert!(h.flash().contains("cannot run locally"), "{}", h.flash());
    assert!(tasks(&seen).is_empty());
    h.keys("g g enter");
    h.keys("G enter");
    assert_eq!(stage(&h), Some(Stage::Finished), "{}", h.screen(120, 40));
    let posted = tasks(&seen);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(posted[0].2.contains(r#""templateRef":"template:default/local-dispatch""#), "{posted:?}");
}
