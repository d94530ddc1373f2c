//! Tests of the index build.

use super::*;
use crate::model::Entity;
use crate::sources::ReadEntity;
use serde_json::json;

fn read(v: serde_json::Value, file: &str) -> ReadEntity {
    ReadEntity { entity: Entity::from_json(v).unwrap(), file: file.into(), line: 1 }
}

fn input(name: &str, read: Option<Result<SourceOutput, String>>) -> SourceInput {
    let read = read.map(|r| r.map(|o| o.compacted(&Record::local)));
    SourceInput { name: name.into(), kind: "dir".into(), target: "/x".into(), read, server_relations: false }
}

fn server_input(name: &str, out: SourceOutput) -> SourceInput {
    let read = Some(Ok(out.compacted(&Record::server)));
    SourceInput { name: name.into(), kind: "backstage".into(), target: "/x".into(), read, server_relations: true }
}

fn sample() -> SourceOutput {
    SourceOutput {
        entities: vec![
            read(
                json!({"kind": "Component", "metadata": {"name": "svc"}, "spec": {"owner": "team-a", "dependsOn": ["resource:db"]}}),
                "a.yaml",
            ),
            read(
                json!({"kind": "Group", "metadata": {"name": "team-a"}, "spec": {"type": "team", "children": []}}),
                "b.yaml",
            ),
            read(json!({"kind": "component", "metadata": {"name": "SVC"}, "spec": {}}), "c.yaml"),
        ],
        problems: vec![],
        files: 3,
        ..SourceOutput::default()
    }
}

#[test]
fn relations_both_ways_and_dangling_targets() {
    let index = build(vec![input("s", Some(Ok(sample())))], None, 10);
    assert_eq!(index.len(), 2);
    let svc = index.find("component:default/svc").unwrap();
    let rels = index.relations(svc);
    assert!(rels.iter().any(|r| r.kind == "ownedBy" && r.entity.is_some()));
    let db = rels.iter().find(|r| r.kind == "dependsOn").unwrap();
    assert_eq!((db.target, db.entity), ("resource:default/db", None));
    let team = index.find("group:default/team-a").unwrap();
    assert!(index.relations(team).iter().any(|r| r.kind == "ownerOf" && r.entity == Some(svc)));
    let body = index.entity(svc).unwrap();
    assert_eq!(body.relations().len(), 2);
    assert_eq!(index.summary(svc).owner, Some("group:default/team-a"));
}

#[test]
fn duplicates_name_both_files() {
    let index = build(vec![input("s", Some(Ok(sample())))], None, 10);
    let dup = index.problems.iter().find(|p| p.message.contains("conflicting")).unwrap();
    assert_eq!(dup.severity, crate::model::Severity::Warning);
    assert!(dup.message.contains("a.yaml:1") && dup.message.contains("c.yaml:1"), "{}", dup.message);
    assert_eq!(dup.file.as_deref(), Some("c.yaml"));
}

#[test]
fn the_same_ref_from_two_sources_names_both() {
    let remote = SourceOutput {
        entities: vec![ReadEntity {
            entity: Entity::from_json(json!({"kind": "Group", "metadata": {"name": "team-a", "uid": "u1"}})).unwrap(),
            file: std::path::PathBuf::new(),
            line: 0,
        }],
        ..SourceOutput::default()
    };
    let prod = server_input("prod", remote);
    let index = build(vec![prod, input("local", Some(Ok(sample())))], None, 10);
    let dup = index.problems.iter().find(|p| p.message.contains("conflicting entity `group:default/team-a`")).unwrap();
    assert!(dup.message.contains("source `prod`") && dup.message.contains("b.yaml:1"), "{}", dup.message);
    assert_eq!(index.source_name(index.find("group:default/team-a").unwrap()), "prod");
}

#[test]
fn the_catalogs_errors_for_kept_entities_are_kept() {
    let error = |name: &str| {
        Problem::error(format!("the catalog reports: {name} is broken"))
            .for_entity(format!("component:default/{name}"))
            .from_source("prod")
    };
    let mut first = remote(vec![server_entity("a", "1"), server_entity("b", "1")], &[]);
    if let Some(Ok(out)) = &mut first.read {
        out.problems = vec![error("a"), error("b"), Problem::warning("token file").from_source("prod")];
    }
    let first = build(vec![first], None, 10);
    let second = build(vec![remote(vec![], &["u-a", "u-b"])], Some(&first), 20);
    assert_eq!(second.problems, [error("a"), error("b")], "the warning is not about an entity kept");
    let third = build(vec![remote(vec![server_entity("b", "2")], &["u-a"])], Some(&second), 30);
    assert_eq!(third.problems, [error("a")], "b was fetched again, with no error");
}

#[test]
fn a_listing_holds_only_while_every_listed_entity_is_in_the_index() {
    let listed = |listing: &str| {
        let mut out = remote(vec![server_entity("a", "1"), server_entity("b", "1")], &[]);
        if let Some(Ok(o)) = &mut out.read {
            o.listing = Some(listing.into());
        }
        out
    };
    let alone = build(vec![listed("v1")], None, 10);
    assert_eq!(alone.sources[0].listing.as_deref(), Some("v1"));
    let local = SourceOutput {
        entities: vec![read(json!({"kind": "Component", "metadata": {"name": "a"}}), "a.yaml")],
        ..SourceOutput::default()
    };
    let shadowed = build(vec![input("local", Some(Ok(local))), listed("v2")], Some(&alone), 20);
    assert_eq!(shadowed.sources[1].listing, None, "`a` of the listing lost to the local `a`");
    let kept = build(vec![input("prod", None)], Some(&alone), 30);
    assert_eq!(kept.sources[0].listing.as_deref(), Some("v1"), "a source not read keeps its listing");
}

