//! Whether a value satisfies a (small) JSON schema: `const`, `enum`,
//! `type`, `properties`, `required`, `not`, `anyOf`, `oneOf`, `allOf`. Used
//! to pick the `oneOf` branch of a dependency and to test `if:` schemas.

use serde_json::Value as Json;

/// Whether `value` satisfies `schema` (keywords outside the subset pass).
pub fn matches(schema: &Json, value: &Json) -> bool {
    let Some(s) = schema.as_object() else { return schema != &Json::Bool(false) };
    if let Some(c) = s.get("const")
        && !json_eq(c, value)
    {
        return false;
    }
    if let Some(options) = s.get("enum").and_then(Json::as_array)
        && !options.iter().any(|o| json_eq(o, value))
    {
        return false;
    }
    if let Some(t) = s.get("type")
        && !value.is_null()
    {
        let ok = match t {
            Json::String(name) => type_is(name, value),
            Json::Array(names) => names.iter().filter_map(Json::as_str).any(|n| type_is(n, value)),
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    if let Some(obj) = value.as_object() {
        if let Some(required) = s.get("required").and_then(Json::as_array)
            && required.iter().filter_map(Json::as_str).any(|k| !obj.contains_key(k))
        {
            return false;
        }
        if let Some(props) = s.get("properties").and_then(Json::as_object) {
            for (k, sub) in props {
                if let Some(v) = obj.get(k)
                    && !matches(sub, v)
                {
                    return false;
                }
            }
        }
    }
    if let Some(not) = s.get("not")
        && matches(not, value)
    {
        return false;
    }
    if let Some(all) = s.get("allOf").and_then(Json::as_array)
        && !all.iter().all(|x| matches(x, value))
    {
        return false;
    }
    if let Some(any) = s.get("anyOf").and_then(Json::as_array)
        && !any.iter().any(|x| matches(x, value))
    {
        return false;
    }
    if let Some(one) = s.get("oneOf").and_then(Json::as_array)
        && one.iter().filter(|x| matches(x, value)).count() != 1
    {
        return false;
    }
    true
}

/// Whether `value` has JSON-schema type `name`.
pub fn type_is(name: &str, value: &Json) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_subset_behaves() {
        assert!(matches(&json!({"const": true}), &json!(true)));
        assert!(!matches(&json!({"const": "a"}), &json!("b")));
        assert!(matches(&json!({"enum": [1, 2]}), &json!(2.0)));
        assert!(matches(&json!({"properties": {"a": {"const": 1}}, "required": ["a"]}), &json!({"a": 1})));
        assert!(!matches(&json!({"required": ["a"]}), &json!({})));
        assert!(matches(&json!({"type": "integer"}), &json!(3)));
        assert!(!matches(&json!({"type": "integer"}), &json!(3.5)));
        assert!(matches(&json!({"not": {"const": 1}}), &json!(2)));
    }
}
