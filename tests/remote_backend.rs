//! stagehand against the real Backstage backend: a full sync matches the
//! server's own answer (refs, relations, annotations); after files change,
//! an incremental sync fetches only what changed and matches again (added,
//! changed, deleted); auth failures say what to do; register shows what it
//! adds. Skips (saying why) when node or the installed backend is missing.

mod common;
mod common_backend;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use stagehand::config::{RemoteConfig, TokenSource};
use stagehand::index::Index;
use stagehand::sources::remote;
use stagehand::workspace::Workspace;

use common_backend::{Backend, copy_tree, item_ref};

/// A workspace whose only source is the backend, everything under `dir`.
fn workspace(dir: &Path, backend: &Backend, token: &str) -> Workspace {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).expect("token file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let config = dir.join("config.yaml");
    let text = format!(
        "sources:\n  - name: bs\n    backstage:\n      url: {}\n      token_file: {}\n      page_size: 25\n",
        backend.url,
        token_file.display()
    );
    std::fs::write(&config, text).expect("config");
    let mut ws = Workspace::open(Some(config), false, false).expect("open workspace");
    ws.paths.cache_dir = dir.join("cache");
    ws.paths.data_dir = dir.join("data");
    ws
}

fn remote_config(backend: &Backend, token: TokenSource) -> RemoteConfig {
    RemoteConfig {
        url: backend.url.clone(),
        token,
        filters: Vec::new(),
        ca_file: None,
        timeout: std::time::Duration::from_secs(30),
        page_size: 25,
    }
}

type Rels = BTreeSet<(String, String)>;

/// ref → (relations, annotations) as the server has them.
fn server_view(items: &[Value]) -> BTreeMap<String, (Rels, Value)> {
    items
        .iter()
        .map(|item| {
            let rels = item["relations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    (r["type"].as_str().unwrap_or("").to_string(), r["targetRef"].as_str().unwrap_or("").to_string())
                })
                .collect();
            (item_ref(item), (rels, item["metadata"]["annotations"].clone()))
        })
        .collect()
}

/// The same view of stagehand's index.
fn index_view(index: &Index) -> BTreeMap<String, (Rels, Value)> {
    (0..index.len() as u32)
        .map(|i| {
            let entity = index.entity(i).expect("stored body");
            let rels = index.relations(i).iter().map(|r| (r.kind.to_string(), r.target.to_string())).collect();
            (index.ref_of(i).to_string(), (rels, entity.metadata()["annotations"].clone()))
        })
        .collect()
}

fn assert_same(index: &Index, items: &[Value]) {
    let ours = index_view(index);
    let theirs = server_view(items);
    let our_refs: BTreeSet<&String> = ours.keys().collect();
    let their_refs: BTreeSet<&String> = theirs.keys().collect();
    assert_eq!(our_refs, their_refs, "the same set of refs");
    for (r, (rels, annotations)) in &theirs {
        assert_eq!(&ours[r].0, rels, "relations of {r}");
        assert_eq!(&ours[r].1, annotations, "annotations of {r}");
    }
}

fn fixture_catalog(test: &str, dir: &Path) -> Option<Vec<PathBuf>> {
    let fixtures = common::fixtures(test)?;
    let examples = common::catalog_examples(&fixtures);
    copy_tree(&examples, dir);
    let files = ["acme/org.yaml", "all-components.yaml", "all-systems.yaml", "all-domains.yaml", "all-resources.yaml"];
    Some(files.iter().map(|f| dir.join(f)).collect())
}

/// Refs stagehand reads from the same files locally: the server must show them all.
fn local_refs(files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .flat_map(|f| {
            let source = common::source("local", stagehand::config::SourceKind::File(f.clone()));
            common::read(&source).entities.into_iter().map(|e| e.entity.canonical_ref())
        })
        .collect()
}

fn has_all(items: &[Value], refs: &BTreeSet<String>) -> bool {
    let present: BTreeSet<String> = items.iter().map(item_ref).collect();
    refs.is_subset(&present)
}

