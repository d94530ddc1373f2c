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
}

/// Most schemas (the page and the branches it applies) whose conditions
/// one resolve looks at: a guard against absurdly deep nesting.
const MAX_BRANCHES: usize = 256;

/// The branches of `schema`'s `dependencies` and `allOf[{if, then, else}]`
/// that apply to `data`, each with the property a `oneOf` chose it by.
fn applicable<'a>(schema: &'a Json, data: &Json) -> Vec<(&'a Json, Option<&'a str>)> {
    let mut out = Vec::new();
    for (key, dep) in schema.get("dependencies").and_then(Json::as_object).into_iter().flatten() {
        if data.get(key).is_none_or(Json::is_null) {
            continue;
        }
        match dep.get("oneOf").and_then(Json::as_array) {
            Some(options) => {
                let value = data.get(key).unwrap_or(&Json::Null);
                let hits: Vec<&Json> = options
                    .iter()
                    .filter(|o| o.pointer(&format!("/properties/{key}")).is_some_and(|s| matches(s, value)))
                    .collect();
                if let [one] = hits.as_slice() {
                    out.push((*one, Some(key.as_str())));
                }
            }
            None => out.push((dep, Some(key.as_str()))),
        }
    }
    for cond in schema.get("allOf").and_then(Json::as_array).into_iter().flatten() {
        match cond.get("if") {
            Some(test) => {
                let branch = if matches(test, data) { cond.get("then") } else { cond.get("else") };
                out.extend(branch.map(|b| (b, None)));
            }
            None => out.push((cond, None)),
        }
    }
    out
}

/// Resolves `dependencies` and `allOf[{if, then, else}]` against `data`,
/// returning an object schema with the applicable properties merged in.
/// Branches nest: a branch's own `dependencies` and `allOf` apply too.
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
    let mut broken = Vec::new();
    out.remove("dependencies");
    out.remove("allOf");
    let mut queue = vec![schema];
    let mut i = 0;
    while i < queue.len() && queue.len() < MAX_BRANCHES {
        broken.extend(broken_one_of(queue[i], data));
        for (branch, key) in applicable(queue[i], data) {
            match branch {
                // Property dependencies (`a: [b, c]`) make fields required.
                Json::Array(required) => merge_schema(&mut out, &serde_json::json!({ "required": required }), None),
                _ => {
                    merge_schema(&mut out, branch, key);
                    queue.push(branch);
                }
            }
        }
        i += 1;
    }
    (Json::Object(out), broken)
}

/// The `oneOf` dependencies of `schema` that `data` does not match exactly
/// once (ajv's "must match exactly one schema in oneOf", a 400 on the
/// backend), as `(key, message)`.
fn broken_one_of(schema: &Json, data: &Json) -> Vec<(String, String)> {
    schema
        .get("dependencies")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter(|(key, _)| data.get(key.as_str()).is_some_and(|v| !v.is_null()))
        .filter_map(|(key, dep)| {
            let options = dep.get("oneOf")?.as_array()?;
            (options.iter().filter(|o| matches(o, data)).count() != 1)
                .then(|| (key.clone(), "must match exactly one schema in oneOf".to_string()))
        })
        .collect()
}

/// Fills in the `default`s of fields that `values` shows and `before` did
/// not, as the web form does when a changed value reveals a field (and
/// again for fields those defaults reveal).
pub fn defaults_for_revealed(pages: &[Page], before: &Map<String, Json>, values: &mut Map<String, Json>) {
    let mut seen: std::collections::HashSet<Vec<String>> =
        pages.iter().flat_map(|p| p.fields(before)).map(|f| f.path).collect();
    for _round in 0..4 {
        let mut changed = false;
        for field in pages.iter().flat_map(|p| p.fields(values)).collect::<Vec<_>>() {
            if seen.insert(field.path.clone())
                && get_path(values, &field.path).is_none()
                && let Some(d) = field.schema.get("default")
            {
                set_path(values, &field.path, Some(d.clone()));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
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
        let items = if kind == FieldKind::ObjectList { values.get(&key).and_then(Json::as_array) } else { None };
        out.push(Field { path: path.clone(), schema: prop.clone(), required: required.contains(&key.as_str()), kind });
        // Each item of an array of objects: a small form of the item schema.
        let item_schema = prop.get("items").unwrap_or(&Json::Null);
        for (i, item) in items.into_iter().flatten().enumerate() {
            let item_values = item.as_object().cloned().unwrap_or_default();
            let resolved = resolve(item_schema, &Json::Object(item_values.clone()));
            let mut item_path = path.clone();
            item_path.push(i.to_string());
            object_fields(&resolved, item_schema, &item_path, &item_values, out);
        }
    }
}

/// One step down: an object's key, or an array's index (`contacts.0.name`).
fn child<'a>(node: &'a Json, key: &str) -> Option<&'a Json> {
    match node {
        Json::Array(items) => items.get(key.parse::<usize>().ok()?),
        other => other.get(key),
    }
}

