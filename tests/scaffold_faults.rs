//! Remote scaffolding under faults, against a small HTTP server the test
//! scripts (loopback only, bounded requests): a 401 echoing the token never
//! shows it, a task-state GET is retried after a 500, creating a task is
//! never retried, a truncated event stream recovers by re-polling and
//! reconnecting after the last event, malformed events and a slow backend
//! end with messages that name the task and what to do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, json};
use stagehand::config::{RemoteConfig, TokenSource};
use stagehand::scaffold::Template;
use stagehand::scaffold::backend::{self, Backend};
use stagehand::scaffold::remote::Client;
use stagehand::scaffold::runner::{Event, RunInput};
use stagehand::sources::remote::client;

const TOKEN: &str = "tok-scaffold-0123456789";
const TASK: &str = "/api/scaffolder/v2/tasks/task-7";

/// One answer of the fake.
struct Reply {
    status: &'static str,
    body: String,
    /// A `Content-Length` larger than the body: the connection closes early.
    truncate: bool,
    /// How long to wait before answering.
    delay: Duration,
}

fn reply(status: &'static str, body: impl Into<String>) -> Reply {
    Reply { status, body: body.into(), truncate: false, delay: Duration::ZERO }
}

/// The request lines the fake saw.
type Seen = Arc<Mutex<Vec<String>>>;

/// Starts the fake: `answer(request line, earlier requests of that method
/// and path)`. Returns its URL and the request lines it saw.
fn fake(answer: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(60) {
            let (log, answer) = (log.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let (mut head, mut line, mut length) = (String::new(), String::new(), 0usize);
                let _ = reader.read_line(&mut head);
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let _ = reader.read_exact(&mut vec![0; length]);
                let head = head.trim().to_string();
                let route = |h: &str| h.split(['?', ' ']).take(2).collect::<Vec<_>>().join(" ");
                let earlier = {
                    let mut log = log.lock().unwrap();
                    let n = log.iter().filter(|h| route(h) == route(&head)).count();
                    log.push(head.clone());
                    n
                };
                let r = answer(&head, earlier);
                std::thread::sleep(r.delay);
                let length = if r.truncate { r.body.len() + 100 } else { r.body.len() };
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{}",
                    r.status, r.body
                );
            });
        }
    });
    (url, seen)
}

/// A client with the token from a command, a short timeout and backoff.
fn client(url: &str) -> Client {
    let config = RemoteConfig {
        token: TokenSource::Command(format!("echo {TOKEN}")),
        timeout: Duration::from_millis(400),
        ..RemoteConfig::new(url)
    };
    Client::new(client::Client::new(&config).expect("client").with_backoff(Duration::from_millis(20)))
}

fn template() -> Template {
    Template::from_json(
        json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
               "metadata": {"name": "svc", "namespace": "default"},
               "spec": {"steps": [{"id": "greet", "action": "debug:log"}]}}),
        None,
    )
    .expect("template")
}

/// Runs the template on the fake as a task; returns the log lines shown
/// and the result's message or task.
fn run(url: &str) -> (Vec<String>, Result<String, String>) {
    let backend = Backend { source: "fake".into(), client: client(url) };
    let mut logs = Vec::new();
    let result = backend::run(
        &backend,
        &template(),
        &RunInput::default(),
        false,
        &mut |e| {
            if let Event::Log(_, line) = e {
                logs.push(line);
            }
        },
        &AtomicBool::new(false),
    );
    (logs, result.map(|r| format!("{:?} {:?}", r.task, r.output.links)).map_err(|e| e.message))
}

fn event(id: u64, message: &str) -> String {
    let data =
        json!({"id": id, "type": "log", "body": {"message": message, "stepId": "greet", "status": "processing"}});
    format!("event: log\ndata: {data}\n\n")
}

fn completion(id: u64) -> String {
    let body = json!({"message": "Run completed with status: completed",
                      "output": {"links": [{"title": "Repo", "url": "https://git.example/svc"}]}});
    format!("event: completion\ndata: {}\n\n", json!({"id": id, "type": "completion", "body": body}))
}

fn created() -> Reply {
    reply("201 Created", json!({"id": "task-7"}).to_string())
}

fn processing() -> Reply {
    reply("200 OK", json!({"id": "task-7", "status": "processing"}).to_string())
}

