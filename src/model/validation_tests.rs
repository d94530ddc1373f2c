//! Unit tests of `validation.rs`.

use super::*;
use crate::model::yaml::{Limits, load_single, load_stream};

fn node(text: &str) -> Node {
    load_single(text, Limits::default()).unwrap().unwrap()
}

fn problems(text: &str) -> Vec<Problem> {
    validate_entity(&node(text), "test.yaml")
}

fn errors(text: &str) -> Vec<Problem> {
    problems(text).into_iter().filter(|p| p.severity == Severity::Error).collect()
}

/// The single error, with its position.
fn one_error(text: &str) -> (Pos, String) {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    (errors[0].pos.unwrap(), errors[0].message.clone())
}

fn at(line: u32, col: u32) -> Pos {
    Pos { line, col }
}

const COMPONENT: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: petstore
  namespace: pets
  labels:
    backstage.io/tier: gold
    empty: ''
  annotations:
    github.com/project-slug: acme/petstore
  tags: [java, c++, 'lang:go']
  links:
    - url: https://example.com/dash
      title: Dashboard
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: pets
  providesApis: [petstore-api]
  dependsOn: ['resource:db', 'component:other/lib']
";

fn component_with(metadata_extra: &str, spec_extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\n{metadata_extra}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{spec_extra}"
    )
}

#[test]
fn a_valid_component_has_no_problems() {
    assert_eq!(problems(COMPONENT), vec![]);
    assert!(!is_fatal(&node(COMPONENT)));
}

#[test]
fn problems_carry_file_position_and_entity() {
    let p = &problems(&component_with("", "  system: ''\n"))[0];
    assert_eq!(p.file.as_deref(), Some("test.yaml"));
    assert_eq!(p.pos, Some(at(9, 11)));
    assert_eq!(p.entity.as_deref(), Some("component:default/c"));
    assert_eq!(p.message, "`spec.system` must not be empty: write a non-empty string");
}

#[test]
fn naming_rules_report_the_value_and_position() {
    let (pos, msg) = one_error(&COMPONENT.replace("name: petstore", "name: Bad Name!"));
    assert_eq!(pos, at(4, 9));
    assert_eq!(
        msg,
        "metadata.name `Bad Name!` is invalid: use 1-63 characters, letters, digits, `-`, `_` and `.`, \
             starting and ending with a letter or digit"
    );

    let (pos, msg) = one_error(&COMPONENT.replace("namespace: pets", "namespace: Pets--x"));
    assert_eq!(pos, at(5, 14));
    assert!(msg.starts_with("metadata.namespace `Pets--x` is invalid: use 1-63 lowercase"), "{msg}");

    let (pos, msg) = one_error(&COMPONENT.replace("kind: Component", "kind: 9lives"));
    assert_eq!(pos, at(2, 7));
    assert!(msg.starts_with("kind `9lives` is invalid"), "{msg}");

    let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "Backstage.io/v1alpha1"));
    assert_eq!(pos, at(1, 13));
    assert!(msg.contains("apiVersion `Backstage.io/v1alpha1` is invalid"), "{msg}");
    let (_, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "a/b/c"));
    assert!(msg.contains("`a/b/c` is invalid"), "{msg}");

    let (pos, msg) = one_error(&COMPONENT.replace("[java, c++", "[java, C++"));
    assert_eq!(pos, at(11, 16));
    assert!(msg.starts_with("tag `C++` is invalid: use 1-63 lowercase"), "{msg}");

    let (pos, msg) = one_error(&COMPONENT.replace("empty: ''", "empty: -bad"));
    assert_eq!(pos, at(8, 12));
    assert!(msg.starts_with("label `empty` value `-bad` is invalid: use an empty string"), "{msg}");
}

#[test]
fn label_and_annotation_keys_may_have_a_dns_prefix() {
    assert!(is_valid_key("backstage.io/tier"));
    assert!(is_valid_key("goVersion"));
    assert!(!is_valid_key("Backstage.io/tier"));
    assert!(!is_valid_key("a/b/c"));
    assert!(!is_valid_key("backstage..io/x"));
    let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/tier", "Acme.com/tier"));
    assert_eq!(pos, at(7, 5));
    assert!(msg.starts_with("label key `Acme.com/tier` is invalid: use `[prefix/]name`"), "{msg}");
    let (pos, msg) = one_error(&COMPONENT.replace("github.com/project-slug", "github.com/"));
    assert_eq!(pos, at(10, 5));
    assert!(msg.starts_with("annotation key `github.com/` is invalid"), "{msg}");
    // Annotation values may be any string, but must be strings.
    assert_eq!(errors(&COMPONENT.replace("acme/petstore", "'any thing! at all'")), vec![]);
    let (pos, msg) = one_error(&COMPONENT.replace("acme/petstore", "42"));
    assert_eq!(pos, at(10, 30));
    assert_eq!(
        msg,
        "`metadata.annotations.github.com/project-slug` must be a string, found a number: \
             quote the value to make it a string"
    );
}

