//! An action's input through the scaffolder's form engine: `key=value`
//! converted by the input schema's types, checked before sending (the
//! form's rules, `anyOf`/`oneOf` forms, unknown inputs with the closest
//! name), and the server's own validation issues read field by field.

use serde_json::{Map, Value as Json};

use crate::scaffold::fields::plain;
use crate::scaffold::form::{Page, get_path, set_path};
use crate::scaffold::schema_match::matches;
use crate::scaffold::validate::{FieldError, check_page};
use crate::scaffold::values::parse_for;

/// Applies one `key=value` to an action's input: converted by the field's
/// type (numbers, booleans, lists, JSON), `a.b=x` reaching into objects.
pub fn set(form: &Page, values: &mut Map<String, Json>, assignment: &str) -> Result<(), String> {
    let (key, text) = assignment.split_once('=').ok_or_else(|| format!("--set {assignment}: use key=value"))?;
    let key = key.trim();
    let fields = form.fields(values);
    let field = fields.iter().find(|f| f.key() == key);
    // A JSON object or list for an input that is not a plain string (an
    // `anyOf` of objects, say) is read as JSON, not kept as text.
    let json_like = text.starts_with('{') || text.starts_with('[');
    let string_only = field.is_some_and(|f| f.schema.get("type").and_then(Json::as_str) == Some("string"));
    let value = match serde_json::from_str::<Json>(text) {
        Ok(parsed) if json_like && !string_only => parsed,
        _ => parse_for(field, text)?,
    };
    set_path(values, &key.split('.').map(String::from).collect::<Vec<_>>(), Some(value));
    Ok(())
}

/// What is wrong with an input before it is sent: the form's checks
/// (required, types, enums, patterns...), and keys the schema does not
/// allow (`additionalProperties: false`), with the closest allowed one.
pub fn problems(form: &Page, values: &Map<String, Json>) -> Vec<FieldError> {
    let mut out = check_page(form, values, &Map::new());
    for field in form.fields(values) {
        let Some(value) = get_path(values, &field.path).filter(|v| !v.is_null()) else { continue };
        let choices = field.schema.get("anyOf").or_else(|| field.schema.get("oneOf")).and_then(Json::as_array);
        if let Some(choices) = choices
            && !out.iter().any(|e| e.key == field.key())
            && !matches(&field.schema, value)
        {
            let forms: Vec<String> = choices.iter().map(describe).collect();
            out.push(FieldError { key: field.key(), message: format!("must be {}", forms.join(", or ")) });
        }
    }
    if form.schema.get("additionalProperties") == Some(&Json::Bool(false)) {
        let allowed: Vec<&str> = form
            .schema
            .get("properties")
            .and_then(Json::as_object)
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for key in values.keys().filter(|k| !allowed.contains(&k.as_str())) {
            let closest = allowed
                .iter()
                .map(|a| (strsim::jaro_winkler(key, a), *a))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, a)| format!("; did you mean `{a}`?"))
                .unwrap_or_default();
            let known = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
            out.push(FieldError {
                key: key.clone(),
                message: format!("is not an input of this action (inputs: {known}){closest}"),
            });
        }
    }
    out
}

/// One form of an `anyOf`, in words.
fn describe(schema: &Json) -> String {
    if let Some(options) = schema.get("enum").and_then(Json::as_array) {
        let names: Vec<String> = options.iter().map(plain).collect();
        return format!("one of {}", names.join(", "));
    }
    let required: Vec<&str> =
        schema.get("required").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str).collect();
    match schema.get("type").and_then(Json::as_str) {
        Some("object") if !required.is_empty() => format!("an object with {}", required.join(", ")),
        Some(ty @ ("array" | "object" | "integer")) => format!("an {ty}"),
        Some(ty) => format!("a {ty}"),
        None => "another form (see the schema: actions list --json)".to_string(),
    }
}

