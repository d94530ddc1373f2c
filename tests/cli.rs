//! The real `stagehand` binary, run with its config, cache, data and home
//! dirs in a temp folder: exit codes, `--json` output, messages that say
//! what to do next, and terminal safety of catalog text.

mod common;

use std::process::Output;

use common::{Sandbox, component, group, write};
use serde_json::Value;

impl Sandbox {
    fn run(&self, args: &[&str]) -> Run {
        let output = self.cmd().args(args).output().unwrap();
        Run::from(args, output)
    }
}

/// One finished run.
struct Run {
    args: String,
    code: i32,
    stdout: String,
    stderr: String,
    raw_stdout: Vec<u8>,
    raw_stderr: Vec<u8>,
}

impl Run {
    fn from(args: &[&str], output: Output) -> Run {
        Run {
            args: args.join(" "),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            raw_stdout: output.stdout,
            raw_stderr: output.stderr,
        }
    }

    #[track_caller]
    fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "`stagehand {}` exited {} (wanted {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`stagehand {}` printed invalid JSON ({e}):\n{}", self.args, self.stdout))
    }

    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

fn refs_of(json: &Value) -> Vec<String> {
    json.as_array().expect("a JSON array").iter().map(|e| e["ref"].as_str().unwrap().to_string()).collect()
}

const ESC: u8 = 0x1b;

// --- demo -----------------------------------------------------------------

#[test]
fn demo_search_prints_json_hits() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "search", "tracking", "--json"]);
    run.code(0);
    let json = run.json();
    let refs = refs_of(&json);
    for r in ["component:default/shipment-tracker", "api:default/tracking-api", "system:default/tracking"] {
        assert!(refs.contains(&r.to_string()), "{r} not in {refs:?}");
    }
    assert!(refs.len() <= 20, "the default limit is 20: {}", refs.len());
    // What the query means (tier 0: the system named `tracking`, then names
    // that begin with it), then label matches (tier 1, none here), then the
    // rest, each best first.
    let ranks: Vec<(u64, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["tier"].as_u64().unwrap(), u64::MAX - e["score"].as_u64().unwrap()))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "best first: {ranks:?}");
    assert_eq!(refs[0], "system:default/tracking", "the exact name first");
    assert_eq!(json[0]["meaning"], "name");
    assert_eq!(ranks[0].0, 0, "what the query means first: {ranks:?}");
    assert_eq!(ranks.iter().filter(|r| r.0 == 0).count(), 6, "tracking and the five tracking-*: {ranks:?}");
    let tracker = json.as_array().unwrap().iter().find(|e| e["ref"] == "component:default/shipment-tracker").unwrap();
    assert_eq!(tracker["kind"], "Component");
    assert_eq!(tracker["name"], "shipment-tracker");
    assert_eq!(tracker["owner"], "group:default/team-shipments");
    // The demo never writes an index.
    assert!(!sb.index_file().exists());

    let run = sb.run(&["--demo", "search", "tracking", "--kind", "api", "--limit", "1", "--json"]);
    run.code(0);
    let refs = refs_of(&run.json());
    assert_eq!(refs.len(), 1);
    assert!(refs[0].starts_with("api:"), "{refs:?}");
}

#[test]
fn demo_search_resolves_refs_first_and_hints_facet_typos() {
    let sb = Sandbox::new();
    for (query, first) in [
        ("tracking", "system:default/tracking"),
        ("billing", "system:default/billing"),
        ("component:default/shipment-tracker", "component:default/shipment-tracker"),
        ("group:team-web", "group:default/team-web"),
        ("api:tracking-api", "api:default/tracking-api"),
    ] {
        let run = sb.run(&["--demo", "search", query, "--json"]);
        run.code(0);
        assert_eq!(refs_of(&run.json()).first().map(String::as_str), Some(first), "{query}");
    }
    let run = sb.run(&["--demo", "search", "kind:apis"]);
    run.code(2);
    assert!(run.stderr.contains("did you mean `kind:api`?"), "{}", run.stderr);
    let run = sb.run(&["--demo", "search", "foo:bar"]);
    run.code(2);
    assert!(run.stderr.contains("unknown facet `foo:`"), "{}", run.stderr);
    let run = sb.run(&["--demo", "search", "tracking", "--kind", "apis"]);
    run.code(2);
    let run = sb.run(&["--demo", "search", "tag:jav"]);
    run.code(0);
    assert!(run.stderr.contains("did you mean `tag:java`?"), "{}", run.stderr);
    let run = sb.run(&["--demo", "search", "owner:shipments", "--json"]);
    run.code(0);
    let refs = refs_of(&run.json());
    assert!(!refs.is_empty() && run.stderr.is_empty(), "a group's title is an owner: {}", run.stderr);
}

