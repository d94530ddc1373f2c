//! A workspace set up from nothing: config init, sources, sync, list,
//! problems, validate, a damaged index, config show.

use crate::common::{Sandbox, component, group, write};
use crate::refs_of;

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
