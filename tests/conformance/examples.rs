//! The examples' catalog: Location fan-out from `all.yaml` and `acme/org.yaml`,
//! its problems, and the relations Backstage derives from it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use stagehand::config::SourceKind;
use stagehand::index::Index;
use stagehand::index::build::build;
use stagehand::model::Severity;

/// Every entity `examples/all.yaml` fans out to, read off the files:
/// all.yaml -> all-ai-resources, all-apis, all-components, all-domains,
/// all-resources, all-systems (not all-environments, not acme/).
const ALL_YAML_REFS: &[&str] = &[
    // The Location files themselves.
    "location:default/example-all",
    "location:default/example-ai-resources",
    "location:default/example-apis",
    "location:default/example-components",
    "location:default/example-domains",
    "location:default/example-resources",
    "location:default/example-systems",
    // all-ai-resources.yaml (company-ai-marketplace.yaml is not listed).
    "airesource:default/frontend-design",
    "airesource:default/use-internal-apis",
    "airesource:default/code-review-plugin",
    // all-apis.yaml (spotify-api.yaml and swapi-graphql.yaml are listed but absent).
    "api:default/backstage-mcp-server",
    "api:default/local-inference-server",
    "api:default/hello-world",
    "api:default/hello-world-trpc",
    "api:default/petstore",
    "api:default/petstore-webhook",
    "api:default/streetlights",
    "api:default/wayback-archive",
    "api:default/wayback-search",
    // all-components.yaml (not different-namespace.yaml, not invalid-component.yaml).
    "component:default/artist-lookup",
    "component:default/petstore",
    "component:default/playback-order",
    "component:default/podcast-api",
    "component:default/queue-proxy",
    "component:default/searcher",
    "component:default/playback-sdk",
    "component:default/www-artist",
    "component:default/shuffle-api",
    "component:default/wayback-archive",
    "component:default/wayback-archive-ingestion",
    "component:default/wayback-archive-storage",
    "component:default/wayback-search",
    // all-domains.yaml
    "domain:default/audio",
    "domain:default/artists",
    "domain:default/playback",
    // all-resources.yaml
    "resource:default/artists-db",
    // all-systems.yaml
    "system:default/artist-engagement-portal",
    "system:default/audio-playback",
    "system:default/podcast",
];

/// What `all-apis.yaml` names: not stored, as two of its targets are missing
/// (and the wayback APIs, read where the targets are optional, are rejected
/// for their remote `$text` placeholders).
const ALL_APIS_REFS: &[&str] = &[
    "location:default/example-apis",
    "api:default/backstage-mcp-server",
    "api:default/local-inference-server",
    "api:default/hello-world",
    "api:default/hello-world-trpc",
    "api:default/petstore",
    "api:default/petstore-webhook",
    "api:default/streetlights",
    "api:default/wayback-archive",
    "api:default/wayback-search",
];

/// [`ALL_YAML_REFS`] that the catalog stores.
fn stored_all_yaml_refs() -> Vec<String> {
    sorted(ALL_YAML_REFS).into_iter().filter(|r| !ALL_APIS_REFS.contains(&r.as_str())).collect()
}

/// `refs` without what `all-apis.yaml` names.
fn without_apis(refs: Vec<String>) -> Vec<String> {
    refs.into_iter().filter(|r| !ALL_APIS_REFS.contains(&r.as_str())).collect()
}

/// A copy of the examples where `all-apis.yaml`'s targets are optional.
fn with_optional_apis(examples: &Path) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    copy(examples, &root);
    let apis = std::fs::read_to_string(root.join("all-apis.yaml")).unwrap();
    std::fs::write(root.join("all-apis.yaml"), apis.replace("spec:\n", "spec:\n  presence: optional\n")).unwrap();
    (tmp, root)
}

