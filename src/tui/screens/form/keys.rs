//! Keys of the form engine: Enter on a field opens what edits it (a toggle
//! for booleans, a chooser for enums, checkboxes and catalog pickers, the
//! text editor for the rest), the editor and chooser's own keys, and text
//! typed into them.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};
use serde_json::Value as Json;

use crate::scaffold::fields::{FieldKind, PickerKind, plain};
use crate::scaffold::form::Field;
use crate::scaffold::{pickers, repo_url, values};

use crate::tui::action::Action;
use crate::tui::app::Level;
use crate::tui::context::Ctx;
use crate::tui::input::LineInput;
use crate::tui::screens::selection::Selection;

use super::{Chooser, FormHost, Row, Target, disabled_options, set_repo_part};

/// Most catalog suggestions a picker lists.
pub const SUGGESTIONS: usize = 50;

/// A text editor holding `text` (one line unless `multiline`), the cursor at its end.
pub fn editor(text: &str, multiline: bool) -> TextArea<'static> {
    let lines: Vec<String> =
        if multiline { text.split('\n').map(String::from).collect() } else { vec![text.replace('\n', " ")] };
    let mut area = TextArea::new(lines);
    area.move_cursor(CursorMove::Bottom);
    area.move_cursor(CursorMove::End);
    area
}

fn text_of(f: &Field, v: Option<&Json>) -> String {
    match v {
        None => String::new(),
        Some(Json::Array(items)) if f.kind != FieldKind::Json => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Some(v) if f.kind == FieldKind::Json => v.to_string(),
        Some(v) => plain(v),
    }
}

/// Keys while the editor or a chooser is open: `true` when one was (the
/// key went to it).
pub fn handle_open(host: &mut dyn FormHost, action: Action, cx: &mut Ctx) -> bool {
    if host.edit().editor.is_some() {
        if action == Action::Reveal {
            host.edit_mut().reveal = !host.edit().reveal;
        } else {
            editor_action(host, action, cx);
        }
        return true;
    }
    if host.edit().chooser.is_some() {
        chooser_action(host, action, cx.page as isize);
        return true;
    }
    false
}

fn editor_action(host: &mut dyn FormHost, action: Action, cx: &mut Ctx) {
    let Some((_, area, multiline)) = &mut host.edit_mut().editor else { return };
    match action {
        Action::Select if *multiline => area.insert_newline(),
        Action::Select => commit_editor(host, cx),
        Action::Back if *multiline => commit_editor(host, cx),
        Action::Back => host.edit_mut().editor = None,
        Action::ClearQuery => *area = editor("", *multiline),
        Action::MoveUp if *multiline => area.move_cursor(CursorMove::Up),
        Action::MoveDown if *multiline => area.move_cursor(CursorMove::Down),
        Action::NextPane | Action::MoveDown | Action::MoveUp => commit_editor(host, cx),
        _ => {}
    }
}

fn commit_editor(host: &mut dyn FormHost, cx: &mut Ctx) {
    let Some((target, area, _)) = host.edit_mut().editor.take() else { return };
    let text = area.lines().join("\n");
    match target {
        Target::Output => host.set_output(text),
        Target::RepoPart(path, part) => set_repo_part(host, &path, &part, &text),
        Target::Field(path) => {
            let Some(field) = host.field_at(&path) else { return };
            if text.trim().is_empty() && !matches!(field.kind, FieldKind::Text { .. }) || text.is_empty() {
                host.set_value(&field, None);
                return;
            }
            match values::parse_for(Some(&field), &text) {
                Ok(v) => host.set_value(&field, Some(v)),
                // Kept as typed: the field shows why it is not valid (a file
                // that cannot be read says why on the status line).
                Err(e) => {
                    if field.schema.get("format").and_then(Json::as_str) == Some("data-url") {
                        cx.flash(e, Level::Error);
                    }
                    host.set_value(&field, Some(Json::String(text)));
                }
            }
        }
    }
}

/// A chooser over `options` with the cursor on `current`.
fn single(options: Vec<(Json, String)>, current: Option<&Json>, disabled: Vec<Json>) -> Chooser {
    let sel =
        Selection { selected: options.iter().position(|(v, _)| Some(v) == current).unwrap_or(0), ..Default::default() };
    Chooser { options, sel, multi: false, chosen: Vec::new(), query: None, disabled }
}

