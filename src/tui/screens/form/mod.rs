//! The form engine of one JSON-schema object, shared by the scaffolding
//! wizard (one page of a template) and the action form (an action's input
//! schema): its rows, the text editor and chooser open on a field, which
//! fields were touched, and the values as the form shows them. Keys in
//! [`keys`], arrays of objects in [`items`], drawing in [`view`].
//!
//! A host ([`FormHost`]) owns the values and says which fields show; the
//! engine edits them through it. [`SchemaForm`] is the host of a single
//! schema (the action form's).

pub mod items;
pub mod keys;
pub mod view;

use std::collections::HashSet;

use ratatui_textarea::TextArea;
use serde_json::{Map, Value as Json};

use crate::scaffold::fields::{FieldKind, plain};
use crate::scaffold::form::{Field, Page, apply_defaults, defaults_for_revealed, get_path, set_path};
use crate::scaffold::{repo_url, validate};

use crate::tui::input::LineInput;

use super::selection::Selection;

/// A row of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// "Restore draft" (the wizard's first page, while a saved draft is on offer).
    RestoreDraft,
    /// A field (index into the fields shown).
    Field(usize),
    /// One part of a RepoUrlPicker (`host`, `owner`, `repo`...).
    RepoPart(usize, String),
    /// The button at the bottom: Next (or Review) on the wizard, Run on an action.
    Next,
}

/// The rows of `fields` (hidden ones left out, a RepoUrlPicker's parts
/// under it), without the host's own rows.
pub fn field_rows(fields: &[Field], value: impl Fn(&Field) -> Option<String>) -> Vec<Row> {
    let mut rows = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        match f.kind {
            FieldKind::Hidden => {}
            FieldKind::RepoUrl => {
                rows.push(Row::Field(i));
                let (host, _) = repo_url::split(&value(f).unwrap_or_default());
                rows.push(Row::RepoPart(i, "host".into()));
                for part in repo_url::parts_for(&host) {
                    rows.push(Row::RepoPart(i, part.to_string()));
                }
            }
            _ => rows.push(Row::Field(i)),
        }
    }
    rows
}

/// A list to choose from (enum values, hosts, catalog entities).
pub struct Chooser {
    /// Values and labels.
    pub options: Vec<(Json, String)>,
    /// The cursor.
    pub sel: Selection,
    /// Several may be chosen (checkboxes, MultiEntityPicker).
    pub multi: bool,
    /// What is chosen (multi).
    pub chosen: Vec<Json>,
    /// A query that filters catalog suggestions (pickers).
    pub query: Option<LineInput>,
    /// Values shown but not choosable (`ui:enumDisabled`).
    pub disabled: Vec<Json>,
}

impl Chooser {
    /// Whether the option under the cursor may be chosen.
    pub fn choosable(&self) -> bool {
        self.options.get(self.sel.selected).is_some_and(|(v, _)| !self.disabled.contains(v))
    }
}

/// The `ui:enumDisabled` values of a field.
pub fn disabled_options(field: &Field) -> Vec<Json> {
    field.ui("enumDisabled").and_then(Json::as_array).cloned().unwrap_or_default()
}

/// What the editor or chooser is editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A field's value.
    Field(Vec<String>),
    /// A RepoUrlPicker part.
    RepoPart(Vec<String>, String),
    /// The wizard's output folder (kept by the host, see [`FormHost::set_output`]).
    Output,
}

