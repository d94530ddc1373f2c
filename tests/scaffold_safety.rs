//! The path-traversal corpus: rendered file names, `targetPath`,
//! `fs:rename`, `fs:delete`, symlinked skeleton entries and `catalog:write`
//! trying to leave the output folder. Nothing may be written outside it,
//! and secrets never reach the log.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde_json::{Map, Value as Json, json};
use stagehand::scaffold::Template;
use stagehand::scaffold::runner::{self, RunInput, RunOptions};

/// Every path under `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir);
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            out.push(p.display().to_string());
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                out.extend(walk(&p));
            }
        }
    }
    out
}

/// A template folder with a skeleton and the given steps.
fn template(base: &Path, steps: Json, skeleton: &[(&str, &str)]) -> Template {
    let dir = base.join("tpl");
    for (path, contents) in skeleton {
        let p = dir.join("skeleton").join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
    std::fs::create_dir_all(dir.join("skeleton")).unwrap();
    let entity = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
        "metadata": {"name": "hostile"},
        "spec": {"parameters": [], "steps": steps}
    });
    Template::from_json(entity, Some(dir)).unwrap()
}

/// Runs a template; returns the log and the error, if any.
fn run(t: &Template, out: &Path, params: Json, secrets: Json) -> (Vec<String>, Option<String>) {
    let input = RunInput {
        parameters: params.as_object().cloned().unwrap_or_default(),
        secrets: secrets.as_object().cloned().unwrap_or_else(Map::new),
        ..RunInput::default()
    };
    // overwrite: the planted `escape` symlink makes the folder non-empty, and
    // allowing overwrites is the most permissive mode.
    let options = RunOptions { output_dir: out.to_path_buf(), overwrite: true, ..RunOptions::default() };
    let mut log = Vec::new();
    let result =
        runner::run(t, &input, &options, &|_| None, &mut |e| log.push(format!("{e:?}")), &AtomicBool::new(false));
    (log, result.err().map(|e| e.message))
}

/// Runs each case in a fresh sandbox and checks that only `out/` changed.
fn assert_confined(name: &str, steps: Json, skeleton: &[(&str, &str)], params: Json) -> Option<String> {
    let sandbox = tempfile::tempdir().unwrap();
    let base = sandbox.path();
    std::fs::write(base.join("victim.txt"), "original").unwrap();
    let t = template(base, steps, skeleton);
    let before: Vec<String> = listing(base).into_iter().filter(|p| !p.contains("/out")).collect();
    let out = base.join("out");
    #[cfg(unix)]
    {
        std::fs::create_dir_all(&out).unwrap();
        std::os::unix::fs::symlink(base, out.join("escape")).unwrap();
    }
    let (_, err) = run(&t, &out, params, json!({}));
    let after: Vec<String> = listing(base).into_iter().filter(|p| !p.contains("/out")).collect();
    assert_eq!(before, after, "{name}: something was written outside the output folder");
    assert_eq!(std::fs::read_to_string(base.join("victim.txt")).unwrap(), "original", "{name}");
    err
}

fn fetch(extra: Json) -> Json {
    let mut input = json!({"url": "./skeleton", "values": {"name": "${{ parameters.name }}"}});
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    json!([{"id": "f", "action": "fetch:template", "input": input}])
}

#[test]
fn rendered_names_cannot_escape() {
    for evil in ["../victim.txt", "../../x", "escape/victim.txt", "a/../../victim.txt", ".git/hooks/pre-commit"] {
        let err = assert_confined(evil, fetch(json!({})), &[("${{ values.name }}", "owned")], json!({"name": evil}));
        assert!(err.is_some(), "{evil} should fail the step");
    }
    // An absolute rendered name is skipped, as Backstage skips it.
    let err = assert_confined("abs", fetch(json!({})), &[("${{ values.name }}", "x")], json!({"name": "/tmp/evil"}));
    assert!(err.is_none(), "{err:?}");
}

#[test]
fn target_paths_cannot_escape() {
    for target in ["..", "../..", "/tmp", "escape", "sub/../../"] {
        let err =
            assert_confined(target, fetch(json!({"targetPath": target})), &[("f.txt", "x")], json!({"name": "n"}));
        assert!(err.is_some(), "targetPath {target} should fail");
    }
}