/// The issues of the server's input validation (zod) in a 400 message,
/// `path: message` each (for a union, its branches' messages); `None`
/// when the message holds none.
pub fn server_issues(message: &str) -> Option<Vec<String>> {
    let start = message.find("caused by [")? + "caused by ".len();
    let mut stream = serde_json::Deserializer::from_str(&message[start..]).into_iter::<Json>();
    let issues = stream.next()?.ok()?;
    let mut out = Vec::new();
    for issue in issues.as_array()? {
        let path: Vec<String> = issue.get("path").and_then(Json::as_array).into_iter().flatten().map(plain).collect();
        let key = if path.is_empty() { "(input)".to_string() } else { path.join(".") };
        let mut texts: Vec<String> = issue
            .get("unionErrors")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .flat_map(|u| u.get("issues").and_then(Json::as_array).cloned().unwrap_or_default())
            .filter_map(|i| i.get("message").and_then(Json::as_str).map(String::from))
            .collect();
        texts.dedup();
        if texts.is_empty() {
            texts.push(issue.get("message").and_then(Json::as_str).unwrap_or("invalid").to_string());
        }
        out.push(format!("{key}: {}", texts.join("; or ")));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::actions::Action;
    use serde_json::json;

    fn get_entity() -> Action {
        Action::from_json(
            &json!({"id": "catalog:get-catalog-entity", "schema": {"input": {"type": "object",
                "additionalProperties": false, "required": ["name"],
                "properties": {"kind": {"type": "string"}, "name": {"type": "string"}, "limit": {"type": "integer", "minimum": 1}}}}}),
            "catalog",
        )
        .unwrap()
    }

    #[test]
    fn input_is_converted_and_checked_by_the_form_engine() {
        let form = get_entity().form();
        let mut values = Map::new();
        set(&form, &mut values, "limit=0").unwrap();
        assert_eq!(values["limit"], json!(0), "converted to the field's type");
        let problems = problems(&form, &values);
        let keys: Vec<(&str, bool)> =
            problems.iter().map(|p| (p.key.as_str(), p.message.contains("at least 1"))).collect();
        assert_eq!(keys, [("name", false), ("limit", true)]);
        assert_eq!(problems[0].message, "required");
        set(&form, &mut values, "nmae=x").unwrap();
        set(&form, &mut values, "limit=2").unwrap();
        let problems = super::problems(&form, &values);
        assert!(problems.iter().any(|p| p.key == "nmae" && p.message.contains("did you mean `name`?")), "{problems:?}");
        assert!(set(&form, &mut values, "novalue").is_err());
    }

    #[test]
    fn union_inputs_take_json_and_are_checked_against_each_form() {
        let action = Action::from_json(
            &json!({"id": "catalog:unregister-entity", "schema": {"input": {"type": "object", "required": ["type"],
                "properties": {
                    "type": {"anyOf": [
                        {"type": "object", "properties": {"locationId": {"type": "string"}}, "required": ["locationId"]},
                        {"type": "object", "properties": {"locationUrl": {"type": "string"}}, "required": ["locationUrl"]}]},
                    "status": {"anyOf": [{"type": "string", "enum": ["open", "failed"]},
                                         {"type": "array", "items": {"$ref": "#/properties/status/anyOf/0"}}]}}}}}),
            "catalog",
        )
        .unwrap();
        let form = action.form();
        let mut values = Map::new();
        set(&form, &mut values, r#"type={"locationId": "abc"}"#).unwrap();
        set(&form, &mut values, "status=failed").unwrap();
        assert_eq!(values["type"], json!({"locationId": "abc"}), "JSON for a non-string input");
        assert!(problems(&form, &values).is_empty(), "{:?}", problems(&form, &values));
        set(&form, &mut values, r#"type={"id": "abc"}"#).unwrap();
        set(&form, &mut values, "status=bogus").unwrap();
        let found = problems(&form, &values);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].message, "must be an object with locationId, or an object with locationUrl");
        assert_eq!(found[1].message, "must be one of open, failed, or an array");
    }

    #[test]
    fn the_servers_input_errors_read_field_by_field() {
        let message = r#"127.0.0.1:7123 answered 400 Bad Request Invalid input to action "x:y"; caused by [   {     "code": "invalid_union",     "unionErrors": [ {"issues": [{"path": ["status"], "message": "Invalid enum value"}]}, {"issues": [{"path": ["status"], "message": "Expected array, received string"}]} ], "path": ["status"], "message": "Invalid input" }, {"code": "invalid_type", "path": ["name"], "message": "Required"} ] for http://h/x"#;
        assert_eq!(
            server_issues(message).unwrap(),
            ["status: Invalid enum value; or Expected array, received string", "name: Required"]
        );
        assert_eq!(server_issues("answered 400 Bad Request No entity found"), None);
    }
}