#[test]
fn failed_sources_keep_previous_entities() {
    let first = build(vec![input("s", Some(Ok(sample())))], None, 10);
    let second = build(vec![input("s", Some(Err("network down".into())))], Some(&first), 20);
    assert_eq!(second.len(), 2);
    let state = &second.sources[0];
    assert_eq!((state.last_success, state.last_attempt), (Some(10), 20));
    assert_eq!(state.last_error.as_deref(), Some("network down"));
    assert!(second.problems.iter().any(|p| p.message.contains("keeping its previous entities")));
    let untouched = build(vec![input("s", None)], Some(&first), 30);
    assert_eq!(untouched.len(), 2);
    assert!(untouched.sources[0].last_error.is_none());
}

#[test]
fn a_failing_source_has_one_problem_however_many_syncs() {
    let mut index = build(vec![input("s", Some(Ok(sample()))), input("t", Some(Ok(sample())))], None, 10);
    for (n, error) in ["network down", "timed out after 30s", "timed out after 31s"].iter().enumerate() {
        index = build(
            vec![input("s", Some(Err(error.to_string()))), input("t", Some(Ok(sample())))],
            Some(&index),
            20 + n as u64,
        );
    }
    let failures: Vec<&Problem> = index.problems.iter().filter(|p| p.message.contains("failed")).collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].message.contains("31s"), "the latest failure replaces the earlier");
    let mut keys: Vec<String> = index.problems.iter().map(|p| format!("{p} {:?}", p.source)).collect();
    let all = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all, "no problem twice: {keys:?}");
    let recovered = build(vec![input("s", Some(Ok(sample()))), input("t", None)], Some(&index), 40);
    assert!(!recovered.problems.iter().any(|p| p.message.contains("failed")), "a success clears the failure");
}

fn remote(entities: Vec<serde_json::Value>, kept: &[&str]) -> SourceInput {
    let entities = entities
        .into_iter()
        .map(|v| ReadEntity { entity: Entity::from_json(v).unwrap(), file: std::path::PathBuf::new(), line: 0 })
        .collect();
    let kept = kept.iter().map(|u| u.to_string()).collect();
    let out = SourceOutput { entities, kept, ..SourceOutput::default() };
    server_input("prod", out)
}

fn server_entity(name: &str, etag: &str) -> serde_json::Value {
    json!({"kind": "Component", "metadata": {"name": name, "uid": format!("u-{name}"), "etag": etag},
        "relations": [{"type": "ownedBy", "targetRef": "group:default/Team", "target": {"kind": "group"}}]})
}

#[test]
fn an_unchanged_remote_source_reuses_the_previous_index() {
    let first = build(vec![remote(vec![server_entity("a", "1"), server_entity("b", "1")], &[])], None, 10);
    let (second, outcome, _) = build_over(vec![remote(vec![], &["u-a", "u-b"])], Some(&first), 20, None).unwrap();
    assert_eq!(outcome, Outcome::Restamped);
    let refs = |ix: &Index| (0..ix.refs_len() as u32).map(|i| ix.ref_of(i).to_string()).collect::<Vec<_>>();
    assert_eq!(refs(&second), refs(&first));
    assert!(second.summaries().eq(first.summaries()));
    assert_eq!(second.body_json(1), first.body_json(1));
    assert_eq!((second.sources[0].last_success, second.sources[0].entities), (Some(20), 2));
}

#[test]
fn a_changed_remote_entity_is_replaced_and_the_others_kept_as_stored() {
    let first = build(vec![remote(vec![server_entity("a", "1"), server_entity("b", "1")], &[])], None, 10);
    let (second, outcome, _) =
        build_over(vec![remote(vec![server_entity("b", "2")], &["u-a"])], Some(&first), 20, None).unwrap();
    assert_eq!((second.len(), outcome), (2, Outcome::Rebuilt));
    let a = second.find("component:default/a").unwrap();
    assert_eq!(second.body_json(a), first.body_json(first.find("component:default/a").unwrap()));
    let b = second.find("component:default/b").unwrap();
    assert_eq!(second.summary(b).etag, Some("2"));
    for i in [a, b] {
        let rels = second.relations(i);
        assert_eq!((rels.len(), rels[0].kind, rels[0].target), (1, "ownedBy", "group:default/team"));
    }
    let dropped = build(vec![remote(vec![], &["u-a"])], Some(&second), 30);
    let refs: Vec<&str> = (0..dropped.refs_len() as u32).map(|i| dropped.ref_of(i)).collect();
    assert_eq!(refs, ["component:default/a", "group:default/team"]);
}

/// The layout's writer thread failing (here, a full device) fails the
/// layout with its error, after however many chunks; nothing is kept.
#[cfg(target_os = "linux")]
#[test]
fn a_body_write_that_fails_fails_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let sink = BodySink::File(BodyFile::writing_to(dir.path(), full).unwrap());
    let mut candidates: Vec<Candidate<'_>> = (0..3 * LAYOUT_CHUNK)
        .map(|i| {
            let entity = json!({"kind": "Component", "metadata": {"name": format!("c{i}")}, "spec": {}});
            let mut record = Record::local(read(entity, "a.yaml"));
            Candidate {
                canonical: Cow::Owned(std::mem::take(&mut record.canonical)),
                content: Content::Read(Box::new(record)),
                source: 0,
                server_relations: false,
            }
        })
        .collect();
    candidates.sort_by(|a, b| a.canonical.cmp(&b.canonical));
    let failed = assemble(candidates, Vec::new(), Vec::new(), 1, sink).err().expect("the layout fails");
    assert_eq!(failed.raw_os_error(), Some(libc::ENOSPC));
}
