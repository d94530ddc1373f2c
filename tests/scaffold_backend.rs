//! Against the real Backstage backend (tests/backend with the scaffolder
//! plugin): local output equals the backend's dry run for
//! several templates (same files, same contents), and a task created over
//! the API streams its events to completion. Skipped, with the reason
//! printed, when node or the installed backend is not there.

mod common;
mod common_backend;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use common_backend::Backend;
use serde_json::{Map, Value as Json, json};
use stagehand::config::RemoteConfig;
use stagehand::scaffold::Template;
use stagehand::scaffold::form::apply_defaults;
use stagehand::scaffold::remote::{Client, TaskEvent};
use stagehand::scaffold::runner::{self, RunInput, RunOptions};
use stagehand::scaffold::task_stream;
use stagehand::sources::remote::client;

/// Starts the backend (tests/backend) with the scaffolder plugin.
fn start(test: &str, files: &[PathBuf]) -> Option<Backend> {
    Backend::start(test, files, &["--plugins", "scaffolder"])
}

/// A scaffolder client for the backend, with its token.
fn client_of(backend: &Backend) -> Client {
    let http = client::Client::new(&RemoteConfig::new(&backend.url)).unwrap();
    Client::new(http.with_token(Some(backend.token.clone()), "the test backend's token"))
}

fn values(json: Json) -> Map<String, Json> {
    json.as_object().cloned().unwrap_or_default()
}

/// The template with only the steps the backend has actions for (it has
/// no publish modules), no output and no page conditions.
fn backend_runnable(t: &Template, actions: &[String]) -> Template {
    let mut entity = t.entity.clone();
    if let Some(steps) = entity.pointer_mut("/spec/steps").and_then(Json::as_array_mut) {
        steps.retain(|s| {
            s.get("action")
                .and_then(Json::as_str)
                .is_some_and(|a| actions.iter().any(|x| x == a) && a != "catalog:register")
        });
    }
    if let Some(spec) = entity.get_mut("spec").and_then(Json::as_object_mut) {
        spec.remove("output");
    }
    // This backend's parameter validation rejects page-level `if:` strings;
    // pages do not change what is written, so they are left out.
    if let Some(pages) = entity.pointer_mut("/spec/parameters").and_then(Json::as_array_mut) {
        for page in pages.iter_mut().filter_map(Json::as_object_mut) {
            page.remove("if");
        }
    }
    Template::from_json(entity, t.base_dir.clone()).unwrap()
}