#[test]
fn demo_list_by_kind() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "list", "--kind", "group"]);
    run.code(0);
    let lines = run.lines();
    assert!(lines.len() >= 10, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("group:")), "{lines:?}");
    for r in ["group:default/team-shipments", "group:ops/sre"] {
        assert!(lines.iter().any(|l| l.split_whitespace().next() == Some(r)), "{r} not in {lines:?}");
    }
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "sorted by ref");

    let run = sb.run(&["--demo", "list", "--kind", "group", "--json"]);
    run.code(0);
    let json = run.json();
    assert_eq!(json.as_array().unwrap().len(), lines.len());
    assert!(json.as_array().unwrap().iter().all(|e| e["kind"] == "Group"));
}

#[test]
fn demo_show_resolves_and_keeps_dangling_relations() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "show", "shipment-tracker", "--json"]);
    run.code(0);
    let json = run.json();
    assert_eq!(json["entity"]["metadata"]["name"], "shipment-tracker");
    assert_eq!(json["source"], "demo");
    let rels = json["relations"].as_array().unwrap();
    let has = |kind: &str, target: &str, exists: bool| {
        rels.iter().any(|r| r["type"] == kind && r["targetRef"] == target && r["exists"] == exists)
    };
    assert!(has("ownedBy", "group:default/team-shipments", true), "{rels:?}");
    assert!(has("partOf", "system:default/tracking", true), "{rels:?}");
    assert!(has("providesApi", "api:default/tracking-api", true), "{rels:?}");
    assert!(has("consumesApi", "api:default/tracking-events", true), "{rels:?}");
    assert!(rels.iter().all(|r| r["exists"] == true), "shipment-tracker has no dangling relation: {rels:?}");
    // The stored body carries the relations as Backstage writes them.
    let body_rels = json["entity"]["relations"].as_array().unwrap();
    assert_eq!(body_rels.len(), rels.len());

    // legacy-edi-bridge is owned by `team-ghost`, a group that does not exist.
    let run = sb.run(&["--demo", "show", "legacy-edi-bridge", "--json"]);
    run.code(0);
    let json = run.json();
    let rels = json["relations"].as_array().unwrap();
    let ghost: Vec<&Value> = rels.iter().filter(|r| r["targetRef"] == "group:default/team-ghost").collect();
    assert_eq!(ghost.len(), 1, "{rels:?}");
    assert_eq!(ghost[0]["type"], "ownedBy");
    assert_eq!(ghost[0]["exists"], false);
    assert!(rels.iter().any(|r| r["type"] == "partOf" && r["exists"] == true));

    let run = sb.run(&["--demo", "show", "component:legacy-edi-bridge"]);
    run.code(0);
    let lines = run.lines();
    assert_eq!(lines[0], "component:default/legacy-edi-bridge  (Component)");
    let ghost_line = lines.iter().find(|l| l.contains("group:default/team-ghost") && l.contains("ownedBy")).unwrap();
    assert!(ghost_line.ends_with("(dangling: not in the catalog)"), "{ghost_line}");
    assert_eq!(lines.iter().filter(|l| l.contains("dangling")).count(), 1, "{lines:?}");
}