#[test]
fn a_401_echoing_the_token_never_shows_it() {
    let (url, _) = fake(|_, _| {
        reply(
            "401 Unauthorized",
            format!(r#"{{"error":{{"name":"AuthenticationError","message":"bad token {TOKEN}"}}}}"#),
        )
    });
    let (_, result) = run(&url);
    let message = result.expect_err("refused");
    assert!(message.contains("401") && message.contains("token_command"), "{message}");
    assert!(message.contains("template:default/svc"), "names the template: {message}");
    assert!(!message.contains(TOKEN) && message.contains("[token]"), "{message}");
}

#[test]
fn a_task_state_get_is_retried_after_a_500() {
    let (url, seen) = fake(|_, earlier| match earlier {
        0 => reply("500 Internal Server Error", r#"{"error":{"message":"database is restarting"}}"#),
        _ => processing(),
    });
    let state = client(&url).task("task-7").expect("state after a retry");
    assert_eq!(state["status"], "processing");
    assert_eq!(seen.lock().unwrap().len(), 2, "one 500, one retry");
}

#[test]
fn creating_a_task_is_never_retried() {
    let (url, seen) = fake(|_, _| reply("500 Internal Server Error", r#"{"error":{"message":"boom"}}"#));
    let err = client(&url).create_task("template:default/svc", &Map::new(), &Map::new()).expect_err("500");
    let posts = seen.lock().unwrap().iter().filter(|h| h.starts_with("POST /api/scaffolder/v2/tasks ")).count();
    assert_eq!(posts, 1, "a retry could start the task twice");
    assert!(err.message.contains("not retried") && err.message.contains("boom"), "{err}");
}

#[test]
fn a_404_names_the_missing_task() {
    let (url, _) = fake(|_, _| reply("404 Not Found", r#"{"error":{"message":"no such task"}}"#));
    let err = client(&url).task("task-7").expect_err("404");
    assert!(err.message.contains("task task-7 is not on") && err.message.contains(&url), "{err}");
}

#[test]
fn a_truncated_event_stream_recovers_by_re_polling_and_reconnecting() {
    let (url, seen) = fake(|head, earlier| {
        if head.starts_with("POST /api/scaffolder/v2/tasks ") {
            created()
        } else if head.contains("/eventstream") && earlier == 0 {
            Reply {
                truncate: true,
                ..reply("200 OK", event(1, "first") + &event(2, "second") + "event: log\ndata: {\"id\"")
            }
        } else if head.contains("/eventstream") {
            // The server repeats event 2: it is shown once.
            reply("200 OK", event(2, "second") + &event(3, "third") + &completion(4))
        } else {
            processing()
        }
    });
    let (logs, result) = run(&url);
    let done = result.expect("finished after reconnecting");
    assert!(done.contains("task-7") && done.contains("https://git.example/svc"), "{done}");
    let shown: Vec<&str> = logs.iter().map(String::as_str).filter(|l| !l.contains("started")).collect();
    assert_eq!(shown, ["first", "second", "third"]);
    let seen = seen.lock().unwrap();
    assert!(seen.iter().any(|h| h.starts_with(&format!("GET {TASK} "))), "the task state was re-polled: {seen:?}");
    assert!(seen.iter().any(|h| h.contains("/eventstream?after=2")), "reconnected after event 2: {seen:?}");
}

#[test]
fn malformed_events_end_with_a_clear_message() {
    let (url, seen) = fake(|head, _| {
        if head.starts_with("POST ") {
            created()
        } else if head.contains("/eventstream") {
            reply("200 OK", event(1, "first") + "event: log\ndata: {not json\n\n")
        } else {
            processing()
        }
    });
    let (logs, result) = run(&url);
    let message = result.expect_err("malformed");
    assert!(message.contains("malformed") && message.contains("not json"), "{message}");
    assert!(message.contains(&format!("{url}{TASK}")) && message.contains("processing"), "{message}");
    assert_eq!(logs.iter().filter(|l| *l == "first").count(), 1, "{logs:?}");
    let streams = seen.lock().unwrap().iter().filter(|h| h.contains("/eventstream")).count();
    assert_eq!(streams, 1 + stagehand::scaffold::task_stream::RECONNECTS as usize, "bounded reconnections");
}

#[test]
fn a_slow_backend_times_out_with_a_message() {
    let (url, _) = fake(|_, _| Reply { delay: Duration::from_millis(1500), ..processing() });
    let err = client(&url).task("task-7").expect_err("too slow");
    assert!(err.message.contains("task-7") && err.message.contains("timeout"), "{err}");
    assert!(err.message.contains("after 4 attempts"), "{err}");
}