/// Every entity of `acme/org.yaml` and the group files its Location lists.
const ORG_YAML_REFS: &[&str] = &[
    "location:default/example-groups",
    "group:default/acme-corp",
    "group:default/infrastructure",
    "group:default/backstage",
    "group:default/boxoffice",
    "group:default/team-a",
    "group:default/team-b",
    "group:default/team-c",
    "group:default/team-d",
    "group:default/team-e",
    // team-a-group.yaml
    "user:default/breanna.davison",
    "user:default/janelle.dawe",
    "user:default/nigel.manning",
    "user:default/guest",
    "user:development/guest",
    // team-b-group.yaml
    "user:default/amelia.park",
    "user:default/colette.brock",
    "user:default/jenny.doe",
    "user:default/jonathon.page",
    "user:default/justine.barrow",
    // team-c-group.yaml
    "user:default/calum.leavy",
    "user:default/frank.tiernan",
    "user:default/peadar.macmahon",
    "user:default/sarah.gilroy",
    "user:default/tara.macgovern",
    // team-d-group.yaml
    "user:default/eva.macdowell",
    "user:default/lucy.sheehan",
];

fn all_yaml(examples: &Path) -> stagehand::config::SourceConfig {
    source("examples", SourceKind::File(examples.join("all.yaml")))
}

fn org_yaml(examples: &Path) -> stagehand::config::SourceConfig {
    source("acme", SourceKind::File(examples.join("acme/org.yaml")))
}

/// The catalog a default Backstage app registers: the examples and the org.
fn examples_and_org(examples: &Path) -> Index {
    let sources = [all_yaml(examples), org_yaml(examples)];
    let inputs = sources.iter().map(|s| input(s, Ok(read(s)))).collect();
    build(inputs, None, 1)
}

/// Location targets read with an independent YAML reader (serde), followed
/// recursively: (files that exist, files that do not).
fn location_closure(root: &Path) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
    let mut found = BTreeSet::new();
    let mut missing = BTreeSet::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(file) = todo.pop() {
        if !found.insert(file.clone()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).unwrap();
            if value.get("kind").and_then(|k| k.as_str()) != Some("Location") {
                continue;
            }
            let spec = &value["spec"];
            let mut targets: Vec<&str> = spec.get("target").and_then(|t| t.as_str()).into_iter().collect();
            if let Some(list) = spec.get("targets").and_then(|t| t.as_sequence()) {
                targets.extend(list.iter().filter_map(|t| t.as_str()));
            }
            for t in targets {
                let path = file.parent().unwrap().join(t.trim_start_matches("./"));
                if path.is_file() {
                    todo.push(path);
                } else {
                    missing.insert(path);
                }
            }
        }
    }
    (found, missing)
}

#[test]
fn all_yaml_fans_out_to_every_listed_entity() {
    let Some(fx) = fixtures("all_yaml_fans_out_to_every_listed_entity") else {
        return;
    };
    let examples = catalog_examples(&fx);
    let src = all_yaml(&examples);
    let output = read(&src);

    // Every file the Location fan-out names was read, and nothing else.
    let (files, missing) = location_closure(&examples.join("all.yaml"));
    // all-apis.yaml fails (targets missing): what it names is not read.
    let files: BTreeSet<PathBuf> = files.into_iter().filter(|f| !f.starts_with(examples.join("apis"))).collect();
    assert_eq!(output.files, files.len(), "files read");
    let read_files: BTreeSet<PathBuf> = output.entities.iter().map(|e| e.file.clone()).collect();
    let mut stored_files = files.clone();
    stored_files.remove(&examples.join("all-apis.yaml"));
    assert_eq!(read_files, stored_files, "every existing target yields its entities");
    let rejected: Vec<String> = output.rejected.iter().map(|r| r.read.entity.canonical_ref()).collect();
    assert_eq!(rejected, ["location:default/example-apis"]);
    assert_eq!(
        missing,
        BTreeSet::from([examples.join("apis/spotify-api.yaml"), examples.join("apis/swapi-graphql.yaml")])
    );

    let index = build(vec![input(&src, Ok(output))], None, 1);
    assert_eq!(refs(&index), stored_all_yaml_refs());
    for absent in [
        "component:alternative/different-namespace",
        "component:default/invalid component",
        "airesource:default/company-ai-tools",
        "environment:default/dev",
        "environment:default/prod",
    ] {
        assert!(index.find(absent).is_none(), "{absent} is not reachable from all.yaml");
    }

    // Entities keep their file, the line their document starts on, and the
    // Backstage location annotations.
    let petstore = entity(&index, "component:default/petstore");
    let summary = index.summary(petstore);
    assert!(summary.file.unwrap().ends_with("components/petstore-component.yaml"));
    assert_eq!(summary.line, 1);
    assert_eq!(index.source_name(petstore), "examples");
    let body = index.entity(petstore).unwrap();
    let petstore_file = examples.join("components/petstore-component.yaml");
    assert_eq!(
        body.annotation("backstage.io/managed-by-location"),
        Some(format!("file:{}", petstore_file.display()).as_str())
    );
    assert_eq!(
        body.annotation("backstage.io/managed-by-origin-location"),
        Some(format!("file:{}", examples.join("all.yaml").display()).as_str())
    );
}