#[test]
fn names_of_63_characters_are_valid_and_64_are_not() {
    let ok = "a".repeat(63);
    assert_eq!(errors(&COMPONENT.replace("name: petstore", &format!("name: {ok}"))), vec![]);
    let long = "a".repeat(64);
    let (pos, msg) = one_error(&COMPONENT.replace("name: petstore", &format!("name: {long}")));
    assert_eq!(pos, at(4, 9));
    assert!(msg.contains("is invalid (64 characters, at most 63)"), "{msg}");
}

#[test]
fn links_need_a_valid_url() {
    let (pos, msg) = one_error(&COMPONENT.replace("https://example.com/dash", "not a url"));
    assert_eq!(pos, at(13, 12));
    assert!(msg.starts_with("`metadata.links[0].url` `not a url` is not a valid URL"), "{msg}");
    let (pos, msg) = one_error(&COMPONENT.replace("    - url: https://example.com/dash\n", "    - icon: x\n"));
    assert_eq!(pos, at(13, 7));
    assert!(msg.starts_with("`metadata.links[0].url` is missing"), "{msg}");
}

#[test]
fn wrong_types_in_spec_fields() {
    let (pos, msg) = one_error(&COMPONENT.replace("owner: team-a", "owner: [team-a]"));
    assert_eq!(pos, at(18, 10));
    assert_eq!(msg, "`spec.owner` must be a string, found a list");
    let (pos, msg) = one_error(&COMPONENT.replace("providesApis: [petstore-api]", "providesApis: petstore-api"));
    assert_eq!(pos, at(20, 17));
    assert_eq!(msg, "`spec.providesApis` must be a list, found a string");
    let (pos, msg) = one_error(&COMPONENT.replace("lifecycle: production", "lifecycle:"));
    assert_eq!(pos.line, 17);
    assert_eq!(msg, "`spec.lifecycle` has no value: it must be a string");
    let (pos, msg) = one_error(&COMPONENT.replace("  type: service\n", ""));
    assert_eq!(pos, at(16, 3));
    assert_eq!(msg, "`spec.type` is missing: kind Component requires it (a non-empty string)");
    let (pos, msg) = one_error(&component_with("", "  system: {a: 1}\n"));
    assert_eq!(pos, at(9, 11));
    assert_eq!(msg, "`spec.system` must be a string, found a mapping");
}

#[test]
fn depends_on_needs_a_kind() {
    let (pos, msg) = one_error(&COMPONENT.replace("'resource:db'", "db"));
    assert_eq!(pos, at(21, 15));
    assert_eq!(
        msg,
        "`spec.dependsOn[0]` is not a valid reference: entity reference `db` needs a kind, e.g. `component:db`"
    );
    let (_, msg) = one_error(&COMPONENT.replace("owner: team-a", "owner: 'group:/x'"));
    assert!(msg.contains("empty namespace") && msg.contains("[kind:][namespace/]name"), "{msg}");
}

#[test]
fn envelope_problems() {
    let (pos, msg) = one_error("- a\n- b\n");
    assert_eq!(pos, at(1, 1));
    assert!(msg.contains("found a list"), "{msg}");
    assert!(is_fatal(&node("- a\n")));

    let text = "apiVersion: backstage.io/v1alpha1\nkind: Thing\nmetadata:\n  title: x\n";
    let (pos, msg) = one_error(text);
    assert_eq!(pos, at(4, 3));
    assert_eq!(msg, "`metadata.name` is missing: every entity needs a name");
    assert!(is_fatal(&node(text)));
    assert_eq!(errors(text)[0].entity, None);

    let text = "metadata: {name: x}\nspec: []\nrelations: []\nextra: 1\n";
    let all = problems(text);
    let messages: Vec<_> = all.iter().map(|p| (p.severity, p.pos.unwrap().line, p.message.as_str())).collect();
    assert!(messages.iter().any(|m| m.0 == Severity::Warning && m.1 == 3 && m.2.contains("written by the catalog")));
    assert!(messages.iter().any(|m| m.1 == 4 && m.2.starts_with("unknown top-level field `extra`")));
    assert!(messages.iter().any(|m| m.2.starts_with("`apiVersion` is missing")));
    assert!(messages.iter().any(|m| m.2.starts_with("`kind` is missing")));
    assert!(messages.iter().any(|m| m.2 == "`spec` must be a mapping, found a list"));
    assert!(is_fatal(&node(text)));
}

#[test]
fn unknown_kinds_get_only_envelope_rules() {
    let text = "apiVersion: example.com/v1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n  owner: [x]\n";
    assert_eq!(problems(text), vec![]);
    let lower = problems(&COMPONENT.replace("kind: Component", "kind: component"));
    assert_eq!(lower.len(), 1);
    assert_eq!(lower[0].severity, Severity::Warning);
    assert!(lower[0].message.contains("write `Component`"));
}