/// Reads the value at `path` (numbers index arrays of objects).
pub fn get_path<'a>(values: &'a Map<String, Json>, path: &[String]) -> Option<&'a Json> {
    let (first, rest) = path.split_first()?;
    let mut current = values.get(first)?;
    for p in rest {
        current = child(current, p)?;
    }
    Some(current)
}

/// Sets (or with `None` removes) the value at `path`, creating objects; a
/// number after an array names one of its items (which must exist).
pub fn set_path(values: &mut Map<String, Json>, path: &[String], value: Option<Json>) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut current = values;
    let mut i = 0;
    while i < parents.len() {
        let mut entry = current.entry(parents[i].clone()).or_insert_with(|| Json::Object(Map::new()));
        i += 1;
        while let Json::Array(items) = entry {
            let index = if i < parents.len() { parents[i].parse::<usize>().ok() } else { None };
            let Some(item) = index.and_then(|n| items.get_mut(n)) else { return };
            entry = item;
            i += 1;
        }
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
    fn dependencies_nested_in_a_branch_apply_live() {
        // The branch chosen for `auth` has its own dependency on `bearer`.
        let p = page(json!({
            "properties": {"auth": {"type": "string", "enum": ["none", "token"]}},
            "dependencies": {"auth": {"oneOf": [
                {"properties": {"auth": {"const": "none"}}},
                {"properties": {"auth": {"const": "token"}, "bearer": {"type": "boolean", "title": "Is bearer authentication required?"}},
                 "dependencies": {"bearer": {"oneOf": [
                     {"properties": {"bearer": {"const": false}}},
                     {"properties": {"bearer": {"const": true}, "header": {"type": "string", "default": "Authorization"}},
                      "allOf": [{"if": {"properties": {"header": {"const": "X-Token"}}, "required": ["header"]},
                                 "then": {"properties": {"prefix": {"type": "string"}}}}]}
                 ]}}}
            ]}}
        }));
        let keys = |v: &Json| p.fields(v.as_object().unwrap()).iter().map(Field::key).collect::<Vec<_>>();
        assert_eq!(keys(&json!({"auth": "token"})), ["auth", "bearer"]);
        assert_eq!(keys(&json!({"auth": "token", "bearer": true})), ["auth", "bearer", "header"]);
        assert_eq!(
            keys(&json!({"auth": "token", "bearer": true, "header": "X-Token"})),
            ["auth", "bearer", "header", "prefix"]
        );
        assert_eq!(keys(&json!({"auth": "none", "bearer": true})), ["auth"]);
    }

    #[test]
    fn a_revealed_field_gets_its_default() {
        let p = page(json!({
            "properties": {"host": {"type": "string", "enum": ["github", "gitlab"]}},
            "dependencies": {"host": {"oneOf": [
                {"properties": {"host": {"const": "github"}}},
                {"properties": {"host": {"const": "gitlab"}, "gitlabHost": {"type": "string", "default": "gitlab.com"}}}
            ]}}
        }));
        let pages = [p];
        let before = json!({"host": "github"}).as_object().unwrap().clone();
        let mut values = json!({"host": "gitlab"}).as_object().unwrap().clone();
        defaults_for_revealed(&pages, &before, &mut values);
        assert_eq!(values.get("gitlabHost"), Some(&json!("gitlab.com")));
        // A field that was already shown keeps what the user left (even empty).
        let mut cleared = json!({"host": "gitlab"}).as_object().unwrap().clone();
        defaults_for_revealed(&pages, &values, &mut cleared);
        assert_eq!(cleared.get("gitlabHost"), None);
    }

    #[test]
    fn arrays_of_objects_are_a_form_per_item() {
        let p = page(json!({"properties": {"contacts": {"type": "array", "items": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["PM", "Dev"], "default": "Dev"}}
        }}}}));
        let mut values = json!({"contacts": [{"name": "Ann"}, {}]}).as_object().unwrap().clone();
        let keys: Vec<String> = p.fields(&values).iter().map(Field::key).collect();
        assert_eq!(keys, ["contacts", "contacts.0.name", "contacts.0.role", "contacts.1.name", "contacts.1.role"]);
        assert!(p.fields(&values)[3].required);
        apply_defaults(std::slice::from_ref(&p), &mut values);
        assert_eq!(
            Json::Object(values.clone()),
            json!({"contacts": [{"name": "Ann", "role": "Dev"}, {"role": "Dev"}]})
        );
        let path: Vec<String> = ["contacts", "1", "name"].map(String::from).to_vec();
        set_path(&mut values, &path, Some(json!("Bo")));
        assert_eq!(get_path(&values, &path), Some(&json!("Bo")));
        set_path(&mut values, &["contacts".into(), "5".into(), "name".into()], Some(json!("nobody")));
        assert_eq!(values["contacts"].as_array().unwrap().len(), 2, "no item is made up");
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