#[test]
fn all_yaml_problems_are_the_missing_targets_and_remote_placeholders() {
    let Some(fx) = fixtures("all_yaml_problems_are_the_missing_targets_and_remote_placeholders") else {
        return;
    };
    let examples = catalog_examples(&fx);
    let index = index_of(&all_yaml(&examples));
    let mut got: Vec<(String, u32, u32, Severity, Option<String>)> = index
        .problems
        .iter()
        .map(|p| {
            let file = p.file.clone().unwrap_or_default();
            let file = file.strip_prefix(&format!("{}/", examples.display())).unwrap_or(&file).to_string();
            let pos = p.pos.expect("every problem here has a position");
            (file, pos.line, pos.col, p.severity, p.entity.clone())
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("all-apis.yaml".into(), 1, 1, Severity::Error, Some("location:default/example-apis".into())),
            ("all-apis.yaml".into(), 14, 7, Severity::Error, None),
            ("all-apis.yaml".into(), 16, 7, Severity::Error, None),
        ],
        "problems:\n{}",
        dump(&index.problems)
    );
    let message = |index: &Index, suffix: &str, line: u32| {
        index
            .problems
            .iter()
            .find(|p| p.file.as_deref().unwrap().ends_with(suffix) && p.pos.unwrap().line == line)
            .unwrap()
            .message
            .clone()
    };
    assert!(message(&index, "all-apis.yaml", 14).contains("`./apis/spotify-api.yaml` does not exist"));
    assert!(message(&index, "all-apis.yaml", 16).contains("`./apis/swapi-graphql.yaml` does not exist"));
    assert!(message(&index, "all-apis.yaml", 1).contains("`location:default/example-apis` is rejected"));
    assert!(index.problems.iter().all(|p| p.source.as_deref() == Some("examples")));

    let (_tmp, examples) = with_optional_apis(&examples);
    let index = index_of(&all_yaml(&examples));
    let message = |suffix: &str, line: u32| message(&index, suffix, line);

    // `$text` with an https URL: a local source does not fetch it. It is an
    // error on that entity, which is rejected with the placeholder left as
    // written (a remote source will have to resolve it).
    let m = message("wayback-archive-api.yaml", 11);
    assert!(m.starts_with("$text placeholder `https://github.com/APIs-guru/"), "{m}");
    assert!(m.contains("is a remote URL"), "{m}");
    let api = index.find_rejected("api:default/wayback-archive")[0].entity().unwrap();
    assert_eq!(
        api.spec().unwrap()["definition"],
        serde_json::json!({"$text": "https://github.com/APIs-guru/openapi-directory/blob/main/APIs/archive.org/wayback/1.0.0/openapi.yaml"})
    );
    let problems: Vec<&str> = index
        .problems
        .iter()
        .filter(|p| p.entity.as_deref() == Some("api:default/wayback-search"))
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(problems.len(), 2, "the placeholder, and the rejection: {problems:?}");

    // `$text` with a relative file is read: the definition is the file's text.
    let webhook = index.entity(entity(&index, "api:default/petstore-webhook")).unwrap();
    let oas = std::fs::read_to_string(examples.join("apis/petstore-webhook.oas.yaml")).unwrap();
    assert_eq!(webhook.spec().unwrap()["definition"].as_str(), Some(oas.as_str()));
    assert!(oas.contains("openapi: 3.1"), "the fixture is the OpenAPI 3.1 file");

    // API types that describe endpoints need no definition.
    for r in ["api:default/backstage-mcp-server", "api:default/local-inference-server"] {
        assert!(index.problems_of(entity(&index, r)).is_empty(), "{r}");
    }
}

