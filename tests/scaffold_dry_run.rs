//! Issue 17 #8: a dry run behaves as the backend's: `debug:wait` is
//! skipped, a failed dry run names no workspace (its folder is gone), and
//! `--json` carries binary files as `base64Content`, byte for byte.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use base64::Engine as _;
use serde_json::{Value as Json, json};
use stagehand::scaffold::Template;
use stagehand::scaffold::runner::{self, Event, RunInput, RunOptions, StepStatus};

fn template(steps: Json) -> Template {
    let entity = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
        "metadata": {"name": "dry"}, "spec": {"parameters": [], "steps": steps}
    });
    Template::from_json(entity, None).unwrap()
}

#[test]
fn a_dry_run_skips_debug_wait() {
    let t = template(json!([{"id": "w", "action": "debug:wait", "input": {"minutes": 10}}]));
    let options = RunOptions { dry_run: true, ..RunOptions::default() };
    let mut events = Vec::new();
    let r =
        runner::run(&t, &RunInput::default(), &options, &|_| None, &mut |e| events.push(e), &AtomicBool::new(false));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(events, [Event::Step(0, StepStatus::Skipped("dry run".into()))]);
}

#[test]
fn a_failed_dry_run_names_no_workspace() {
    let t = template(json!([{"id": "e", "action": "debug:log", "each": "not a list", "input": {"message": "x"}}]));
    let options = RunOptions { dry_run: true, ..RunOptions::default() };
    let err =
        runner::run(&t, &RunInput::default(), &options, &|_| None, &mut |_| {}, &AtomicBool::new(false)).unwrap_err();
    assert!(err.message.contains("each"), "{}", err.message);
    assert_eq!(err.workspace, None, "the dry run's folder is gone");
}

#[test]
fn json_dry_runs_keep_binary_files_whole() {
    let probe = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scaffold_probes/text-or-binary");
    let home = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("stagehand")
        .unwrap()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("STAGEHAND_CONFIG")
        .args(["scaffold", probe.join("template.yaml").to_str().unwrap(), "--set", "name=demo", "--dry-run", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Json = serde_json::from_slice(&out.stdout).unwrap();
    let file = |name: &str| doc["files"].as_array().unwrap().iter().find(|f| f["path"] == name).cloned().unwrap();
    let binary = file("early-nul.bin");
    let bytes = base64::engine::general_purpose::STANDARD.decode(binary["base64Content"].as_str().unwrap()).unwrap();
    assert_eq!(bytes, std::fs::read(probe.join("skeleton/early-nul.bin")).unwrap());
    assert!(file("latin1.txt")["content"].as_str().unwrap().contains("Caf\u{fffd} for demo"));
}