#[test]
fn demo_show_of_an_unknown_ref_suggests_close_ones() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "show", "shipmnt-tracker"]);
    run.code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.starts_with("error: no entity `shipmnt-tracker`; did you mean: "), "{}", run.stderr);
    assert!(run.stderr.contains("component:default/shipment-tracker"), "{}", run.stderr);
    let run = sb.run(&["--demo", "show", "zzqqxxyy", "--json"]);
    run.code(2);
    assert!(run.stderr.contains("no entity `zzqqxxyy`"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn scaffold_refuses_an_unknown_set_key_with_did_you_mean() {
    let sb = Sandbox::new();
    let run = sb.run(&["--demo", "scaffold", "python-library", "--set", "componnt_id=lumen", "--dry-run"]);
    run.code(2);
    assert!(run.stderr.contains("--set componnt_id:"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `component_id`?"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

// --- no config, no index ----------------------------------------------------

#[test]
fn commands_without_index_or_config_say_what_to_do() {
    let sb = Sandbox::new();
    for args in [
        &["search", "tracking"][..],
        &["search", "tracking", "--json"][..],
        &["list"][..],
        &["show", "shipment-tracker"][..],
        &["problems"][..],
    ] {
        let run = sb.run(args);
        run.code(2);
        assert!(run.stdout.is_empty(), "{}: {}", run.args, run.stdout);
        assert!(run.stderr.starts_with("error: "), "{}: {}", run.args, run.stderr);
        assert!(run.stderr.contains("stagehand sync"), "{}: {}", run.args, run.stderr);
        assert!(run.stderr.contains("--demo"), "{}: {}", run.args, run.stderr);
        assert!(run.stderr.contains(sb.config_file().to_str().unwrap()), "{}: {}", run.args, run.stderr);
    }
    let run = sb.run(&["sync"]);
    run.code(2);
    assert!(run.stderr.contains("no sources configured"), "{}", run.stderr);
    assert!(!sb.config_file().exists(), "nothing was written");
}

// --- config, sync, list, problems ------------------------------------------

#[test]
fn config_init_then_sync_a_dir_source() {
    let sb = Sandbox::new();
    let run = sb.run(&["config", "path"]);
    run.code(0);
    assert!(
        run.stdout.contains(&format!("config:  {} (not created yet", sb.config_file().display())),
        "{}",
        run.stdout
    );

    let run = sb.run(&["config", "init"]);
    run.code(0);
    assert_eq!(std::fs::read_to_string(sb.config_file()).unwrap(), stagehand::config::STARTER);
    assert!(run.stderr.contains(&format!("wrote {}", sb.config_file().display())), "{}", run.stderr);
    let run = sb.run(&["config", "init"]);
    run.code(2);
    assert!(run.stderr.contains("already exists; use --force"), "{}", run.stderr);

    let run = sb.run(&["config", "path"]);
    run.code(0);
    let lines = run.lines();
    assert_eq!(lines[0], format!("config:  {}", sb.config_file().display()));
    assert!(lines.contains(&format!("index:   {}", sb.index_file().display()).as_str()), "{lines:?}");
    assert!(lines.contains(&"profile: default"), "{lines:?}");

    // The starter's example source (`~/src/platform`) does not exist: the
    // sync says that source failed, and exits 2 as every source failed.
    let run = sb.run(&["sync"]);
    run.code(2);
    let missing = sb.path("home/src/platform");
    assert!(
        run.stderr.contains(&format!("platform: failed: directory {} does not exist", missing.display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("every source synced failed"), "{}", run.stderr);

    // A real catalog.
    let catalog = sb.path("catalog");
    write(&catalog, "team/catalog-info.yaml", group("team-a"));
    write(&catalog, "svc/catalog-info.yaml", component("billing", "team-a"));
    write(
        &catalog,
        "bad/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: tagged\n  tags: [Not_Valid]\nspec:\n  type: service\n  lifecycle: production\n  owner: team-ghost\n",
    );
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    let run = sb.run(&["sync"]);
    run.code(0);
    assert!(run.stdout.is_empty(), "the summary goes to stderr: {}", run.stdout);
    assert!(run.stderr.contains("local: 2 entities"), "{}", run.stderr);
    assert!(run.stderr.contains("synced 2 entities from 1 source in "), "{}", run.stderr);
    assert!(run.stderr.contains("; 2 errors, 0 warnings (see `stagehand problems`)"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("\n1 entity rejected, as Backstage would not store them (see `stagehand search is:rejected`)"),
        "{}",
        run.stderr
    );
    assert!(sb.index_file().is_file());

    // Again with no file changed; then with one changed.
    let run = sb.run(&["sync"]);
    run.code(0);
    assert!(
        run.stderr.contains("local: no file changed since the last sync (3 checked, none parsed)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("local: 2 entities"), "{}", run.stderr);
    write(&catalog, "team/catalog-info.yaml", group("team-a").replace("children: []", "children: [ ]"));
    let run = sb.run(&["sync"]);
    run.code(0);
    let carried = "local: 2 of 3 files unchanged since the last sync (carried over), the others parsed";
    assert!(run.stderr.contains(carried), "{}", run.stderr);

    let run = sb.run(&["list", "--json"]);
    run.code(0);
    assert_eq!(refs_of(&run.json()), vec!["component:default/billing", "group:default/team-a"]);
    let run = sb.run(&["list", "--owner", "team-a", "--json"]);
    run.code(0);
    assert_eq!(refs_of(&run.json()), vec!["component:default/billing"]);

    let run = sb.run(&["problems", "--json"]);
    run.code(0);
    let problems = run.json();
    let problems = problems.as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let p = &problems[0];
    assert_eq!(p["severity"], "error");
    assert_eq!(p["file"], catalog.join("bad/catalog-info.yaml").to_str().unwrap());
    assert_eq!(p["pos"]["line"], 5);
    assert_eq!(p["pos"]["col"], 10);
    assert_eq!(p["entity"], "component:default/tagged");
    assert_eq!(p["source"], "local");
    assert!(p["message"].as_str().unwrap().starts_with("tag `Not_Valid` is invalid"), "{p}");
    assert!(problems[1]["message"].as_str().unwrap().starts_with("`component:default/tagged` is rejected"));

    let run = sb.run(&["problems"]);
    run.code(0);
    let bad = catalog.join("bad/catalog-info.yaml");
    assert_eq!(
        run.lines(),
        vec![
            format!(
                "{}:5:10: error: tag `Not_Valid` is invalid: use 1-63 lowercase letters, digits, `:`, `+` and `#`, with single `-` between them [component:default/tagged]",
                bad.display()
            ),
            format!(
                "{}:1:1: error: `component:default/tagged` is rejected (Backstage would not store it): tag `Not_Valid` is invalid: use 1-63 lowercase letters, digits, `:`, `+` and `#`, with single `-` between them (line 5) [component:default/tagged]",
                bad.display()
            ),
        ]
    );

    // The rejected entity: not stored (no relations), shown as rejected.
    let run = sb.run(&["show", "tagged", "--json"]);
    run.code(0);
    let shown = run.json();
    assert_eq!(shown["relations"], serde_json::json!([]));
    assert_eq!(shown["rejected"]["rejected"], true);
    assert_eq!(shown["rejected"]["line"], 1);
    assert!(shown["rejected"]["reason"].as_str().unwrap().starts_with("tag `Not_Valid` is invalid"));
    assert_eq!(shown["entity"]["metadata"]["name"], "tagged");
    let run = sb.run(&["show", "tagged"]);
    run.code(0);
    assert!(run.lines()[0].starts_with("component:default/tagged  (Component)  REJECTED"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!("{}:1", bad.display())), "{}", run.stdout);
    let run = sb.run(&["search", "is:rejected"]);
    run.code(0);
    assert_eq!(run.lines().len(), 1, "{}", run.stdout);
    assert!(run.lines()[0].starts_with("component:default/tagged\trejected: tag `Not_Valid`"), "{}", run.stdout);
    let run = sb.run(&["search", "is:rejected", "kind:api"]);
    run.code(0);
    assert!(run.stdout.is_empty() && run.stderr.contains("no rejected entities match"), "{}", run.stderr);
    let run = sb.run(&["search", "tagged", "--json"]);
    assert_eq!(run.json(), serde_json::json!([]), "a plain search leaves rejected entities out");

    // A source that disappears keeps its entities, and says so (exit 2:
    // the only source failed).
    std::fs::rename(&catalog, sb.path("moved")).unwrap();
    let run = sb.run(&["sync"]);
    run.code(2);
    assert!(run.stderr.contains("local: failed: directory"), "{}", run.stderr);
    let run = sb.run(&["list", "--json"]);
    run.code(0);
    assert_eq!(refs_of(&run.json()).len(), 2);
    let run = sb.run(&["search", "is:rejected", "--json"]);
    assert_eq!(refs_of(&run.json()), ["component:default/tagged"], "kept too");
}

#[test]
fn a_config_with_an_unknown_key_names_its_file_and_line() {
    let sb = Sandbox::new();
    sb.write_config("sources:\n  - name: local\n    dri: /tmp/somewhere\n");
    for args in [&["list"][..], &["sync"][..], &["config", "show"][..]] {
        let run = sb.run(args);
        run.code(2);
        let expected = format!("error: {}:3:5: unknown key `dri` at a source", sb.config_file().display());
        assert!(run.stderr.starts_with(&expected), "{}: {}", run.args, run.stderr);
        assert!(run.stderr.contains("did you mean `dir`?"), "{}", run.stderr);
    }
    sb.write_config("# comment\nthemes: dark\n");
    let run = sb.run(&["list"]);
    run.code(2);
    assert!(
        run.stderr.starts_with(&format!("error: {}:2:1: unknown key `themes`", sb.config_file().display())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `theme`?"), "{}", run.stderr);
    // `--demo` ignores the broken config.
    sb.run(&["--demo", "list", "--kind", "domain"]).code(0);
}

// --- validate ----------------------------------------------------------------

/// The shape of Backstage's invalid-component.yaml fixture.
const INVALID: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: invalid component
  description: An Invalid Component with a name that doesn't comply to the restrictions
  labels:
    goVersion: go1.15.3
    category: music
  tags:
    - go
    - go 1.15.3
spec:
  type: service
  lifecycle: production
  owner: user:guest
  system: audio-playback
";

#[test]
fn validate_exits_0_on_good_files_and_1_with_file_line_col_errors() {
    let sb = Sandbox::new();
    let good = write(&sb.path("work"), "good.yaml", component("good", "team-a"));
    let run = sb.run(&["validate", good.to_str().unwrap()]);
    run.code(0);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("1 entities in 1 files: 0 errors, 0 warnings"), "{}", run.stderr);

    let bad = write(&sb.path("work"), "invalid-component.yaml", INVALID);
    let run = sb.run(&["validate", "invalid-component.yaml"]);
    run.code(1);
    let lines = run.lines();
    let prefix = format!("{}:", bad.display());
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with(&prefix)), "{lines:?}");
    assert!(lines[0].starts_with(&format!("{prefix}1:1: error: `component:default/invalid component` is rejected")));
    assert!(
        lines[1].starts_with(&format!("{prefix}4:9: error: metadata.name `invalid component` is invalid")),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(&format!("{prefix}11:7: error: tag `go 1.15.3` is invalid")), "{}", lines[2]);
    assert!(run.stderr.contains("0 entities in 1 files: 3 errors, 0 warnings"), "{}", run.stderr);

    // A folder is walked for catalog files; nothing is written.
    let dir = sb.path("work/repo");
    write(&dir, "a/catalog-info.yaml", INVALID);
    write(&dir, "b/catalog-info.yaml", component("fine", "team-a"));
    write(&dir, "c/not-a-catalog.yaml", "{{ nonsense");
    let run = sb.run(&["validate", dir.to_str().unwrap()]);
    run.code(1);
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with(&format!("{}:", dir.join("a/catalog-info.yaml").display()))));
    assert!(run.stderr.contains("1 entities in 2 files: 3 errors"), "{}", run.stderr);
    assert!(!sb.index_file().exists());

    let run = sb.run(&["validate", "does-not-exist.yaml"]);
    run.code(2);
    assert!(run.stderr.contains("does-not-exist.yaml does not exist"), "{}", run.stderr);
}

// --- terminal safety ------------------------------------------------------------

#[test]
fn escape_sequences_in_catalog_text_never_reach_the_terminal() {
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    // YAML's \e is ESC, \a is BEL, \x9b is the 8-bit CSI.
    write(
        &catalog,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: sneaky\n  title: \"\\e]0;pwned\\a\"\n  description: \"red \\e[31mALERT\\e[0m \\x9b2J \\e]52;c;ZXZpbA==\\a\"\n  tags: [ok]\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team-\\e[5mx\"\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: sneakier\n  title: \"\\e]0;pwned\\a\"\n  tags: [ok, \"\\e[2J\"]\nspec:\n  type: service\n  lifecycle: production\n  owner: \"team-\\e[5mx\"\n",
    );
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);

    for args in [
        &["list"][..],
        &["search", "sneaky"][..],
        &["show", "sneaky"][..],
        &["show", "sneaky", "--yaml"][..],
        &["show", "sneakier"][..],
        &["show", "sneakier", "--yaml"][..],
        &["search", "is:rejected"][..],
        &["problems"][..],
        &["validate", catalog.to_str().unwrap()][..],
    ] {
        let run = sb.run(args);
        assert!(run.code == 0 || run.code == 1, "{}: {}", run.args, run.stderr);
        assert!(!run.raw_stdout.contains(&ESC), "raw ESC on stdout of `{}`:\n{:?}", run.args, run.stdout);
        assert!(!run.raw_stderr.contains(&ESC), "raw ESC on stderr of `{}`:\n{:?}", run.args, run.stderr);
        assert!(!run.stdout.contains('\u{9b}'), "raw CSI on stdout of `{}`", run.args);
    }
    let run = sb.run(&["show", "sneaky"]);
    assert!(run.stdout.contains("Title        ␛]0;pwned␇"), "{}", run.stdout);
    assert!(run.stdout.contains("<U+009B>2J"), "{}", run.stdout);
    let run = sb.run(&["problems"]);
    assert!(run.stdout.contains("tag `␛[2J` is invalid"), "{}", run.stdout);

    // JSON keeps the text exact, escaped.
    for args in [
        &["show", "sneaky", "--json"][..],
        &["list", "--json"][..],
        &["search", "sneaky", "--json"][..],
        &["show", "sneakier", "--json"][..],
        &["search", "is:rejected", "--json"][..],
        &["problems", "--json"][..],
    ] {
        let run = sb.run(args);
        run.code(0);
        assert!(!run.raw_stdout.contains(&ESC), "raw ESC in `{}`", run.args);
        assert!(run.stdout.contains("\\u001b"), "`{}` lost the ESC:\n{}", run.args, run.stdout);
        run.json();
    }
    let run = sb.run(&["show", "sneaky", "--json"]);
    assert_eq!(run.json()["entity"]["metadata"]["title"], "\u{1b}]0;pwned\u{7}");

    // Untrusted text in error messages (here, the argument) is made safe too.
    let run = sb.run(&["show", "\u{1b}]0;x\u{7}"]);
    run.code(2);
    assert!(!run.raw_stderr.contains(&ESC), "{:?}", run.stderr);
}

/// Rule 8: `members` says which members are not in the catalog, and fails
/// when none is (a group whose users were all rejected listed nothing, exit 0).
#[test]
fn members_says_when_members_are_missing() {
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    let team = |name: &str, members: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {name}}}\nspec: {{type: team, children: [], members: [{members}]}}\n"
        )
    };
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: jo}\nspec: {memberOf: []}\n";
    let rejected = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: gone, tags: [Not_Valid]}\nspec: {memberOf: []}\n";
    let text =
        [team("ghosts", "gone, nobody"), team("mixed", "jo, nobody"), team("empty", ""), user.into(), rejected.into()];
    write(&catalog, "catalog-info.yaml", text.join("---\n"));
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);

    let run = sb.run(&["members", "ghosts"]);
    run.code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("group:default/ghosts: every member (2) is not in the catalog")
            && run.stderr.contains("user:default/gone, user:default/nobody"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["members", "ghosts", "--json"]);
    run.code(1);
    assert_eq!(run.json(), serde_json::json!([]));
    let run = sb.run(&["members", "mixed"]);
    run.code(0);
    let refs: Vec<&str> = run.lines().iter().map(|l| l.split('\t').next().unwrap_or("")).collect();
    assert_eq!(refs, ["user:default/jo"]);
    assert!(run.stderr.contains("1 more member(s) not in the catalog") && run.stderr.contains("user:default/nobody"));
    let run = sb.run(&["members", "empty"]);
    run.code(0);
    assert!(run.stderr.contains("group:default/empty has no members"), "{}", run.stderr);
}