/// Enter on a field or RepoUrlPicker part: opens what edits it (booleans
/// toggle at once; a list of forms gets an item). Other rows are the host's.
pub fn activate(host: &mut dyn FormHost, row: &Row, index: Option<&crate::index::Index>, identity: Option<&str>) {
    let fields = host.fields();
    match row {
        Row::RepoPart(i, part) => {
            let f = &fields[*i];
            let (repo_host, parts) = repo_url::split(host.value(f).and_then(Json::as_str).unwrap_or(""));
            let current = if part == "host" {
                repo_host
            } else {
                parts.iter().find(|(k, _)| k == part).map(|p| p.1.clone()).unwrap_or_default()
            };
            let target = Target::RepoPart(f.path.clone(), part.clone());
            // `allowedHosts`, `allowedOwners`...: a list to choose from.
            let allowed = repo_url::allowed_for(&f.schema, part);
            if allowed.is_empty() {
                host.edit_mut().editor = Some((target, editor(&current, false), false));
            } else {
                let options = allowed.iter().map(|h| (Json::String(h.clone()), h.clone())).collect();
                let c = single(options, Some(&Json::String(current)), Vec::new());
                host.edit_mut().chooser = Some((target, c));
            }
        }
        Row::Field(i) => activate_field(host, fields[*i].clone(), index, identity),
        Row::RestoreDraft | Row::Next => {}
    }
}

fn activate_field(host: &mut dyn FormHost, f: Field, index: Option<&crate::index::Index>, identity: Option<&str>) {
    let value = host.value(&f).cloned();
    let target = Target::Field(f.path.clone());
    let chooser = match &f.kind {
        FieldKind::Boolean => {
            let on = value.as_ref().and_then(Json::as_bool).unwrap_or(false);
            host.set_value(&f, Some(Json::Bool(!on)));
            return;
        }
        FieldKind::Select { options, .. } => single(options.clone(), value.as_ref(), disabled_options(&f)),
        FieldKind::MultiSelect { options } => Chooser {
            options: options.clone(),
            sel: Selection::default(),
            multi: true,
            chosen: value.and_then(|v| v.as_array().cloned()).unwrap_or_default(),
            query: None,
            disabled: disabled_options(&f),
        },
        FieldKind::Picker(_) | FieldKind::MultiPicker => {
            let multi = f.kind == FieldKind::MultiPicker;
            let chosen = if multi { value.and_then(|v| v.as_array().cloned()).unwrap_or_default() } else { Vec::new() };
            let options = picker_options(index, &f, identity, "");
            let query = Some(LineInput::new(&picker_hint(&f)));
            Chooser { options, sel: Selection::default(), multi, chosen, query, disabled: Vec::new() }
        }
        FieldKind::Info | FieldKind::Hidden | FieldKind::Object | FieldKind::RepoUrl => return,
        // Enter on a list of forms adds an item.
        FieldKind::ObjectList => {
            super::items::item_action(host, Action::ItemAdd);
            return;
        }
        // `RepoOwnerPicker` with `allowedOwners`: a list.
        FieldKind::Text { .. } if !repo_url::allowed_for(&f.schema, "owner").is_empty() => {
            let allowed = repo_url::allowed_for(&f.schema, "owner");
            let current = value.as_ref().and_then(Json::as_str).unwrap_or("");
            let sel =
                Selection { selected: allowed.iter().position(|o| o == current).unwrap_or(0), ..Default::default() };
            let options = allowed.into_iter().map(|o| (Json::String(o.clone()), o)).collect();
            Chooser { options, sel, multi: false, chosen: Vec::new(), query: None, disabled: Vec::new() }
        }
        kind => {
            let multiline = matches!(kind, FieldKind::Text { multiline: true, .. } | FieldKind::Json);
            host.edit_mut().editor = Some((target, editor(&text_of(&f, value.as_ref()), multiline), multiline));
            return;
        }
    };
    host.edit_mut().chooser = Some((target, chooser));
}

/// Keys while a chooser is open.
pub fn chooser_action(host: &mut dyn FormHost, action: Action, page: isize) {
    let Some((target, c)) = &mut host.edit_mut().chooser else { return };
    let n = c.options.len();
    match action {
        Action::MoveUp => c.sel.move_by(-1, n),
        Action::MoveDown => c.sel.move_by(1, n),
        Action::PageUp | Action::HalfPageUp => c.sel.move_by(-page / 2, n),
        Action::PageDown | Action::HalfPageDown => c.sel.move_by(page / 2, n),
        // `ui:enumDisabled`: shown, never chosen.
        Action::Select | Action::NextPane if !c.choosable() && c.query.is_none() => {}
        Action::Select if c.multi => {
            if let Some((v, _)) = c.options.get(c.sel.selected).cloned() {
                if let Some(pos) = c.chosen.iter().position(|x| *x == v) {
                    c.chosen.remove(pos);
                } else {
                    c.chosen.push(v);
                }
            }
        }
        Action::Select | Action::NextPane => {
            let target = target.clone();
            let picked = c.options.get(c.sel.selected).map(|(v, _)| v.clone());
            let typed = c.query.as_ref().map(|q| q.text().trim().to_string()).filter(|t| !t.is_empty());
            host.edit_mut().chooser = None;
            pick(host, target, picked, typed);
        }
        Action::Back => {
            let Some((target, c)) = host.edit_mut().chooser.take() else { return };
            if c.multi
                && let Target::Field(path) = target
                && let Some(field) = host.field_at(&path)
            {
                let value = (!c.chosen.is_empty()).then_some(Json::Array(c.chosen));
                host.set_value(&field, value);
            }
        }
        _ => {}
    }
}

