//! The conformance harness: the real Backstage backend (tests/backend, the
//! oracle) loads every catalog of `../shared/fixtures/real-world/catalogs`
//! (MANIFEST.md names each one's entry files) plus small synthetic cases,
//! one per catalog-fidelity rule; stagehand reads the same files locally.
//! Entity by entity, the set of refs, the relations and the stored
//! `metadata` and `spec` must be the same.
//!
//! The backend runs with the scaffolder's entity model (Templates) and a
//! processor for custom kinds (stagehand keeps them, as a Backstage with a
//! processor for them does), and rules allowing every kind of the corpus.
//! Entry files are registered through its API one at a time, in the order
//! stagehand reads them as sources (the first claimer of a ref wins).
//! Left out of the comparison, and printed: the backend's own generated
//! root Locations (one per registered file), `uid`/`etag`, and a
//! `metadata.namespace: default` the backend writes when it is absent.
//!
//! Skipped, saying why, without node, the installed backend or `../shared`.

mod common;
mod common_backend;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use stagehand::index::Index;
use stagehand::index::build::{SourceInput, build};
use stagehand::sources::SourceOutput;
use stagehand::sources::fanout::{Root, crawl};

use common::{shared_dir, write};
use common_backend::{Backend, item_ref};

/// A catalog: its name, the folder its Locations stay in, its entry files.
struct Catalog {
    name: String,
    root: PathBuf,
    entries: Vec<PathBuf>,
}

/// The catalogs MANIFEST.md lists, with their entry files.
fn corpus(dir: &Path) -> Vec<Catalog> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.md")).expect("MANIFEST.md");
    let mut catalogs = Vec::new();
    let mut section: Option<String> = None;
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            section = Some(name.trim().to_string());
        } else if let (Some(name), Some(files)) = (&section, line.strip_prefix("- Entry files: ")) {
            let root = dir.join(name);
            let entries =
                files.split(", ").map(|f| root.join(f.trim().trim_end_matches('.').trim_matches('`'))).collect();
            catalogs.push(Catalog { name: name.clone(), root, entries });
        }
    }
    catalogs
}

const HEAD: &str = "apiVersion: backstage.io/v1alpha1\n";

fn doc(kind: &str, name: &str, spec: &str) -> String {
    format!("{HEAD}kind: {kind}\nmetadata: {{name: {name}}}\nspec: {spec}\n")
}

fn service(name: &str, owner: &str) -> String {
    doc("Component", name, &format!("{{type: service, lifecycle: x, owner: {owner}}}"))
}

/// One small case per rule of issue 16, each file registered on its own.
fn synthetic(dir: &Path) -> Catalog {
    let files = [
        // 1: the same ref twice in one file: the last document is stored.
        ("r1.yaml", [service("c1", "team-a"), service("c1", "team-b")].join("---\n")),
        // 2: one missing target: neither the Location nor what it names.
        (
            "r2/loc.yaml",
            [doc("Location", "loc2", "{targets: [./a.yaml, ./missing.yaml]}"), service("c2-sibling", "team-a")]
                .join("---\n"),
        ),
        ("r2/a.yaml", service("c2", "team-a")),
        // 3: validation and placeholders.
        (
            "r3.yaml",
            [
                doc("API", "api-map", "{type: openapi, lifecycle: x, owner: team-a, definition: {openapi: 3.0.0}}"),
                doc("API", "api-nodef", "{type: openapi, lifecycle: x, owner: team-a}"),
                format!("{HEAD}kind: Component\nmetadata: {{name: c3, description: {{$text: ./nope.txt}}}}\nspec: {{type: s, lifecycle: x, owner: team-a}}\n"),
                doc("Component", "c3-ok", "{type: service, lifecycle: x, owner: team-a, system: sys, providesApis: [api-map]}"),
                doc("Runbook", "rb", "{owner: team-a}"),
            ]
            .join("---\n"),
        ),
        // 4: a relative `url` target.
        ("r4.yaml", doc("Location", "loc4", "{type: url, target: ./r4x.yaml}")),
        ("r4x.yaml", service("c4", "team-a")),
        // 5: dot-files, dot-dirs and a glob matching a directory.
        (
            "r5/loc.yaml",
            [
                doc("Location", "loc5", "{targets: ['./g/*.yaml']}"),
                doc("Location", "loc5h", "{targets: ['./h/**/catalog-info.yaml']}"),
                doc("Location", "loc5k", "{targets: ['./k']}"),
            ]
            .join("---\n"),
        ),
        ("r5/g/a.yaml", service("c5a", "team-a")),
        ("r5/g/d.yaml/keep.txt", "a folder named like a catalog file\n".into()),
        ("r5/h/catalog-info.yaml", service("c5top", "team-a")),
        ("r5/h/sub/catalog-info.yaml", service("c5s", "team-a")),
        ("r5/h/.github/catalog-info.yaml", service("c5g", "team-a")),
        ("r5/k/keep.txt", "a folder\n".into()),
        // 6: sorted lists.
        (
            "r6.yaml",
            [
                doc(
                    "Component",
                    "c6",
                    "{type: s, lifecycle: x, owner: team-a, dependsOn: [resource:zz, resource:aa, Resource:Bb], \
                     dependencyOf: [component:zz, component:aa], providesApis: [zz, aa], consumesApis: [zz, aa]}",
                ),
                doc("Group", "g6", "{type: team, children: [zz, aa], members: [zz, aa, Mm]}"),
                doc("User", "u6", "{memberOf: [zz, aa]}"),
            ]
            .join("---\n"),
        ),
        // 7: the same ref from two files: the first claimer.
        ("r7a.yaml", service("c7", "team-a")),
        ("r7b.yaml", doc("Component", "c7", "{type: website, lifecycle: x, owner: team-b}")),
        // A file that cannot be used whole fails the Location reading it.
        ("r9/loc.yaml", doc("Location", "loc9", "{targets: [./bad.yaml, ./good.yaml]}")),
        ("r9/bad.yaml", service("c9bad", "team-a") + "---\nkind: [oops\n"),
        ("r9/good.yaml", service("c9good", "team-a")),
        ("r10.yaml", doc("Location", "loc10", "{targets: [./r10a.yaml]}")),
        ("r10a.yaml", service("c10", "team-a") + "---\n" + HEAD + "kind: Component\nmetadata: {title: nameless}\n"),
    ];
    for (name, text) in &files {
        write(dir, name, text);
    }
    let entries = ["r1.yaml", "r2/loc.yaml", "r3.yaml", "r4.yaml", "r5/loc.yaml", "r6.yaml", "r7a.yaml", "r7b.yaml"]
        .iter()
        .chain(&["r9/loc.yaml", "r10.yaml"])
        .map(|f| dir.join(f))
        .collect();
    Catalog { name: "synthetic".into(), root: dir.to_path_buf(), entries }
}

