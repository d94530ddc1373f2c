//! The portal from the terminal against the real Backstage backend
//! (tests/backend with the scaffolder and search plugins, one backend for
//! every test of this binary): the actions registry of all three plugins
//! (catalog, scaffolder, search), running an action from the CLI, refusing
//! a destructive one without confirmation, finding a group through the
//! server's search, and a `scaffold --remote` task listed, shown, followed,
//! cancelled and retried. Skipped, with the reason printed, when node or
//! the installed backend is not there. Failures (a missing plugin, 403, a
//! silent server) are checked against a small fake server.

mod common_backend;
mod common_mcp;
mod common_tmux;
#[path = "common_tui/mod.rs"]
mod common_tui;

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common_backend::Backend;
use serde_json::{Value as Json, json};
use stagehand::config::RemoteConfig;
use stagehand::portal::search;
use stagehand::sources::remote::client::Client;

/// A group, a component it owns, and a template that logs then waits five
/// minutes (long enough to be cancelled while it runs).
const CATALOG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-lighthouse
  description: The lighthouse keepers
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: beacon
  description: Sends the light
spec:
  type: service
  lifecycle: production
  owner: group:default/team-lighthouse
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: slow-wait
  title: Slow wait
spec:
  owner: group:default/team-lighthouse
  type: service
  parameters:
    - title: Fill
      properties:
        name: {type: string}
  steps:
    - id: hello
      name: Hello
      action: debug:log
      input: {message: "hello ${{ parameters.name }}"}
    - id: wait
      name: Wait
      action: debug:wait
      input: {minutes: 5}
"#;

/// The backend every test shares (started by the first test that needs it).
fn backend(test: &str) -> Option<&'static Backend> {
    static BACKEND: OnceLock<Option<Backend>> = OnceLock::new();
    let shared = BACKEND.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("portal_backend");
        std::fs::create_dir_all(&dir).unwrap();
        let catalog = dir.join("catalog.yaml");
        std::fs::write(&catalog, CATALOG).unwrap();
        let backend = Backend::start(test, &[catalog], &["--plugins", "scaffolder,search"])?;
        backend.stop_at_exit();
        Some(backend)
    });
    if shared.is_none() {
        eprintln!("SKIP {test}: no backend (see the first SKIP line)");
    }
    shared.as_ref()
}

/// A stagehand home (config with one `backstage:` source, cache, data).
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(backend: &Backend, token: &str, extra: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, token).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::create_dir_all(dir.path().join("config/stagehand")).unwrap();
        std::fs::write(
            dir.path().join("config/stagehand/config.yaml"),
            format!(
                "{extra}sources:\n  - name: prod\n    backstage:\n      url: {}\n      token_file: {}\n",
                backend.url,
                token_file.display()
            ),
        )
        .unwrap();
        Home { dir }
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let root = self.dir.path();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_stagehand"));
        cmd.env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("XDG_DATA_HOME", root.join("data"))
            .env("HOME", root.join("home"))
            .env("NO_COLOR", "1")
            .env_remove("STAGEHAND_CONFIG")
            .env_remove("STAGEHAND_BACKSTAGE_URL")
            .env_remove("STAGEHAND_BACKSTAGE_TOKEN")
            .current_dir(root)
            .stdin(Stdio::null())
            .args(args);
        cmd
    }

    /// Runs stagehand: exit code, stdout, stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
    }

    /// Runs stagehand, expecting success and JSON on stdout.
    fn json(&self, args: &[&str]) -> Json {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "{args:?}: {out}\n{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}\n{out}"))
    }
}

