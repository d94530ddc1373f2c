//! The parameter form: one page per entry of `spec.parameters`, each a
//! JSON-schema object read the way react-jsonschema-form reads it: field
//! order from `ui:order`, `required`, `dependencies` (`oneOf`, schema and
//! property dependencies) and `allOf[{if, then, else}]` adding fields as
//! values change, and `default`s.

use serde_json::{Map, Value as Json};

use super::fields::{FieldKind, kind_of};
use super::schema_match::matches;

/// One wizard page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page title.
    pub title: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// A page-level `if:` (an expression over `parameters`).
    pub condition: Option<Json>,
    /// The page's JSON schema as written.
    pub schema: Json,
}

/// One field on a page, as resolved for the current values.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Where the value lives: `["name"]`, or `["owner", "displayName"]` in
    /// a nested object.
    pub path: Vec<String>,
    /// The property schema (ui hints included).
    pub schema: Json,
    /// Whether a value is required.
    pub required: bool,
    /// How it is edited.
    pub kind: FieldKind,
}

impl Field {
    /// The dotted key (`owner.displayName`).
    pub fn key(&self) -> String {
        self.path.join(".")
    }

    /// The title (or the key).
    pub fn title(&self) -> String {
        self.schema.get("title").and_then(Json::as_str).map_or_else(|| self.key(), String::from)
    }

    /// The description, if any.
    pub fn description(&self) -> Option<&str> {
        self.schema.get("description").and_then(Json::as_str)
    }

    /// A `ui:` hint (also read from `ui:options`).
    pub fn ui(&self, name: &str) -> Option<&Json> {
        ui(&self.schema, name)
    }

    /// Whether the review page masks this value.
    pub fn masked(&self) -> bool {
        self.ui("backstage")
            .and_then(|b| b.get("review"))
            .and_then(|r| r.get("mask"))
            .is_some_and(|m| !m.is_null() && m != &Json::Bool(false))
            || self.schema.get("ui:backstage").and_then(|b| b.pointer("/review/mask")).is_some()
            || matches!(self.kind, FieldKind::Secret | FieldKind::Text { password: true, .. })
    }

    /// Whether the review page leaves it out (`ui:backstage.review.show: false`).
    pub fn hidden_in_review(&self) -> bool {
        self.schema.pointer("/ui:backstage/review/show") == Some(&Json::Bool(false))
    }
}

/// A `ui:NAME` hint of a schema, or `ui:options.NAME`.
pub fn ui<'a>(schema: &'a Json, name: &str) -> Option<&'a Json> {
    schema.get(format!("ui:{name}")).or_else(|| schema.get("ui:options").and_then(|o| o.get(name)))
}

/// Reads `spec.parameters` (one object or a list of them) into pages.
pub fn pages(parameters: Option<&Json>) -> Vec<Page> {
    let list: Vec<&Json> = match parameters {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(obj @ Json::Object(_)) => vec![obj],
        _ => Vec::new(),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, p)| Page {
            title: p.get("title").and_then(Json::as_str).map_or_else(|| format!("Page {}", i + 1), String::from),
            description: p.get("description").and_then(Json::as_str).map(String::from),
            condition: p.get("if").cloned(),
            schema: p.clone(),
        })
        .collect()
}

impl Page {
    /// The fields shown for these values, in display order.
    pub fn fields(&self, values: &Map<String, Json>) -> Vec<Field> {
        let resolved = resolve(&self.schema, &Json::Object(values.clone()));
        let mut out = Vec::new();
        object_fields(&resolved, &self.schema, &[], values, &mut out);
        out
    }
}

