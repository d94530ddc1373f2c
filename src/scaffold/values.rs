//! Values from outside the wizard: a values file, `--set key=value`
//! (converted by the field's type), which pages apply, and what is still
//! missing or invalid before a run.

use serde_json::{Map, Value as Json};

use super::expr::{Engine, Syntax};
use super::fields::FieldKind;
use super::form::{Field, get_path, set_path};
use super::template::Template;
use super::validate::{FieldError, check_page};

/// Reads a YAML or JSON file of values (a mapping).
pub fn read_values_file(path: &std::path::Path) -> Result<Map<String, Json>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let value: Json = serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    match value {
        Json::Object(m) => Ok(m),
        Json::Null => Ok(Map::new()),
        _ => Err(format!("{}: values must be a mapping of parameter names to values", path.display())),
    }
}

/// Every field of every page for these values.
pub fn all_fields(template: &Template, values: &Map<String, Json>) -> Vec<Field> {
    template.pages.iter().flat_map(|p| p.fields(values)).collect()
}

/// Converts typed text to a value for `field`.
pub fn parse_for(field: Option<&Field>, text: &str) -> Result<Json, String> {
    let json_like = text.starts_with('[') || text.starts_with('{');
    let list = |t: &str| -> Json {
        if t.starts_with('[') {
            serde_json::from_str(t).unwrap_or_else(|_| Json::Array(vec![Json::String(t.into())]))
        } else {
            Json::Array(t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Json::String(s.into())).collect())
        }
    };
    let Some(field) = field else {
        return Ok(if json_like {
            serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.into()))
        } else {
            Json::String(text.into())
        });
    };
    match &field.kind {
        FieldKind::Number { integer } => {
            let n: f64 = text.trim().parse().map_err(|_| format!("{}: `{text}` is not a number", field.key()))?;
            if *integer && n.fract() == 0.0 && n.abs() < 9e15 {
                Ok(Json::from(n as i64))
            } else {
                serde_json::Number::from_f64(n)
                    .map(Json::Number)
                    .ok_or_else(|| format!("{}: `{text}` is not a number", field.key()))
            }
        }
        FieldKind::Boolean => match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => Ok(Json::Bool(true)),
            "false" | "no" | "n" | "0" | "off" | "" => Ok(Json::Bool(false)),
            _ => Err(format!("{}: `{text}` is not true or false", field.key())),
        },
        FieldKind::Select { options, .. } => Ok(options
            .iter()
            .find(|(v, label)| super::fields::plain(v) == text || label == text)
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| Json::String(text.into()))),
        FieldKind::MultiSelect { .. } | FieldKind::StringList | FieldKind::Tags | FieldKind::MultiPicker => {
            Ok(list(text))
        }
        FieldKind::Json | FieldKind::ObjectList => {
            serde_json::from_str(text).map_err(|e| format!("{}: not JSON: {e}", field.key()))
        }
        _ => match field.schema.get("format").and_then(Json::as_str) {
            Some("time") => Ok(Json::String(super::formats::normalize_time(text))),
            Some("data-url") if !super::formats::is_data_url(text) => {
                let path = std::path::Path::new(text.trim());
                super::formats::data_url_from_file(path).map(Json::String).map_err(|e| format!("{}: {e}", field.key()))
            }
            _ => Ok(Json::String(text.into())),
        },
    }
}