#[test]
fn ownership_relations_both_ways() {
    let Some(fx) = fixtures("ownership_relations_both_ways") else {
        return;
    };
    let index = examples_and_org(&catalog_examples(&fx));
    assert_eq!(index.len(), stored_all_yaml_refs().len() + ORG_YAML_REFS.len());

    // owner: team-a (default kind Group, own namespace).
    assert_rel(&index, "component:default/artist-lookup", "ownedBy", "group:default/team-a");
    assert_rel(&index, "group:default/team-a", "ownerOf", "component:default/artist-lookup");
    // owner: acme-corp on a Domain.
    assert_rel(&index, "domain:default/audio", "ownedBy", "group:default/acme-corp");
    assert_rel(&index, "group:default/acme-corp", "ownerOf", "domain:default/audio");
    // owner: user:frank.tiernan (an explicit User owner).
    assert_rel(&index, "domain:default/playback", "ownedBy", "user:default/frank.tiernan");
    assert_rel(&index, "user:default/frank.tiernan", "ownerOf", "domain:default/playback");
    // owner: user:guest.
    assert_rel(&index, "component:default/searcher", "ownedBy", "user:default/guest");
    assert_rel(&index, "user:default/guest", "ownerOf", "component:default/searcher");
    assert_eq!(
        targets(&index, "user:default/guest", "ownerOf"),
        sorted(&["component:default/searcher", "component:default/shuffle-api"])
    );
    assert_eq!(
        targets(&index, "group:default/team-c", "ownerOf"),
        without_apis(sorted(&[
            "api:default/hello-world",
            "api:default/hello-world-trpc",
            "api:default/petstore",
            "api:default/petstore-webhook",
            "api:default/streetlights",
            "component:default/petstore",
            "component:default/playback-sdk",
            "system:default/audio-playback",
        ])),
    );

    // playback-order says `owner: guest`: the default kind is Group, and there
    // is no group `guest` (only a user). The relation is kept, dangling.
    assert_eq!(relation(&index, "component:default/playback-order", "ownedBy", "group:default/guest"), Some(false));
    assert!(index.find("group:default/guest").is_none());
    assert!(
        (index.len()..index.refs_len()).any(|r| index.ref_of(r as u32) == "group:default/guest"),
        "kept as a dangling target"
    );
    assert_no_rel(&index, "user:default/guest", "ownerOf", "component:default/playback-order");
    let summary = index.summary(entity(&index, "component:default/playback-order"));
    assert_eq!(summary.owner, Some("group:default/guest"));
    // The stored body carries the relations too, as Backstage writes them.
    let body = index.entity(entity(&index, "component:default/playback-order")).unwrap();
    assert!(body.relations().iter().any(|r| r.kind == "ownedBy" && r.target == "group:default/guest"));
}

