//! The streamed sync (entities made compact records as their files are
//! parsed, relations resolved on ids, bodies spliced as written) builds the
//! index a plain reference build would: every entity read whole, the first
//! claimer of a ref kept, relations derived from spec fields with their
//! inverses, `relations` set on the entity and the entity serialised. On the
//! demo catalog, a generated catalog of 5,000 entities over 200 files, and
//! a file with a duplicate, a dangling owner, an entity with `relations` of
//! its own, an invalid entity and a Location whose target is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use stagehand::config::{SourceConfig, SourceKind};
use stagehand::index::{Index, store};
use stagehand::model::relations::spec_refs;
use stagehand::model::{Entity, Problem, Relation};
use stagehand::sources::{ReadContext, ReadEntity, RejectedEntity, read_source};
use stagehand::workspace::Workspace;

const ODD: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments, description: a second claimer}
spec: {type: service, lifecycle: production, owner: nobody-at-all}
---
apiVersion: backstage.io/v1alpha1
kind: Component
relations: [{type: madeUp, targetRef: 'component:default/x'}]
metadata: {name: has-own-relations, tags: [a, b]}
spec: {type: service, lifecycle: production, owner: team-odd, dependsOn: ['resource:db-odd', 'component:payments']}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-odd, title: \"Odd \\\"quoted\\\" team\"}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: 'not valid!'}
spec: {type: service}
---
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: gone}
spec: {targets: [./missing.yaml]}
";

/// What the reference build expects of one entity.
struct Expected {
    source: String,
    entity: Entity,
    relations: BTreeSet<Relation>,
}

/// The plain reference build over what each source read.
fn reference(read: &[(String, Vec<ReadEntity>)]) -> (BTreeMap<String, Expected>, usize) {
    let mut kept: BTreeMap<String, Expected> = BTreeMap::new();
    let mut duplicates = 0;
    for (source, entities) in read {
        for e in entities {
            let key = e.entity.canonical_ref();
            if kept.contains_key(&key) {
                duplicates += 1;
                continue;
            }
            let expected = Expected { source: source.clone(), entity: e.entity.clone(), relations: BTreeSet::new() };
            kept.insert(key, expected);
        }
    }
    let refs: Vec<String> = kept.keys().cloned().collect();
    for from in refs {
        for (field, target) in spec_refs(&kept[&from].entity) {
            let relation = Relation { kind: field.relation.into(), target: target.clone() };
            kept.get_mut(&from).unwrap().relations.insert(relation);
            if let Some(to) = kept.get_mut(&target) {
                to.relations.insert(Relation { kind: field.inverse.into(), target: from.clone() });
            }
        }
    }
    (kept, duplicates)
}

fn config(dir: &Path, sources: &[(&str, &Path)]) -> Workspace {
    let mut text = String::from("sources:\n");
    for (name, file) in sources {
        text += &format!("  - name: {name}\n    file: {}\n", file.display());
    }
    let path = dir.join("config.yaml");
    std::fs::write(&path, text).unwrap();
    let mut ws = Workspace::open(Some(path), false, false).unwrap();
    ws.paths.cache_dir = dir.join("cache");
    ws.paths.data_dir = dir.join("data");
    ws
}

fn check(index: &Index, read: &[(String, Vec<ReadEntity>)], rejected: &[RejectedEntity], problems: &[Problem]) {
    let (expected, duplicates) = reference(read);
    assert_eq!(index.len(), expected.len());
    for (key, want) in &expected {
        let i = index.find(key).unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!(index.ref_of(i), key);
        assert_eq!(index.source_name(i), want.source, "{key}");
        let mut entity = want.entity.clone();
        entity.set_relations(&want.relations.iter().cloned().collect::<Vec<_>>());
        let body = serde_json::to_vec(&entity).unwrap();
        assert_eq!(
            String::from_utf8_lossy(index.body_json(i)),
            String::from_utf8_lossy(&body),
            "the body of {key} as the reference writes it"
        );
        let got: BTreeSet<Relation> = index
            .relations(i)
            .iter()
            .map(|r| Relation { kind: r.kind.to_string(), target: r.target.to_string() })
            .collect();
        assert_eq!(got, want.relations, "the relations of {key}");
        let s = index.summary(i);
        let e = &want.entity;
        assert_eq!((s.kind, s.namespace, s.name), (e.kind(), e.namespace(), e.name()), "{key}");
        assert_eq!((s.title, s.description, s.spec_type), (e.title(), e.description(), e.spec_type()), "{key}");
        assert_eq!(s.tags.iter().collect::<Vec<_>>(), e.tags(), "{key}");
    }
    let conflicts = index.problems.iter().filter(|p| p.message.starts_with("conflicting entity")).count();
    assert_eq!(conflicts, duplicates);
    let mut others: Vec<String> = problems.iter().map(|p| format!("{p:?}")).collect();
    others.extend(rejected.iter().map(|r| format!("rejected {}", r.read.entity.canonical_ref())));
    let mut got: Vec<String> = index
        .problems
        .iter()
        .filter(|p| !p.message.starts_with("conflicting entity"))
        .map(|p| match &p.entity {
            Some(e) if p.message.contains("is rejected") => format!("rejected {e}"),
            _ => format!("{p:?}"),
        })
        .collect();
    others.sort();
    got.sort();
    assert_eq!(got, others, "the problems");
    let mut want_rejected: Vec<(String, String, String)> = rejected
        .iter()
        .map(|r| (r.read.entity.canonical_ref(), r.reason.clone(), serde_json::to_string(&r.read.entity).unwrap()))
        .collect();
    let mut got_rejected: Vec<(String, String, String)> =
        index.rejected.iter().map(|r| (r.entity_ref.clone(), r.reason.clone(), r.body.clone())).collect();
    want_rejected.sort();
    got_rejected.sort();
    assert_eq!(got_rejected, want_rejected, "the rejected entities");
}

#[test]
fn the_streamed_sync_builds_the_reference_index() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = stagehand::demo::unpack(&tmp.path().join("demo")).unwrap();
    let plan = stagehand::demo::generate::Plan { entities: 5_000, seed: 7, files: 200, single_file: false };
    let generated = stagehand::demo::generate::generate(&plan, &tmp.path().join("generated")).unwrap().root;
    let odd = tmp.path().join("odd/catalog-info.yaml");
    std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
    std::fs::write(&odd, ODD).unwrap();
    let sources: [(&str, &Path); 3] = [("demo", &demo), ("generated", &generated), ("odd", &odd)];
    let ws = config(tmp.path(), &sources);
    let report = ws.sync(None, false, &|_| {}).unwrap();
    let saved = store::load(&ws.paths.index_file()).unwrap();

    let cache = tmp.path().join("git");
    let patterns = ws.config.effective_patterns();
    let ctx = ReadContext {
        cache_dir: &cache,
        patterns: &patterns,
        progress: &|_| {},
        known: None,
        listing: None,
        full: true,
        previous: None,
    };
    let mut read = Vec::new();
    let (mut rejected, mut problems) = (Vec::new(), Vec::new());
    for (name, file) in sources {
        let source = SourceConfig { name: name.into(), kind: SourceKind::File(PathBuf::from(file)) };
        let out = read_source(&source, &ctx).unwrap();
        rejected.extend(out.rejected);
        problems.extend(out.problems);
        read.push((name.to_string(), out.entities));
    }
    assert!(read[1].1.len() >= 5_000 && !rejected.is_empty() && !problems.is_empty());
    check(&report.index, &read, &rejected, &problems);
    check(&saved, &read, &rejected, &problems);
}