/// Every parameter key a template can show, whatever the values: the
/// properties of every page, of nested objects (`owner.name`) and of every
/// `dependencies`, `oneOf`/`anyOf` and `allOf` branch.
pub fn known_keys(template: &Template) -> std::collections::BTreeSet<String> {
    fn walk(schema: &Json, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        for (k, prop) in schema.get("properties").and_then(Json::as_object).into_iter().flatten() {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            if prop.get("type").and_then(Json::as_str) == Some("object") {
                walk(prop, &key, out);
            }
            out.insert(key);
        }
        for dep in schema.get("dependencies").and_then(Json::as_object).into_iter().flat_map(|d| d.values()) {
            walk(dep, prefix, out);
        }
        for list in ["oneOf", "anyOf", "allOf"] {
            for branch in schema.get(list).and_then(Json::as_array).into_iter().flatten() {
                walk(branch, prefix, out);
                for part in ["then", "else"] {
                    if let Some(b) = branch.get(part) {
                        walk(b, prefix, out);
                    }
                }
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for page in &template.pages {
        walk(&page.schema, "", &mut out);
    }
    out
}

/// The known key closest to a mistyped one, for "did you mean".
pub fn closest_key(template: &Template, key: &str) -> Option<String> {
    known_keys(template)
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&key.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Applies one `key=value` (`owner.name=x` reaches into objects). A key
/// the template never asks for is an error naming the closest one.
pub fn set(template: &Template, values: &mut Map<String, Json>, assignment: &str) -> Result<(), String> {
    let (key, text) = assignment.split_once('=').ok_or_else(|| format!("--set {assignment}: use key=value"))?;
    let key = key.trim();
    let shown_now = || all_fields(template, values).iter().any(|f| f.key() == key);
    if !known_keys(template).contains(key) && !shown_now() {
        let hint = closest_key(template, key).map(|k| format!("; did you mean `{k}`?")).unwrap_or_default();
        return Err(format!("--set {key}: {} has no parameter `{key}`{hint}", template.entity_ref));
    }
    let fields = all_fields(template, values);
    let field = fields.iter().find(|f| f.key() == key);
    let value = parse_for(field, text)?;
    let path: Vec<String> = key.split('.').map(String::from).collect();
    set_path(values, &path, Some(value));
    Ok(())
}

/// Indexes of the pages whose `if:` holds for these values.
pub fn visible_pages(template: &Template, values: &Map<String, Json>) -> Vec<usize> {
    let engine = Engine::new(Syntax::Backstage);
    let ctx = serde_json::json!({ "parameters": values });
    template
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.condition.as_ref().is_none_or(|c| engine.condition(c, &ctx).unwrap_or(true)))
        .map(|(i, _)| i)
        .collect()
}

/// Moves `ui:field: Secret` values out of the parameters into secrets.
pub fn split_secrets(template: &Template, values: &mut Map<String, Json>) -> Map<String, Json> {
    let mut secrets = Map::new();
    for field in all_fields(template, values) {
        if field.kind == FieldKind::Secret
            && let Some(v) = get_path(values, &field.path).cloned()
        {
            set_path(values, &field.path, None);
            secrets.insert(field.key(), v);
        }
    }
    secrets
}

/// Problems on every visible page, with the page title.
pub fn problems(
    template: &Template,
    values: &Map<String, Json>,
    secrets: &Map<String, Json>,
) -> Vec<(String, FieldError)> {
    visible_pages(template, values)
        .into_iter()
        .flat_map(|i| {
            let page = &template.pages[i];
            check_page(page, values, secrets).into_iter().map(|e| (page.title.clone(), e)).collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Template {
        Template::from_json(
            json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3",
                "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"parameters": [{
                    "properties": {
                        "name": {"type": "string"},
                        "owner": {"type": "object", "properties": {"team": {"type": "string"}}},
                        "host": {"type": "string", "enum": ["github", "gitlab"]}
                    },
                    "dependencies": {"host": {"oneOf": [
                        {"properties": {"host": {"const": "github"}}},
                        {"properties": {"host": {"const": "gitlab"}, "gitlabHost": {"type": "string"}}}
                    ]}},
                    "allOf": [{"if": {"properties": {"name": {"const": "x"}}}, "then": {"properties": {"extra": {"type": "string"}}}}]
                }], "steps": []}
            }),
            None,
        )
        .unwrap()
    }

    #[test]
    fn every_key_a_branch_can_show_is_known() {
        let keys: Vec<String> = known_keys(&template()).into_iter().collect();
        assert_eq!(keys, ["extra", "gitlabHost", "host", "name", "owner", "owner.team"]);
    }

    #[test]
    fn an_unknown_set_key_is_an_error_with_did_you_mean() {
        let t = template();
        let mut values = Map::new();
        let err = set(&t, &mut values, "nmae=typo").unwrap_err();
        assert!(err.contains("no parameter `nmae`") && err.contains("did you mean `name`?"), "{err}");
        assert!(set(&t, &mut values, "zzzzzz=1").unwrap_err().ends_with("`zzzzzz`"));
        // A key revealed only by another value is fine, in any order.
        set(&t, &mut values, "gitlabHost=g.example").unwrap();
        set(&t, &mut values, "owner.team=a").unwrap();
        assert_eq!(Json::Object(values), json!({"gitlabHost": "g.example", "owner": {"team": "a"}}));
    }
}