/// The editing state of a form: what is open on it and what was touched.
#[derive(Default)]
pub struct FormEdit {
    /// Whether problems are shown for fields not yet touched.
    pub show_all_errors: bool,
    /// Fields the user has edited (their problems show as they type).
    pub touched: HashSet<String>,
    /// A text editor open on a value (multi-line or not).
    pub editor: Option<(Target, TextArea<'static>, bool)>,
    /// A chooser open on a value.
    pub chooser: Option<(Target, Chooser)>,
    /// Whether the secret being typed is shown in clear.
    pub reveal: bool,
}

impl FormEdit {
    /// Whether keys go to a text input (editor or chooser query).
    pub fn typing(&self) -> bool {
        self.editor.is_some() || self.chooser.as_ref().is_some_and(|(_, c)| c.query.is_some())
    }
}

/// What the form engine needs from the screen that holds the values.
pub trait FormHost {
    /// The editing state.
    fn edit(&self) -> &FormEdit;
    /// The editing state, to change.
    fn edit_mut(&mut self) -> &mut FormEdit;
    /// The cursor among [`FormHost::rows`].
    fn sel(&self) -> &Selection;
    /// The cursor, to move.
    fn sel_mut(&mut self) -> &mut Selection;
    /// The fields shown now.
    fn fields(&self) -> Vec<Field>;
    /// The rows shown now: [`field_rows`] and the host's own.
    fn rows(&self) -> Vec<Row>;
    /// The field at `path`, wherever it shows.
    fn field_at(&self, path: &[String]) -> Option<Field>;
    /// The values (secrets apart).
    fn values(&self) -> &Map<String, Json>;
    /// The values, to change directly (RepoUrlPicker parts).
    fn values_mut(&mut self) -> &mut Map<String, Json>;
    /// A field's value.
    fn value(&self, f: &Field) -> Option<&Json>;
    /// Sets a field's value and marks it touched; fields the change
    /// reveals get their defaults, as in the web form.
    fn set_value(&mut self, f: &Field, value: Option<Json>);
    /// The JSON schema shown now (nested objects' titles are read from it).
    fn schema(&self) -> Option<&Json>;
    /// The text typed for [`Target::Output`].
    fn set_output(&mut self, _text: String) {}

    /// The problem to show next to a field, if any.
    fn error(&self, f: &Field) -> Option<String> {
        let edit = self.edit();
        if !(edit.show_all_errors || edit.touched.contains(&f.key())) {
            return None;
        }
        validate::check_field(f, self.value(f))
    }
}

/// Sets one part of a RepoUrlPicker value.
pub fn set_repo_part(host: &mut dyn FormHost, path: &[String], part: &str, text: &str) {
    let current = get_path(host.values(), path).and_then(Json::as_str).unwrap_or("").to_string();
    let (mut host_name, mut parts) = repo_url::split(&current);
    if part == "host" {
        host_name = text.trim().to_string();
    } else {
        parts.retain(|(k, _)| k != part);
        parts.push((part.to_string(), text.trim().to_string()));
    }
    let order = repo_url::parts_for(&host_name);
    parts.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
    host.edit_mut().touched.insert(path.join("."));
    set_path(host.values_mut(), path, Some(Json::String(repo_url::compose(&host_name, &parts))));
}

/// A value as the review page and the form show it (masked when asked).
pub fn shown(field: &Field, value: Option<&Json>) -> String {
    let Some(v) = value else { return String::new() };
    if field.masked() {
        return if plain(v).is_empty() { String::new() } else { "••••••".into() };
    }
    if let Some(file) = v.as_str().and_then(crate::scaffold::formats::describe_data_url) {
        return file;
    }
    match (&field.kind, v) {
        (FieldKind::Select { options, .. }, _) => {
            options.iter().find(|(o, _)| o == v).map_or_else(|| plain(v), |(_, l)| l.clone())
        }
        (FieldKind::MultiSelect { options }, Json::Array(items)) => items
            .iter()
            .map(|v| options.iter().find(|(o, _)| o == v).map_or_else(|| plain(v), |(_, l)| l.clone()))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::ObjectList, Json::Array(items)) => match items.len() {
            1 => "1 item".into(),
            n => format!("{n} items"),
        },
        (_, Json::Array(items)) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        (FieldKind::Boolean, Json::Bool(b)) => if *b { "[x]" } else { "[ ]" }.into(),
        _ => plain(v),
    }
}

/// One JSON-schema object as a form: its values (defaults filled in) and
/// the engine's state; the last row is [`Row::Next`] (the action form's Run).
pub struct SchemaForm {
    /// The schema as a form page.
    pub page: Page,
    /// The values so far.
    pub values: Map<String, Json>,
    /// The cursor.
    pub sel: Selection,
    /// What is open on the form, what was touched.
    pub edit: FormEdit,
}

impl SchemaForm {
    /// A form for `page`, defaults filled in.
    pub fn new(page: Page) -> SchemaForm {
        let mut values = Map::new();
        apply_defaults(std::slice::from_ref(&page), &mut values);
        SchemaForm { page, values, sel: Selection::default(), edit: FormEdit::default() }
    }

    /// The problems of the values (required, types, formats, ranges...).
    pub fn problems(&self) -> Vec<validate::FieldError> {
        validate::check_page(&self.page, &self.values, &Map::new())
    }
}