/// Polls `probe` until it gives a value; panics with `what` after two minutes.
fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn actions_of_all_three_plugins_are_listed_as_the_registry_describes_them() {
    let test = "actions_of_all_three_plugins_are_listed_as_the_registry_describes_them";
    let Some(backend) = backend(test) else { return };
    let home = Home::new(backend, &backend.token, "");
    let listing = home.json(&["actions", "list", "--json"]);
    let ids: Vec<&str> = listing["actions"].as_array().unwrap().iter().filter_map(|a| a["id"].as_str()).collect();
    for plugin in ["catalog", "scaffolder", "search"] {
        let registry = backend.get(&format!("/api/{plugin}/.backstage/actions/v1/actions"), &[]);
        let mut expected: Vec<&str> =
            registry["actions"].as_array().unwrap().iter().filter_map(|a| a["id"].as_str()).collect();
        expected.sort();
        let listed: Vec<&str> = ids.iter().copied().filter(|id| id.starts_with(&format!("{plugin}:"))).collect();
        assert!(!expected.is_empty(), "{plugin} serves actions");
        assert_eq!(listed, expected, "{plugin}: every action, by id");
        for action in registry["actions"].as_array().unwrap() {
            let ours = listing["actions"].as_array().unwrap().iter().find(|a| a["id"] == action["id"]).unwrap();
            assert_eq!(ours["attributes"], action["attributes"], "{}", action["id"]);
            assert_eq!(ours["input"], action["schema"]["input"], "{}", action["id"]);
        }
    }
    assert_eq!(listing["missing"], json!(["techdocs"]), "not installed here, so listed as missing");
    let (code, out, err) = home.run(&["actions", "list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l.starts_with("catalog:unregister-entity") && l.contains("destructive")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("search:query") && l.contains("read-only")), "{out}");
    assert!(err.contains("`techdocs` answered 404"), "{err}");
    let (code, _, err) = home.run(&["actions", "list", "--plugin", "no-such-plugin"]);
    assert_eq!(code, 2);
    assert!(err.contains("no actions") && err.contains("no-such-plugin"), "{err}");
}

#[test]
fn the_cli_runs_get_catalog_entity_and_checks_its_input_first() {
    let test = "the_cli_runs_get_catalog_entity_and_checks_its_input_first";
    let Some(backend) = backend(test) else { return };
    backend.wait_until("the group", |items| {
        items.iter().any(|i| common_backend::item_ref(i) == "group:default/team-lighthouse")
    });
    let home = Home::new(backend, &backend.token, "");
    let output = home.json(&[
        "actions",
        "run",
        "catalog:get-catalog-entity",
        "--set",
        "kind=group",
        "--set",
        "name=team-lighthouse",
        "--json",
    ]);
    let stored = backend.get("/api/catalog/entities/by-name/group/default/team-lighthouse", &[]);
    assert_eq!(output["metadata"]["uid"], stored["metadata"]["uid"], "the catalog's own entity");
    assert_eq!(output["spec"], stored["spec"]);
    let same = home.json(&["actions", "run", "catalog:get-catalog-entity", "--input", r#"{"name": "beacon"}"#]);
    assert_eq!(same["kind"], "Component");

    let (code, _, err) = home.run(&["actions", "run", "catalog:get-catalog-entity", "--set", "kind=group"]);
    assert_eq!(code, 2);
    assert!(err.contains("name: required") && err.contains("name (required)"), "checked before sending: {err}");
    let (code, _, err) = home.run(&["actions", "run", "catalog:get-catalog-entity", "--set", "nmae=beacon"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `name`?"), "{err}");
    let (code, _, err) = home.run(&["actions", "run", "catalog:get-catalog-entiti", "--set", "name=x"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean catalog:get-catalog-entity?"), "{err}");
    let (code, _, err) = home.run(&["actions", "run", "catalog:get-catalog-entity", "--set", "name=ghost"]);
    assert_eq!(code, 2);
    assert!(err.contains("400") && err.contains("No entity found"), "the server's own message: {err}");

    // A `$ref` inside a union is left to the server; its zod issues are
    // read field by field.
    let input = r#"{"status": ["bogus"]}"#;
    let (code, _, err) = home.run(&["actions", "run", "scaffolder:list-scaffolder-tasks", "--input", input]);
    assert_eq!(code, 2);
    assert!(err.contains("the server refused the input of scaffolder:list-scaffolder-tasks:\n  status"), "{err}");
    let (code, _, err) = home.run(&["actions", "run", "scaffolder:list-scaffolder-tasks", "--set", "status=bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("status: must be one of open, processing"), "checked before sending: {err}");

    let model = home.run(&["actions", "run", "catalog:get-catalog-model-description"]);
    assert_eq!(model.0, 0, "{}", model.2);
    assert!(model.1.starts_with("# "), "Markdown text is printed as text: {}", model.1);

    let wrong = Home::new(backend, "not-the-token", "");
    let (code, _, err) = wrong.run(&["actions", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("401") && err.contains("token_file"), "a 401 names the token setting: {err}");
    assert!(!err.contains("not-the-token"), "the token is never printed");
}

#[test]
fn a_destructive_action_is_refused_without_confirmation() {
    let test = "a_destructive_action_is_refused_without_confirmation";
    let Some(backend) = backend(test) else { return };
    let home = Home::new(backend, &backend.token, "");
    let input = json!({"templateRef": "template:default/slow-wait", "values": {"name": "refused-run"}}).to_string();
    let (code, out, err) = home.run(&["actions", "run", "scaffolder:execute-template", "--input", &input]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("refused") && err.contains("destructive") && err.contains("--yes"), "{err}");
    let tasks = backend.get("/api/scaffolder/v2/tasks", &[]);
    let sent = tasks["tasks"].as_array().unwrap().iter().any(|t| t["spec"]["parameters"]["name"] == "refused-run");
    assert!(!sent, "nothing reached the backend: {tasks}");
}

/// `stagehand mcp --allow-writes` offers `run_action` under the CLI's rules:
/// the input checked, a read-only action run, a destructive one refused
/// without `yes` (nothing reaches the backend).
#[test]
fn mcp_run_action_follows_the_cli_rules() {
    let test = "mcp_run_action_follows_the_cli_rules";
    let Some(backend) = backend(test) else { return };
    backend.wait_until("the group", |items| {
        items.iter().any(|i| common_backend::item_ref(i) == "group:default/team-lighthouse")
    });
    let home = Home::new(backend, &backend.token, "");
    let mut client = common_mcp::Client::start(home.command(&["mcp", "--allow-writes"]));
    let args = json!({"id": "catalog:get-catalog-entity", "input": {"kind": "group", "name": "team-lighthouse"}});
    let got = client.call("run_action", args);
    assert_ne!(got["isError"], true, "{got}");
    let stored = backend.get("/api/catalog/entities/by-name/group/default/team-lighthouse", &[]);
    assert_eq!(got["structuredContent"]["source"], "prod", "{got}");
    assert_eq!(got["structuredContent"]["output"]["metadata"]["uid"], stored["metadata"]["uid"], "{got}");
    let bad = client.call("run_action", json!({"id": "catalog:get-catalog-entity", "input": {"nmae": "beacon"}}));
    assert_eq!(bad["isError"], true, "{bad}");
    let input = json!({"templateRef": "template:default/slow-wait", "values": {"name": "mcp-refused"}});
    let refused = client.call("run_action", json!({"id": "scaffolder:execute-template", "input": input}));
    assert_eq!(refused["isError"], true, "{refused}");
    let text = refused["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.contains("refused") && text.contains("destructive") && text.contains("yes: true"), "{text}");
    let tasks = backend.get("/api/scaffolder/v2/tasks", &[]);
    let sent = tasks["tasks"].as_array().unwrap().iter().any(|t| t["spec"]["parameters"]["name"] == "mcp-refused");
    assert!(!sent, "nothing reached the backend: {tasks}");
}

#[test]
fn search_remote_finds_a_group() {
    let test = "search_remote_finds_a_group";
    let Some(backend) = backend(test) else { return };
    let home = Home::new(backend, &backend.token, "");
    // The search collator indexes the catalog in the background.
    let found = eventually("the group in the search index", || {
        let found = home.json(&["search", "--remote", "lighthouse", "--json"]);
        let hit = found["results"].as_array()?.iter().any(|r| r["entityRef"] == "group:default/team-lighthouse");
        hit.then_some(found)
    });
    assert_eq!(found["source"], "prod");
    let (code, out, err) = home.run(&["search", "--remote", "lighthouse", "--type", "software-catalog"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("software-catalog ("), "grouped by type: {out}");
    assert!(out.contains("  team-lighthouse  group:default/team-lighthouse"), "{out}");
    assert!(out.contains("The lighthouse keepers") && out.contains("/catalog/default/group/team-lighthouse"), "{out}");
    assert!(!out.contains('<') && !out.contains('\u{1b}'), "no highlight tags, no escapes: {out}");

    // Paging with the cursor reads the same results as one big page.
    let http = Client::new(&RemoteConfig::new(&backend.url))
        .unwrap()
        .with_token(Some(backend.token.clone()), "the test backend's token");
    let one = search::query(&http, "", &["software-catalog".to_string()], 50, 50).unwrap();
    let paged = search::query(&http, "", &["software-catalog".to_string()], 50, 1).unwrap();
    let titles = |f: &search::Found| f.hits.iter().map(|h| h.location.clone()).collect::<Vec<_>>();
    assert!(one.hits.len() >= 3, "{:?}", titles(&one));
    assert_eq!(titles(&paged), titles(&one));
    let (code, _, err) = home.run(&["search", "--remote", "x", "--type", "no-such-type"]);
    assert_eq!(code, 2);
    assert!(err.contains("refused the query"), "{err}");
}

/// The TUI's `:actions` form runs `catalog:get-catalog-entity` on the
/// real backend and shows the catalog's own entity.
#[test]
fn the_tui_runs_get_catalog_entity_from_its_form() {
    let test = "the_tui_runs_get_catalog_entity_from_its_form";
    let Some(backend) = backend(test) else { return };
    backend.wait_until("the group", |items| {
        items.iter().any(|i| common_backend::item_ref(i) == "group:default/team-lighthouse")
    });
    let tmp = common_tui::tmp_dir();
    let token = tmp.path().join("token");
    std::fs::write(&token, &backend.token).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = tmp.path().join("config.yaml");
    let text = format!(
        "sources:\n  - name: prod\n    backstage:\n      url: {}\n      token_file: {}\n",
        backend.url,
        token.display()
    );
    std::fs::write(&config, text).unwrap();
    let mut ws = stagehand::workspace::Workspace::open(Some(config), false, false).unwrap();
    ws.paths.cache_dir = tmp.path().join("cache");
    ws.paths.data_dir = tmp.path().join("data");
    ws.paths.config_dir = tmp.path().join("config");
    let settings = common_tui::settings(stagehand::tui::keymap::Keymap::default());
    let mut h = common_tui::Harness::with(ws, tmp, settings);
    h.command("actions");
    h.keys("/");
    h.type_text("get-catalog-entity");
    h.keys("enter enter");
    // kind, namespace, name: the form follows the schema's order.
    h.keys("enter");
    h.type_text("group");
    h.keys("enter j j enter");
    h.type_text("team-lighthouse");
    h.keys("enter G enter");
    let screen = h.screen(120, 40);
    let uid = backend.get("/api/catalog/entities/by-name/group/default/team-lighthouse", &[])["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(screen.contains(&format!("\"uid\": \"{uid}\"")), "the catalog's own entity: {screen}");
    assert!(screen.contains("\"description\": \"The lighthouse keepers\""), "{screen}");
}

/// On a terminal, writes ask and destructive actions ask with Cancel as
/// the default: Enter declines them (exit 2, nothing sent) and runs the
/// others.
#[test]
fn on_a_terminal_actions_ask_with_the_default_their_attributes_give() {
    let test = "on_a_terminal_actions_ask_with_the_default_their_attributes_give";
    let Some(backend) = backend(test) else { return };
    let (url, token) = (backend.url.clone(), backend.token.clone());
    let Some(tmux) = common_tmux::Tmux::start(test, 160, 40, &[("NO_COLOR", "1")], |home| {
        std::fs::create_dir_all(home.join("config/stagehand")).unwrap();
        let config =
            format!("sources:\n  - name: prod\n    backstage:\n      url: {url}\n      token_env: PORTAL_TOKEN\n");
        std::fs::write(home.join("config/stagehand/config.yaml"), config).unwrap();
        format!("PORTAL_TOKEN={} sh", common_tmux::shell_quote(&token))
    }) else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_stagehand");
    let run = |args: &str, marker: &str| {
        tmux.type_text(&format!("{bin} actions run {args}; echo {marker}-$?"));
        tmux.keys(&["Enter"]);
    };
    run(r#"catalog:unregister-entity --input '{"type":{"locationId":"nope"}}'"#, "FIRST");
    tmux.wait_for("[y/N]");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("FIRST-2");
    assert!(screen.contains("not confirmed"), "{screen}");
    run("catalog:refresh-catalog-entity --set name=beacon --set kind=component", "SECOND");
    tmux.wait_for("[Y/n]");
    tmux.type_text("n");
    tmux.keys(&["Enter"]);
    tmux.wait_for("SECOND-2");
    run("catalog:refresh-catalog-entity --set name=beacon --set kind=component", "THIRD");
    tmux.wait_until("the second question", |s| s.matches("[Y/n]").count() == 2);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("THIRD-0");
    assert!(screen.contains(r#""entityRef": "component:default/beacon""#), "{screen}");
}

/// Waits for `child` to end (at most two minutes); kills it otherwise.
fn wait_for(mut child: Child) -> (i32, String) {
    let code = eventually("the scaffold run to end", || child.try_wait().unwrap());
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        use std::io::Read;
        stderr.read_to_string(&mut err).unwrap();
    }
    (code.code().unwrap_or(-1), err)
}

fn task_of(home: &Home, template: &str) -> Option<Json> {
    let tasks = home.json(&["tasks", "list", "--all", "--json"]);
    tasks.as_array()?.iter().find(|t| t["template"] == template && t["status"] == "processing").cloned()
}

fn status_of(backend: &Backend, id: &str) -> String {
    backend.get(&format!("/api/scaffolder/v2/tasks/{id}"), &[])["status"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_remote_scaffold_task_is_listed_shown_cancelled_and_retried() {
    let test = "a_remote_scaffold_task_is_listed_shown_cancelled_and_retried";
    let Some(backend) = backend(test) else { return };
    let home = Home::new(backend, &backend.token, "");
    backend.wait_until("the template", |items| {
        items.iter().any(|i| common_backend::item_ref(i) == "template:default/slow-wait")
    });
    let (code, out, err) = home.run(&["sync"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let run = home
        .command(&["scaffold", "slow-wait", "--remote", "--set", "name=cancel-me"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let task = eventually("the task to run", || task_of(&home, "template:default/slow-wait"));
    let id = task["id"].as_str().unwrap().to_string();
    assert_eq!(task["title"], "Slow wait");

    let (code, out, err) = home.run(&["tasks", "list", "--all"]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("processing") && line.contains("Slow wait"), "{line}");
    let (code, _, err) = home.run(&["--as", "user:default/nobody", "tasks", "list"]);
    assert_eq!(code, 0);
    assert!(err.contains("no tasks created by user:default/nobody"), "only the user's tasks: {err}");

    eventually("the first step's log", || {
        let shown = home.json(&["tasks", "show", &id, "--json"]);
        shown["log"].as_array()?.iter().any(|l| l["message"] == "Finished step Hello").then_some(())
    });
    let (code, out, err) = home.run(&["tasks", "show", &id]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("completed  hello  Hello (debug:log)"), "{out}");
    assert!(out.contains("processing wait  Wait (debug:wait)"), "{out}");
    assert!(out.contains("hello        info: hello cancel-me"), "colour codes gone: {out}");

    // Not a terminal: cancelling asks nobody and goes ahead.
    let (code, out, err) = home.run(&["tasks", "cancel", &id]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, err) = wait_for(run);
    assert_ne!(code, 0, "the scaffold run reports the cancellation");
    assert!(err.contains(&id), "{err}");
    let (code, out, _) = home.run(&["tasks", "show", &id, "--follow"]);
    assert_eq!(code, 1, "followed to a failed end: {out}");
    assert!(out.contains("has been cancelled"), "{out}");
    assert_ne!(status_of(backend, &id), "processing");

    let (code, _, err) = home.run(&["tasks", "cancel", &id]);
    assert_eq!(code, 2);
    assert!(err.contains("already ended"), "{err}");
    let (code, out, err) = home.run(&["tasks", "retry", &id, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    eventually("the retried task to run", || (status_of(backend, &id) == "processing").then_some(()));
    let (code, _, err) = home.run(&["tasks", "retry", &id]);
    assert_eq!(code, 2);
    assert!(err.contains("only ended tasks"), "{err}");
    let (code, _, err) = home.run(&["tasks", "cancel", &id, "--yes"]);
    assert_eq!(code, 0, "{err}");
    eventually("the retried task to end", || (status_of(backend, &id) != "processing").then_some(()));

    let (code, _, err) = home.run(&["tasks", "show", "no-such-task"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-task"), "{err}");
}

/// A server answering every request with `status` and a Backstage error
/// body, or (`status` 0) never answering.
fn fake_server(status: u16) -> String {
    fake_answering(status, json!({"error": {"name": "Error", "message": "said the fake"}}))
}

/// A server answering every request with `status` and `body`, or
/// (`status` 0) never answering.
fn fake_answering(status: u16, body: Json) -> String {
    use std::io::{BufRead, BufReader, Write};
    let body = body.to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                if status == 0 {
                    std::thread::sleep(Duration::from_secs(30));
                    return;
                }
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

/// A home whose one source is `url`, with a one-second timeout.
fn fake_home(url: &str) -> Home {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config/stagehand")).unwrap();
    std::fs::write(
        dir.path().join("config/stagehand/config.yaml"),
        format!("sources:\n  - name: prod\n    backstage:\n      url: {url}\n      token_env: PORTAL_FAKE_TOKEN\n      timeout: 1s\n"),
    )
    .unwrap();
    Home { dir }
}

/// Failures say what to do: a missing plugin is named, a 403 says the
/// token lacks permission, a silent server names the `timeout` setting.
#[test]
fn failures_name_the_missing_plugin_the_permission_or_the_timeout() {
    let run = |home: &Home, args: &[&str]| {
        let out = home.command(args).env("PORTAL_FAKE_TOKEN", "t0ken-value").output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let missing = fake_home(&fake_server(404));
    let (code, err) = run(&missing, &["actions", "run", "catalog:get-catalog-entity", "--set", "name=x"]);
    assert_eq!(code, 2);
    assert!(err.contains("the `catalog` plugin is not installed on http://127.0.0.1"), "{err}");
    let (code, err) = run(&missing, &["actions", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("`search` answered 404") && err.contains("no actions on `prod`"), "{err}");
    let (code, err) = run(&missing, &["search", "--remote", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("the search plugin is not installed"), "{err}");
    let (code, err) = run(&missing, &["tasks", "list", "--all"]);
    assert_eq!(code, 2);
    assert!(err.contains("the scaffolder plugin is not installed"), "{err}");

    let denied = fake_home(&fake_server(403));
    let (code, err) = run(&denied, &["actions", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("denied access (403 said the fake)") && err.contains("lacks permission"), "{err}");
    let (code, err) = run(&denied, &["tasks", "show", "some-task"]);
    assert_eq!(code, 2);
    assert!(err.contains("403"), "{err}");

    let silent = fake_home(&fake_server(0));
    let (code, err) = run(&silent, &["search", "--remote", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("did not answer within the timeout") && err.contains("`timeout`"), "{err}");
    assert!(!err.contains("t0ken-value"));
}

/// A TechDocs result keeps its location (the page's path and the heading
/// anchor, which the TUI opens) in `search --remote --json` and the listing.
#[test]
fn search_remote_keeps_a_techdocs_location() {
    let location = "/docs/default/component/beacon/guide/setup/#install";
    let body = json!({"numberOfResults": 1, "results": [{"type": "techdocs", "document": {"title": "Install",
        "text": "Run the installer", "kind": "Component", "namespace": "default", "name": "beacon", "location": location}}]});
    let home = fake_home(&fake_answering(200, body));
    let run = |args: &[&str]| {
        let out = home.command(args).env("PORTAL_FAKE_TOKEN", "t0ken-value").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let found: Json = serde_json::from_str(&run(&["search", "--remote", "install", "--json"])).unwrap();
    let hit = &found["results"][0];
    assert_eq!((hit["type"].as_str(), hit["location"].as_str()), (Some("techdocs"), Some(location)), "{found}");
    assert_eq!(hit["entityRef"], "component:default/beacon", "{found}");
    let listing = run(&["search", "--remote", "install"]);
    assert!(listing.contains(location), "{listing}");
}