#[test]
fn system_domain_api_and_subcomponent_relations() {
    let Some(fx) = fixtures("system_domain_api_and_subcomponent_relations") else {
        return;
    };
    let (_tmp, examples) = with_optional_apis(&catalog_examples(&fx));
    let index = examples_and_org(&examples);

    // spec.system: partOf / hasPart.
    assert_rel(&index, "component:default/podcast-api", "partOf", "system:default/podcast");
    assert_eq!(
        targets(&index, "system:default/podcast", "hasPart"),
        sorted(&["component:default/podcast-api", "component:default/queue-proxy"])
    );
    assert_rel(&index, "resource:default/artists-db", "partOf", "system:default/artist-engagement-portal");
    assert_eq!(
        targets(&index, "system:default/artist-engagement-portal", "hasPart"),
        sorted(&["component:default/artist-lookup", "component:default/www-artist", "resource:default/artists-db"])
    );

    // System.domain: partOf / hasPart.
    assert_rel(&index, "system:default/audio-playback", "partOf", "domain:default/playback");
    assert_eq!(
        targets(&index, "domain:default/playback", "hasPart"),
        sorted(&["system:default/audio-playback", "system:default/podcast"])
    );
    // Domain.subdomainOf: partOf / hasPart.
    assert_rel(&index, "domain:default/artists", "partOf", "domain:default/audio");
    assert_rel(&index, "domain:default/audio", "hasPart", "domain:default/artists");

    // Component.subcomponentOf (default kind Component, not the API of the same name).
    assert_rel(&index, "component:default/wayback-archive-ingestion", "partOf", "component:default/wayback-archive");
    assert_eq!(
        targets(&index, "component:default/wayback-archive", "hasPart"),
        sorted(&["component:default/wayback-archive-ingestion", "component:default/wayback-archive-storage"])
    );
    assert!(index.find("api:default/wayback-archive").is_none(), "rejected: its `$text` is a remote URL");

    // providesApis / consumesApis (default kind API).
    assert_eq!(
        targets(&index, "component:default/petstore", "providesApi"),
        sorted(&["api:default/hello-world", "api:default/petstore", "api:default/streetlights"])
    );
    assert_rel(&index, "api:default/streetlights", "apiProvidedBy", "component:default/petstore");
    // A relation to a rejected entity dangles, as in Backstage.
    assert_eq!(
        relation(&index, "component:default/wayback-search", "consumesApi", "api:default/wayback-archive"),
        Some(false)
    );
    assert_eq!(
        relation(&index, "component:default/wayback-archive", "providesApi", "api:default/wayback-archive"),
        Some(false)
    );
    assert!(targets(&index, "api:default/petstore-webhook", "apiProvidedBy").is_empty());

    // No fixture uses dependsOn / dependencyOf.
    for i in 0..index.len() as u32 {
        assert!(
            index.relations(i).iter().all(|r| r.kind != "dependsOn" && r.kind != "dependencyOf"),
            "{}",
            index.ref_of(i)
        );
    }

    // AiResource is not a built-in kind: its owner/system make no relation,
    // the way Backstage's built-in kinds processor leaves unknown kinds alone.
    assert!(relations(&index, "airesource:default/code-review-plugin").is_empty());
    assert!(
        targets(&index, "system:default/artist-engagement-portal", "hasPart")
            .iter()
            .all(|t| !t.starts_with("airesource:"))
    );
    // Locations have no relations either.
    assert!(relations(&index, "location:default/example-all").is_empty());

    // Every relation has its inverse on the other side when both exist.
    let mut checked = 0;
    for i in 0..index.len() as u32 {
        for r in index.relations(i) {
            let Some(target) = r.entity else { continue };
            let inverse = stagehand::model::relations::types::inverse(r.kind).unwrap();
            assert!(
                index.relations(target).iter().any(|b| b.kind == inverse && b.entity == Some(i)),
                "{} -{}-> {} has no inverse {inverse}",
                index.ref_of(i),
                r.kind,
                r.target
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn depends_on_both_ways_onto_fixture_entities() {
    let Some(fx) = fixtures("depends_on_both_ways_onto_fixture_entities") else {
        return;
    };
    // The fixtures have no dependsOn; a second source adds one onto them.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: artist-indexer\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: [resource:artists-db, component:default/artist-lookup]\n  dependencyOf: [component:www-artist]\n",
    );
    let sources = [all_yaml(&catalog_examples(&fx)), source("extra", SourceKind::Dir(tmp.path().to_path_buf()))];
    let index = build(sources.iter().map(|s| input(s, Ok(read(s)))).collect(), None, 1);
    let me = "component:default/artist-indexer";
    assert_rel(&index, me, "dependsOn", "resource:default/artists-db");
    assert_rel(&index, "resource:default/artists-db", "dependencyOf", me);
    assert_rel(&index, me, "dependsOn", "component:default/artist-lookup");
    assert_rel(&index, "component:default/artist-lookup", "dependencyOf", me);
    // dependencyOf: the target depends on the source.
    assert_rel(&index, me, "dependencyOf", "component:default/www-artist");
    assert_rel(&index, "component:default/www-artist", "dependsOn", me);
    assert_eq!(index.source_name(entity(&index, me)), "extra");
}

#[test]
fn acme_org_groups_users_and_membership() {
    let Some(fx) = fixtures("acme_org_groups_users_and_membership") else {
        return;
    };
    let index = index_of(&org_yaml(&catalog_examples(&fx)));
    assert_eq!(refs(&index), sorted(ORG_YAML_REFS));
    assert!(index.problems.is_empty(), "{}", dump(&index.problems));

    // team-a has no spec.members: its members come from the users' memberOf,
    // including a user in another namespace (`memberOf: [group:default/team-a]`).
    assert_eq!(
        targets(&index, "group:default/team-a", "hasMember"),
        sorted(&[
            "user:default/breanna.davison",
            "user:default/guest",
            "user:default/janelle.dawe",
            "user:default/nigel.manning",
            "user:development/guest",
        ])
    );
    assert_rel(&index, "user:development/guest", "memberOf", "group:default/team-a");
    assert_rel(&index, "user:default/guest", "memberOf", "group:default/team-a");
    assert_eq!(targets(&index, "user:development/guest", "memberOf"), vec!["group:default/team-a".to_string()]);
    assert_eq!(targets(&index, "group:default/team-d", "hasMember").len(), 2);
    assert!(targets(&index, "group:default/team-e", "hasMember").is_empty());

    // The hierarchy, declared from both sides (parent and children): one
    // relation each way, not two.
    assert_eq!(
        targets(&index, "group:default/acme-corp", "parentOf"),
        vec!["group:default/infrastructure".to_string()]
    );
    assert_eq!(targets(&index, "group:default/infrastructure", "childOf"), vec!["group:default/acme-corp".to_string()]);
    assert_eq!(
        targets(&index, "group:default/backstage", "parentOf"),
        sorted(&["group:default/team-a", "group:default/team-b"])
    );
    assert_rel(&index, "group:default/team-b", "childOf", "group:default/backstage");
    assert!(targets(&index, "group:default/acme-corp", "childOf").is_empty());

    // team-e names `parent: boxoffice`, but boxoffice's `children` omits it.
    // Each side's own spec field makes both directions, so the relations are
    // symmetric anyway: boxoffice parentOf team-e comes from team-e's parent.
    // The asymmetry is only in the spec.
    let boxoffice = index.entity(entity(&index, "group:default/boxoffice")).unwrap();
    assert_eq!(boxoffice.spec().unwrap()["children"], serde_json::json!(["team-c", "team-d"]));
    let team_e = index.entity(entity(&index, "group:default/team-e")).unwrap();
    assert_eq!(team_e.spec_str("parent"), Some("boxoffice"));
    assert_eq!(team_e.spec().unwrap()["children"], serde_json::json!([]));
    assert_rel(&index, "group:default/team-e", "childOf", "group:default/boxoffice");
    assert_rel(&index, "group:default/boxoffice", "parentOf", "group:default/team-e");
    assert_eq!(
        targets(&index, "group:default/boxoffice", "parentOf"),
        sorted(&["group:default/team-c", "group:default/team-d", "group:default/team-e"])
    );
    assert!(targets(&index, "group:default/team-e", "parentOf").is_empty());
    // No relation points at a group that is missing.
    for i in 0..index.len() as u32 {
        assert!(index.relations(i).iter().all(|r| r.entity.is_some()), "{}", index.ref_of(i));
    }
}
