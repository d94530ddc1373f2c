//! The real `stagehand` binary, run with its config, cache, data and home
//! dirs in a temp folder: exit codes, `--json` output, messages that say
//! what to do next, and terminal safety of catalog text.

#[path = "../common/mod.rs"]
mod common;

mod setup;
mod terminal;

use common::Sandbox;
use serde_json::Value;

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
