//! The scaffolder conformance harness: every real-world template in
//! `../shared/fixtures/real-world/templates/` (each with its
//! `values.json`), and the synthetic probes in `tests/fixtures/
//! scaffold_probes/` (one per fidelity rule), run through the real
//! backend's `POST /api/scaffolder/v2/dry-run` (tests/backend with the
//! scaffolder plugin, one backend for all) and through stagehand's local
//! dry run; the file trees are compared byte for byte.
//!
//! Both sides run the same template: only the steps both can run (the
//! backend has no publish modules and none of the vendors' custom
//! actions), no output, no page `if`; skeletons outside the template's
//! folder (`../../skeletons`) are reached by uploading the nearest common
//! folder and rewriting the relative `url`s from it, since the backend's
//! dry run (like stagehand) reads nothing outside the uploaded folder.
//!
//! Every template is reported identical or different, with why. Known
//! differences are listed in [`KNOWN`] with their reason; a new difference
//! fails the test, and so does a known one that became identical (remove
//! it from the list). Skips with a printed reason without node, the
//! installed backend or ../shared.

mod common;
mod common_backend;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicBool;

use common_backend::Backend;
use serde_json::{Map, Value as Json};
use stagehand::config::RemoteConfig;
use stagehand::scaffold::Template;
use stagehand::scaffold::form::apply_defaults;
use stagehand::scaffold::remote::Client;
use stagehand::scaffold::runner::{self, RunInput, RunOptions};
use stagehand::sources::remote::client;

/// Templates whose trees differ today, with why (path relative to the
/// corpus or probe folder).
const KNOWN: &[(&str, &str)] = &[
    (
        "DEFRA+adp-software-templates/templates/adp-frontend-template-node",
        "its steps and pages are `$yaml:` includes, which the catalog resolves; a template read from its file \
         (here) or posted to the dry-run endpoint has them unresolved",
    ),
    (
        "awslabs+harmonix/backstage-reference/templates/example-nodejs",
        "not valid YAML as shipped (installer placeholders, MANIFEST #4): nothing to run on either side",
    ),
];

/// One case: a template file, its values and secrets.
struct Case {
    name: String,
    file: PathBuf,
    values: Map<String, Json>,
    secrets: Map<String, Json>,
}

fn read_object(path: &Path) -> Map<String, Json> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Json>(&t).ok())
        .and_then(|j| j.as_object().cloned())
        .unwrap_or_default()
}

/// The Template YAML of a folder: `template.yaml`, else the first YAML
/// file holding `kind: Template`.
fn template_file(dir: &Path) -> Option<PathBuf> {
    let preferred = dir.join("template.yaml");
    if preferred.is_file() {
        return Some(preferred);
    }
    let mut yamls: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    yamls.sort();
    yamls.into_iter().find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("kind: Template")))
}

fn cases_under(root: &Path, out: &mut Vec<Case>) {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "values.json")
                && let Some(file) = template_file(&dir)
            {
                let name = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
                out.push(Case { name, file, values: read_object(&p), secrets: read_object(&dir.join("secrets.json")) });
            }
        }
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The folder holding the template and every local skeleton it fetches.
fn common_root(dir: &Path, urls: &[String]) -> PathBuf {
    let mut root = dir.to_path_buf();
    for url in urls {
        let target = normalize(&dir.join(url));
        while !target.starts_with(&root) && root.pop() {}
    }
    root
}

/// The template both sides run, with its upload folder.
fn prepared(t: &Template, backend_actions: &[String]) -> Template {
    let dir = t.base_dir.clone().expect("a template file has a folder");
    let mut entity = t.entity.clone();
    let mut urls = Vec::new();
    if let Some(steps) = entity.pointer_mut("/spec/steps").and_then(Json::as_array_mut) {
        steps.retain(|s| {
            let action = s.get("action").and_then(Json::as_str).unwrap_or("");
            backend_actions.iter().any(|a| a == action)
                && stagehand::scaffold::actions::supported(action)
                && !action.starts_with("publish:")
                && !matches!(action, "catalog:register" | "debug:wait")
        });
        for s in steps.iter() {
            if let Some(url) = s.pointer("/input/url").and_then(Json::as_str)
                && !url.contains("://")
            {
                urls.push(url.to_string());
            }
        }
        let root = common_root(&dir, &urls);
        let prefix = dir.strip_prefix(&root).unwrap_or(Path::new("")).to_path_buf();
        for s in steps.iter_mut() {
            if let Some(url) = s.pointer_mut("/input/url")
                && let Some(text) = url.as_str().filter(|u| !u.contains("://"))
            {
                let moved = normalize(&prefix.join(text)).display().to_string();
                *url = Json::String(format!("./{moved}"));
            }
        }
        if let Some(spec) = entity.get_mut("spec").and_then(Json::as_object_mut) {
            spec.remove("output");
        }
        if let Some(pages) = entity.pointer_mut("/spec/parameters").and_then(Json::as_array_mut) {
            for page in pages.iter_mut().filter_map(Json::as_object_mut) {
                page.remove("if");
            }
        }
        return Template::from_json(entity, Some(root)).expect("the template still reads");
    }
    Template::from_json(entity, Some(dir)).expect("the template still reads")
}

type Tree = BTreeMap<String, Vec<u8>>;