#[test]
fn refs_printed_on_stderr_are_sanitized() {
    // `owners` of an owner-less entity names it on stderr; its name carries
    // OSC 0 (title) and OSC 52 (clipboard), lowercase so ref lowercasing
    // keeps them.
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    write(
        &catalog,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: \"x\\e]0;pwned\\a\\e]52;c;zxzpba==\\a\"\nspec:\n  type: team\n  children: []\n",
    );
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);
    // The catalog rejects such a name, so the ref is unknown: the error
    // that names it is what reaches stderr.
    let run = sb.run(&["owners", "group:x\u{1b}]0;pwned\u{7}\u{1b}]52;c;zxzpba==\u{7}"]);
    run.code(2);
    assert!(run.stderr.contains("no entity"), "{}", run.stderr);
    assert!(!run.raw_stderr.contains(&ESC), "raw ESC on stderr: {:?}", run.stderr);
    assert!(run.stderr.contains("␛]0;pwned␇"), "{}", run.stderr);
}

#[test]
fn config_show_prints_yaml_that_reads_back_without_secrets() {
    let sb = Sandbox::new();
    let config = "sources:\n  - name: prod\n    backstage:\n      url: https://alice:s3cret-pw@backstage.example.com\n      token_env: BS_TOKEN\n      filter: ['kind=component,spec.type=service', 'metadata.annotations.backstage.io/x=a: b']\n      timeout: 2m\n  - name: repo\n    git: https://bob:gh-pat-123@git.example.com/org/repo.git\n    branch: main\n";
    sb.write_config(config);
    let run = sb.run(&["config", "show"]);
    run.code(0);
    assert!(!run.stdout.contains("s3cret-pw") && !run.stdout.contains("gh-pat-123"), "{}", run.stdout);
    let shown: serde_yaml::Value = serde_yaml::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("`config show` is not valid YAML ({e}):\n{}", run.stdout));
    let prod = &shown["sources"][0];
    assert_eq!(prod["backstage"]["url"].as_str(), Some("https://backstage.example.com"), "{}", run.stdout);
    assert_eq!(prod["backstage"]["token_env"].as_str(), Some("BS_TOKEN"));
    assert_eq!(prod["backstage"]["filter"][1].as_str(), Some("metadata.annotations.backstage.io/x=a: b"));
    assert_eq!(shown["sources"][1]["git"].as_str(), Some("https://git.example.com/org/repo.git"));
    // Read back as the config, it shows the same.
    sb.write_config(&run.stdout);
    let again = sb.run(&["config", "show"]);
    again.code(0);
    assert_eq!(again.stdout, run.stdout);
}

