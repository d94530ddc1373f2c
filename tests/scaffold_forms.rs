//! Form tests over bui-kitchen-sink-demo (every field type is recognised
//! and validates) and conditional-parameters-demo (pages appear with their
//! `if:`), plus the demo's dependencies (`oneOf`).

mod common;

use serde_json::{Map, Value as Json, json};
use stagehand::scaffold::fields::{FieldKind, PickerKind};
use stagehand::scaffold::form::apply_defaults;
use stagehand::scaffold::validate::check_field;
use stagehand::scaffold::{Template, values};

fn sample(name: &str) -> Option<Template> {
    let fixtures = common::fixtures(name)?;
    let path = fixtures.join(format!("backstage/plugins/scaffolder-backend/sample-templates/{name}/template.yaml"));
    Some(Template::from_file(&path).unwrap())
}

#[test]
fn kitchen_sink_every_field_kind_is_recognised() {
    let Some(t) = sample("bui-kitchen-sink-demo") else { return };
    let fields = values::all_fields(&t, &Map::new());
    let kind = |key: &str| {
        fields.iter().find(|f| f.key() == key).map(|f| f.kind.clone()).unwrap_or_else(|| panic!("no {key}"))
    };
    assert_eq!(kind("name"), FieldKind::Text { multiline: false, password: false });
    assert_eq!(kind("description"), FieldKind::Text { multiline: true, password: false });
    assert_eq!(kind("password"), FieldKind::Text { multiline: false, password: true });
    assert_eq!(kind("secret"), FieldKind::Hidden);
    assert_eq!(kind("replicas"), FieldKind::Number { integer: true });
    assert_eq!(kind("confidence"), FieldKind::Number { integer: false });
    assert_eq!(kind("enabled"), FieldKind::Boolean);
    assert!(matches!(kind("consent"), FieldKind::Select { radio: true, .. }));
    assert!(matches!(kind("environment"), FieldKind::Select { radio: false, .. }));
    assert!(matches!(kind("region"), FieldKind::Select { radio: true, .. }));
    assert!(matches!(kind("features"), FieldKind::MultiSelect { .. }));
    assert_eq!(kind("tags"), FieldKind::StringList);
    assert_eq!(kind("owner.displayName"), FieldKind::Text { multiline: false, password: false });
    assert_eq!(kind("contacts"), FieldKind::ObjectList);
    assert_eq!(kind("componentName"), FieldKind::EntityName);
    assert_eq!(kind("ownerRef"), FieldKind::Picker(PickerKind::Owner));
    assert_eq!(kind("relatedEntity"), FieldKind::Picker(PickerKind::Entity));
    assert_eq!(kind("relatedEntities"), FieldKind::MultiPicker);
    assert_eq!(kind("myGroups"), FieldKind::Picker(PickerKind::MyGroups));
    assert_eq!(kind("ownedEntity"), FieldKind::Picker(PickerKind::OwnedEntity));
    assert_eq!(kind("entityTags"), FieldKind::Tags);
    assert_eq!(kind("repoUrl"), FieldKind::RepoUrl);
    assert_eq!(kind("deployToken"), FieldKind::Secret);
    assert!(fields.iter().find(|f| f.key() == "deployToken").unwrap().masked());
    assert!(fields.iter().find(|f| f.key() == "password").unwrap().masked());
}