impl FormHost for SchemaForm {
    fn edit(&self) -> &FormEdit {
        &self.edit
    }
    fn edit_mut(&mut self) -> &mut FormEdit {
        &mut self.edit
    }
    fn sel(&self) -> &Selection {
        &self.sel
    }
    fn sel_mut(&mut self) -> &mut Selection {
        &mut self.sel
    }
    fn fields(&self) -> Vec<Field> {
        self.page.fields(&self.values)
    }
    fn rows(&self) -> Vec<Row> {
        let fields = self.fields();
        let mut rows =
            field_rows(&fields, |f| get_path(&self.values, &f.path).and_then(Json::as_str).map(String::from));
        rows.push(Row::Next);
        rows
    }
    fn field_at(&self, path: &[String]) -> Option<Field> {
        self.fields().into_iter().find(|f| f.path == path)
    }
    fn values(&self) -> &Map<String, Json> {
        &self.values
    }
    fn values_mut(&mut self) -> &mut Map<String, Json> {
        &mut self.values
    }
    fn value(&self, f: &Field) -> Option<&Json> {
        get_path(&self.values, &f.path)
    }
    /// A JSON object or list typed for a field that is not a plain string
    /// (an `anyOf` of objects, say) is read as JSON, not kept as text.
    fn set_value(&mut self, f: &Field, value: Option<Json>) {
        self.edit.touched.insert(f.key());
        let string_only = f.schema.get("type").and_then(Json::as_str) == Some("string");
        let value = match value {
            Some(Json::String(text)) if !string_only && (text.starts_with('{') || text.starts_with('[')) => {
                Some(serde_json::from_str(&text).unwrap_or(Json::String(text)))
            }
            other => other,
        };
        let before = self.values.clone();
        set_path(&mut self.values, &f.path, value);
        defaults_for_revealed(std::slice::from_ref(&self.page), &before, &mut self.values);
    }
    fn schema(&self) -> Option<&Json> {
        Some(&self.page.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(schema: Json) -> Field {
        let kind = crate::scaffold::fields::kind_of(&schema);
        Field { path: vec!["f".into()], schema, required: false, kind }
    }

    #[test]
    fn checkboxes_show_labels_like_selects() {
        let f = field(
            json!({"type": "array", "items": {"type": "string", "enum": ["a", "b"], "enumNames": ["Alpha", "Beta"]}}),
        );
        assert_eq!(shown(&f, Some(&json!(["b", "a", "zz"]))), "Beta, Alpha, zz");
        let s = field(json!({"type": "string", "enum": ["a"], "enumNames": ["Alpha"]}));
        assert_eq!(shown(&s, Some(&json!("a"))), "Alpha");
    }

    #[test]
    fn secrets_and_passwords_are_masked() {
        let p = field(json!({"type": "string", "ui:widget": "password"}));
        assert_eq!(shown(&p, Some(&json!("hunter2"))), "••••••");
        let s = field(json!({"type": "string", "ui:field": "Secret"}));
        assert_eq!(shown(&s, Some(&json!("t0ken"))), "••••••");
    }

    #[test]
    fn a_schema_form_fills_defaults_and_reveals_fields_with_theirs() {
        let page = crate::scaffold::form::pages(Some(&json!({
            "properties": {"host": {"type": "string", "enum": ["github", "gitlab"], "default": "github"}},
            "dependencies": {"host": {"oneOf": [
                {"properties": {"host": {"const": "github"}}},
                {"properties": {"host": {"const": "gitlab"}, "gitlabHost": {"type": "string", "default": "gitlab.com"}}}
            ]}}
        })))
        .remove(0);
        let mut form = SchemaForm::new(page);
        assert_eq!(form.values.get("host"), Some(&json!("github")));
        assert_eq!(form.rows(), [Row::Field(0), Row::Next]);
        let host = form.fields()[0].clone();
        form.set_value(&host, Some(json!("gitlab")));
        assert_eq!(form.values.get("gitlabHost"), Some(&json!("gitlab.com")));
        assert!(form.edit.touched.contains("host"));
    }

    #[test]
    fn json_typed_for_a_union_of_objects_is_read_as_json() {
        let page = crate::scaffold::form::pages(Some(&json!({"properties": {
            "type": {"anyOf": [{"type": "object", "properties": {"locationId": {"type": "string"}}}]},
            "note": {"type": "string"}}})))
        .remove(0);
        let mut form = SchemaForm::new(page);
        let fields = form.fields();
        form.set_value(&fields[0], Some(json!(r#"{"locationId": "abc"}"#)));
        form.set_value(&fields[1], Some(json!("[kept]")));
        assert_eq!(Json::Object(form.values), json!({"type": {"locationId": "abc"}, "note": "[kept]"}));
    }
}