fn local_tree(t: &Template, case: &Case, params: &Map<String, Json>) -> Result<Tree, String> {
    // As `stagehand scaffold` does: values that break the schema stop the run.
    let problems = stagehand::scaffold::values::problems(t, params, &case.secrets);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|(_, e)| format!("{}: {}", e.key, e.message)).collect();
        return Err(format!("invalid values: {}", list.join("; ")));
    }
    let input = RunInput { parameters: params.clone(), secrets: case.secrets.clone(), ..RunInput::default() };
    let options = RunOptions { dry_run: true, ..RunOptions::default() };
    let r = runner::run(t, &input, &options, &|_| None, &mut |_| {}, &AtomicBool::new(false)).map_err(|e| e.message)?;
    Ok(r.files.into_iter().map(|f| (f.path, f.bytes)).collect())
}

fn remote_tree(client: &Client, t: &Template, case: &Case, params: &Map<String, Json>) -> Result<Tree, String> {
    let r = client.dry_run(&t.entity, t.base_dir.as_deref(), params, &case.secrets).map_err(|e| e.message)?;
    Ok(r.files
        .into_iter()
        .map(|f| {
            let text = String::from_utf8(f.bytes.clone()).map(|s| s.replace("template:default/dry-run", &t.entity_ref));
            (f.path, text.map(String::into_bytes).unwrap_or(f.bytes))
        })
        .collect())
}

/// Why two trees differ, in one line.
fn difference(local: &Tree, remote: &Tree) -> Option<String> {
    let only = |a: &Tree, b: &Tree| a.keys().filter(|k| !b.contains_key(*k)).cloned().collect::<Vec<_>>();
    let (l, r) = (only(local, remote), only(remote, local));
    if !l.is_empty() || !r.is_empty() {
        return Some(format!("only in stagehand: {l:?}; only in the backend: {r:?}"));
    }
    local.iter().find(|(k, v)| remote.get(*k) != Some(v)).map(|(path, a)| {
        let b = &remote[path];
        let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        let show = |v: &[u8]| String::from_utf8_lossy(&v[at.saturating_sub(20)..(at + 40).min(v.len())]).into_owned();
        format!("{path} differs at byte {at}: stagehand {:?} / backend {:?}", show(a), show(b))
    })
}

#[test]
fn templates_match_the_backends_dry_run() {
    let test = "templates_match_the_backends_dry_run";
    let Some(shared) = common::shared_dir() else {
        eprintln!("SKIP {test}: ../shared is not beside the repository");
        return;
    };
    let corpus = shared.join("fixtures/real-world/templates");
    if !corpus.is_dir() {
        eprintln!("SKIP {test}: {} is missing", corpus.display());
        return;
    }
    let Some(backend) = Backend::start(test, &[], &["--plugins", "scaffolder"]) else { return };
    let http = client::Client::new(&RemoteConfig::new(&backend.url)).unwrap();
    let client = Client::new(http.with_token(Some(backend.token.clone()), "the test backend's token"));
    let actions = client.actions().unwrap();

    let mut cases = Vec::new();
    cases_under(&corpus.canonicalize().unwrap(), &mut cases);
    let probes = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/scaffold_probes"));
    let mut probe_cases = Vec::new();
    cases_under(&probes, &mut probe_cases);
    assert!(probe_cases.len() >= 7, "the probes are there");
    for c in &mut probe_cases {
        c.name = format!("probe {}", c.name);
    }
    cases.extend(probe_cases);
    cases.sort_by(|a, b| a.name.cmp(&b.name));

    let mut identical = Vec::new();
    let mut both_fail = Vec::new();
    let mut report = Vec::new();
    let mut unexpected = Vec::new();
    for case in &cases {
        let outcome = match Template::from_file(&case.file) {
            Err(e) => Err(format!("does not parse here: {}", e.lines().next().unwrap_or(""))),
            Ok(t) => {
                let t = prepared(&t, &actions);
                let mut params = case.values.clone();
                apply_defaults(&t.pages, &mut params);
                match (local_tree(&t, case, &params), remote_tree(&client, &t, case, &params)) {
                    (Ok(l), Ok(r)) => difference(&l, &r).map_or(Ok(l.len()), Err),
                    (Err(l), Err(r)) if case.name.starts_with("probe invalid-") => {
                        identical.push(format!("{} (refused by both: {l} / {r})", case.name));
                        continue;
                    }
                    (Err(l), Err(r)) => {
                        both_fail.push(format!("{}:\n    stagehand: {l}\n    backend:   {r}", case.name));
                        continue;
                    }
                    (Err(l), Ok(_)) => Err(format!("stagehand fails, the backend does not: {l}")),
                    (Ok(_), Err(r)) => Err(format!("the backend fails, stagehand does not: {r}")),
                }
            }
        };
        let known = KNOWN.iter().find(|(n, _)| *n == case.name).map(|(_, why)| *why);
        match (&outcome, known) {
            (Ok(files), None) => {
                identical.push(format!("{} ({files} files)", case.name));
            }
            (Ok(_), Some(_)) => unexpected.push(format!("{}: now identical; remove it from KNOWN", case.name)),
            (Err(why), Some(reason)) => report.push(format!("{}: differs ({reason}): {why}", case.name)),
            (Err(why), None) => unexpected.push(format!("{}: {why}", case.name)),
        }
    }
    eprintln!("identical ({}):\n  {}", identical.len(), identical.join("\n  "));
    eprintln!("failing on both sides ({}):\n  {}", both_fail.len(), both_fail.join("\n  "));
    eprintln!("known differences ({}):\n  {}", report.len(), report.join("\n  "));
    assert!(unexpected.is_empty(), "unexpected:\n  {}", unexpected.join("\n  "));
    assert!(identical.len() >= 17 + 7, "identical: {}", identical.len());
}
