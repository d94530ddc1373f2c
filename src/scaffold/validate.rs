//! Validation as the user types and before moving on: required, type,
//! `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`, `enum`,
//! `format` (email, uri, date, date-time, time), array sizes, and the
//! pickers' own rules (entity names, tags, repository URLs).

use serde_json::{Map, Value as Json};

use super::fields::{FieldKind, plain};
use super::form::{Field, Page, get_path};
use super::schema_match::{json_eq, type_is};

/// A field's problem, for the message next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's dotted key.
    pub key: String,
    /// What is wrong, in words.
    pub message: String,
}

/// Whether a value counts as given (rjsf turns empty strings into undefined).
pub fn is_given(value: Option<&Json>) -> bool {
    match value {
        None | Some(Json::Null) => false,
        Some(Json::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// The problem with one field's value, if any.
pub fn check_field(field: &Field, value: Option<&Json>) -> Option<String> {
    if matches!(field.kind, FieldKind::Info | FieldKind::Hidden) {
        return None;
    }
    if !is_given(value) {
        return field.required.then(|| "required".to_string());
    }
    let value = value?;
    let s = &field.schema;
    let ty = s.get("type").and_then(Json::as_str);
    if let Some(ty) = ty
        && !type_is(ty, value)
    {
        return Some(format!("must be {}", article(ty)));
    }
    if let Some(options) = s.get("enum").and_then(Json::as_array)
        && !options.iter().any(|o| json_eq(o, value))
    {
        let names: Vec<String> = options.iter().map(plain).collect();
        return Some(format!("must be one of: {}", names.join(", ")));
    }
    if let Some(c) = s.get("const")
        && !json_eq(c, value)
    {
        return Some(format!("must be {}", plain(c)));
    }
    if let Some(text) = value.as_str()
        && let Some(msg) = check_string(s, text)
    {
        return Some(msg);
    }
    if let Some(n) = value.as_f64()
        && let Some(msg) = check_number(s, n)
    {
        return Some(msg);
    }
    if let Some(items) = value.as_array()
        && let Some(msg) = check_array(s, items)
    {
        return Some(msg);
    }
    match &field.kind {
        FieldKind::EntityName => value.as_str().and_then(check_entity_name),
        FieldKind::Tags => value.as_array().and_then(|tags| tags.iter().filter_map(Json::as_str).find_map(check_tag)),
        FieldKind::RepoUrl => value.as_str().and_then(|v| super::repo_url::check(&field.schema, v)),
        _ => None,
    }
}

fn article(ty: &str) -> String {
    match ty {
        "integer" | "array" | "object" => format!("an {ty}"),
        other => format!("a {other}"),
    }
}

fn check_string(s: &Json, text: &str) -> Option<String> {
    let len = text.chars().count() as u64;
    if let Some(min) = s.get("minLength").and_then(Json::as_u64)
        && len < min
    {
        return Some(format!("must be at least {min} character{}", if min == 1 { "" } else { "s" }));
    }
    if let Some(max) = s.get("maxLength").and_then(Json::as_u64)
        && len > max
    {
        return Some(format!("must be at most {max} characters"));
    }
    if let Some(pattern) = s.get("pattern").and_then(Json::as_str)
        && let Ok(re) = regex::Regex::new(pattern)
        && !re.is_match(text)
    {
        return Some(format!("must match the pattern {pattern}"));
    }
    let format = s.get("format").and_then(Json::as_str)?;
    let ok = match format {
        "email" => is_email(text),
        "uri" | "url" => url::Url::parse(text).is_ok_and(|u| !u.scheme().is_empty()),
        "date" => is_date(text),
        "date-time" => {
            text.get(..10).is_some_and(is_date)
                && matches!(text.get(10..11), Some("T" | "t" | " "))
                && text.get(11..).is_some_and(super::formats::is_time)
        }
        "time" => super::formats::is_time(text),
        "data-url" => super::formats::is_data_url(text),
        _ => true,
    };
    (!ok).then(|| match format {
        "email" => "must be a valid email address".to_string(),
        "uri" | "url" => "must be a valid URL (with a scheme, e.g. https://)".to_string(),
        "date" => "must be a date as YYYY-MM-DD".to_string(),
        "date-time" => "must be a date and time as YYYY-MM-DDTHH:MM:SSZ".to_string(),
        "time" => "must be a time as HH:MM:SS (hours 0-23, minutes and seconds 0-59)".to_string(),
        "data-url" => "must be a file: type its path".to_string(),
        other => format!("must be a valid {other}"),
    })
}

fn check_number(s: &Json, n: f64) -> Option<String> {
    let num = |k: &str| s.get(k).and_then(Json::as_f64);
    let show = super::expr::js_number;
    if let Some(min) = num("minimum")
        && n < min
    {
        return Some(format!("must be at least {}", show(min)));
    }
    if let Some(max) = num("maximum")
        && n > max
    {
        return Some(format!("must be at most {}", show(max)));
    }
    if let Some(min) = num("exclusiveMinimum")
        && n <= min
    {
        return Some(format!("must be more than {}", show(min)));
    }
    if let Some(max) = num("exclusiveMaximum")
        && n >= max
    {
        return Some(format!("must be less than {}", show(max)));
    }
    if let Some(m) = num("multipleOf")
        && m > 0.0
        && (n / m).fract().abs() > 1e-9
    {
        return Some(format!("must be a multiple of {}", show(m)));
    }
    None
}

fn check_array(s: &Json, items: &[Json]) -> Option<String> {
    if let Some(min) = s.get("minItems").and_then(Json::as_u64)
        && (items.len() as u64) < min
    {
        return Some(format!("choose at least {min}"));
    }
    if let Some(max) = s.get("maxItems").and_then(Json::as_u64)
        && items.len() as u64 > max
    {
        return Some(format!("choose at most {max}"));
    }
    if s.get("uniqueItems") == Some(&Json::Bool(true))
        && items.iter().enumerate().any(|(i, a)| items[..i].iter().any(|b| json_eq(a, b)))
    {
        return Some("items must be unique".into());
    }
    let allowed = s.get("items").and_then(|i| i.get("enum")).and_then(Json::as_array)?;
    items
        .iter()
        .find(|v| !allowed.iter().any(|a| json_eq(a, v)))
        .map(|v| format!("`{}` is not one of the choices", plain(v)))
}

/// ajv's email format.
pub fn is_email(text: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(
            r"(?i)^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
        )
        .ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(text))
}

/// A calendar date `YYYY-MM-DD`.
pub fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else { return false };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Backstage's entity name rule (EntityNamePicker).
pub fn check_entity_name(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && regex::Regex::new(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$").is_ok_and(|r| r.is_match(name));
    (!ok).then(|| {
        "must start and end with a letter or digit, use only letters, digits, `-`, `_` and `.`, at most 63 characters"
            .to_string()
    })
}

/// Backstage's tag rule (EntityTagsPicker).
pub fn check_tag(tag: &str) -> Option<String> {
    let ok = !tag.is_empty()
        && tag.len() <= 63
        && regex::Regex::new(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$").is_ok_and(|r| r.is_match(tag));
    (!ok).then(|| format!("tag `{tag}`: lowercase letters, digits, `+`, `#`, `:` and single dashes, at most 63"))
}

/// Every problem on a page for these values, `dependencies` no `oneOf`
/// branch matches included.
pub fn check_page(page: &Page, values: &Map<String, Json>, secrets: &Map<String, Json>) -> Vec<FieldError> {
    let (_, broken) = crate::scaffold::form::resolve_checked(&page.schema, &Json::Object(values.clone()));
    let mut out: Vec<FieldError> = broken.into_iter().map(|(key, message)| FieldError { key, message }).collect();
    out.extend(page.fields(values).iter().filter_map(|f| {
        let v = if f.kind == FieldKind::Secret { secrets.get(&f.key()) } else { get_path(values, &f.path) };
        check_field(f, v).map(|message| FieldError { key: f.key(), message })
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(schema: Json, required: bool) -> Field {
        Field { path: vec!["x".into()], kind: super::super::fields::kind_of(&schema), schema, required }
    }

    #[test]
    fn messages_for_each_rule() {
        let name = field(json!({"type": "string", "pattern": "^[a-z]+$", "minLength": 3, "maxLength": 5}), true);
        assert_eq!(check_field(&name, None).as_deref(), Some("required"));
        assert_eq!(check_field(&name, Some(&json!(""))).as_deref(), Some("required"));
        assert!(check_field(&name, Some(&json!("ab"))).unwrap().contains("at least 3"));
        assert!(check_field(&name, Some(&json!("abcdef"))).unwrap().contains("at most 5"));
        assert!(check_field(&name, Some(&json!("AB1"))).unwrap().contains("pattern"));
        assert_eq!(check_field(&name, Some(&json!("abc"))), None);
        let n = field(json!({"type": "integer", "minimum": 1, "maximum": 10}), false);
        assert!(check_field(&n, Some(&json!(0))).unwrap().contains("at least 1"));
        assert!(check_field(&n, Some(&json!(11))).unwrap().contains("at most 10"));
        assert!(check_field(&n, Some(&json!(2.5))).unwrap().contains("integer"));
        let e = field(json!({"type": "string", "format": "email"}), false);
        assert!(check_field(&e, Some(&json!("nope"))).is_some());
        assert!(check_field(&e, Some(&json!("a@b.io"))).is_none());
        let u = field(json!({"type": "string", "format": "uri"}), false);
        assert!(check_field(&u, Some(&json!("example.com"))).is_some());
        assert!(check_field(&u, Some(&json!("https://example.com"))).is_none());
        let d = field(json!({"type": "string", "format": "date"}), false);
        assert!(check_field(&d, Some(&json!("2024-02-30"))).is_some());
        assert!(check_field(&d, Some(&json!("2024-02-29"))).is_none());
        let en = field(json!({"type": "string", "enum": ["a", "b"]}), false);
        assert!(check_field(&en, Some(&json!("c"))).unwrap().contains("one of: a, b"));
        let arr =
            field(json!({"type": "array", "minItems": 1, "uniqueItems": true, "items": {"enum": ["a", "b"]}}), false);
        assert!(check_field(&arr, Some(&json!([]))).unwrap().contains("at least 1"));
        assert!(check_field(&arr, Some(&json!(["a", "a"]))).unwrap().contains("unique"));
        assert!(check_field(&arr, Some(&json!(["z"]))).unwrap().contains("not one of"));
    }

    #[test]
    fn broken_dependencies_are_problems() {
        let page = Page {
            title: "p".into(),
            description: None,
            condition: None,
            schema: json!({"properties": {"kind": {"type": "string"}},
                "dependencies": {"kind": {"oneOf": [
                    {"properties": {"kind": {"const": "web"}, "port": {"type": "number"}},
                     "allOf": [{"if": {"properties": {"kind": {"const": "web"}}}, "then": {"required": ["port"]}}]},
                    {"properties": {"kind": {"const": "job"}}}]}}}),
        };
        let values = |v: Json| v.as_object().cloned().unwrap();
        let keys = |v: Json| check_page(&page, &values(v), &Map::new()).into_iter().map(|e| e.key).collect::<Vec<_>>();
        assert_eq!(keys(json!({"kind": "web"})), ["port"], "the nested allOf makes port required");
        assert_eq!(keys(json!({"kind": "other"})), ["kind"], "no oneOf branch matches");
        assert!(keys(json!({"kind": "web", "port": 80})).is_empty());
    }

    #[test]
    fn picker_rules() {
        assert!(check_entity_name("my-service").is_none());
        assert!(check_entity_name("-bad").is_some());
        assert!(check_entity_name(&"a".repeat(64)).is_some());
        assert!(check_tag("java").is_none());
        assert!(check_tag("Java").is_some());
    }
}
