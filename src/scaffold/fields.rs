//! Field kinds: how a property is edited, from its schema type and its
//! `ui:widget` / `ui:field` hints.

use serde_json::Value as Json;

use super::form::ui;

/// The index-backed entity pickers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    /// `EntityPicker`: any entity matching `catalogFilter`.
    Entity,
    /// `OwnerPicker`: groups and users.
    Owner,
    /// `OwnedEntityPicker`: entities the user owns.
    OwnedEntity,
    /// `MyGroupsPicker`: the user's groups.
    MyGroups,
}

/// How a field is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// A string: one line, or several (`textarea`), or masked (`password`).
    Text {
        /// `ui:widget: textarea`.
        multiline: bool,
        /// `ui:widget: password`.
        password: bool,
    },
    /// A number or integer.
    Number {
        /// `type: integer`.
        integer: bool,
    },
    /// A boolean checkbox.
    Boolean,
    /// One of a list (`enum` + `enumNames`, or `oneOf` consts).
    Select {
        /// Values and labels.
        options: Vec<(Json, String)>,
        /// `ui:widget: radio`.
        radio: bool,
    },
    /// Several of a list (`type: array` of enums; checkboxes).
    MultiSelect {
        /// Values and labels.
        options: Vec<(Json, String)>,
    },
    /// A list of free strings, added and removed.
    StringList,
    /// `EntityTagsPicker`: tags, suggested from the catalog.
    Tags,
    /// A single entity from the catalog.
    Picker(PickerKind),
    /// `MultiEntityPicker`: several entities.
    MultiPicker,
    /// `EntityNamePicker`: a name following the entity name rules.
    EntityName,
    /// `RepoUrlPicker`: host, owner, repo -> `host?owner=o&repo=r`.
    RepoUrl,
    /// `ui:field: Secret`: kept in `secrets`, not in `parameters`.
    Secret,
    /// `type: 'null'`: a description shown as text, no value.
    Info,
    /// `ui:widget: hidden`: not shown, keeps its default.
    Hidden,
    /// A nested object, flattened into its properties.
    Object,
    /// An array of objects: a list of small forms (one per item, with the
    /// item schema's fields), added, removed and reordered.
    ObjectList,
    /// Anything else (arrays of arrays...): edited as JSON text.
    Json,
}

fn options_of(schema: &Json) -> Option<Vec<(Json, String)>> {
    if let Some(values) = schema.get("enum").and_then(Json::as_array) {
        let names = schema.get("enumNames").and_then(Json::as_array);
        return Some(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let label = names
                        .and_then(|n| n.get(i))
                        .and_then(Json::as_str)
                        .map(String::from)
                        .unwrap_or_else(|| plain(v));
                    (v.clone(), label)
                })
                .collect(),
        );
    }
    let one_of = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Json::as_array)?;
    let options: Vec<(Json, String)> = one_of
        .iter()
        .filter_map(|o| {
            let v = o.get("const")?;
            let label = o.get("title").and_then(Json::as_str).map(String::from).unwrap_or_else(|| plain(v));
            Some((v.clone(), label))
        })
        .collect();
    (!options.is_empty()).then_some(options)
}

/// A JSON value as plain text (strings without quotes).
pub fn plain(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The kind of a property.
pub fn kind_of(schema: &Json) -> FieldKind {
    let widget = ui(schema, "widget").and_then(Json::as_str).unwrap_or("");
    let field = schema.get("ui:field").and_then(Json::as_str).unwrap_or("");
    if widget == "hidden" {
        return FieldKind::Hidden;
    }
    match field {
        "EntityPicker" => return FieldKind::Picker(PickerKind::Entity),
        "OwnerPicker" => return FieldKind::Picker(PickerKind::Owner),
        "OwnedEntityPicker" => return FieldKind::Picker(PickerKind::OwnedEntity),
        "MyGroupsPicker" => return FieldKind::Picker(PickerKind::MyGroups),
        "MultiEntityPicker" => return FieldKind::MultiPicker,
        "EntityNamePicker" => return FieldKind::EntityName,
        "EntityTagsPicker" => return FieldKind::Tags,
        "RepoUrlPicker" => return FieldKind::RepoUrl,
        "Secret" => return FieldKind::Secret,
        _ => {}
    }
    let ty = schema.get("type").and_then(|t| match t {
        Json::String(s) => Some(s.as_str()),
        Json::Array(a) => a.iter().filter_map(Json::as_str).find(|s| *s != "null"),
        _ => None,
    });
    match ty {
        Some("null") => FieldKind::Info,
        Some("object") => FieldKind::Object,
        Some("boolean") => match options_of(schema) {
            Some(options) if widget == "radio" || widget == "select" => FieldKind::Select { options, radio: true },
            _ => FieldKind::Boolean,
        },
        Some("number") => FieldKind::Number { integer: false },
        Some("integer") => FieldKind::Number { integer: true },
        Some("array") => {
            let items = schema.get("items").unwrap_or(&Json::Null);
            if let Some(options) = options_of(items) {
                FieldKind::MultiSelect { options }
            } else if items.get("type").and_then(Json::as_str) == Some("object") || items.get("properties").is_some() {
                FieldKind::ObjectList
            } else if items.get("type").and_then(Json::as_str).is_none_or(|t| t == "string") && !items.is_array() {
                FieldKind::StringList
            } else {
                FieldKind::Json
            }
        }
        _ => match options_of(schema) {
            Some(options) => FieldKind::Select { options, radio: widget == "radio" },
            None => FieldKind::Text { multiline: widget == "textarea", password: widget == "password" },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_from_schema_and_hints() {
        assert_eq!(kind_of(&json!({"type": "string"})), FieldKind::Text { multiline: false, password: false });
        assert_eq!(
            kind_of(&json!({"type": "string", "ui:widget": "textarea"})),
            FieldKind::Text { multiline: true, password: false }
        );
        assert_eq!(kind_of(&json!({"type": "integer"})), FieldKind::Number { integer: true });
        assert_eq!(kind_of(&json!({"type": "null", "description": "x"})), FieldKind::Info);
        assert_eq!(kind_of(&json!({"type": "string", "ui:widget": "hidden"})), FieldKind::Hidden);
        let sel = kind_of(&json!({"type": "string", "enum": ["a", "b"], "enumNames": ["A"]}));
        assert_eq!(
            sel,
            FieldKind::Select { options: vec![(json!("a"), "A".into()), (json!("b"), "b".into())], radio: false }
        );
        assert!(matches!(kind_of(&json!({"type": "array", "items": {"enum": ["x"]}})), FieldKind::MultiSelect { .. }));
        assert_eq!(kind_of(&json!({"type": "array", "items": {"type": "string"}})), FieldKind::StringList);
        assert_eq!(kind_of(&json!({"type": "array", "items": {"type": "object"}})), FieldKind::ObjectList);
        assert_eq!(kind_of(&json!({"type": "array", "items": {"type": "array"}})), FieldKind::Json);
        assert_eq!(
            kind_of(&json!({"type": "string", "ui:field": "OwnerPicker"})),
            FieldKind::Picker(PickerKind::Owner)
        );
        let radio =
            kind_of(&json!({"type": "boolean", "ui:widget": "radio", "oneOf": [{"const": true, "title": "Yes"}]}));
        assert!(matches!(radio, FieldKind::Select { radio: true, .. }));
    }
}
