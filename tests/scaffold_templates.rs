//! Every template of the fixtures (software-templates, the scaffolder's
//! sample templates, the create-app template) and of the demo catalog, run
//! headlessly with prepared values; the resulting trees are snapshots.
//! Templates stagehand cannot run locally snapshot their preflight report.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde_json::{Map, Value as Json, json};
use stagehand::scaffold::form::apply_defaults;
use stagehand::scaffold::runner::{self, PlannedFile, RunInput, RunOptions};
use stagehand::scaffold::{Template, values};

/// Values that satisfy every fixture template's required parameters.
pub fn prepared_values() -> Map<String, Json> {
    let v = json!({
        "name": "demo-app",
        "component_id": "demo-app",
        "componentName": "demo-app",
        "description": "A demo \"quoted\" app",
        "owner": "group:default/team-a",
        "system": "system:default/podcast",
        "repoUrl": "github.com?owner=lumen-freight&repo=demo-app",
        "java_package_name": "io.acme.demo",
        "package": "co.acme",
        "projectType": "imperative",
        "coverage": "jacoco",
        "email": "dev@example.com",
        "cloudProvider": "AWS",
        "awsRegion": "eu-west-1",
        "recipients": "broadcast",
        "title": "Hello",
        "targetPath": "sub/dir",
        "branchName": "feature",
        "tier": "2",
        "database": "postgres",
        "dbSize": "small",
        "exposeApi": true,
        "apiVisibility": "internal",
        "features": ["kafka-consumer"],
        "contactEmail": "web@example.com",
        "public": true,
        "domain": "careers.lumen.example.com",
    });
    v.as_object().cloned().unwrap_or_default()
}

/// The prepared values with the few a template needs differently.
fn values_for(template: &Template) -> Map<String, Json> {
    let mut v = prepared_values();
    let over = match template.entity_ref.as_str() {
        "template:default/python-library" => json!({"component_id": "demo_app"}),
        "template:default/bui-kitchen-sink-demo" => json!({
            "features": ["logging", "tracing"], "owner": {"displayName": "Ada"}, "tags": ["a", "b"],
            "deployToken": "s3cr3t-token", "region": "eu-west-1"
        }),
        "template:default/gitlab-merge-request" => json!({"repoUrl": "gitlab.com?owner=acme&repo=demo-app"}),
        _ => json!({}),
    };
    for (k, val) in over.as_object().cloned().unwrap_or_default() {
        v.insert(k, val);
    }
    v
}

fn template_files(fixtures: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["software-templates/scaffolder-templates", "backstage/plugins/scaffolder-backend/sample-templates"] {
        let Ok(entries) = std::fs::read_dir(fixtures.join(dir)) else { continue };
        for e in entries.flatten() {
            let t = e.path().join("template.yaml");
            if t.is_file() {
                out.push(t);
            }
        }
    }
    out.push(fixtures.join("backstage/packages/create-app/templates/default-app/examples/template/template.yaml"));
    out.sort();
    out
}

fn demo_templates() -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/templates"));
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("template.yaml"))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// A text picture of a run: steps, files with contents, output.
fn describe(template: &Template, params: &Map<String, Json>) -> String {
    let mut text = format!("template: {}\n", template.entity_ref);
    let problems = runner::preflight(template);
    if !problems.is_empty() {
        text.push_str("cannot run locally:\n");
        for p in problems {
            text.push_str(&format!("  {p}\n"));
        }
        return text;
    }
    let mut p = params.clone();
    apply_defaults(&template.pages, &mut p);
    let secrets = values::split_secrets(template, &mut p);
    let missing = values::problems(template, &p, &secrets);
    assert!(missing.is_empty(), "{}: {missing:?}", template.entity_ref);
    let input = RunInput { parameters: p, secrets, user_ref: Some("user:default/guest".into()), user_entity: None };
    let options = RunOptions { dry_run: true, ..RunOptions::default() };
    let mut log = Vec::new();
    let lookup = |_: &str| None;
    let result =
        runner::run(template, &input, &options, &lookup, &mut |e| log.push(format!("{e:?}")), &AtomicBool::new(false));
    let result = match result {
        Ok(r) => r,
        Err(e) => return format!("{text}failed at step {:?}: {}\n", e.step, e.message),
    };
    assert!(!result.workspace.exists(), "a dry run leaves nothing behind");
    text.push_str("steps:\n");
    for line in log.iter().filter(|l| l.starts_with("Step")) {
        text.push_str(&format!("  {line}\n"));
    }
    text.push_str("files:\n");
    for f in &result.files {
        text.push_str(&format!(
            "  {} ({} bytes{})\n",
            f.path,
            f.bytes.len(),
            if f.executable { ", executable" } else { "" }
        ));
    }
    for f in &result.files {
        text.push_str(&format!("--- {}\n{}\n", f.path, contents(f)));
    }
    text.push_str(&format!("output: {}\n", serde_json::to_string_pretty(&result.output).unwrap_or_default()));
    text
}

fn contents(f: &PlannedFile) -> String {
    if stagehand::scaffold::actions::is_binary_content(&f.bytes) || f.bytes.len() > 6000 {
        let mut h = sha1_smol::Sha1::new();
        h.update(&f.bytes);
        format!("(sha1 {}, {} bytes)", h.digest(), f.bytes.len())
    } else {
        String::from_utf8_lossy(&f.bytes).into_owned()
    }
}

fn snapshot_name(path: &Path) -> String {
    path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().replace('-', "_")).unwrap_or_default()
}

#[test]
fn fixture_templates_render_as_snapshotted() {
    let Some(fixtures) = common::fixtures("fixture_templates_render_as_snapshotted") else { return };
    let files = template_files(&fixtures);
    assert!(files.len() >= 14, "{files:?}");
    for path in files {
        let template = Template::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = snapshot_name(&path);
        insta::assert_snapshot!(format!("fixture_{name}"), describe(&template, &values_for(&template)));
    }
}

#[test]
fn demo_templates_render_as_snapshotted() {
    for path in demo_templates() {
        let template = Template::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let name = snapshot_name(&path);
        insta::assert_snapshot!(format!("demo_{name}"), describe(&template, &values_for(&template)));
    }
}

#[test]
fn a_real_run_writes_commits_and_registers() {
    let out = tempfile::tempdir().unwrap();
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/templates/python-library/template.yaml"));
    let template = Template::from_file(&path).unwrap();
    let mut p = json!({"component_id": "lumen_geo", "owner": "group:default/team-a", "repoUrl": "github.com?owner=lumen&repo=geo"})
        .as_object()
        .cloned()
        .unwrap();
    apply_defaults(&template.pages, &mut p);
    let input = RunInput { parameters: p, ..RunInput::default() };
    let dir = out.path().join("geo");
    let options = RunOptions { output_dir: dir.clone(), ..RunOptions::default() };
    let result = runner::run(&template, &input, &options, &|_| None, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert!(dir.join("src/lumen_geo/__init__.py").is_file());
    assert!(dir.join(".git").is_dir(), "published locally as a git repository");
    let links: Vec<String> = result.output.links.iter().filter_map(|l| l.entity_ref.clone()).collect();
    assert_eq!(links, ["component:default/lumen-geo"]);
    // Running again into the same folder is refused: nothing is overwritten.
    let again = runner::run(&template, &input, &options, &|_| None, &mut |_| {}, &AtomicBool::new(false));
    assert!(again.unwrap_err().message.contains("not empty"));
}