fn local_files(t: &Template, params: &Map<String, Json>) -> Vec<(String, Vec<u8>)> {
    let input = RunInput { parameters: params.clone(), ..RunInput::default() };
    let options = RunOptions { dry_run: true, ..RunOptions::default() };
    let r = runner::run(t, &input, &options, &|_| None, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    r.files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

fn cases(fixtures: &Path) -> Vec<(PathBuf, Map<String, Json>)> {
    let st = fixtures.join("software-templates/scaffolder-templates");
    let demo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/templates"));
    let common = json!({"name": "demo-app", "component_id": "demo-app", "description": "A \"quoted\" <app>",
        "owner": "group:default/team-a", "repoUrl": "github.com?owner=lumen-freight&repo=demo-app",
        "java_package_name": "io.acme.demo"});
    let mut out = Vec::new();
    for (path, extra) in [
        (
            fixtures.join("backstage/packages/create-app/templates/default-app/examples/template/template.yaml"),
            json!({}),
        ),
        (st.join("docs-template/template.yaml"), json!({})),
        (st.join("create-react-app/template.yaml"), json!({})),
        (st.join("springboot-grpc-template/template.yaml"), json!({})),
        (st.join("react-ssr-template/template.yaml"), json!({})),
        (
            demo.join("go-service/template.yaml"),
            json!({"database": "postgres", "exposeApi": true, "apiVisibility": "partner", "features": ["kafka-consumer"]}),
        ),
        (demo.join("static-website/template.yaml"), json!({"title": "Site", "public": true, "analytics": ["sentry"]})),
        (
            demo.join("python-library/template.yaml"),
            json!({"component_id": "demo_app", "pythonVersions": ["3.11", "3.12"]}),
        ),
    ] {
        let mut v = values(common.clone());
        v.extend(values(extra));
        out.push((path, v));
    }
    out
}

#[test]
fn local_runs_match_the_backends_dry_run() {
    let Some(fixtures) = common::fixtures("local_runs_match_the_backends_dry_run") else { return };
    let Some(backend) = start("local_runs_match_the_backends_dry_run", &[]) else { return };
    let client = client_of(&backend);
    let actions = client.actions().unwrap();
    let mut compared = 0;
    let mut differences = Vec::new();
    for (path, mut params) in cases(&fixtures) {
        let t = backend_runnable(&Template::from_file(&path).unwrap(), &actions);
        apply_defaults(&t.pages, &mut params);
        let local = local_files(&t, &params);
        let remote = client.dry_run(&t.entity, t.base_dir.as_deref(), &params, &Map::new()).unwrap();
        // catalog:write records the template; a dry run's template is `template:default/dry-run`.
        let remote: Vec<(String, Vec<u8>)> = remote
            .files
            .into_iter()
            .map(|f| {
                let text =
                    String::from_utf8(f.bytes.clone()).map(|s| s.replace("template:default/dry-run", &t.entity_ref));
                (f.path, text.map(String::into_bytes).unwrap_or(f.bytes))
            })
            .collect();
        let names = |v: &[(String, Vec<u8>)]| v.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(names(&local), names(&remote), "{}: same files", t.entity_ref);
        for ((path, a), (_, b)) in local.iter().zip(&remote) {
            if a != b {
                differences.push(format!(
                    "{} {path}:\n--- stagehand\n{}\n--- backend\n{}",
                    t.entity_ref,
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                ));
            }
        }
        eprintln!("{}: {} files compared", t.entity_ref, local.len());
        compared += 1;
    }
    assert!(differences.is_empty(), "contents differ:\n{}", differences.join("\n"));
    assert!(compared >= 3);
}

#[test]
fn a_remote_task_streams_to_completion() {
    let Some(fixtures) = common::fixtures("a_remote_task_streams_to_completion") else { return };
    let sample =
        fixtures.join("backstage/plugins/scaffolder-backend/sample-templates/conditional-output-demo/template.yaml");
    let Some(backend) = start("a_remote_task_streams_to_completion", &[sample]) else { return };
    let client = client_of(&backend);
    let template_ref = "template:default/conditional-output-demo";
    // The catalog reads its files in the background: poll until the template is there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let params = values(json!({"name": "remote-app", "enableCI": "Yes", "showDetails": true}));
    let id = loop {
        match client.create_task(template_ref, &params, &Map::new()) {
            Ok(id) => break id,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("waiting for the template: {e}");
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let mut logs = Vec::new();
    let done = task_stream::follow(&client, &id, &mut |e| logs.push(format!("{e:?}"))).unwrap();
    let TaskEvent::Completion { failed, output, .. } = done else { panic!("no completion") };
    assert!(!failed, "{logs:?}");
    assert!(logs.iter().any(|l| l.contains("Creating remote-app")), "{logs:?}");
    let links = output.unwrap_or_default();
    let titles: Vec<&str> = links["links"].as_array().unwrap().iter().filter_map(|l| l["title"].as_str()).collect();
    assert_eq!(titles, ["Backstage Homepage", "CI Dashboard", "CI Docs"]);
}

/// `stagehand scaffold REF --remote` with no `--base-url`: the template's
/// own `backstage:` source is the backend (url and token from the config),
/// and the token is never printed.
#[test]
fn the_cli_runs_a_remote_template_on_its_own_source() {
    let test = "the_cli_runs_a_remote_template_on_its_own_source";
    let Some(fixtures) = common::fixtures(test) else { return };
    let sample =
        fixtures.join("backstage/plugins/scaffolder-backend/sample-templates/conditional-output-demo/template.yaml");
    let Some(backend) = start(test, &[sample]) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let token = root.join("token");
    std::fs::write(&token, &backend.token).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::create_dir_all(root.join("config/stagehand")).unwrap();
    std::fs::write(
        root.join("config/stagehand/config.yaml"),
        format!(
            "sources:\n  - name: prod\n    backstage:\n      url: {}\n      token_file: {}\n",
            backend.url,
            token.display()
        ),
    )
    .unwrap();
    let stagehand = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("stagehand")
            .unwrap()
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("XDG_DATA_HOME", root.join("data"))
            .env("HOME", root.join("home"))
            .env_remove("STAGEHAND_CONFIG")
            .env_remove("STAGEHAND_BACKSTAGE_URL")
            .env_remove("STAGEHAND_BACKSTAGE_TOKEN")
            .current_dir(root)
            .args(args)
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    // The catalog reads its files in the background: sync until the template is there.
    backend.wait_until("the template", |items| {
        items.iter().any(|i| common_backend::item_ref(i) == "template:default/conditional-output-demo")
    });
    let (ok, out, err) = stagehand(&["sync"]);
    assert!(ok, "{out}\n{err}");
    let (ok, out, err) = stagehand(&[
        "scaffold",
        "conditional-output-demo",
        "--remote",
        "--set",
        "name=cli-remote-app",
        "--set",
        "enableCI=Yes",
        "--set",
        "showDetails=true",
    ]);
    assert!(ok, "{out}\n{err}\n{}", backend.log().lines().rev().take(30).collect::<Vec<_>>().join("\n"));
    assert!(err.contains("`prod`") && err.contains(&backend.url), "{err}");
    assert!(err.contains("Creating cli-remote-app"), "the event stream is shown: {err}");
    assert!(out.contains("Finished task"), "{out}");
    assert!(out.contains("CI Dashboard"), "output links: {out}");
    assert!(!out.contains(&backend.token) && !err.contains(&backend.token), "the token is never printed");
}