#[test]
fn known_kinds_check_api_version_and_spec() {
    let (pos, msg) = one_error(&COMPONENT.replace("backstage.io/v1alpha1", "backstage.io/v2"));
    assert_eq!(pos, at(1, 13));
    assert_eq!(
        msg,
        "apiVersion `backstage.io/v2` is not accepted for kind Component: use `backstage.io/v1alpha1` or `backstage.io/v1beta1`"
    );
    let (pos, msg) = one_error("apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: s\n");
    assert_eq!(pos, at(1, 1));
    assert_eq!(msg, "`spec` is missing: kind System needs a `spec` mapping");
}

#[test]
fn api_definitions() {
    let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n";
    let (pos, msg) = one_error(api);
    assert_eq!(pos, at(6, 3));
    assert!(msg.starts_with("`spec.definition` is missing"), "{msg}");
    assert_eq!(problems(&format!("{api}  definition:\n    $text: ./openapi.yaml\n")), vec![]);
    let (_, msg) = one_error(&format!("{api}  definition:\n    $json: ./openapi.json\n"));
    assert!(msg.contains("found a `$json` placeholder"), "{msg}");
    let mcp = api.replace("type: openapi", "type: mcp-server")
        + "  remotes:\n    - type: streamable-http\n      url: http://localhost:7007/api/mcp/v1\n";
    assert_eq!(problems(&mcp), vec![]);
}

#[test]
fn location_presence() {
    let loc = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml]\n";
    assert_eq!(problems(&format!("{loc}  presence: optional\n")), vec![]);
    let (pos, msg) = one_error(&format!("{loc}  presence: maybe\n"));
    assert_eq!(pos, at(7, 13));
    assert_eq!(msg, "`spec.presence` `maybe` is invalid: use `required` or `optional`");
    let (pos, msg) = one_error(&format!("{loc}  target: [x]\n"));
    assert_eq!(pos, at(7, 11));
    assert_eq!(msg, "`spec.target` must be a string, found a list");
}

#[test]
fn groups_users_and_templates() {
    let group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n  children: []\n  members: [jo, 3]\n";
    let (pos, msg) = one_error(group);
    assert_eq!(pos, at(8, 17));
    assert!(msg.starts_with("`spec.members[1]` must be a string, found a number"), "{msg}");
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jo\nspec:\n  profile: {email: 1}\n";
    let messages: Vec<_> = errors(user).into_iter().map(|p| p.message).collect();
    assert!(messages.iter().any(|m| m.starts_with("`spec.memberOf` is missing")));
    assert!(messages.iter().any(|m| m.starts_with("`spec.profile.email` must be a string")));

    let template = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: service\n  parameters: [{title: A}]\n  steps:\n    - id: fetch\n      action: fetch:template\n    - name: Publish\n";
    let (pos, msg) = one_error(template);
    assert_eq!(pos, at(11, 7));
    assert!(msg.starts_with("`spec.steps[1].action` is missing"), "{msg}");
    let old = template.replace("scaffolder.backstage.io/v1beta3", "backstage.io/v1beta2");
    assert!(problems(&old).iter().any(|p| p.severity == Severity::Warning && p.message.contains("old format")));
}

fn examples_dir() -> Option<std::path::PathBuf> {
    let dir =
        std::path::PathBuf::from("/work/shared/fixtures/backstage-examples/backstage/packages/catalog-model/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: {} is absent", dir.display());
        None
    }
}

#[test]
fn the_real_invalid_component_fixture() {
    let Some(dir) = examples_dir() else { return };
    let path = dir.join("components/invalid-component.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let problems = validate_entity(&node(&text), "invalid-component.yaml");
    let found: Vec<_> = problems.iter().map(|p| (p.severity, p.pos.unwrap(), p.message.as_str())).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, Severity::Error);
    assert_eq!(found[0].1, at(4, 9));
    assert!(found[0].2.starts_with("metadata.name `invalid component` is invalid"));
    assert_eq!(found[1].1, at(11, 7));
    assert!(found[1].2.starts_with("tag `go 1.15.3` is invalid"));
    assert_eq!(problems[0].entity.as_deref(), Some("component:default/invalid component"));
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_real_example_validates() {
    let Some(dir) = examples_dir() else { return };
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        !matches!(name, "invalid-component.yaml" | "petstore-webhook.oas.yaml")
    });
    assert!(files.len() > 40, "expected the example files, found {}", files.len());
    let mut documents = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let stream = load_stream(&text, Limits::default());
        assert!(stream.error.is_none(), "{}: {:?}", file.display(), stream.error);
        for doc in stream.documents {
            let Some(root) = doc.root else { continue };
            documents += 1;
            let name = file.display().to_string();
            let errors: Vec<_> =
                validate_entity(&root, &name).into_iter().filter(|p| p.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "{errors:#?}");
            assert!(!is_fatal(&root), "{name}");
        }
    }
    assert!(documents > 60, "{documents}");
}