#[test]
fn a_damaged_index_is_an_error_and_the_next_sync_rebuilds_it() {
    let sb = Sandbox::new();
    let catalog = sb.path("catalog");
    write(&catalog, "catalog-info.yaml", component("payments", "team-a"));
    sb.write_config(&format!("sources:\n  - name: local\n    dir: {}\n", catalog.display()));
    sb.run(&["sync"]).code(0);
    let good = sb.run(&["show", "payments", "--json"]);
    good.code(0);
    // The bodies come first, after the prefix: flip a byte of the entity's
    // stored JSON.
    let mut bytes = std::fs::read(sb.index_file()).unwrap();
    let at = bytes.windows(8).position(|w| w == b"\"spec\":{").expect("the stored body");
    bytes[at + 3] ^= 0x01;
    std::fs::write(sb.index_file(), &bytes).unwrap();
    let run = sb.run(&["show", "payments", "--json"]);
    run.code(2);
    assert!(run.stderr.contains("damaged") && run.stderr.contains("stagehand sync"), "{}", run.stderr);
    // A flip in the header, which comes last: the load itself says so.
    let mut text = std::fs::read(sb.index_file()).unwrap();
    text[at + 3] ^= 0x01;
    let header_byte = text.len() - 20;
    text[header_byte] ^= 0x01;
    std::fs::write(sb.index_file(), &text).unwrap();
    let run = sb.run(&["list"]);
    run.code(2);
    assert!(run.stderr.contains("is damaged") && run.stderr.contains("run `stagehand sync`"), "{}", run.stderr);

    sb.run(&["sync"]).code(0);
    let healed = sb.run(&["show", "payments", "--json"]);
    healed.code(0);
    assert_eq!(healed.json()["entity"], good.json()["entity"]);
}

#[test]
fn version_and_help_work_without_any_setup() {
    let sb = Sandbox::new();
    let run = sb.run(&["--version"]);
    run.code(0);
    assert_eq!(run.stdout.trim(), format!("stagehand {}", env!("CARGO_PKG_VERSION")));
    let run = sb.run(&["--help"]);
    run.code(0);
    for word in ["sync", "search", "list", "show", "validate", "problems", "config", "--demo"] {
        assert!(run.stdout.contains(word), "{word}");
    }
    let run = sb.run(&["frobnicate"]);
    run.code(2);
}