#[test]
fn fs_actions_cannot_escape() {
    let cases = [
        json!([{"action": "fs:rename", "input": {"files": [{"from": "f.txt", "to": "../stolen.txt"}]}}]),
        json!([{"action": "fs:rename", "input": {"files": [{"from": "../victim.txt", "to": "mine.txt"}]}}]),
        json!([{"action": "fs:rename", "input": {"files": [{"from": "f.txt", "to": "escape/victim.txt", "overwrite": true}]}}]),
        json!([{"action": "fs:delete", "input": {"files": ["../victim.txt"]}}]),
        json!([{"action": "fs:delete", "input": {"files": ["escape/victim.txt"]}}]),
        json!([{"action": "fs:delete", "input": {"files": ["/etc/passwd"]}}]),
        json!([{"action": "catalog:write", "input": {"filePath": "../catalog-info.yaml", "entity": {"kind": "X"}}}]),
        json!([{"action": "catalog:write", "input": {"filePath": "escape/victim.txt", "entity": {"kind": "X"}}}]),
        json!([{"action": "fetch:plain", "input": {"url": "../../", "targetPath": "x"}}]),
        json!([{"action": "fetch:template", "input": {"url": "./skeleton", "targetPath": "${{ parameters.name }}"}}]),
    ];
    for (i, steps) in cases.into_iter().enumerate() {
        let mut all = fetch(json!({})).as_array().cloned().unwrap();
        all.extend(steps.as_array().cloned().unwrap());
        let err = assert_confined(&format!("case {i}"), Json::Array(all), &[("f.txt", "x")], json!({"name": "../.."}));
        assert!(err.is_some(), "case {i} should fail");
    }
}

#[cfg(unix)]
#[test]
fn symlinked_skeleton_entries_stay_inside() {
    let sandbox = tempfile::tempdir().unwrap();
    let base = sandbox.path();
    std::fs::write(base.join("victim.txt"), "secret contents").unwrap();
    let t = template(base, fetch(json!({})), &[("ok.txt", "fine")]);
    let skel = base.join("tpl/skeleton");
    std::os::unix::fs::symlink(base.join("victim.txt"), skel.join("abs-link")).unwrap();
    std::os::unix::fs::symlink("../../victim.txt", skel.join("rel-link")).unwrap();
    std::os::unix::fs::symlink("ok.txt", skel.join("inside-link")).unwrap();
    std::os::unix::fs::symlink(base, skel.join("dir-link")).unwrap();
    let out = base.join("out");
    let (log, err) = run(&t, &out, json!({"name": "n"}), json!({}));
    assert!(err.is_none(), "{err:?}");
    assert!(std::fs::symlink_metadata(out.join("abs-link")).is_err(), "{log:?}");
    assert!(std::fs::symlink_metadata(out.join("rel-link")).is_err());
    assert!(std::fs::symlink_metadata(out.join("dir-link")).is_err());
    assert_eq!(std::fs::read_link(out.join("inside-link")).unwrap(), Path::new("ok.txt"));
    assert!(!listing(&out).iter().any(|p| std::fs::read_to_string(p).is_ok_and(|c| c.contains("secret contents"))));
}

#[test]
fn secrets_never_reach_the_log() {
    let sandbox = tempfile::tempdir().unwrap();
    let steps = json!([
        {"action": "debug:log", "input": {"message": "token is ${{ secrets.token }}"}},
        {"action": "fs:delete", "input": {"files": ["../${{ secrets.token }}"]}}
    ]);
    let t = template(sandbox.path(), steps, &[]);
    let (log, err) = run(&t, &sandbox.path().join("out"), json!({}), json!({"token": "hunter2-secret"}));
    let all = format!("{log:?} {err:?}");
    assert!(!all.contains("hunter2-secret"), "{all}");
    assert!(all.contains("token is ***"), "{all}");
}

#[test]
fn unsupported_actions_are_named_before_anything_runs() {
    let sandbox = tempfile::tempdir().unwrap();
    let steps = json!([
        {"id": "a", "action": "debug:log", "input": {"message": "hi"}},
        {"id": "b", "action": "fetch:rails", "input": {}},
        {"id": "c", "action": "fetch:plain", "input": {"url": "https://github.com/x/y"}}
    ]);
    let t = template(sandbox.path(), steps, &[]);
    let out = sandbox.path().join("out");
    let (log, err) = run(&t, &out, json!({}), json!({}));
    let err = err.unwrap();
    assert!(err.contains("fetch:rails") && err.contains("https://github.com/x/y"), "{err}");
    assert!(log.is_empty(), "nothing ran: {log:?}");
    assert!(!out.exists());
}