/// Merges `from` (properties and required) into `into`.
fn merge_schema(into: &mut Map<String, Json>, from: &Json, skip: Option<&str>) {
    if let Some(props) = from.get("properties").and_then(Json::as_object) {
        let target = into.entry("properties").or_insert_with(|| Json::Object(Map::new()));
        if let Some(target) = target.as_object_mut() {
            for (k, v) in props {
                if Some(k.as_str()) == skip && target.contains_key(k) {
                    continue;
                }
                target.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(req) = from.get("required").and_then(Json::as_array) {
        let target = into.entry("required").or_insert_with(|| Json::Array(Vec::new()));
        if let Some(target) = target.as_array_mut() {
            for r in req {
                if !target.contains(r) {
                    target.push(r.clone());
                }
            }
        }
    }
    for key in ["dependencies", "allOf"] {
        if let Some(extra) = from.get(key) {
            into.entry(key).or_insert_with(|| extra.clone());
        }
    }
}

/// Resolves `dependencies` and `allOf[{if, then, else}]` against `data`,
/// returning an object schema with the applicable properties merged in.
pub fn resolve(schema: &Json, data: &Json) -> Json {
    resolve_checked(schema, data).0
}

/// [`resolve`], with the `dependencies` the values break: a `oneOf` where
/// not exactly one branch matches the value (ajv's "must match exactly one
/// schema in oneOf", a 400 on the backend), as `(key, message)`.
/// `dependencies` and `allOf` inside a branch that applies are applied too.
pub fn resolve_checked(schema: &Json, data: &Json) -> (Json, Vec<(String, String)>) {
    let Some(obj) = schema.as_object() else { return (schema.clone(), Vec::new()) };
    let mut out = obj.clone();
    let mut deps: Vec<Json> = obj.get("dependencies").into_iter().cloned().collect();
    let mut all_of: Vec<Json> = obj.get("allOf").into_iter().cloned().collect();
    let mut broken = Vec::new();
    out.remove("dependencies");
    out.remove("allOf");
    for _round in 0..8 {
        let before = out.clone();
        broken.clear();
        for group in &deps {
            for (key, dep) in group.as_object().into_iter().flatten() {
                let present = data.get(key).is_some_and(|v| !v.is_null());
                if !present {
                    continue;
                }
                match dep {
                    Json::Array(required) => merge_schema(&mut out, &serde_json::json!({ "required": required }), None),
                    Json::Object(d) => {
                        if let Some(options) = d.get("oneOf").and_then(Json::as_array) {
                            // The form shows the branch the key's value selects
                            // (as react-jsonschema-form does); validation wants
                            // exactly one whole branch to match (as ajv does).
                            let value = data.get(key).unwrap_or(&Json::Null);
                            let hits: Vec<&Json> = options
                                .iter()
                                .filter(|o| o.pointer(&format!("/properties/{key}")).is_some_and(|s| matches(s, value)))
                                .collect();
                            if let [one] = hits.as_slice() {
                                merge_schema(&mut out, one, Some(key));
                            }
                            if options.iter().filter(|o| matches(o, data)).count() != 1 {
                                broken.push((key.clone(), "must match exactly one schema in oneOf".to_string()));
                            }
                        } else {
                            merge_schema(&mut out, dep, Some(key));
                        }
                    }
                    _ => {}
                }
            }
        }
        for group in &all_of {
            for cond in group.as_array().into_iter().flatten() {
                if let Some(test) = cond.get("if") {
                    let branch = if matches(test, data) { cond.get("then") } else { cond.get("else") };
                    if let Some(b) = branch {
                        merge_schema(&mut out, b, None);
                    }
                } else {
                    merge_schema(&mut out, cond, None);
                }
            }
        }
        // Nested `dependencies`/`allOf` brought in by a branch apply from
        // the next round on.
        for (key, list) in [("dependencies", &mut deps), ("allOf", &mut all_of)] {
            if let Some(extra) = out.remove(key)
                && !list.contains(&extra)
            {
                list.push(extra);
            }
        }
        if out == before {
            break;
        }
    }
    (Json::Object(out), broken)
}

fn ordered_keys(schema: &Json, page: &Json) -> Vec<String> {
    let keys: Vec<String> =
        schema.get("properties").and_then(Json::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
    let order = page.get("ui:order").or_else(|| schema.get("ui:order")).and_then(Json::as_array);
    let Some(order) = order else { return keys };
    let order: Vec<&str> = order.iter().filter_map(Json::as_str).collect();
    let listed: Vec<String> = order.iter().filter(|k| **k != "*").map(|k| k.to_string()).collect();
    let rest: Vec<String> = keys.iter().filter(|k| !listed.contains(k)).cloned().collect();
    let mut out = Vec::new();
    for k in &order {
        if *k == "*" {
            out.extend(rest.iter().cloned());
        } else if keys.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    }
    if !order.contains(&"*") {
        out.extend(rest);
    }
    out
}

fn object_fields(schema: &Json, page: &Json, prefix: &[String], values: &Map<String, Json>, out: &mut Vec<Field>) {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Json::as_array)
        .map(|r| r.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    let props = schema.get("properties").and_then(Json::as_object);
    for key in ordered_keys(schema, page) {
        let Some(prop) = props.and_then(|p| p.get(&key)) else { continue };
        let mut path = prefix.to_vec();
        path.push(key.clone());
        let kind = kind_of(prop);
        if kind == FieldKind::Object {
            let nested_values = values.get(&key).and_then(Json::as_object).cloned().unwrap_or_default();
            let resolved = resolve(prop, &Json::Object(nested_values.clone()));
            object_fields(&resolved, prop, &path, &nested_values, out);
            continue;
        }
        out.push(Field { path, schema: prop.clone(), required: required.contains(&key.as_str()), kind });
    }
}

/// Reads the value at `path`.
pub fn get_path<'a>(values: &'a Map<String, Json>, path: &[String]) -> Option<&'a Json> {
    let (first, rest) = path.split_first()?;
    let mut current = values.get(first)?;
    for p in rest {
        current = current.get(p)?;
    }
    Some(current)
}

/// Sets (or with `None` removes) the value at `path`, creating objects.
pub fn set_path(values: &mut Map<String, Json>, path: &[String], value: Option<Json>) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut current = values;
    for p in parents {
        let entry = current.entry(p.clone()).or_insert_with(|| Json::Object(Map::new()));
        if !entry.is_object() {
            *entry = Json::Object(Map::new());
        }
        let Json::Object(next) = entry else { return };
        current = next;
    }
    match value {
        Some(v) => {
            current.insert(last.clone(), v);
        }
        None => {
            current.remove(last);
        }
    }
}

/// Fills in `default`s of the fields shown for `values` (on every page,
/// repeatedly, since defaults can reveal dependent fields with defaults).
/// `hidden` pages (a false `if:`) still get defaults, as the web form does.
pub fn apply_defaults(pages: &[Page], values: &mut Map<String, Json>) {
    for _round in 0..4 {
        let mut changed = false;
        for page in pages {
            for field in page.fields(values) {
                if get_path(values, &field.path).is_none()
                    && let Some(d) = field.schema.get("default")
                {
                    set_path(values, &field.path, Some(d.clone()));
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(schema: Json) -> Page {
        pages(Some(&schema)).remove(0)
    }

    #[test]
    fn one_or_many_pages() {
        assert_eq!(pages(Some(&json!({"title": "A"}))).len(), 1);
        assert_eq!(pages(Some(&json!([{"title": "A"}, {}]))).len(), 2);
        assert_eq!(pages(Some(&json!([{}, {}])))[1].title, "Page 2");
        assert!(pages(None).is_empty());
    }

    #[test]
    fn ui_order_with_wildcard() {
        let p = page(
            json!({"properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}, "ui:order": ["c", "*", "a"]}),
        );
        let keys: Vec<String> = p.fields(&Map::new()).iter().map(Field::key).collect();
        assert_eq!(keys, ["c", "b", "a"]);
    }

    #[test]
    fn one_of_dependencies_show_fields_for_the_value() {
        let p = page(json!({
            "properties": {"db": {"type": "string", "enum": ["none", "pg"]}},
            "dependencies": {"db": {"oneOf": [
                {"properties": {"db": {"const": "none"}}},
                {"properties": {"db": {"const": "pg"}, "size": {"type": "string"}}, "required": ["size"]}
            ]}}
        }));
        let mut values = Map::new();
        assert_eq!(p.fields(&values).len(), 1);
        values.insert("db".into(), json!("pg"));
        let fields = p.fields(&values);
        assert_eq!(fields.len(), 2);
        assert!(fields[1].required && fields[1].key() == "size");
        values.insert("db".into(), json!("none"));
        assert_eq!(p.fields(&values).len(), 1);
    }

    #[test]
    fn all_of_if_then_else() {
        let p = page(json!({
            "properties": {"kind": {"type": "string"}},
            "allOf": [{"if": {"properties": {"kind": {"const": "web"}}, "required": ["kind"]},
                       "then": {"properties": {"domain": {"type": "string"}}},
                       "else": {"properties": {"port": {"type": "integer"}}}}]
        }));
        let mut values = Map::new();
        values.insert("kind".into(), json!("web"));
        assert_eq!(p.fields(&values).last().unwrap().key(), "domain");
        values.insert("kind".into(), json!("api"));
        assert_eq!(p.fields(&values).last().unwrap().key(), "port");
    }

    #[test]
    fn nested_objects_flatten_and_defaults_apply() {
        let p = page(json!({"properties": {
            "owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "default": "x"}}},
            "n": {"type": "integer", "default": 3}
        }}));
        let fields = p.fields(&Map::new());
        assert_eq!(fields[0].key(), "owner.name");
        assert!(fields[0].required);
        let mut values = Map::new();
        apply_defaults(&[p], &mut values);
        assert_eq!(Json::Object(values), json!({"owner": {"name": "x"}, "n": 3}));
    }
}