/// Every kind the backend must let in (`catalog.rules`).
const KINDS: &str = "[Component, System, API, Resource, Location, Domain, Group, User, Template, Function, Product, \
                     Cluster, Environment, Runbook]";

/// Stagehand's local sync of the catalogs: one source per registered file,
/// in the order the backend is given them.
fn local_sync(catalogs: &[Catalog]) -> Index {
    let mut inputs = Vec::new();
    for catalog in catalogs {
        for entry in &catalog.entries {
            let crawl = crawl(vec![Root::file(entry.clone())], &catalog.root, &|_| {});
            let out = SourceOutput {
                entities: crawl.entities,
                rejected: crawl.rejected,
                problems: crawl.problems,
                files: crawl.files,
                ..SourceOutput::default()
            };
            inputs.push(SourceInput {
                name: entry.display().to_string(),
                kind: "file".into(),
                target: entry.display().to_string(),
                read: Some(Ok(out.compacted(&stagehand::index::build::Record::local))),
                server_relations: false,
            });
        }
    }
    build(inputs, None, 0)
}

/// What is compared of one entity: its stored `metadata` (without the
/// server's `uid`/`etag`, namespace written out) and `spec`, and its
/// relations as a set.
fn comparable(entity: &Value) -> Value {
    let mut metadata = entity["metadata"].clone();
    if let Some(m) = metadata.as_object_mut() {
        m.remove("uid");
        m.remove("etag");
        m.entry("namespace").or_insert(json!("default"));
    }
    let relations: BTreeSet<(String, String)> = entity["relations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| (r["type"].as_str().unwrap_or("").to_string(), r["targetRef"].as_str().unwrap_or("").to_lowercase()))
        .collect();
    json!({"kind": entity["kind"], "apiVersion": entity["apiVersion"], "metadata": metadata,
        "spec": entity.get("spec").cloned().unwrap_or(Value::Null), "relations": relations})
}

/// The backend's entities by ref, without its generated root Locations.
fn oracle(items: &[Value]) -> BTreeMap<String, Value> {
    items
        .iter()
        .filter(|e| {
            !(e["kind"] == "Location" && e["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("generated-")))
        })
        .map(|e| (item_ref(e), comparable(e)))
        .collect()
}

fn local(index: &Index) -> BTreeMap<String, Value> {
    (0..index.len() as u32)
        .map(|i| {
            let entity = serde_json::to_value(index.entity(i).expect("stored body")).expect("json");
            (index.ref_of(i).to_string(), comparable(&entity))
        })
        .collect()
}

/// Every difference between the two sides, one line each.
fn differences(expected: &BTreeMap<String, Value>, found: &BTreeMap<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    for (r, local) in expected {
        match found.get(r) {
            None => out.push(format!("{r}: stored by stagehand, not by the backend")),
            Some(server) if server != local => {
                for key in ["apiVersion", "metadata", "spec", "relations"] {
                    if server[key] != local[key] {
                        out.push(format!(
                            "{r}: {key} differs\n  backend:   {}\n  stagehand: {}",
                            server[key], local[key]
                        ));
                    }
                }
            }
            Some(_) => {}
        }
    }
    for r in found.keys().filter(|r| !expected.contains_key(*r)) {
        out.push(format!("{r}: stored by the backend, not by stagehand"));
    }
    out
}

/// Stored entities whose document has a `$text`/`$json`/`$yaml`
/// placeholder. Stagehand reads it beside the file, as the catalog does for
/// a `url` location (how these catalogs are registered in production); for
/// a `file` location the stock catalog cannot make a URL of a relative
/// placeholder and rejects the entity.
fn with_placeholders(index: &Index) -> BTreeSet<String> {
    (0..index.len() as u32)
        .filter_map(|i| {
            let (file, line) = index.origin(i)?;
            let text = std::fs::read_to_string(file).ok()?;
            let doc: Vec<&str> =
                text.lines().skip((line as usize).saturating_sub(1)).take_while(|l| !l.starts_with("---")).collect();
            let doc = doc.join("\n");
            ["$text", "$json", "$yaml"].iter().any(|k| doc.contains(k)).then(|| index.ref_of(i).to_string())
        })
        .collect()
}

/// Refs claimed by several files of the same source: which one the
/// catalog keeps follows node-glob's walk order, stagehand's the sorted one.
fn contested(index: &Index) -> BTreeSet<String> {
    index
        .problems
        .iter()
        .filter(|p| p.message.starts_with("conflicting entity"))
        .filter_map(|p| {
            let r = p.entity.as_deref()?;
            let kept = index.find(r)?;
            (p.source.as_deref() == Some(index.source_name(kept))).then(|| r.to_string())
        })
        .collect()
}

/// An entity's `managed-by-origin-location`.
fn origin_of(entity: &Value) -> Option<&str> {
    entity["metadata"]["annotations"]["backstage.io/managed-by-origin-location"].as_str()
}

/// Polls the backend until `done` holds for its entities, or nothing
/// changed for 20 seconds (then the differences are reported).
fn settle(backend: &Backend, done: impl Fn(&BTreeMap<String, Value>) -> bool) -> BTreeMap<String, Value> {
    let start = Instant::now();
    let (mut last, mut since) = (None, Instant::now());
    loop {
        let Some(items) = try_crawl(backend) else {
            assert!(start.elapsed() < Duration::from_secs(300), "the backend does not answer");
            std::thread::sleep(Duration::from_millis(1000));
            continue;
        };
        let now = oracle(&items);
        if done(&now) || (last.as_ref() == Some(&now) && since.elapsed() > Duration::from_secs(20)) {
            return now;
        }
        if last.as_ref() != Some(&now) {
            (last, since) = (Some(now), Instant::now());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Every entity the backend holds, or `None` while it is too busy to answer
/// (loading a hundred files, its database pool can stall for a while).
fn try_crawl(backend: &Backend) -> Option<Vec<Value>> {
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().ok()?;
    let mut items = Vec::new();
    let mut query = vec![("limit".to_string(), "200".to_string())];
    loop {
        let url = format!("{}/api/catalog/entities/by-query", backend.url);
        let page: Value = http
            .get(url)
            .query(&query)
            .bearer_auth(&backend.token)
            .send()
            .ok()?
            .error_for_status()
            .ok()?
            .json()
            .ok()?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        let Some(cursor) = page["pageInfo"]["nextCursor"].as_str() else { return Some(items) };
        query = vec![("cursor".into(), cursor.into()), ("limit".into(), "200".into())];
    }
}

#[test]
fn every_catalog_is_stored_as_backstage_stores_it() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIP catalog conformance: ../shared is not beside the repository");
        return;
    };
    let dir = std::fs::canonicalize(shared.join("fixtures/real-world/catalogs")).expect("the real-world catalogs");
    let tmp = tempfile::tempdir().unwrap();
    let cases = std::fs::canonicalize(tmp.path()).unwrap();
    let mut catalogs = corpus(&dir);
    assert!(catalogs.len() >= 10, "MANIFEST.md lists {} catalogs", catalogs.len());
    catalogs.push(synthetic(&cases.join("synthetic")));
    for c in &catalogs {
        for e in &c.entries {
            assert!(e.is_file(), "{}: entry {} is missing", c.name, e.display());
        }
    }
    let overlay = write(&cases, "overlay.yaml", format!("catalog:\n  rules:\n    - allow: {KINDS}\n"));
    let overlay = overlay.to_str().unwrap().to_string();
    let options = ["--plugins", "scaffolder,customkinds", "--config", overlay.as_str()];
    let Some(backend) = Backend::start("catalog conformance", &[], &options) else { return };

    let index = local_sync(&catalogs);
    let expected = local(&index);
    // The entry files are registered one at a time, each once the catalog
    // has settled on the one before: a hundred at once stall the backend's
    // in-memory database, and the first claimer of a ref two files define
    // is then the one registered first, as for stagehand's sources.
    let mut found = BTreeMap::new();
    for entry in catalogs.iter().flat_map(|c| &c.entries) {
        let location = json!({"type": "file", "target": entry.display().to_string()});
        let status = backend.send(reqwest::Method::POST, "/api/catalog/locations", Some(location));
        assert_eq!(status, 201, "registering {}", entry.display());
        let origin = format!("file:{}", entry.display());
        let mine = |map: &BTreeMap<String, Value>| -> BTreeMap<String, Value> {
            map.iter()
                .filter(|(_, e)| origin_of(e) == Some(origin.as_str()))
                .map(|(r, e)| (r.clone(), e.clone()))
                .collect()
        };
        let want = mine(&expected);
        found = settle(&backend, |now| mine(now) == want);
    }
    let per_catalog = |map: &BTreeMap<String, Value>, c: &Catalog| {
        let prefix = format!("file:{}", c.root.display());
        map.values().filter(|e| origin_of(e).is_some_and(|o| o.starts_with(&prefix))).count()
    };
    for c in &catalogs {
        eprintln!("{}: {} entities (backend {})", c.name, per_catalog(&expected, c), per_catalog(&found, c));
    }
    eprintln!(
        "{} rejected by stagehand: {:?}",
        index.rejected.len(),
        index.rejected.iter().map(|r| &r.entity_ref).collect::<Vec<_>>()
    );
    // The two deliberate differences, left out and printed.
    let placeholders = with_placeholders(&index);
    let contested = contested(&index);
    eprintln!("left out, a placeholder the backend cannot resolve for a `file` location: {placeholders:?}");
    eprintln!("left out, claimed by several files of one glob (node-glob's order decides): {contested:?}");
    for r in &contested {
        assert!(found.contains_key(r), "{r}: one of its claimers is stored by the backend too");
    }
    let leave_out = |map: &BTreeMap<String, Value>| -> BTreeMap<String, Value> {
        map.iter()
            .filter(|(r, _)| !placeholders.contains(*r) && !contested.contains(*r))
            .map(|(r, e)| {
                let mut e = e.clone();
                let relations: Vec<Value> = e["relations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|rel| !rel[1].as_str().is_some_and(|t| placeholders.contains(t)))
                    .cloned()
                    .collect();
                e["relations"] = Value::Array(relations);
                (r.clone(), e)
            })
            .collect()
    };
    let diffs = differences(&leave_out(&expected), &leave_out(&found));
    assert!(
        diffs.is_empty(),
        "{} difference(s) with the backend:\n{}\nbackend log tail:\n{}",
        diffs.len(),
        diffs.join("\n"),
        backend.log().lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
    // The synthetic rules, spelled out (the comparison above holds them to
    // the backend; these say what the backend did).
    let has = |r: &str| expected.contains_key(r);
    assert_eq!(expected["component:default/c1"]["spec"]["owner"], "team-b", "rule 1");
    assert!(
        has("component:default/c2-sibling") && !has("location:default/loc2") && !has("component:default/c2"),
        "rule 2"
    );
    assert!(has("component:default/c3-ok") && has("runbook:default/rb"), "rule 3 keeps the valid and custom kinds");
    for r in ["api:default/api-map", "api:default/api-nodef", "component:default/c3"] {
        assert!(!has(r) && !index.find_rejected(r).is_empty(), "rule 3: {r}");
    }
    assert!(!has("location:default/loc4") && !has("component:default/c4"), "rule 4");
    assert!(has("component:default/c5s") && !has("component:default/c5g") && !has("component:default/c5a"), "rule 5");
    assert_eq!(expected["group:default/g6"]["spec"]["members"], json!(["Mm", "aa", "zz"]), "rule 6");
    assert_eq!(expected["component:default/c7"]["spec"]["owner"], "team-a", "rule 7");
    assert!(index.problems.iter().any(|p| p.message.starts_with("conflicting entity `component:default/c7`")));
    assert!(!has("component:default/c9good") && !has("location:default/loc9") && !has("component:default/c10"));
}