fn pick(host: &mut dyn FormHost, target: Target, picked: Option<Json>, typed: Option<String>) {
    match target {
        Target::RepoPart(path, part) => {
            if let Some(v) = picked.map(|v| plain(&v)).or(typed) {
                set_repo_part(host, &path, &part, &v);
            }
        }
        Target::Field(path) => {
            let Some(field) = host.field_at(&path) else { return };
            let value = match (picked, typed) {
                (Some(v), _) => Some(v),
                (None, Some(t)) if pickers::allows_arbitrary(&field) => {
                    pickers::typed_ref(&field, &t).map(Json::String)
                }
                _ => None,
            };
            if value.is_some() {
                host.set_value(&field, value);
            }
        }
        Target::Output => {}
    }
}

/// Catalog suggestions for a picker field.
pub fn picker_options(
    index: Option<&crate::index::Index>,
    field: &Field,
    identity: Option<&str>,
    text: &str,
) -> Vec<(Json, String)> {
    let Some(index) = index else { return Vec::new() };
    pickers::candidates(index, field, identity, text, SUGGESTIONS)
        .into_iter()
        .map(|c| (Json::String(c.value), c.label))
        .collect()
}

/// The placeholder of a picker's query.
pub fn picker_hint(f: &Field) -> String {
    match f.kind {
        FieldKind::Picker(PickerKind::Owner) => "type to find a group or user".into(),
        FieldKind::Picker(PickerKind::MyGroups) => "your groups".into(),
        FieldKind::Picker(PickerKind::OwnedEntity) => "entities you own".into(),
        _ => "type to find an entity".into(),
    }
}

/// Keys no binding took: text for the open editor or picker query.
pub fn typed(host: &mut dyn FormHost, key: KeyEvent, index: Option<&crate::index::Index>, identity: Option<&str>) {
    if let Some((_, area, multiline)) = &mut host.edit_mut().editor {
        if !*multiline && matches!(key.code, KeyCode::Enter) {
            return;
        }
        area.input(key);
        return;
    }
    let Some((Target::Field(path), c)) = &mut host.edit_mut().chooser else { return };
    let Some(q) = &mut c.query else { return };
    if q.input(key) {
        let text = q.text().to_string();
        let path = path.clone();
        if let Some(field) = host.field_at(&path)
            && let Some((_, c)) = &mut host.edit_mut().chooser
        {
            c.options = picker_options(index, &field, identity, &text);
            c.sel = Selection::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::screens::form::SchemaForm;
    use serde_json::json;

    fn form(properties: Json) -> SchemaForm {
        SchemaForm::new(crate::scaffold::form::pages(Some(&json!({"properties": properties}))).remove(0))
    }

    fn enter(f: &mut SchemaForm, cx: &mut Ctx) {
        if !handle_open(f, Action::Select, cx) {
            let row = f.rows()[f.sel.selected].clone();
            activate(f, &row, None, None);
        }
    }

    #[test]
    fn enum_disabled_options_are_shown_but_never_chosen() {
        let mut f = form(json!({"size": {"type": "string", "enum": ["s", "m", "l"], "ui:enumDisabled": ["m"]}}));
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        enter(&mut f, &mut cx);
        handle_open(&mut f, Action::MoveDown, &mut cx);
        enter(&mut f, &mut cx);
        assert!(f.edit.chooser.is_some(), "still choosing");
        assert_eq!(f.values.get("size"), None);
        handle_open(&mut f, Action::MoveDown, &mut cx);
        enter(&mut f, &mut cx);
        assert_eq!(f.values.get("size"), Some(&json!("l")));
    }

    #[test]
    fn booleans_toggle_and_text_is_converted_by_type() {
        let mut f = form(
            json!({"on": {"type": "boolean"}, "n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}),
        );
        let mut generation = 0;
        let mut cx = Ctx::new(None, &mut generation);
        enter(&mut f, &mut cx);
        assert_eq!(f.values.get("on"), Some(&json!(true)), "a toggle, no editor");
        assert!(f.edit.editor.is_none() && f.edit.chooser.is_none());
        for (row, text, want) in [(1, "42", json!(42)), (2, "a, b", json!(["a", "b"]))] {
            f.sel.selected = row;
            enter(&mut f, &mut cx);
            for c in text.chars() {
                typed(&mut f, KeyEvent::from(KeyCode::Char(c)), None, None);
            }
            enter(&mut f, &mut cx);
            assert_eq!(f.values.get(["on", "n", "tags"][row]), Some(&want));
        }
        f.sel.selected = 1;
        enter(&mut f, &mut cx);
        handle_open(&mut f, Action::ClearQuery, &mut cx);
        typed(&mut f, KeyEvent::from(KeyCode::Char('x')), None, None);
        handle_open(&mut f, Action::NextPane, &mut cx);
        assert_eq!(f.values.get("n"), Some(&json!("x")), "kept as typed");
        assert_eq!(f.error(&f.fields()[1]).as_deref(), Some("must be an integer"));
    }
}
