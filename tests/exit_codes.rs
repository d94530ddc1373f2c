//! What scripts rely on, through the real binary: exit codes (0 ok, 1 the
//! check found something, 2 an error), stderr hints, output into pipes that
//! is never cut, problems that do not pile up, the TUI refusing without a
//! terminal, completions and the man page.

mod common;

use std::path::Path;

use common::{Sandbox, component, group, write};

impl Sandbox {
    /// A config with a `dir` source on `catalog/` plus `extra` source lines.
    fn configure(&self, extra: &str) {
        let dir = self.path("config/stagehand");
        std::fs::create_dir_all(&dir).unwrap();
        let text = format!("sources:\n  - name: local\n    dir: {}\n{extra}", self.path("catalog").display());
        std::fs::write(dir.join("config.yaml"), text).unwrap();
    }

    /// A small catalog: a team, a long-named team and two components.
    fn catalog(&self) {
        let c = self.path("catalog");
        let long = "techdocs-core-maintainers-of-the-very-long-group-name";
        write(&c, "team/catalog-info.yaml", group("team-a"));
        write(&c, "long/catalog-info.yaml", group(long));
        write(&c, "svc/catalog-info.yaml", component("svc", "team-a"));
        write(&c, "other/catalog-info.yaml", component("other", long));
    }
}

fn missing_dir(sb: &Sandbox) -> String {
    sb.path("nowhere").display().to_string()
}

#[test]
fn sync_exits_1_when_some_sources_fail_and_2_when_all_do() {
    let sb = Sandbox::new();
    sb.catalog();
    sb.configure(&format!("  - name: gone\n    dir: {}\n", missing_dir(&sb)));
    sb.run(&["sync"]).code(1).stderr_has("gone: failed");
    sb.run(&["show", "svc"]).code(0);
    sb.run(&["sync", "--source", "local"]).code(0);
    sb.run(&["sync", "--source", "gone"]).code(2).stderr_has("every source synced failed");
}

#[test]
fn a_failing_sources_problem_is_listed_once_after_many_syncs() {
    let sb = Sandbox::new();
    sb.catalog();
    sb.configure(&format!("  - name: gone\n    dir: {}\n", missing_dir(&sb)));
    for _ in 0..3 {
        sb.run(&["sync"]).code(1);
    }
    let run = sb.run(&["problems"]);
    run.code(0);
    let failures = run.stdout.lines().filter(|l| l.contains("source `gone` failed")).count();
    assert_eq!(failures, 1, "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&sb.run(&["problems", "--json"]).stdout).unwrap();
    let in_json = json.as_array().unwrap().iter().filter(|p| p["source"] == "gone").count();
    assert_eq!(in_json, 1, "{json}");
}

#[test]
fn errors_exit_2() {
    let sb = Sandbox::new();
    sb.configure("");
    // No index yet.
    sb.run(&["list"]).code(2).stderr_has("stagehand sync");
    sb.catalog();
    sb.run(&["sync"]).code(0);
    sb.run(&["show", "svc"]).code(0);
    sb.run(&["show", "nosuch"]).code(2).stderr_has("no entity `nosuch`");
    // A broken config names its file and line.
    std::fs::write(sb.path("config/stagehand/config.yaml"), "sources: []\ncolours: 16\n").unwrap();
    sb.run(&["list"]).code(2).stderr_has("config.yaml:2:").stderr_has("did you mean `colors`");
}

#[test]
fn filter_values_nothing_has_are_errors_with_a_hint() {
    let sb = Sandbox::new();
    sb.run(&["--demo", "list", "--kind", "apis"]).code(2).stderr_has("did you mean `API`");
    sb.run(&["--demo", "list", "--kind", "api"]).code(0);
    sb.run(&["--demo", "list", "--owner", "nosuch"]).code(2).stderr_has("--owner `nosuch`");
    sb.run(&["--demo", "list", "--owner", "team-routin"]).code(2).stderr_has("did you mean `team-routing`");
    sb.run(&["--demo", "list", "--owner", "team-routing"]).code(0);
    sb.run(&["--demo", "search", "x", "--kind", "componnet"]).code(2).stderr_has("did you mean `Component`");
    sb.run(&["--demo", "graph", "shipment-tracker", "--relation", "foo"]).code(2).stderr_has("--relation `foo`");
    sb.run(&["--demo", "graph", "shipment-tracker", "--relation", "ownedBi"])
        .code(2)
        .stderr_has("did you mean `ownedBy`");
    sb.run(&["--demo", "graph", "shipment-tracker", "--relation", "ownedBy"]).code(0);
}

#[test]
fn checks_that_find_something_exit_1() {
    let sb = Sandbox::new();
    let bad = write(&sb.path("work"), "bad.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\n");
    sb.run(&["validate", &bad.display().to_string()]).code(1);
    let good = write(&sb.path("work"), "good.yaml", component("fine", "team-a"));
    sb.run(&["validate", &good.display().to_string()]).code(0);
    sb.run(&["--demo", "health"]).code(1);
    sb.run(&["--demo", "docs-search", "zzqqxxnothing"]).code(1);
}

#[test]
fn text_into_a_pipe_is_tab_separated_and_never_cut() {
    let sb = Sandbox::new();
    sb.catalog();
    sb.configure("");
    sb.run(&["sync"]).code(0);
    let run = sb.run(&["list", "--kind", "component"]);
    run.code(0);
    assert!(!run.stdout.contains('…'), "{}", run.stdout);
    let other: Vec<&str> =
        run.stdout.lines().find(|l| l.starts_with("component:default/other")).unwrap().split('\t').collect();
    assert_eq!(other[1], "group:default/techdocs-core-maintainers-of-the-very-long-group-name", "{other:?}");
    for line in run.stdout.lines() {
        assert_eq!(line.split('\t').count(), 3, "ref, owner, title: {line:?}");
    }
    let run = sb.run(&["--demo", "list", "--kind", "template"]);
    assert!(run.stdout.lines().all(|l| l.split('\t').count() == 3 && !l.contains('…')), "{}", run.stdout);
    let health = sb.run(&["--demo", "health"]);
    assert!(!health.stdout.contains('…') && health.stdout.lines().all(|l| l.split('\t').count() == 3));
}

#[test]
fn the_tui_refuses_without_a_terminal() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo"]);
    run.code(2).stderr_has("needs a terminal");
    assert!(run.stdout.is_empty(), "nothing on stdout: {:?}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(!run.stderr.contains("crash") && !run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!has_file_named(&sb.path("cache"), "crash"), "no crash report");
}

fn has_file_named(dir: &Path, part: &str) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
        e.file_name().to_string_lossy().contains(part) || (e.path().is_dir() && has_file_named(&e.path(), part))
    })
}