#[test]
fn sync_matches_the_server_then_follows_its_changes() {
    let test = "sync_matches_the_server_then_follows_its_changes";
    let catalog = tempfile::tempdir().expect("catalog dir");
    let Some(files) = fixture_catalog(test, catalog.path()) else { return };
    let Some(backend) = Backend::start(test, &files, &["--fast-refresh"]) else { return };
    let expected = local_refs(&files);
    let items = backend.wait_until("every fixture entity", |items| has_all(items, &expected));

    // Full sync: the same refs, relations and annotations as the server.
    let work = tempfile::tempdir().expect("work dir");
    let ws = workspace(work.path(), &backend, &backend.token);
    let report = ws.sync(None, false, &|_| {}).expect("full sync");
    assert!(report.sources[0].1.is_ok(), "{:?}\n{}", report.sources, backend.log());
    let items = if report.index.len() == items.len() { items } else { backend.crawl() };
    assert_same(&report.index, &items);
    assert!(report.index.problems.is_empty(), "{:#?}", report.index.problems);
    // The validator worked out for the uid/etag listing is the backend's.
    let light = [("limit", "10000"), ("fields", "metadata.uid,metadata.etag")];
    let etag = backend.etag("/api/catalog/entities/by-query", &light);
    assert_eq!(report.index.sources[0].listing, etag, "the listing's ETag, as the backend computes it");

    // Change the files: a new description, a new entity, a removed one.
    let artist = catalog.path().join("components/artist-lookup-component.yaml");
    let text = std::fs::read_to_string(&artist).expect("read");
    std::fs::write(&artist, text.replace("description: Artist Lookup", "description: Artist Lookup, now faster"))
        .expect("write");
    let searcher = catalog.path().join("components/searcher-component.yaml");
    let mut text = std::fs::read_to_string(&searcher).expect("read");
    text.push_str("\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: brand-new\nspec:\n  type: service\n  lifecycle: experimental\n  owner: team-a\n");
    std::fs::write(&searcher, text).expect("write");
    let all = catalog.path().join("all-components.yaml");
    let text = std::fs::read_to_string(&all).expect("read");
    std::fs::write(&all, text.replace("    - ./components/wayback-search-component.yaml\n", "")).expect("write");
    let items = backend.wait_until("the edits to be processed", |items| {
        let desc = items.iter().find(|i| item_ref(i) == "component:default/artist-lookup");
        desc.is_some_and(|d| d["metadata"]["description"] == json!("Artist Lookup, now faster"))
            && items.iter().any(|i| item_ref(i) == "component:default/brand-new")
            && items
                .iter()
                .find(|i| item_ref(i) == "component:default/wayback-search")
                .is_some_and(|i| i["metadata"]["annotations"]["backstage.io/orphan"] == json!("true"))
    });
    let orphan = items.iter().find(|i| item_ref(i) == "component:default/wayback-search").expect("orphan");
    let uid = orphan["metadata"]["uid"].as_str().expect("uid");
    assert_eq!(backend.send(reqwest::Method::DELETE, &format!("/api/catalog/entities/by-uid/{uid}"), None), 204);
    let items = backend.wait_until("the orphan to be deleted", |items| {
        !items.iter().any(|i| item_ref(i) == "component:default/wayback-search")
    });

    // Incremental: only new and changed entities are fetched.
    let known: remote::Known = (0..report.index.len() as u32)
        .filter_map(|i| {
            let s = report.index.summary(i);
            Some((s.uid?, s.etag?))
        })
        .collect();
    let config = remote_config(&backend, TokenSource::File(work.path().join("token")));
    let out = remote::read(&config, Some(&known), None, false, &|_| {}).expect("incremental read");
    let fetched: BTreeSet<String> = out.entities.iter().map(|e| e.entity.canonical_ref()).collect();
    assert!(fetched.contains("component:default/brand-new") && fetched.contains("component:default/artist-lookup"));
    assert!(out.kept.len() + fetched.len() == items.len(), "every entity is kept or fetched");
    assert!(fetched.len() < items.len() / 2, "only changed entities are fetched: {fetched:?}");

    let again = ws.sync(None, false, &|_| {}).expect("incremental sync");
    assert_same(&again.index, &items);
    let artist = again.index.find("component:default/artist-lookup").expect("artist-lookup");
    assert_eq!(again.index.summary(artist).description, Some("Artist Lookup, now faster"));
    assert!(again.index.find("component:default/wayback-search").is_none());

    // Nothing changed since: the listing is asked for with its ETag, the
    // server answers 304, and every entity is kept as it is.
    assert!(again.index.sources[0].listing.is_some(), "the backend gives the listing an ETag");
    let unchanged = ws.sync(None, false, &|_| {}).expect("no-change sync");
    assert_eq!(unchanged.sources[0].1, Ok(items.len()));
    assert_same(&unchanged.index, &items);
    assert_same(&ws.load_index().expect("load"), &items);

    // Auth: no token, a wrong token, and a token from a command.
    let none = remote::read(&remote_config(&backend, TokenSource::None), None, None, false, &|_| {}).unwrap_err();
    assert!(none.contains("401") && none.contains("token_env"), "{none}");
    std::fs::write(work.path().join("wrong"), "not-the-token").expect("write");
    let wrong = remote::read(
        &remote_config(&backend, TokenSource::File(work.path().join("wrong"))),
        None,
        None,
        false,
        &|_| {},
    )
    .unwrap_err();
    assert!(wrong.contains("401") && wrong.contains("token_file"), "{wrong}");
    let command = TokenSource::Command(format!("printf %s {}", backend.token));
    let ok = remote::read(&remote_config(&backend, command), None, None, false, &|_| {}).expect("token_command works");
    assert_eq!(ok.entities.len(), items.len());
    let secret_seen = [none, wrong].iter().any(|m| m.contains(&backend.token));
    assert!(!secret_seen, "tokens never appear in messages");
}

#[test]
fn register_shows_what_it_adds_then_adds_it() {
    let test = "register_shows_what_it_adds_then_adds_it";
    let catalog = tempfile::tempdir().expect("catalog dir");
    let Some(files) = fixture_catalog(test, catalog.path()) else { return };
    let Some(backend) = Backend::start(test, &files[..1], &[]) else { return };
    let config = remote_config(&backend, TokenSource::Command(format!("printf %s {}", backend.token)));
    let target = catalog.path().join("components/petstore-component.yaml");
    let target = target.to_string_lossy();
    let preview = remote::register(&config, &target, true).expect("dry run");
    assert!(preview.dry_run && preview.entities.contains(&"component:default/petstore".to_string()), "{preview:?}");
    let before: HashMap<String, Value> = backend.crawl().into_iter().map(|i| (item_ref(&i), i)).collect();
    assert!(!before.contains_key("component:default/petstore"), "a dry run registers nothing");
    let done = remote::register(&config, &target, false).expect("register");
    assert!(done.location.starts_with("file:"));
    backend
        .wait_until("the registered entity", |items| items.iter().any(|i| item_ref(i) == "component:default/petstore"));
    let again = remote::register(&config, &target, false).unwrap_err();
    assert!(again.contains("409"), "registering twice is a conflict: {again}");
}