#[test]
fn kitchen_sink_validates_as_typed() {
    let Some(t) = sample("bui-kitchen-sink-demo") else { return };
    let fields = values::all_fields(&t, &Map::new());
    let field = |key: &str| fields.iter().find(|f| f.key() == key).unwrap().clone();
    let cases: [(&str, Json, bool); 26] = [
        ("name", json!(""), false),
        ("name", json!("ok"), true),
        ("email", json!("not-an-email"), false),
        ("email", json!("a@example.com"), true),
        ("website", json!("example.com"), false),
        ("website", json!("https://example.com"), true),
        ("replicas", json!(0), false),
        ("replicas", json!(11), false),
        ("replicas", json!(4), true),
        ("confidence", json!(100.5), false),
        ("environment", json!("qa"), false),
        ("startDate", json!("2024-13-01"), false),
        ("startDate", json!("2024-12-01"), true),
        ("startDateTime", json!("2024-12-01T25:00:00Z"), false),
        ("startDateTime", json!("2024-12-01Tlater"), false),
        ("startDateTime", json!("2024-12-01T09:30:00Z"), true),
        ("cutoffTime", json!("25:61:00"), false),
        ("cutoffTime", json!("12:61:00"), false),
        ("cutoffTime", json!("23:59:59"), true),
        ("readme", json!("./README.md"), false),
        ("readme", json!("data:text/markdown;name=README.md;base64,aGk="), true),
        ("features", json!(["logging", "nope"]), false),
        ("features", json!(["logging", "tracing"]), true),
        ("componentName", json!("-bad-"), false),
        ("repoUrl", json!("bitbucket.org?workspace=w&project=p&repo=r"), false),
        ("repoUrl", json!("github.com?owner=o&repo=r"), true),
    ];
    for (key, value, ok) in cases {
        let result = check_field(&field(key), Some(&value));
        assert_eq!(result.is_none(), ok, "{key} = {value}: {result:?}");
    }
    let mut params = Map::new();
    apply_defaults(&t.pages, &mut params);
    assert_eq!(params.get("replicas"), Some(&json!(3)));
    assert_eq!(params.get("secret"), Some(&json!("hidden-default-value")), "hidden fields keep their default");
    let missing: Vec<String> = values::problems(&t, &params, &Map::new()).into_iter().map(|(_, e)| e.key).collect();
    assert_eq!(missing, ["name", "email", "owner.displayName"]);
}

#[test]
fn conditional_pages_follow_earlier_answers() {
    let Some(t) = sample("conditional-parameters-demo") else { return };
    let titles = |v: &Map<String, Json>| -> Vec<String> {
        values::visible_pages(&t, v).into_iter().map(|i| t.pages[i].title.clone()).collect()
    };
    let mut v = Map::new();
    assert_eq!(titles(&v), ["Choose Cloud Provider", "Advanced Options"]);
    v.insert("cloudProvider".into(), json!("GCP"));
    assert_eq!(titles(&v), ["Choose Cloud Provider", "GCP Configuration", "Advanced Options"]);
    v.insert("enableMonitoring".into(), json!(true));
    assert_eq!(titles(&v).last().map(String::as_str), Some("Monitoring Configuration"));
    v.insert("name".into(), json!("x"));
    let missing: Vec<String> = values::problems(&t, &v, &Map::new()).into_iter().map(|(_, e)| e.key).collect();
    assert_eq!(missing, ["gcpProjectId"], "only visible pages are checked");
    v.insert("cloudProvider".into(), json!("AWS"));
    let missing: Vec<String> = values::problems(&t, &v, &Map::new()).into_iter().map(|(_, e)| e.key).collect();
    assert_eq!(missing, ["awsRegion"]);
}

#[test]
fn demo_dependencies_add_fields_as_values_change() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/catalog/templates/go-service/template.yaml");
    let t = Template::from_file(std::path::Path::new(path)).unwrap();
    let page = &t.pages[1];
    let keys = |v: &Map<String, Json>| page.fields(v).iter().map(|f| f.key()).collect::<Vec<_>>();
    let mut v = Map::new();
    apply_defaults(&t.pages, &mut v);
    assert!(!keys(&v).contains(&"dbSize".to_string()));
    v.insert("database".into(), json!("postgres"));
    v.insert("exposeApi".into(), json!(true));
    let shown = keys(&v);
    assert!(shown.contains(&"dbSize".into()) && shown.contains(&"apiVisibility".into()), "{shown:?}");
    let api = page.fields(&v).into_iter().find(|f| f.key() == "apiVisibility").unwrap();
    assert!(matches!(api.kind, FieldKind::Select { radio: true, .. }));
}

#[test]
fn kitchen_sink_contacts_are_checked_item_by_item() {
    let Some(t) = sample("bui-kitchen-sink-demo") else { return };
    let mut params = json!({"name": "n", "email": "a@example.com", "owner": {"displayName": "o"},
        "contacts": [{"name": "Ann", "role": "Engineer"}, {"role": "CEO"}]})
    .as_object()
    .unwrap()
    .clone();
    apply_defaults(&t.pages, &mut params);
    let problems: Vec<(String, String)> =
        values::problems(&t, &params, &Map::new()).into_iter().map(|(_, e)| (e.key, e.message)).collect();
    let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["contacts.1.name", "contacts.1.role"], "{problems:?}");
    assert!(problems[1].1.contains("PM, Engineer, Designer"), "{problems:?}");
}