#[test]
fn the_demo_uses_its_own_profile() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "config", "path"]);
    run.code(0);
    assert!(run.stdout.contains("profile: demo") && run.stdout.contains("profiles/demo"), "{}", run.stdout);
    assert!(!sb.path("data/stagehand/profiles/default").exists());
}

#[test]
fn the_scaffold_refusal_names_overwrite_and_dry_run_links_are_file_urls() {
    let sb = Sandbox::new();
    let sets = ["--set", "name=pickup-planner", "--set", "owner=team-routing", "--set"];
    let repo = "repoUrl=github.com?owner=lumen-freight&repo=pickup-planner";
    let mut dry = vec!["--demo", "scaffold", "go-service", "--dry-run"];
    dry.extend(sets);
    dry.push(repo);
    let run = sb.run(&dry);
    run.code(0);
    let folder = std::fs::canonicalize(sb.path("work")).unwrap().join("pickup-planner");
    let url = format!("file://{}", folder.display());
    assert!(url.starts_with("file:///") && run.stdout.contains(&url), "{url} not in:\n{}", run.stdout);
    assert!(!run.stdout.contains("file://pickup-planner"));
    write(&sb.path("work/pickup-planner"), "keep.txt", "mine");
    let mut real = vec!["--demo", "scaffold", "go-service"];
    real.extend(sets);
    real.push(repo);
    sb.run(&real).code(2).stderr_has("--overwrite");
    assert_eq!(std::fs::read_to_string(sb.path("work/pickup-planner/keep.txt")).unwrap(), "mine");
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let sb = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = sb.run(&["completions", shell]);
        run.code(0);
        assert!(run.stdout.contains("stagehand") && run.stdout.contains("docs-search"), "{shell}:\n{}", run.stdout);
    }
    sb.run(&["completions", "tcsh"]).code(2).stderr_has("possible values");
    let man = sb.run(&["man"]);
    man.code(0);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH stagehand"), "{}", &man.stdout[..200]);
    assert!(man.stdout.contains(".SH SUBCOMMANDS") || man.stdout.contains("docs\\-search"), "{}", man.stdout);
    // Neither needs a config: a broken one does not stop them.
    std::fs::create_dir_all(sb.path("config/stagehand")).unwrap();
    std::fs::write(sb.path("config/stagehand/config.yaml"), "nonsense: [\n").unwrap();
    sb.run(&["completions", "bash"]).code(0);
    sb.run(&["man"]).code(0);
}