/// Issue 23 #4: a deep link up to the output root, then a link that climbs
/// from inside it to a host file, then `debug:log` listing the workspace
/// with contents. Neither link may point out, and no outside file is read.
#[cfg(unix)]
#[test]
fn links_through_links_do_not_leak_host_files() {
    let sandbox = tempfile::tempdir().unwrap();
    let base = sandbox.path();
    std::fs::write(base.join("victim.txt"), "secret contents").unwrap();
    let steps = json!([
        {"id": "f", "action": "fetch:plain", "input": {"url": "./skeleton"}},
        {"id": "l", "action": "debug:log", "input": {"listWorkspace": "with-contents"}}
    ]);
    let t = template(base, steps, &[("ok.txt", "fine")]);
    let skel = base.join("tpl/skeleton");
    let deep = "a/b/c/d/e/f/g/h/i/j";
    std::fs::create_dir_all(skel.join(deep)).unwrap();
    std::os::unix::fs::symlink("../../../../../../../../../..", skel.join(deep).join("s")).unwrap();
    // Read lexically, `s/..` cancels out and the target stays inside; on
    // disk `s` is the output folder, so `s/..` is the sandbox.
    std::os::unix::fs::symlink(format!("{deep}/s/../victim.txt"), skel.join("leak")).unwrap();
    std::os::unix::fs::symlink(format!("{deep}/s/.."), skel.join("leakdir")).unwrap();
    let out = base.join("fresh-out");
    let (log, err) = run(&t, &out, json!({}), json!({}));
    assert!(err.is_none(), "{err:?}");
    let all = format!("{log:?}");
    assert!(!all.contains("secret contents"), "{all}");
    assert!(std::fs::symlink_metadata(out.join("leak")).is_err(), "{all}");
    assert!(std::fs::symlink_metadata(out.join("leakdir")).is_err(), "{all}");
    assert!(all.contains("ok.txt") && all.contains("fine"), "{all}");
}

/// Issue 23 #3: a skeleton that would allocate gigabytes fails its step
/// with a budget error (an error, not an abort), and nothing is left half
/// written outside the output.
#[test]
fn a_skeleton_over_the_byte_budget_fails_cleanly() {
    let sandbox = tempfile::tempdir().unwrap();
    let doubling =
        "{% set ns = namespace(x='ab') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}${{ ns.x }}";
    for body in [doubling, "${{ 'a' | indent(4000000000) }}", "${{ '%0999999999d' | format(1) }}"] {
        let t = template(sandbox.path(), fetch(json!({})), &[("big.txt", body)]);
        let (_, err) = run(&t, &sandbox.path().join("out-budget"), json!({"name": "n"}), json!({}));
        let err = err.expect("the step fails");
        assert!(err.contains("budget exceeded"), "{err}");
    }
}

/// Issue 23 #15: a secret transformed by a filter is still a secret.
#[test]
fn transformed_secrets_never_reach_the_log() {
    let sandbox = tempfile::tempdir().unwrap();
    let steps = json!([
        {"action": "debug:log", "input": {"message": "u=${{ secrets.token | upper }}"}},
        {"action": "debug:log", "input": {"message": "r=${{ secrets.token | reverse }}"}},
        {"action": "debug:log", "input": {"message": "j=${{ secrets.token | list | join(' ') }}"}},
        {"action": "debug:log", "input": {"message": "{% set t = secrets.token | title %}t=${{ t }}"}},
        {"action": "fs:delete", "input": {"files": ["../${{ secrets.token | upper }}"]}}
    ]);
    let t = template(sandbox.path(), steps, &[]);
    let (log, err) = run(&t, &sandbox.path().join("out"), json!({}), json!({"token": "hunter2-secret"}));
    let all = format!("{log:?} {err:?}");
    for leak in ["HUNTER2-SECRET", "terces-2retnuh", "h u n t e r 2", "Hunter2-Secret"] {
        assert!(!all.contains(leak), "{leak}: {all}");
    }
    for shown in ["u=***", "r=***", "j=***", "***"] {
        assert!(all.contains(shown), "{shown}: {all}");
    }
}
